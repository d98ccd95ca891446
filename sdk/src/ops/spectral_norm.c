/* spectral_norm: y = W / sigma(W), sigma the largest singular value of W
 * viewed as a (dim 0, rest) matrix (Miyato et al. 2018). Inputs: W and u,
 * the left singular vector estimate (dim 0 elements, a buffer). Training
 * forward runs i[0] power iterations (v = W^T u / |W^T u|, u = W v / |W v|)
 * and stores u; eval keeps u. Then v = W^T u / |W^T u| and sigma = u^T W v.
 * Backward treats u as a constant, as PyTorch does: dW += g / sigma -
 * (sum(g W) / sigma^2) u v^T, which is exact for a fixed u since then
 * sigma = |W^T u| and d sigma / dW = u v^T. */
#include <math.h>
#include <ganglion/gemm.h>
#include "ops/ops_internal.h"

enum { SAVED = 0 }; /* aux: v (cols), u (rows), sigma */

static void mat_dims(gn_tensor *w, int64_t *rows, int64_t *cols) {
    *rows = gn_tensor_dim(w, 0);
    *cols = gn_tensor_numel(w) / (*rows ? *rows : 1);
}

static gn_status sn_infer(gn_node *n, gn_error *err) {
    gn_tensor *w = gn_in_value(n, 0), *u = gn_in_value(n, 1);
    if (gn_tensor_ndim(w) < 2 || gn_tensor_numel(w) == 0)
        return gn_error_set(err, GN_ERR_INVALID,
                            "spectral_norm: the weight must have 2 or more non-empty dimensions");
    if (gn_tensor_ndim(u) != 1 || gn_tensor_numel(u) != gn_tensor_dim(w, 0))
        return gn_error_set(err, GN_ERR_INVALID,
                            "spectral_norm: u has %lld elements, the weight %lld rows",
                            (long long)gn_tensor_numel(u), (long long)gn_tensor_dim(w, 0));
    if (gn_node_attrs(n)->i[0] < 0 || gn_node_attrs(n)->i[0] > 100)
        return gn_error_set(err, GN_ERR_INVALID, "spectral_norm: %lld power iterations (0 to 100)",
                            (long long)gn_node_attrs(n)->i[0]);
    return gn_ops_copy_shape(n, w, err);
}

/* Scales x (n) to unit length; returns its former length. */
static double unit(float *x, int64_t n) {
    double s = 0;
    for (int64_t j = 0; j < n; j++)
        s += (double)x[j] * x[j];
    double norm = sqrt(s);
    float inv = (float)(1.0 / (norm > 1e-12 ? norm : 1e-12));
    for (int64_t j = 0; j < n; j++)
        x[j] *= inv;
    return norm;
}

/* out = W^T in / |W^T in| (cols); returns |W^T in|. */
static double left_mul_unit(const float *w, int64_t rows, int64_t cols, const float *in,
                            float *out) {
    gn_gemm(1, 0, cols, 1, rows, 1.0f, w, cols, in, 1, 0.0f, out, 1);
    return unit(out, cols);
}

/* out = W in / |W in| (rows); returns |W in|. */
static double right_mul_unit(const float *w, int64_t rows, int64_t cols, const float *in,
                             float *out) {
    gn_gemm(0, 0, rows, 1, cols, 1.0f, w, cols, in, 1, 0.0f, out, 1);
    return unit(out, rows);
}

static gn_status sn_forward(gn_node *n, gn_error *err) {
    gn_tensor *wt = gn_in_value(n, 0);
    int64_t rows, cols;
    mat_dims(wt, &rows, &cols);
    float *saved = gn_node_aux(n, SAVED, cols + rows + 1, err);
    if (!saved) return err ? err->status : GN_ERR_NOMEM;
    float *v = saved, *u = saved + cols, *ubuf = gn_tensor_data(gn_in_value(n, 1));
    const float *w = gn_tensor_cdata(wt);
    for (int64_t r = 0; r < rows; r++)
        u[r] = ubuf[r];
    if (gn_graph_training(gn_node_graph(n))) {
        for (int64_t it = 0; it < gn_node_attrs(n)->i[0]; it++) {
            left_mul_unit(w, rows, cols, u, v);
            right_mul_unit(w, rows, cols, v, u);
        }
        for (int64_t r = 0; r < rows; r++)
            ubuf[r] = u[r];
    }
    /* sigma = u^T W v with v = W^T u / |W^T u|, i.e. |W^T u|. */
    double sigma = left_mul_unit(w, rows, cols, u, v);
    if (!(sigma > 1e-12))
        return gn_error_set(
            err, GN_ERR_NUMERIC,
            "spectral_norm: the weight's estimated spectral norm is %g (an all-zero "
            "weight, or u orthogonal to it)",
            sigma);
    saved[cols + rows] = (float)sigma;
    float *y = gn_tensor_data(gn_node_value(n));
    const float inv = (float)(1.0 / sigma);
    for (int64_t i = 0, k = rows * cols; i < k; i++)
        y[i] = w[i] * inv;
    return GN_OK;
}

static gn_status sn_backward(gn_node *n, gn_error *err) {
    gn_tensor *dwt = gn_in_grad(n, 0);
    if (!dwt) return GN_OK;
    gn_tensor *wt = gn_in_value(n, 0);
    int64_t rows, cols;
    mat_dims(wt, &rows, &cols);
    const float *saved = gn_node_aux(n, SAVED, cols + rows + 1, err);
    if (!saved) return err ? err->status : GN_ERR_NOMEM;
    const float *v = saved, *u = saved + cols, *w = gn_tensor_cdata(wt);
    const float *g = gn_tensor_cdata(gn_node_grad(n));
    const double sigma = saved[cols + rows];
    double gw = 0;
    for (int64_t i = 0, k = rows * cols; i < k; i++)
        gw += (double)g[i] * w[i];
    const float a = (float)(1.0 / sigma), b = (float)(gw / (sigma * sigma));
    float *dw = gn_tensor_data(dwt);
    for (int64_t r = 0; r < rows; r++) {
        const float bu = b * u[r];
        const float *gr = g + r * cols;
        float *dr = dw + r * cols;
        for (int64_t j = 0; j < cols; j++)
            dr[j] += a * gr[j] - bu * v[j];
    }
    return GN_OK;
}

const gn_op_vtable gn_op_spectral_norm = {
    .struct_size = sizeof(gn_op_vtable),
    .name = "spectral_norm",
    .doc = "y = W / sigma(W), sigma by power iteration on W as (dim 0, rest); inputs W, u",
    .n_inputs = 2,
    .infer = sn_infer,
    .forward = sn_forward,
    .backward = sn_backward,
};
