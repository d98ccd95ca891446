/* The generator's gradient through the discriminator, as the trainer
 * computes it (D's input gradient seeding G's backward pass), against
 * finite differences of the generator loss, for a small DCGAN-shaped pair
 * (dense, batch norm, transposed conv, tanh; conv, batch norm, leaky ReLU,
 * dense) in training mode. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>
#include "gan.h"

typedef struct pair {
    gn_registry *reg;
    gn_rng rng;
    gn_section *secs[16];
    int n_secs;
    gn_gan_models m;
} pair;

static gn_node *layer(pair *p, gn_model *model, const char *type, const char *kv, gn_node *in) {
    gn_error err = {0};
    const gn_layer_vtable *vt = gn_registry_find(p->reg, GN_KIND_LAYER, type, &err);
    cr_assert_not_null(vt, "%s", err.msg);
    gn_section *s = gn_section_new("layer", "test");
    char buf[128];
    snprintf(buf, sizeof buf, "%s", kv);
    for (char *save, *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(tok, '=');
        *eq = '\0';
        cr_assert_eq(gn_section_set(s, tok, eq + 1, 0, &err), GN_OK);
    }
    cr_assert_eq(gn_section_validate(s, vt->schema, NULL, &err), GN_OK, "%s: %s", type, err.msg);
    p->secs[p->n_secs++] = s;
    gn_node *out = NULL;
    cr_assert_eq(gn_model_add_layer(model, NULL, type, s, &in, 1, &out, &err), GN_OK, "%s: %s",
                 type, err.msg);
    return out;
}

static void make(pair *p) {
    gn_error err = {0};
    memset(p, 0, sizeof *p);
    p->reg = gn_registry_new(&err);
    gn_rng_seed(&p->rng, 5);
    int64_t zd[1] = {4}, xd[3] = {1, 8, 8};
    p->m.g = gn_model_new("generator", p->reg, &p->rng, &err);
    gn_node *x = p->m.z = gn_model_add_input(p->m.g, "input", 1, zd, &err);
    x = layer(p, p->m.g, "dense", "units=32", x);
    x = layer(p, p->m.g, "batchnorm", "", x);
    x = layer(p, p->m.g, "elu", "", x); /* smooth (C1): finite differences never straddle a kink */
    x = layer(p, p->m.g, "reshape", "shape=2,4,4", x);
    x = layer(p, p->m.g, "conv2d_transpose", "filters=1 kernel_size=4 strides=2 padding=1", x);
    p->m.fake = layer(p, p->m.g, "tanh", "", x);
    cr_assert_eq(gn_model_finalize(p->m.g, p->m.fake, &err), GN_OK, "%s", err.msg);
    p->m.d = gn_model_new("discriminator", p->reg, &p->rng, &err);
    x = p->m.x = gn_model_add_input(p->m.d, "input", 3, xd, &err);
    x = layer(p, p->m.d, "conv2d", "filters=3 kernel_size=4 strides=2 padding=1", x);
    x = layer(p, p->m.d, "batchnorm", "", x);
    x = layer(p, p->m.d, "elu", "", x);
    x = layer(p, p->m.d, "flatten", "", x);
    p->m.logit = layer(p, p->m.d, "dense", "units=1", x);
    cr_assert_eq(gn_model_finalize(p->m.d, p->m.logit, &err), GN_OK, "%s", err.msg);
    cr_assert_eq(gn_gan_attach_loss(&p->m, &err), GN_OK, "%s", err.msg);
    p->m.sample = 64;
    gn_graph_set_training(gn_model_graph(p->m.g), 1);
    gn_graph_set_training(gn_model_graph(p->m.d), 1);
}

static void done(pair *p) {
    gn_model_free(p->m.g);
    gn_model_free(p->m.d);
    for (int i = 0; i < p->n_secs; i++)
        gn_section_free(p->secs[i]);
    gn_registry_free(p->reg);
}

/* The generator loss for noise z; with grad, G's parameter gradients too. */
static double g_loss(pair *p, const float *z, int grad, gn_gan_gloss kind) {
    gn_error err = {0};
    const float t[5] = {1, 1, 1, 1, 1}, t0[5] = {0};
    cr_assert_eq(gn_graph_feed(p->m.z, z, 5, &err), GN_OK, "%s", err.msg);
    cr_assert_eq(gn_graph_forward(gn_model_graph(p->m.g), p->m.fake, &err), GN_OK, "%s", err.msg);
    double v = 0;
    cr_assert_eq(gn_gan_g_loss(&p->m, kind, gn_tensor_cdata(gn_node_value(p->m.fake)), 5,
                               kind == GN_GAN_MINIMAX ? t0 : t, &v, &err),
                 GN_OK, "%s", err.msg);
    if (grad) {
        gn_model_zero_grad(p->m.g);
        cr_assert_eq(gn_graph_backward_seeded(gn_model_graph(p->m.g), p->m.fake,
                                              gn_tensor_cdata(gn_node_grad(p->m.x)), &err),
                     GN_OK, "%s", err.msg);
    }
    return v;
}

static void check_kind(gn_gan_gloss kind) {
    pair p;
    make(&p);
    float z[20];
    gn_rng r;
    gn_rng_seed(&r, 9);
    const gn_gan_opts o = {.noise = GN_GAN_NOISE_NORMAL, .noise_dim = 4};
    gn_gan_noise_fill(z, 5, &o, &r);
    g_loss(&p, z, 1, kind);
    int64_t n = gn_model_n_params(p.m.g);
    float *w = gn_model_params(p.m.g), *g = gn_model_grads(p.m.g);
    float *analytic = malloc((size_t)n * sizeof *analytic);
    memcpy(analytic, g, (size_t)n * sizeof *g);
    double worst = 0;
    for (int64_t i = 0; i < n; i += 7) { /* every 7th parameter; 5%: batch norm in float32 */
        float keep = w[i];
        w[i] = keep + 1e-3f;
        double up = g_loss(&p, z, 0, kind);
        w[i] = keep - 1e-3f;
        double down = g_loss(&p, z, 0, kind);
        w[i] = keep;
        double fd = (up - down) / 2e-3, a = analytic[i];
        double rel = fabs(fd - a) / fmax(1e-2, fabs(fd) + fabs(a));
        worst = rel > worst ? rel : worst;
        cr_expect(rel < 0.05, "param %lld: analytic %g, finite differences %g", (long long)i, a,
                  fd);
    }
    cr_assert_lt(worst, 0.05);
    free(analytic);
    done(&p);
}

Test(gan_chain, generator_gradient_through_the_discriminator) {
    check_kind(GN_GAN_NONSATURATING);
}

Test(gan_chain, minimax_generator_gradient_through_the_discriminator) {
    check_kind(GN_GAN_MINIMAX);
}

/* noise_categories: each row is noise_dim draws then exactly one 1 among
 * the code's entries, the categories about equally often; without a code the
 * draws are those of one fill of rows x noise_dim values (runs made before
 * the option keep their bits). */
Test(gan_noise, categorical_code_layout) {
    enum { ROWS = 4000, DIM = 3, K = 5 };
    const gn_gan_opts o = {.noise = GN_GAN_NOISE_UNIFORM, .noise_dim = DIM, .noise_categories = K};
    static float z[ROWS * (DIM + K)];
    gn_rng r;
    gn_rng_seed(&r, 3);
    gn_gan_noise_fill(z, ROWS, &o, &r);
    int count[K] = {0};
    for (int i = 0; i < ROWS; i++) {
        const float *row = z + i * (DIM + K);
        for (int j = 0; j < DIM; j++)
            cr_assert(row[j] >= -1.0f && row[j] < 1.0f, "row %d: noise %g", i, row[j]);
        int ones = 0, zeros = 0;
        for (int k = 0; k < K; k++) {
            ones += row[DIM + k] == 1.0f, zeros += row[DIM + k] == 0.0f;
            if (row[DIM + k] == 1.0f) count[k]++;
        }
        cr_assert(ones == 1 && zeros == K - 1, "row %d: %d ones, %d zeros", i, ones, zeros);
    }
    for (int k = 0; k < K; k++) /* 800 expected; 5 sigma is about 130 */
        cr_assert(count[k] > 670 && count[k] < 930, "category %d drawn %d times", k, count[k]);

    const gn_gan_opts plain = {.noise = GN_GAN_NOISE_NORMAL, .noise_dim = 7};
    float a[21], b[21];
    gn_rng_seed(&r, 4);
    gn_gan_noise_fill(a, 3, &plain, &r);
    gn_rng_seed(&r, 4);
    gn_rng_normal_fill(&r, b, 21);
    cr_assert(!memcmp(a, b, sizeof a), "a fill without a code differs from one normal fill");
}
