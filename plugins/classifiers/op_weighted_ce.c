/* Class-weighted cross-entropy, softmax fused in, PyTorch semantics:
 * L = sum_i w[y_i] * -log softmax(z_i)[y_i] / sum_i w[y_i].
 * Inputs: logits (B, C), class ids (B) as floats, weights (C). */
#include <math.h>
#include <string.h>
#include "classifiers.h"

static gn_status wce_infer(gn_node *n, gn_error *err) {
    gn_tensor *z = gn_node_value(gn_node_input(n, 0)), *t = gn_node_value(gn_node_input(n, 1));
    gn_tensor *w = gn_node_value(gn_node_input(n, 2));
    if (gn_tensor_ndim(z) != 2 || gn_tensor_dim(t, 0) != gn_tensor_dim(z, 0) ||
        gn_tensor_numel(t) != gn_tensor_dim(z, 0) || gn_tensor_numel(w) != gn_tensor_dim(z, 1))
        return gn_error_set(err, GN_ERR_INVALID,
                            "weighted_cross_entropy: expects logits (B, C), ids (B), weights (C)");
    int64_t one = 1;
    return gn_node_set_shape(n, 1, &one, err);
}

static gn_status wce_forward(gn_node *n, gn_error *err) {
    gn_tensor *zt = gn_node_value(gn_node_input(n, 0));
    const float *z = gn_tensor_cdata(zt), *t = gn_tensor_cdata(gn_node_value(gn_node_input(n, 1)));
    const float *w = gn_tensor_cdata(gn_node_value(gn_node_input(n, 2)));
    int64_t b = gn_tensor_dim(zt, 0), c = gn_tensor_dim(zt, 1);
    float *p = gn_node_aux(n, 0, b * c, err); /* softmax, kept for backward */
    if (!p) return err->status;
    double loss = 0, wsum = 0;
    for (int64_t i = 0; i < b; i++) {
        const float *zi = z + i * c;
        float *pi = p + i * c, mx = zi[0];
        int64_t y = (int64_t)t[i];
        if (y < 0 || y >= c)
            return gn_error_set(err, GN_ERR_INVALID, "weighted_cross_entropy: class %lld of %lld",
                                (long long)y, (long long)c);
        for (int64_t j = 1; j < c; j++)
            mx = zi[j] > mx ? zi[j] : mx;
        double s = 0;
        for (int64_t j = 0; j < c; j++)
            s += (pi[j] = expf(zi[j] - mx));
        for (int64_t j = 0; j < c; j++)
            pi[j] = (float)(pi[j] / s);
        loss += w[y] * -((double)(zi[y] - mx) - log(s));
        wsum += w[y];
    }
    gn_tensor_data(gn_node_value(n))[0] = wsum > 0 ? (float)(loss / wsum) : 0.0f;
    float *ws = gn_node_aux(n, 1, 1, err);
    if (!ws) return err->status;
    ws[0] = (float)wsum;
    return GN_OK;
}

static gn_status wce_backward(gn_node *n, gn_error *err) {
    gn_tensor *gz = gn_node_grad(gn_node_input(n, 0));
    if (!gz) return GN_OK;
    gn_tensor *zt = gn_node_value(gn_node_input(n, 0));
    const float *t = gn_tensor_cdata(gn_node_value(gn_node_input(n, 1)));
    const float *w = gn_tensor_cdata(gn_node_value(gn_node_input(n, 2)));
    int64_t b = gn_tensor_dim(zt, 0), c = gn_tensor_dim(zt, 1);
    const float *p = gn_node_aux(n, 0, b * c, err), *ws = gn_node_aux(n, 1, 1, err);
    if (!p || !ws) return err->status;
    float dl = gn_tensor_cdata(gn_node_grad(n))[0];
    float *d = gn_tensor_data(gz);
    for (int64_t i = 0; i < b; i++) {
        int64_t y = (int64_t)t[i];
        float k = ws[0] > 0 ? dl * w[y] / ws[0] : 0; /* dL/dz_ij = w_y (p_ij - [j = y]) / W */
        for (int64_t j = 0; j < c; j++)
            d[i * c + j] += k * (p[i * c + j] - (j == y));
    }
    return GN_OK;
}

const gn_op_vtable gn_classifiers_weighted_ce = {
    .struct_size = sizeof(gn_op_vtable),
    .name = "weighted_cross_entropy",
    .doc = "sum_i w[y_i] CE(z_i, y_i) / sum_i w[y_i], softmax fused",
    .n_inputs = 3,
    .infer = wce_infer,
    .forward = wce_forward,
    .backward = wce_backward,
};
