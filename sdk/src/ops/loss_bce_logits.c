/* bce_logits: binary cross-entropy with the sigmoid fused in (PyTorch's
 * BCEWithLogitsLoss): per element softplus(z) - t z, never log(0), so
 * saturated outputs keep their gradient (a clamped log(p) flattens it).
 * i[0] = 0: mean over all elements; i[0] = 1: sum over each sample's
 * elements, mean over the batch (a VAE's nats per image).
 * dL/dz = (sigmoid(z) - t) / N, dL/dt = -z / N (N the divisor above). */
#include <stdlib.h>
#include "core/parallel.h"
#include "core/simd.h"
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

typedef struct bcel_job {
    const float *z, *t;
    int64_t d;    /* elements per sample */
    double *sums; /* per sample (forward) */
    float k;      /* dL/dz scale (backward) */
    float *dz, *dt;
} bcel_job;

/* Samples [lo, hi): float within a sample, double across. */
GN_SIMD_CLONES static void sample_sums(void *ctx, int64_t lo, int64_t hi) {
    const bcel_job *j = ctx;
    for (int64_t i = lo; i < hi; i++) {
        const float *zi = j->z + i * j->d, *ti = j->t + i * j->d;
        float acc[LANES] = {0};
        int64_t e = 0;
        for (; e + LANES <= j->d; e += LANES)
            for (int k = 0; k < LANES; k++)
                acc[k] += gn_bce_logit_term(zi[e + k], ti[e + k]);
        for (; e < j->d; e++)
            acc[0] += gn_bce_logit_term(zi[e], ti[e]);
        double s = 0;
        for (int k = 0; k < LANES; k++)
            s += acc[k];
        j->sums[i] = s;
    }
}

static gn_status bcel_forward(gn_node *n, gn_error *err) {
    gn_tensor *zt = gn_in_value(n, 0);
    const int64_t b = gn_tensor_dim(zt, 0), d = b ? gn_tensor_numel(zt) / b : 0;
    double small[256], *sums = b <= 256 ? small : malloc((size_t)b * sizeof *sums);
    if (!sums) return gn_error_set(err, GN_ERR_NOMEM, "bce_logits: out of memory");
    bcel_job j = {gn_tensor_cdata(zt), gn_tensor_cdata(gn_in_value(n, 1)), d, sums, 0, NULL, NULL};
    /* Samples split over the threads; their sums are added in order, so
     * any thread count gives the same loss. */
    gn_parallel_range(b, d ? 1 + 4096 / d : b, sample_sums, &j);
    double sum = 0;
    for (int64_t i = 0; i < b; i++)
        sum += sums[i];
    if (sums != small) free(sums);
    const int64_t div = divisor(n);
    gn_tensor_data(gn_node_value(n))[0] = div ? (float)(sum / (double)div) : 0.0f;
    return GN_OK;
}

GN_SIMD_CLONES static void grad_range(void *ctx, int64_t lo, int64_t hi) {
    const bcel_job *j = ctx;
    const float *restrict z = j->z, *restrict t = j->t;
    const float k = j->k;
    if (j->dz) {
        float *restrict d = j->dz;
        for (int64_t e = lo; e < hi; e++)
            d[e] += k * (gn_sigmoid_fast(z[e]) - t[e]);
    }
    if (j->dt) {
        float *restrict d = j->dt;
        for (int64_t e = lo; e < hi; e++)
            d[e] -= k * z[e];
    }
}

static gn_status bcel_backward(gn_node *n, gn_error *err) {
    (void)err;
    gn_tensor *zt = gn_in_value(n, 0), *dz = gn_in_grad(n, 0), *dt = gn_in_grad(n, 1);
    const int64_t len = gn_tensor_numel(zt), div = divisor(n);
    if (!div) return GN_OK;
    bcel_job j = {gn_tensor_cdata(zt),
                  gn_tensor_cdata(gn_in_value(n, 1)),
                  0,
                  NULL,
                  gn_tensor_cdata(gn_node_grad(n))[0] / (float)div,
                  dz ? gn_tensor_data(dz) : NULL,
                  dt ? gn_tensor_data(dt) : NULL};
    gn_parallel_range(len, 8192, grad_range, &j);
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
