/* cross_entropy with a fused, max-shifted log-softmax:
 *   L = mean_b sum_c -t_bc log softmax(z_b)_c
 * Targets are class ids (B) or (B, 1), stored as floats, or probabilities
 * (B, C). The softmax is saved in aux for backward:
 *   dz = (softmax(z) sum_c t_c - t) / B   (sum_c t_c = 1 for ids). */
#include <math.h>
#include "ops/ops_internal.h"

enum { PROB_SLOT = 0 };

/* Class ids when the target has one value per row and C > 1 would be ambiguous. */
static int target_is_ids(const gn_tensor *z, const gn_tensor *t) {
    if (gn_tensor_ndim(t) == 1) return 1;
    return gn_tensor_ndim(t) == 2 && gn_tensor_dim(t, 1) == 1 && gn_tensor_dim(z, 1) != 1;
}

static gn_status ce_infer(gn_node *n, gn_error *err) {
    gn_tensor *z = gn_in_value(n, 0), *t = gn_in_value(n, 1);
    char sz[64], st[64];
    gn_tensor_shape_str(z, 0, sz, sizeof sz);
    gn_tensor_shape_str(t, 0, st, sizeof st);
    if (gn_tensor_ndim(z) != 2)
        return gn_error_set(err, GN_ERR_INVALID,
                            "cross_entropy: logits must be 2-D (batch, classes), got %s", sz);
    int ok =
        target_is_ids(z, t) ? gn_tensor_dim(t, 0) == gn_tensor_dim(z, 0) : gn_ops_same_shape(z, t);
    if (!ok)
        return gn_error_set(err, GN_ERR_INVALID,
                            "cross_entropy: target %s does not fit logits %s (expected class ids "
                            "(%lld) or probabilities %s)",
                            st, sz, (long long)gn_tensor_dim(z, 0), sz);
    return gn_ops_scalar_shape(n, err);
}

static gn_status ce_forward(gn_node *n, gn_error *err) {
    gn_tensor *zt = gn_in_value(n, 0), *tt = gn_in_value(n, 1);
    const float *z = gn_tensor_cdata(zt), *t = gn_tensor_cdata(tt);
    int64_t batch = gn_tensor_dim(zt, 0), c = gn_tensor_dim(zt, 1);
    int ids = target_is_ids(zt, tt);
    float *prob = gn_node_aux(n, PROB_SLOT, batch * c > 0 ? batch * c : 1, err);
    if (!prob) return err ? err->status : GN_ERR_NOMEM;
    double loss = 0.0;
    for (int64_t b = 0; b < batch; b++) {
        const float *zr = z + b * c;
        float *pr = prob + b * c;
        float m = zr[0];
        for (int64_t j = 1; j < c; j++)
            m = fmaxf(m, zr[j]);
        double s = 0.0;
        for (int64_t j = 0; j < c; j++) {
            pr[j] = expf(zr[j] - m);
            s += pr[j];
        }
        double lse = (double)m + log(s); /* log sum_j e^z_j */
        float inv = (float)(1.0 / s);
        for (int64_t j = 0; j < c; j++)
            pr[j] *= inv;
        if (ids) {
            float v = t[b];
            int64_t k = (int64_t)v;
            if (!(v >= 0.0f) || (float)k != v || k >= c)
                return gn_error_set(err, GN_ERR_INVALID,
                                    "cross_entropy: target %g in row %lld is not a class id in "
                                    "[0, %lld)",
                                    (double)v, (long long)b, (long long)c);
            loss += lse - zr[k];
        } else {
            const float *tr = t + b * c;
            for (int64_t j = 0; j < c; j++)
                if (tr[j] != 0.0f) loss += tr[j] * (lse - zr[j]);
        }
    }
    gn_tensor_data(gn_node_value(n))[0] = batch ? (float)(loss / (double)batch) : 0.0f;
    return GN_OK;
}

static gn_status ce_backward(gn_node *n, gn_error *err) {
    gn_tensor *zt = gn_in_value(n, 0), *tt = gn_in_value(n, 1);
    const float *t = gn_tensor_cdata(tt);
    int64_t batch = gn_tensor_dim(zt, 0), c = gn_tensor_dim(zt, 1);
    if (!batch || !c) return GN_OK;
    int ids = target_is_ids(zt, tt);
    const float *prob = gn_node_aux(n, PROB_SLOT, batch * c, err);
    if (!prob) return err ? err->status : GN_ERR_NOMEM;
    float scale = gn_tensor_cdata(gn_node_grad(n))[0] / (float)batch;
    gn_tensor *dzt = gn_in_grad(n, 0);
    if (dzt) {
        float *dz = gn_tensor_data(dzt);
        for (int64_t b = 0; b < batch; b++) {
            const float *pr = prob + b * c;
            float *dr = dz + b * c;
            if (ids) {
                for (int64_t j = 0; j < c; j++)
                    dr[j] += scale * pr[j];
                dr[(int64_t)t[b]] -= scale;
            } else {
                const float *tr = t + b * c;
                float ts = 0.0f;
                for (int64_t j = 0; j < c; j++)
                    ts += tr[j];
                for (int64_t j = 0; j < c; j++)
                    dr[j] += scale * (pr[j] * ts - tr[j]);
            }
        }
    }
    /* Probability targets (distillation) get dL/dt = -log softmax / B;
     * class ids are not differentiable and get nothing. */
    gn_tensor *dtt = gn_in_grad(n, 1);
    if (dtt && !ids) {
        float *dt = gn_tensor_data(dtt);
        const float *z = gn_tensor_cdata(zt);
        for (int64_t b = 0; b < batch; b++) {
            const float *zr = z + b * c;
            float m = zr[0];
            for (int64_t j = 1; j < c; j++)
                m = fmaxf(m, zr[j]);
            double s = 0.0;
            for (int64_t j = 0; j < c; j++)
                s += exp((double)zr[j] - m);
            double lse = (double)m + log(s);
            for (int64_t j = 0; j < c; j++)
                dt[b * c + j] += (float)(scale * (lse - zr[j]));
        }
    }
    return GN_OK;
}

const gn_op_vtable gn_op_cross_entropy = {
    .struct_size = sizeof(gn_op_vtable),
    .name = "cross_entropy",
    .doc = "L = -mean_b sum_c t_bc log softmax(z_b)_c; t class ids (B) or probabilities (B, C)",
    .n_inputs = 2,
    .infer = ce_infer,
    .forward = ce_forward,
    .backward = ce_backward,
};
