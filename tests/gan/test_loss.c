/* The GAN's losses on the discriminator's logits (the SDK's bce_logits):
 * values and gradients against hand-computed numbers for the
 * discriminator's targets (with one-sided smoothing) and both generator
 * losses, and a finite-difference check through a real dense layer. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>
#include "gan.h"

/* A discriminator whose logit is the input itself: dense(1) with w = 1, b = 0. */
typedef struct fixture {
    gn_registry *reg;
    gn_rng rng;
    gn_section *p;
    gn_gan_models m;
} fixture;

static void make(fixture *f, float w) {
    gn_error err = {0};
    memset(f, 0, sizeof *f);
    f->reg = gn_registry_new(&err);
    gn_rng_seed(&f->rng, 1);
    f->m.d = gn_model_new("discriminator", f->reg, &f->rng, &err);
    cr_assert(f->reg && f->m.d, "%s", err.msg);
    int64_t dims[1] = {1};
    f->m.x = gn_model_add_input(f->m.d, "input", 1, dims, &err);
    const gn_layer_vtable *dense = gn_registry_find(f->reg, GN_KIND_LAYER, "dense", &err);
    f->p = gn_section_new("layer.d", "test");
    cr_assert(f->m.x && dense && f->p, "%s", err.msg);
    cr_assert_eq(gn_section_set(f->p, "units", "1", 0, &err), GN_OK);
    cr_assert_eq(gn_section_validate(f->p, dense->schema, NULL, &err), GN_OK, "%s", err.msg);
    cr_assert_eq(gn_model_add_layer(f->m.d, "d", "dense", f->p, &f->m.x, 1, &f->m.logit, &err),
                 GN_OK, "%s", err.msg);
    cr_assert_eq(gn_model_finalize(f->m.d, f->m.logit, &err), GN_OK, "%s", err.msg);
    for (int i = 0; i < gn_model_n_tensors(f->m.d); i++)
        gn_tensor_fill(gn_model_tensor(f->m.d, i),
                       strstr(gn_model_tensor_name(f->m.d, i), "weight") ? w : 0.0f);
    cr_assert_eq(gn_gan_attach_loss(&f->m, &err), GN_OK, "%s", err.msg);
}

static void done(fixture *f) {
    gn_model_free(f->m.d);
    gn_section_free(f->p);
    gn_registry_free(f->reg);
}

static const float logits[3] = {0, 2, -1};

static void expect_grad(fixture *f, const float *want) {
    const float *g = gn_tensor_cdata(gn_node_grad(f->m.x));
    for (int i = 0; i < 3; i++)
        cr_expect_float_eq(g[i], want[i], 1e-6, "dL/dx[%d] = %.7f, want %.7f", i, g[i], want[i]);
}

Test(gan_loss, non_saturating_generator_loss) {
    fixture f;
    make(&f, 1);
    gn_error err = {0};
    const float ones[3] = {1, 1, 1};
    double v = 0;
    cr_assert_eq(gn_gan_g_loss(&f.m, GN_GAN_NONSATURATING, logits, 3, ones, &v, &err), GN_OK, "%s",
                 err.msg);
    /* -log sigmoid(x) = softplus(-x): (0.693147 + 0.126928 + 1.313262) / 3 */
    cr_assert_float_eq(v, 0.7111124, 1e-6);
    /* (sigmoid(x) - 1) / 3 */
    const float want[3] = {-0.5f / 3, -0.1192029f / 3, -0.7310586f / 3};
    expect_grad(&f, want);
    done(&f);
}

Test(gan_loss, minimax_generator_loss) {
    fixture f;
    make(&f, 1);
    gn_error err = {0};
    const float zeros[3] = {0, 0, 0};
    double v = 0;
    cr_assert_eq(gn_gan_g_loss(&f.m, GN_GAN_MINIMAX, logits, 3, zeros, &v, &err), GN_OK, "%s",
                 err.msg);
    /* log(1 - sigmoid(x)) = -softplus(x): -(0.693147 + 2.126928 + 0.313262) / 3 */
    cr_assert_float_eq(v, -1.0444457, 1e-6);
    /* d/dx log(1 - sigmoid(x)) = -sigmoid(x), / 3: saturates as D wins (x << 0) */
    const float want[3] = {-0.5f / 3, -0.8807971f / 3, -0.2689414f / 3};
    expect_grad(&f, want);
    done(&f);
}

Test(gan_loss, discriminator_loss_with_one_sided_smoothing) {
    fixture f;
    make(&f, 1);
    gn_error err = {0};
    const float real[3] = {0.9f, 0.9f, 0.9f};
    cr_assert_eq(gn_graph_feed(f.m.x, logits, 3, &err), GN_OK);
    cr_assert_eq(gn_graph_feed(f.m.target, real, 3, &err), GN_OK);
    cr_assert_eq(gn_graph_forward(gn_model_graph(f.m.d), f.m.loss, &err), GN_OK, "%s", err.msg);
    /* softplus(x) - 0.9 x: (0.693147 + 0.326928 + 1.213262) / 3 */
    cr_assert_float_eq(gn_tensor_cdata(gn_node_value(f.m.loss))[0], 0.7444457, 1e-6);
    done(&f);
}

Test(gan_loss, gradient_through_the_discriminator_matches_finite_differences) {
    fixture f;
    make(&f, -0.7f);
    gn_error err = {0};
    const float t[3] = {0.9f, 0, 1};
    cr_assert_eq(gn_graph_feed(f.m.x, logits, 3, &err), GN_OK);
    cr_assert_eq(gn_graph_feed(f.m.target, t, 3, &err), GN_OK);
    gn_gradcheck_result r;
    cr_assert_eq(gn_gradcheck(gn_model_graph(f.m.d), f.m.loss, f.m.x, 1e-3f, &r, &err), GN_OK, "%s",
                 err.msg);
    cr_assert_lt(r.max_rel_err, 5e-3, "rel %g abs %g", r.max_rel_err, r.max_abs_err);
    cr_assert_eq(r.checked, 3);
    done(&f);
}
