/* The VAE's fused op: reparameterisation with its KL term (see vae.h for
 * the maths). The reconstruction losses are the SDK's bce_logits and mse
 * with their per-sample reduction. */
#include <math.h>
#include <string.h>
#include "vae.h"

static gn_tensor *in_value(gn_node *n, int i) {
    return gn_node_value(gn_node_input(n, i));
}
static gn_tensor *in_grad(gn_node *n, int i) {
    return gn_node_grad(gn_node_input(n, i));
}

static gn_status shape_error(gn_error *err, const char *op, const gn_tensor *a,
                             const gn_tensor *b) {
    char sa[64], sb[64];
    gn_tensor_shape_str(a, 0, sa, sizeof sa);
    gn_tensor_shape_str(b, 0, sb, sizeof sb);
    return gn_error_set(err, GN_ERR_INVALID, "%s: shapes %s and %s do not match", op, sa, sb);
}

/* ---- vae_sample ---------------------------------------------------------- */

static gn_status sample_infer(gn_node *n, gn_error *err) {
    gn_tensor *h = in_value(n, 0), *e = in_value(n, 1);
    int64_t b = gn_tensor_dim(h, 0), w = gn_tensor_dim(h, 1);
    if (gn_tensor_ndim(h) != 2 || w % 2)
        return gn_error_set(err, GN_ERR_INVALID,
                            "vae_sample: the encoder output must be (batch, 2 * latent), "
                            "[mean | log-variance]; got %lld values per sample",
                            (long long)gn_tensor_numel(h) / (b ? b : 1));
    if (gn_tensor_ndim(e) != 2 || gn_tensor_dim(e, 0) != b || gn_tensor_dim(e, 1) != w / 2)
        return shape_error(err, "vae_sample", h, e);
    int64_t dims[2] = {b, w / 2 + 1};
    return gn_node_set_shape(n, 2, dims, err);
}

/* z = mu + s eps, s = e^(lv/2); kl = 1/2 sum(mu^2 + s^2 - 1 - lv). */
static gn_status sample_forward(gn_node *n, gn_error *err) {
    (void)err;
    gn_tensor *ht = in_value(n, 0);
    const float *h = gn_tensor_cdata(ht), *e = gn_tensor_cdata(in_value(n, 1));
    float *y = gn_tensor_data(gn_node_value(n));
    int64_t b = gn_tensor_dim(ht, 0), l = gn_tensor_dim(ht, 1) / 2;
    for (int64_t i = 0; i < b; i++) {
        const float *mu = h + i * 2 * l, *lv = mu + l, *ei = e + i * l;
        float *z = y + i * (l + 1);
        double kl = 0;
        for (int64_t j = 0; j < l; j++) {
            float s = expf(0.5f * lv[j]);
            z[j] = mu[j] + s * ei[j];
            kl += (double)mu[j] * mu[j] + (double)s * s - 1.0 - lv[j];
        }
        z[l] = (float)(0.5 * kl);
    }
    return GN_OK;
}

/* dmu = gz + gk mu; dlv = gz eps s / 2 + gk (s^2 - 1) / 2; deps = gz s. */
static gn_status sample_backward(gn_node *n, gn_error *err) {
    (void)err;
    gn_tensor *ht = in_value(n, 0), *dh = in_grad(n, 0), *de = in_grad(n, 1);
    const float *h = gn_tensor_cdata(ht), *e = gn_tensor_cdata(in_value(n, 1));
    const float *g = gn_tensor_cdata(gn_node_grad(n));
    int64_t b = gn_tensor_dim(ht, 0), l = gn_tensor_dim(ht, 1) / 2;
    for (int64_t i = 0; i < b; i++) {
        const float *mu = h + i * 2 * l, *lv = mu + l, *ei = e + i * l, *gz = g + i * (l + 1);
        float gk = gz[l];
        for (int64_t j = 0; j < l; j++) {
            float s = expf(0.5f * lv[j]);
            if (dh) {
                float *d = gn_tensor_data(dh) + i * 2 * l;
                d[j] += gz[j] + gk * mu[j];
                d[l + j] += 0.5f * (gz[j] * ei[j] * s + gk * (s * s - 1.0f));
            }
            if (de) gn_tensor_data(de)[i * l + j] += gz[j] * s;
        }
    }
    return GN_OK;
}

const gn_op_vtable gn_vae_op_sample = {
    .struct_size = sizeof(gn_op_vtable),
    .name = "vae_sample",
    .doc = "[z | kl] from h = [mu | logvar]: z = mu + exp(logvar/2) eps, "
           "kl = 1/2 sum(mu^2 + exp(logvar) - 1 - logvar)",
    .n_inputs = 2,
    .infer = sample_infer,
    .forward = sample_forward,
    .backward = sample_backward,
};
