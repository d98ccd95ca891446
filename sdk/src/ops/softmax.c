/* softmax over the last axis, max-subtracted for stability. */
#include <math.h>
#include "ops/ops_internal.h"

static gn_status softmax_infer(gn_node *n, gn_error *err) {
    gn_tensor *x = gn_in_value(n, 0);
    if (gn_tensor_ndim(x) < 1)
        return gn_error_set(err, GN_ERR_INVALID, "softmax: input needs at least one axis");
    return gn_ops_copy_shape(n, x, err);
}

static gn_status softmax_forward(gn_node *n, gn_error *err) {
    (void)err;
    gn_tensor *xt = gn_in_value(n, 0);
    gn_tensor *yt = gn_node_value(n);
    const float *x = gn_tensor_cdata(xt);
    float *y = gn_tensor_data(yt);
    int64_t c = gn_tensor_dim(xt, gn_tensor_ndim(xt) - 1);
    int64_t rows = c ? gn_tensor_numel(xt) / c : 0;
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x + r * c;
        float *yr = y + r * c;
        float m = xr[0];
        for (int64_t j = 1; j < c; j++)
            m = fmaxf(m, xr[j]);
        double s = 0.0;
        for (int64_t j = 0; j < c; j++) {
            yr[j] = expf(xr[j] - m);
            s += yr[j];
        }
        float inv = (float)(1.0 / s);
        for (int64_t j = 0; j < c; j++)
            yr[j] *= inv;
    }
    return GN_OK;
}

/* dx = y * (dy - sum(dy * y)) per row. */
static gn_status softmax_backward(gn_node *n, gn_error *err) {
    (void)err;
    gn_tensor *dxt = gn_in_grad(n, 0);
    if (!dxt) return GN_OK;
    gn_tensor *yt = gn_node_value(n);
    const float *y = gn_tensor_cdata(yt);
    const float *dy = gn_tensor_cdata(gn_node_grad(n));
    float *dx = gn_tensor_data(dxt);
    int64_t c = gn_tensor_dim(yt, gn_tensor_ndim(yt) - 1);
    int64_t rows = c ? gn_tensor_numel(yt) / c : 0;
    for (int64_t r = 0; r < rows; r++) {
        const float *yr = y + r * c, *dyr = dy + r * c;
        float *dxr = dx + r * c;
        double dot = 0.0;
        for (int64_t j = 0; j < c; j++)
            dot += (double)dyr[j] * yr[j];
        for (int64_t j = 0; j < c; j++)
            dxr[j] += yr[j] * (dyr[j] - (float)dot);
    }
    return GN_OK;
}

const gn_op_vtable gn_op_softmax = {
    .struct_size = sizeof(gn_op_vtable),
    .name = "softmax",
    .doc = "y_i = e^(x_i - max x) / sum_j e^(x_j - max x) over the last axis",
    .n_inputs = 1,
    .infer = softmax_infer,
    .forward = softmax_forward,
    .backward = softmax_backward,
};
