/* mse: L = mean over all elements of (p - t)^2; with i[0] = 1 the squares
 * are summed over each sample and averaged over the batch (a VAE's
 * per-image reconstruction error). */
#include "ops/ops_internal.h"

static gn_status mse_infer(gn_node *n, gn_error *err) {
    gn_tensor *p = gn_in_value(n, 0), *t = gn_in_value(n, 1);
    if (!per_sample_match(gn_node_attrs(n), p, t)) return gn_ops_shape_mismatch(err, "mse", p, t);
    if (gn_node_attrs(n)->i[0] != 0 && gn_node_attrs(n)->i[0] != 1)
        return gn_error_set(err, GN_ERR_INVALID,
                            "mse: reduction %lld must be 0 (mean) or 1 (sum per sample)",
                            (long long)gn_node_attrs(n)->i[0]);
    return gn_ops_scalar_shape(n, err);
}

/* The divisor: all elements, or the batch. */
static int64_t divisor(gn_node *n) {
    gn_tensor *p = gn_in_value(n, 0);
    return gn_node_attrs(n)->i[0] == 1 ? gn_tensor_dim(p, 0) : gn_tensor_numel(p);
}

static gn_status mse_forward(gn_node *n, gn_error *err) {
    (void)err;
    gn_tensor *pt = gn_in_value(n, 0);
    const float *p = gn_tensor_cdata(pt), *t = gn_tensor_cdata(gn_in_value(n, 1));
    int64_t len = gn_tensor_numel(pt);
    double s = 0.0;
    for (int64_t i = 0; i < len; i++) {
        double d = (double)p[i] - t[i];
        s += d * d;
    }
    const int64_t div = divisor(n);
    gn_tensor_data(gn_node_value(n))[0] = div ? (float)(s / (double)div) : 0.0f;
    return GN_OK;
}

static gn_status mse_backward(gn_node *n, gn_error *err) {
    (void)err;
    gn_tensor *pt = gn_in_value(n, 0);
    const float *p = gn_tensor_cdata(pt), *t = gn_tensor_cdata(gn_in_value(n, 1));
    int64_t len = gn_tensor_numel(pt);
    const int64_t div = divisor(n);
    if (!div) return GN_OK;
    float scale = 2.0f * gn_tensor_cdata(gn_node_grad(n))[0] / (float)div;
    gn_tensor *dp = gn_in_grad(n, 0), *dt = gn_in_grad(n, 1);
    if (dp) {
        float *d = gn_tensor_data(dp);
        for (int64_t i = 0; i < len; i++)
            d[i] += scale * (p[i] - t[i]);
    }
    if (dt) {
        float *d = gn_tensor_data(dt);
        for (int64_t i = 0; i < len; i++)
            d[i] -= scale * (p[i] - t[i]);
    }
    return GN_OK;
}

const gn_op_vtable gn_op_mse = {
    .struct_size = sizeof(gn_op_vtable),
    .name = "mse",
    .doc =
        "L = mean((p - t)^2) over all elements (i[0] = 1: summed per sample, mean over the batch)",
    .n_inputs = 2,
    .infer = mse_infer,
    .forward = mse_forward,
    .backward = mse_backward,
};
