/* bce: L = -mean(t log p + (1 - t) log(1 - p)) over all elements, with p
 * clamped to [eps, 1 - eps] (eps = 1e-7, as Keras) so log never sees 0. */
#include <math.h>
#include "ops/ops_internal.h"

#define GN_BCE_EPS 1e-7

static gn_status bce_infer(gn_node *n, gn_error *err) {
    gn_tensor *p = gn_in_value(n, 0), *t = gn_in_value(n, 1);
    if (!gn_ops_same_shape(p, t)) return gn_ops_shape_mismatch(err, "bce", p, t);
    return gn_ops_scalar_shape(n, err);
}

static inline double clampp(float p) {
    double q = p;
    if (q < GN_BCE_EPS) q = GN_BCE_EPS;
    if (q > 1.0 - GN_BCE_EPS) q = 1.0 - GN_BCE_EPS;
    return q;
}

static gn_status bce_forward(gn_node *n, gn_error *err) {
    (void)err;
    gn_tensor *pt = gn_in_value(n, 0);
    const float *p = gn_tensor_cdata(pt), *t = gn_tensor_cdata(gn_in_value(n, 1));
    int64_t len = gn_tensor_numel(pt);
    double s = 0.0;
    for (int64_t i = 0; i < len; i++) {
        double q = clampp(p[i]);
        s -= t[i] * log(q) + (1.0 - t[i]) * log1p(-q);
    }
    gn_tensor_data(gn_node_value(n))[0] = len ? (float)(s / (double)len) : 0.0f;
    return GN_OK;
}

/* dL/dp = (p - t) / (p (1 - p)) / N inside the clamp, 0 outside (the clamp
 * is flat there); dL/dt = (log(1 - p) - log p) / N. */
static gn_status bce_backward(gn_node *n, gn_error *err) {
    (void)err;
    gn_tensor *pt = gn_in_value(n, 0);
    const float *p = gn_tensor_cdata(pt), *t = gn_tensor_cdata(gn_in_value(n, 1));
    int64_t len = gn_tensor_numel(pt);
    if (!len) return GN_OK;
    double scale = gn_tensor_cdata(gn_node_grad(n))[0] / (double)len;
    gn_tensor *dp = gn_in_grad(n, 0), *dt = gn_in_grad(n, 1);
    if (dp) {
        float *d = gn_tensor_data(dp);
        for (int64_t i = 0; i < len; i++) {
            double q = p[i];
            if (q < GN_BCE_EPS || q > 1.0 - GN_BCE_EPS) continue;
            d[i] += (float)(scale * (q - t[i]) / (q * (1.0 - q)));
        }
    }
    if (dt) {
        float *d = gn_tensor_data(dt);
        for (int64_t i = 0; i < len; i++) {
            double q = clampp(p[i]);
            d[i] += (float)(scale * (log1p(-q) - log(q)));
        }
    }
    return GN_OK;
}

const gn_op_vtable gn_op_bce = {
    .struct_size = sizeof(gn_op_vtable),
    .name = "bce",
    .doc = "L = -mean(t log p + (1 - t) log(1 - p)), p clamped to [1e-7, 1 - 1e-7]",
    .n_inputs = 2,
    .infer = bce_infer,
    .forward = bce_forward,
    .backward = bce_backward,
};
