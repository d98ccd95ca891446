/* Inverted dropout: in training, y = x m with m = 0 (probability rate) or
 * 1 / (1 - rate); in eval, y = x, so no rescaling is needed at test time. */
#include <math.h>
#include <stdint.h>
#include "ops/ops_internal.h"

enum { MASK_SLOT = 0, MODE_SLOT = 1 };

static gn_status dropout_infer(gn_node *n, gn_error *err) {
    float rate = gn_node_attrs(n)->f[0];
    if (!(rate >= 0.0f && rate < 1.0f))
        return gn_error_set(err, GN_ERR_INVALID, "dropout: rate %g must be in [0, 1)",
                            (double)rate);
    return gn_ops_copy_shape(n, gn_in_value(n, 0), err);
}

static gn_status dropout_forward(gn_node *n, gn_error *err) {
    gn_graph *g = gn_node_graph(n);
    float rate = gn_node_attrs(n)->f[0];
    gn_tensor *xt = gn_in_value(n, 0);
    const float *x = gn_tensor_cdata(xt);
    float *y = gn_tensor_data(gn_node_value(n));
    int64_t len = gn_tensor_numel(xt);
    /* Backward must use the mode forward ran in, even if it changed since. */
    float *mode = gn_node_aux(n, MODE_SLOT, 1, err);
    if (!mode) return err ? err->status : GN_ERR_NOMEM;
    int active = gn_graph_training(g) && rate > 0.0f;
    mode[0] = active ? 1.0f : 0.0f;
    if (!active) {
        for (int64_t i = 0; i < len; i++)
            y[i] = x[i];
        return GN_OK;
    }
    gn_rng *rng = gn_graph_rng(g);
    if (!rng)
        return gn_error_set(err, GN_ERR_INVALID,
                            "dropout: training mode needs a graph rng (gn_graph_set_rng)");
    float *mask = gn_node_aux(n, MASK_SLOT, len, err);
    if (!mask) return err ? err->status : GN_ERR_NOMEM;
    /* One 64-bit draw gives two 32-bit uniforms; an element is kept when
     * its uniform u / 2^32 >= rate. The product loop then vectorises. */
    const float keep = 1.0f / (1.0f - rate);
    const double t = ceil((double)rate * 4294967296.0);
    const uint32_t thr = t > 4294967295.0 ? UINT32_MAX : (uint32_t)t;
    for (int64_t i = 0; i < len; i += 2) {
        uint64_t u = gn_rng_u64(rng);
        mask[i] = (uint32_t)u >= thr ? keep : 0.0f;
        if (i + 1 < len) mask[i + 1] = (uint32_t)(u >> 32) >= thr ? keep : 0.0f;
    }
    for (int64_t i = 0; i < len; i++)
        y[i] = x[i] * mask[i];
    return GN_OK;
}

static gn_status dropout_backward(gn_node *n, gn_error *err) {
    gn_tensor *dxt = gn_in_grad(n, 0);
    if (!dxt) return GN_OK;
    const float *dy = gn_tensor_cdata(gn_node_grad(n));
    float *dx = gn_tensor_data(dxt);
    int64_t len = gn_tensor_numel(dxt);
    float *mode = gn_node_aux(n, MODE_SLOT, 1, err);
    if (!mode) return err ? err->status : GN_ERR_NOMEM;
    if (mode[0] == 0.0f) {
        for (int64_t i = 0; i < len; i++)
            dx[i] += dy[i];
        return GN_OK;
    }
    const float *mask = gn_node_aux(n, MASK_SLOT, len, err);
    if (!mask) return err ? err->status : GN_ERR_NOMEM;
    for (int64_t i = 0; i < len; i++)
        dx[i] += dy[i] * mask[i];
    return GN_OK;
}

const gn_op_vtable gn_op_dropout = {
    .struct_size = sizeof(gn_op_vtable),
    .name = "dropout",
    .doc = "training: y = x m / (1 - f[0]), m ~ Bernoulli(1 - f[0]); eval: y = x",
    .n_inputs = 1,
    .infer = dropout_infer,
    .forward = dropout_forward,
    .backward = dropout_backward,
};
