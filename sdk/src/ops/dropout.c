/* Inverted dropout: in training, y = x m with m = 0 (probability rate) or
 * 1 / (1 - rate); in eval, y = x, so no rescaling is needed at test time. */
#include <math.h>
#include <stdint.h>
#include "core/parallel.h"
#include "core/simd.h"
#include "ops/ops_internal.h"

enum { MASK_SLOT = 0, MODE_SLOT = 1, RAND_SLOT = 2 };

static gn_status dropout_infer(gn_node *n, gn_error *err) {
    float rate = gn_node_attrs(n)->f[0];
    if (!(rate >= 0.0f && rate < 1.0f))
        return gn_error_set(err, GN_ERR_INVALID, "dropout: rate %g must be in [0, 1)",
                            (double)rate);
    return gn_ops_copy_shape(n, gn_in_value(n, 0), err);
}

typedef struct mask_job {
    const uint32_t *u; /* the draws as 32-bit halves, low half first */
    const float *x;
    float *y, *mask;
    float keep;
    uint32_t thr;
} mask_job;

GN_SIMD_CLONES static void mask_range(void *ctx, int64_t lo, int64_t hi) {
    const mask_job *j = ctx;
    for (int64_t i = lo; i < hi; i++) {
        const float m = j->u[i] >= j->thr ? j->keep : 0.0f;
        j->mask[i] = m;
        j->y[i] = j->x[i] * m;
    }
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
     * its uniform u / 2^32 >= rate. The draws are made in order (the same
     * stream for any thread count), the rest is split over threads. */
    float *draws = gn_node_aux(n, RAND_SLOT, 2 * ((len + 1) / 2), err);
    if (!draws) return err ? err->status : GN_ERR_NOMEM;
    gn_rng_fill_u64(rng, (uint64_t *)(void *)draws, (len + 1) / 2);
    const double t = ceil((double)rate * 4294967296.0);
    mask_job j = {(const uint32_t *)(const void *)draws,      x, y, mask, 1.0f / (1.0f - rate),
                  t > 4294967295.0 ? UINT32_MAX : (uint32_t)t};
    gn_parallel_range(len, 8192, mask_range, &j);
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
