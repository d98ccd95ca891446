/* bce_logits: binary cross-entropy with the sigmoid fused in (PyTorch's
 * BCEWithLogitsLoss): per element softplus(z) - t z, never log(0), so
 * saturated outputs keep their gradient (a clamped log(p) flattens it).
 * i[0] = 0: mean over all elements; i[0] = 1: sum over each sample's
 * elements, mean over the batch (a VAE's nats per image).
 * dL/dz = (sigmoid(z) - t) / N, dL/dt = -z / N (N the divisor above). */
#include "ops/fastmath.h"
#include "ops/ops_internal.h"

static gn_status bcel_infer(gn_node *n, gn_error *err) {
    gn_tensor *z = gn_in_value(n, 0), *t = gn_in_value(n, 1);
    if (!per_sample_match(gn_node_attrs(n), z, t))
        return gn_ops_shape_mismatch(err, "bce_logits", z, t);
    if (gn_node_attrs(n)->i[0] != 0 && gn_node_attrs(n)->i[0] != 1)
        return gn_error_set(err, GN_ERR_INVALID,
                            "bce_logits: reduction %lld must be 0 (mean) or 1 (sum per sample)",
                            (long long)gn_node_attrs(n)->i[0]);
    return gn_ops_scalar_shape(n, err);
}

/* The divisor: all elements, or the batch. */
static int64_t divisor(gn_node *n) {
    gn_tensor *z = gn_in_value(n, 0);
    return gn_node_attrs(n)->i[0] == 1 ? gn_tensor_dim(z, 0) : gn_tensor_numel(z);
}

#define LANES 8 /* independent partial sums: a single float chain would not vectorise */

static gn_status bcel_forward(gn_node *n, gn_error *err) {
    (void)err;
    gn_tensor *zt = gn_in_value(n, 0);
    const float *z = gn_tensor_cdata(zt), *t = gn_tensor_cdata(gn_in_value(n, 1));
    const int64_t b = gn_tensor_dim(zt, 0), d = b ? gn_tensor_numel(zt) / b : 0;
    double sum = 0;
    for (int64_t i = 0; i < b; i++) { /* float within a sample, double across */
        const float *zi = z + i * d, *ti = t + i * d;
        float acc[LANES] = {0};
        int64_t j = 0;
        for (; j + LANES <= d; j += LANES)
            for (int k = 0; k < LANES; k++)
                acc[k] += gn_bce_logit_term(zi[j + k], ti[j + k]);
        for (; j < d; j++)
            acc[0] += gn_bce_logit_term(zi[j], ti[j]);
        for (int k = 0; k < LANES; k++)
            sum += acc[k];
    }
    const int64_t div = divisor(n);
    gn_tensor_data(gn_node_value(n))[0] = div ? (float)(sum / (double)div) : 0.0f;
    return GN_OK;
}

static gn_status bcel_backward(gn_node *n, gn_error *err) {
    (void)err;
    gn_tensor *zt = gn_in_value(n, 0), *dz = gn_in_grad(n, 0), *dt = gn_in_grad(n, 1);
    const float *z = gn_tensor_cdata(zt), *t = gn_tensor_cdata(gn_in_value(n, 1));
    const int64_t len = gn_tensor_numel(zt), div = divisor(n);
    if (!div) return GN_OK;
    const float k = gn_tensor_cdata(gn_node_grad(n))[0] / (float)div;
    if (dz) {
        float *d = gn_tensor_data(dz);
        for (int64_t j = 0; j < len; j++)
            d[j] += k * (gn_sigmoid_fast(z[j]) - t[j]);
    }
    if (dt) {
        float *d = gn_tensor_data(dt);
        for (int64_t j = 0; j < len; j++)
            d[j] -= k * z[j];
    }
    return GN_OK;
}

const gn_op_vtable gn_op_bce_logits = {
    .struct_size = sizeof(gn_op_vtable),
    .name = "bce_logits",
    .doc = "L = mean(softplus(z) - t z) (i[0] = 1: summed per sample, mean over the batch)",
    .n_inputs = 2,
    .infer = bcel_infer,
    .forward = bcel_forward,
    .backward = bcel_backward,
};
