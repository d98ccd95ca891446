/* mse: L = mean over all elements of (p - t)^2. */
#include "ops/ops_internal.h"

static gn_status mse_infer(gn_node *n, gn_error *err) {
    gn_tensor *p = gn_in_value(n, 0), *t = gn_in_value(n, 1);
    if (gn_tensor_numel(p) != gn_tensor_numel(t) || !gn_ops_same_shape(p, t))
        return gn_ops_shape_mismatch(err, "mse", p, t);
    return gn_ops_scalar_shape(n, err);
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
    gn_tensor_data(gn_node_value(n))[0] = len ? (float)(s / (double)len) : 0.0f;
    return GN_OK;
}

static gn_status mse_backward(gn_node *n, gn_error *err) {
    (void)err;
    gn_tensor *pt = gn_in_value(n, 0);
    const float *p = gn_tensor_cdata(pt), *t = gn_tensor_cdata(gn_in_value(n, 1));
    int64_t len = gn_tensor_numel(pt);
    if (!len) return GN_OK;
    float scale = 2.0f * gn_tensor_cdata(gn_node_grad(n))[0] / (float)len;
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
    .doc = "L = mean((p - t)^2) over all elements",
    .n_inputs = 2,
    .infer = mse_infer,
    .forward = mse_forward,
    .backward = mse_backward,
};
