/* The generator and the discriminator: built by the host from
 * [model.generator] and [model.discriminator], checked against the data,
 * and joined by the loss on the discriminator's logits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gan.h"

static gn_status need_section(const gn_run_ctx *ctx, const char *name, gn_error *err) {
    char s[64];
    snprintf(s, sizeof s, "model.%s", name);
    if (ctx->host->section(ctx->run, s)) return GN_OK;
    return gn_error_set(err, GN_ERR_CONFIG,
                        "gan: no [%s] section: the gan trainer needs [model.generator] (noise to "
                        "images, e.g. ending in dense(784) tanh) and [model.discriminator] (images "
                        "to one logit, ending in dense(1))",
                        s);
}

static void dims_str(int ndim, const int64_t *dims, char *buf, size_t n) {
    size_t off = (size_t)snprintf(buf, n, "(");
    for (int i = 0; i < ndim && off < n; i++)
        off += (size_t)snprintf(buf + off, n - off, "%s%lld", i ? ", " : "", (long long)dims[i]);
    if (off < n) snprintf(buf + off, n - off, ")");
}

static gn_status build_generator(const gn_run_ctx *ctx, const gn_gan_opts *o, gn_gan_models *m,
                                 gn_error *err) {
    gn_data_info zi = {.struct_size = sizeof zi, .n = 0, .ndim = 1, .name = "noise"};
    zi.dims[0] = gn_gan_z_dim(o);
    gn_status st = ctx->host->model_build(ctx->run, "generator", &zi, &m->g, err);
    if (st) return st;
    m->z = gn_model_input(m->g, 0);
    m->fake = gn_model_output(m->g);
    gn_tensor *v = gn_node_value(m->fake);
    int64_t per = gn_tensor_numel(v) / (gn_tensor_dim(v, 0) ? gn_tensor_dim(v, 0) : 1);
    if (per != m->sample) {
        char got[64], want[64];
        gn_tensor_shape_str(v, 1, got, sizeof got);
        dims_str(m->ndim, m->dims, want, sizeof want);
        return gn_error_set(err, GN_ERR_CONFIG,
                            "gan: the generator outputs %s but the images are %s (%lld values): "
                            "end [model.generator] with dense(%lld) tanh (or a reshape to %s)",
                            got, want, (long long)m->sample, (long long)m->sample, want);
    }
    return GN_OK;
}

static gn_status build_discriminator(const gn_run_ctx *ctx, gn_data *data, gn_gan_models *m,
                                     gn_error *err) {
    gn_data_info info = {.struct_size = sizeof info};
    ctx->host->data_info(data, &info);
    gn_status st = ctx->host->model_build(ctx->run, "discriminator", &info, &m->d, err);
    if (st) return st;
    m->x = gn_model_input(m->d, 0);
    m->logit = gn_model_output(m->d);
    /* A Keras-style discriminator may end in sigmoid: the loss takes its logits. */
    if (gn_node_op(m->logit) == &gn_op_sigmoid) {
        m->logit = gn_node_input(m->logit, 0);
        ctx->host->log(ctx->run, GN_LOG_INFO,
                       "the discriminator ends in sigmoid: its input is used as the logit");
    }
    gn_tensor *v = gn_node_value(m->logit);
    if (gn_tensor_ndim(v) != 2 || gn_tensor_dim(v, 1) != 1) {
        char got[64];
        gn_tensor_shape_str(v, 1, got, sizeof got);
        return gn_error_set(err, GN_ERR_CONFIG,
                            "gan: the discriminator outputs %s; it must give one logit per image, "
                            "(None, 1): end [model.discriminator] with dense(1)",
                            got);
    }
    return gn_gan_attach_loss(m, err);
}

gn_status gn_gan_attach_loss(gn_gan_models *m, gn_error *err) {
    gn_status st = gn_graph_input_require_grad(m->x, err);
    if (st) return st;
    int64_t td[2] = {1, 1};
    gn_graph *g = gn_model_graph(m->d);
    m->target = gn_graph_input(g, "gan_target", 2, td, 0, err);
    if (!m->target) return err->status;
    /* The SDK's stable BCE on logits (PyTorch's BCEWithLogitsLoss). */
    gn_node *in[2] = {m->logit, m->target};
    m->loss = gn_graph_apply(g, &gn_op_bce_logits, in, 2, NULL, err);
    return m->loss ? GN_OK : err->status;
}

gn_status gn_gan_models_build(const gn_run_ctx *ctx, const gn_gan_opts *o, gn_data *data,
                              int need_d, gn_gan_models *m, gn_error *err) {
    memset(m, 0, sizeof *m);
    gn_data_info info = {.struct_size = sizeof info};
    ctx->host->data_info(data, &info);
    m->ndim = info.ndim;
    m->sample = 1;
    for (int i = 0; i < info.ndim; i++)
        m->sample *= (m->dims[i] = info.dims[i]);
    gn_status st = need_section(ctx, "generator", err);
    if (!st && need_d) st = need_section(ctx, "discriminator", err);
    if (!st) st = build_generator(ctx, o, m, err);
    if (!st && need_d) st = build_discriminator(ctx, data, m, err);
    return st;
}

void gn_gan_models_free(gn_gan_models *m) {
    gn_model_free(m->g);
    gn_model_free(m->d);
    memset(m, 0, sizeof *m);
}

static void noise_values(float *z, int64_t n, gn_gan_noise kind, gn_rng *rng) {
    if (kind == GN_GAN_NOISE_UNIFORM)
        for (int64_t i = 0; i < n; i++)
            z[i] = (float)(2.0 * gn_rng_uniform(rng) - 1.0);
    else
        gn_rng_normal_fill(rng, z, n);
}

void gn_gan_noise_fill(float *z, int64_t rows, const gn_gan_opts *o, gn_rng *rng) {
    if (o->noise_categories == 0) { /* one call: the draws of runs without a code */
        noise_values(z, rows * o->noise_dim, o->noise, rng);
        return;
    }
    for (int64_t r = 0; r < rows; r++, z += gn_gan_z_dim(o)) {
        noise_values(z, o->noise_dim, o->noise, rng);
        memset(z + o->noise_dim, 0, (size_t)o->noise_categories * sizeof *z);
        z[o->noise_dim + (int64_t)gn_rng_below(rng, (uint64_t)o->noise_categories)] = 1.0f;
    }
}

gn_status gn_gan_g_loss(gn_gan_models *m, gn_gan_gloss kind, const float *fake, int64_t n,
                        const float *targets, double *value, gn_error *err) {
    gn_graph *dg = gn_model_graph(m->d);
    const float seed = kind == GN_GAN_MINIMAX ? -1.0f : 1.0f;
    gn_status st = gn_graph_feed(m->x, fake, n, err);
    if (!st) st = gn_graph_feed(m->target, targets, n, err);
    if (!st) st = gn_graph_forward(dg, m->loss, err);
    /* Only dL/d(image) is needed: D's own weight gradients are skipped. */
    gn_graph_params_grad_enabled(dg, 0);
    if (!st) st = gn_graph_backward_seeded(dg, m->loss, &seed, err);
    gn_graph_params_grad_enabled(dg, 1);
    if (!st) *value = seed * gn_tensor_cdata(gn_node_value(m->loss))[0];
    return st;
}

gn_status gn_gan_generate(gn_gan_models *m, const float *z, int64_t n, float *out, gn_error *err) {
    gn_graph *g = gn_model_graph(m->g);
    int was = gn_graph_training(g);
    gn_graph_set_training(g, 0); /* batch norm with its running statistics */
    int64_t zd = gn_tensor_numel(gn_node_value(m->z)) / gn_tensor_dim(gn_node_value(m->z), 0);
    gn_status st = GN_OK;
    for (int64_t s = 0; s < n && !st; s += 500) {
        int64_t k = n - s < 500 ? n - s : 500;
        st = gn_graph_feed(m->z, z + s * zd, k, err);
        if (!st) st = gn_graph_forward(g, m->fake, err);
        if (!st)
            memcpy(out + s * m->sample, gn_tensor_cdata(gn_node_value(m->fake)),
                   (size_t)(k * m->sample) * sizeof(float));
    }
    gn_graph_set_training(g, was);
    return st;
}
