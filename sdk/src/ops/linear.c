/* linear: y = x W^T + b, the MLP hot path. One GEMM per product; the bias
 * is broadcast into y first so the forward GEMM accumulates onto it. */
#include <string.h>
#include <ganglion/gemm.h>
#include "ops/ops_internal.h"

static gn_status linear_infer(gn_node *n, gn_error *err) {
    const char *name = gn_node_op(n)->name;
    gn_tensor *x = gn_in_value(n, 0), *w = gn_in_value(n, 1);
    if (gn_tensor_ndim(x) != 2) {
        char s[64];
        gn_tensor_shape_str(x, 0, s, sizeof s);
        return gn_error_set(err, GN_ERR_INVALID, "%s: input must be 2-D (batch, features), got %s",
                            name, s);
    }
    if (gn_tensor_ndim(w) != 2) {
        char s[64];
        gn_tensor_shape_str(w, 0, s, sizeof s);
        return gn_error_set(err, GN_ERR_INVALID, "%s: weight must be 2-D (out, in), got %s", name,
                            s);
    }
    int64_t in = gn_tensor_dim(x, 1), out = gn_tensor_dim(w, 0);
    if (gn_tensor_dim(w, 1) != in)
        return gn_error_set(err, GN_ERR_INVALID, "%s: input has %lld features, weight expects %lld",
                            name, (long long)in, (long long)gn_tensor_dim(w, 1));
    if (gn_node_n_inputs(n) > 2) {
        gn_tensor *b = gn_in_value(n, 2);
        if (gn_tensor_numel(b) != out || gn_tensor_ndim(b) != 1)
            return gn_error_set(err, GN_ERR_INVALID,
                                "%s: bias has %lld elements, weight has %lld outputs", name,
                                (long long)gn_tensor_numel(b), (long long)out);
    }
    int64_t dims[2] = {gn_tensor_dim(x, 0), out};
    return gn_node_set_shape(n, 2, dims, err);
}

static gn_status linear_forward(gn_node *n, gn_error *err) {
    (void)err;
    gn_tensor *x = gn_in_value(n, 0), *w = gn_in_value(n, 1);
    gn_tensor *y = gn_node_value(n);
    int64_t batch = gn_tensor_dim(x, 0), in = gn_tensor_dim(x, 1), out = gn_tensor_dim(w, 0);
    float *yd = gn_tensor_data(y);
    float beta = 0.0f;
    if (gn_node_n_inputs(n) > 2) {
        const float *bd = gn_tensor_cdata(gn_in_value(n, 2));
        for (int64_t r = 0; r < batch; r++)
            memcpy(yd + r * out, bd, (size_t)out * sizeof(float));
        beta = 1.0f;
    }
    if (batch == 0 || out == 0) return GN_OK;
    if (in == 0) { /* nothing to multiply; BLAS also rejects lda = 0 */
        if (beta == 0.0f) memset(yd, 0, (size_t)(batch * out) * sizeof(float));
        return GN_OK;
    }
    gn_gemm(0, 1, batch, out, in, 1.0f, gn_tensor_cdata(x), in, gn_tensor_cdata(w), in, beta, yd,
            out);
    return GN_OK;
}

static gn_status linear_backward(gn_node *n, gn_error *err) {
    (void)err;
    gn_tensor *x = gn_in_value(n, 0), *w = gn_in_value(n, 1);
    const float *dy = gn_tensor_cdata(gn_node_grad(n));
    int64_t batch = gn_tensor_dim(x, 0), in = gn_tensor_dim(x, 1), out = gn_tensor_dim(w, 0);
    if (batch == 0 || out == 0 || in == 0) return GN_OK;
    gn_tensor *dx = gn_in_grad(n, 0), *dw = gn_in_grad(n, 1);
    /* dX += dY W: (B, out) x (out, in). */
    if (dx)
        gn_gemm(0, 0, batch, in, out, 1.0f, dy, out, gn_tensor_cdata(w), in, 1.0f,
                gn_tensor_data(dx), in);
    /* dW += dY^T X: (out, B) x (B, in). */
    if (dw)
        gn_gemm(1, 0, out, in, batch, 1.0f, dy, out, gn_tensor_cdata(x), in, 1.0f,
                gn_tensor_data(dw), in);
    if (gn_node_n_inputs(n) > 2) {
        gn_tensor *db = gn_in_grad(n, 2);
        if (db) {
            /* Row-wise accumulation keeps the access pattern contiguous. */
            float *dbd = gn_tensor_data(db);
            for (int64_t r = 0; r < batch; r++) {
                const float *row = dy + r * out;
                for (int64_t j = 0; j < out; j++)
                    dbd[j] += row[j];
            }
        }
    }
    return GN_OK;
}

const gn_op_vtable gn_op_linear = {
    .struct_size = sizeof(gn_op_vtable),
    .name = "linear",
    .doc = "y = x W^T + b; x (B, in), W (out, in), b (out)",
    .n_inputs = 3,
    .infer = linear_infer,
    .forward = linear_forward,
    .backward = linear_backward,
};

const gn_op_vtable gn_op_linear_nobias = {
    .struct_size = sizeof(gn_op_vtable),
    .name = "linear_nobias",
    .doc = "y = x W^T; x (B, in), W (out, in)",
    .n_inputs = 2,
    .infer = linear_infer,
    .forward = linear_forward,
    .backward = linear_backward,
};
