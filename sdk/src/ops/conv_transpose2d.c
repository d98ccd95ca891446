/* conv_transpose2d: the adjoint of conv2d, y[n] = conv2d^T(x[n]) + b, as
 * PyTorch's ConvTranspose2d. x (N, Ci, H, W), W (Ci, Co, kh, kw), b (Co);
 * y (N, Co, OH, OW) with OH = (H - 1) sh + kh - 2 ph + oph.
 *
 * Forward is conv2d's input-gradient path: cols = W^T x (one GEMM per
 * chunk of the batch), then col2im into y. Backward is a conv2d forward
 * of dY: cols = im2col(dY), dX = W cols and dW += x cols^T. */
#include <string.h>
#include <ganglion/gemm.h>
#include "ops/im2col.h"
#include "ops/ops_internal.h"

enum { COLS = 0, XT = 1, DXT = 2 };

static gn_status shape_error(gn_error *err, const char *op, const char *what, const gn_tensor *t) {
    char s[64];
    gn_tensor_shape_str(t, 0, s, sizeof s);
    return gn_error_set(err, GN_ERR_INVALID, "%s: %s, got %s", op, what, s);
}

/* The geometry of the conv2d this op is the adjoint of: its image is y,
 * its output is x. */
static gn_status convt_geom(gn_node *n, gn_conv_geom *g, int64_t *batch, int64_t *in_c,
                            gn_error *err) {
    const char *name = gn_node_op(n)->name;
    const gn_op_attrs *a = gn_node_attrs(n);
    gn_tensor *x = gn_in_value(n, 0), *w = gn_in_value(n, 1);
    if (gn_tensor_ndim(x) != 4)
        return shape_error(err, name, "input must be 4-D (batch, channels, height, width)", x);
    if (gn_tensor_ndim(w) != 4)
        return shape_error(err, name, "weight must be 4-D (in_channels, out_channels, kh, kw)", w);
    int64_t ci = gn_tensor_dim(x, 1), co = gn_tensor_dim(w, 1);
    if (gn_tensor_dim(w, 0) != ci)
        return gn_error_set(err, GN_ERR_INVALID, "%s: input has %lld channels, weight expects %lld",
                            name, (long long)ci, (long long)gn_tensor_dim(w, 0));
    int64_t kh = gn_tensor_dim(w, 2), kw = gn_tensor_dim(w, 3);
    if ((a->i[0] && a->i[0] != kh) || (a->i[1] && a->i[1] != kw))
        return gn_error_set(err, GN_ERR_INVALID, "%s: kernel %lldx%lld but weight is %lldx%lld",
                            name, (long long)a->i[0], (long long)a->i[1], (long long)kh,
                            (long long)kw);
    int64_t sh = a->i[2] ? a->i[2] : 1, sw = a->i[3] ? a->i[3] : 1;
    if (sh < 1 || sw < 1 || a->i[4] < 0 || a->i[5] < 0)
        return gn_error_set(err, GN_ERR_INVALID,
                            "%s: strides (%lld, %lld) must be >= 1 and padding (%lld, %lld) >= 0",
                            name, (long long)sh, (long long)sw, (long long)a->i[4],
                            (long long)a->i[5]);
    if (gn_node_n_inputs(n) > 2) {
        gn_tensor *b = gn_in_value(n, 2);
        if (gn_tensor_ndim(b) != 1 || gn_tensor_numel(b) != co)
            return gn_error_set(err, GN_ERR_INVALID,
                                "%s: bias has %lld elements, weight has %lld output channels", name,
                                (long long)gn_tensor_numel(b), (long long)co);
    }
    int64_t h = gn_tensor_dim(x, 2), wd = gn_tensor_dim(x, 3);
    *g = (gn_conv_geom){.c = co,
                        .kh = kh,
                        .kw = kw,
                        .sh = sh,
                        .sw = sw,
                        .pt = a->i[4],
                        .pl = a->i[5],
                        .oh = h,
                        .ow = wd};
    g->h = (h - 1) * sh + kh - 2 * a->i[4] + a->i[6];
    g->w = (wd - 1) * sw + kw - 2 * a->i[5] + a->i[7];
    if (g->h < 1 || g->w < 1 || kh < 1 || kw < 1)
        return gn_error_set(err, GN_ERR_INVALID,
                            "%s: output would be %lldx%lld (input %lldx%lld, kernel %lldx%lld, "
                            "padding %lld, %lld); reduce the padding",
                            name, (long long)g->h, (long long)g->w, (long long)h, (long long)wd,
                            (long long)kh, (long long)kw, (long long)a->i[4], (long long)a->i[5]);
    *batch = gn_tensor_dim(x, 0);
    *in_c = ci;
    return GN_OK;
}

static gn_status convt_infer(gn_node *n, gn_error *err) {
    gn_conv_geom g;
    int64_t batch, ci;
    gn_status st = convt_geom(n, &g, &batch, &ci, err);
    if (st) return st;
    int64_t dims[4] = {batch, g.c, g.h, g.w};
    return gn_node_set_shape(n, 4, dims, err);
}

#define AUX(var, slot, count)                                                                      \
    float *var = gn_node_aux(n, (slot), (count), err);                                             \
    if (!var) return err ? err->status : GN_ERR_NOMEM

static gn_status convt_forward(gn_node *n, gn_error *err) {
    gn_conv_geom g;
    int64_t batch, ci;
    gn_status st = convt_geom(n, &g, &batch, &ci, err);
    if (st) return st;
    const int64_t rows = gn_geom_rows(&g), p = g.oh * g.ow, out_sz = g.c * g.h * g.w;
    const int64_t nb = gn_conv_chunk(batch, (rows > ci ? rows : ci) * p);
    const float *x = gn_tensor_cdata(gn_in_value(n, 0)), *w = gn_tensor_cdata(gn_in_value(n, 1));
    float *y = gn_tensor_data(gn_node_value(n));
    memset(y, 0, (size_t)(batch * out_sz) * sizeof(float));
    if (batch == 0) return GN_OK;
    AUX(cols, COLS, rows * nb * p);
    AUX(xt, XT, ci * nb * p);
    for (int64_t n0 = 0; n0 < batch; n0 += nb) {
        const int64_t cnt = batch - n0 < nb ? batch - n0 : nb, ncol = cnt * p;
        gn_batch_to_cm(x + n0 * ci * p, cnt, ci, p, xt);
        gn_gemm(1, 0, rows, ncol, ci, 1.0f, w, rows, xt, ncol, 0.0f, cols, ncol);
        gn_col2im(&g, cols, cnt, ncol, y + n0 * out_sz);
    }
    if (gn_node_n_inputs(n) > 2) {
        const float *b = gn_tensor_cdata(gn_in_value(n, 2));
        const int64_t plane = g.h * g.w;
        for (int64_t i = 0; i < batch * g.c; i++) {
            float *r = y + i * plane;
            const float bv = b[i % g.c];
            for (int64_t j = 0; j < plane; j++)
                r[j] += bv;
        }
    }
    return GN_OK;
}

static gn_status convt_backward(gn_node *n, gn_error *err) {
    gn_conv_geom g;
    int64_t batch, ci;
    gn_status st = convt_geom(n, &g, &batch, &ci, err);
    if (st || batch == 0) return st;
    const int64_t rows = gn_geom_rows(&g), p = g.oh * g.ow, out_sz = g.c * g.h * g.w;
    const int64_t nb = gn_conv_chunk(batch, (rows > ci ? rows : ci) * p);
    gn_tensor *dxt = gn_in_grad(n, 0), *dwt = gn_in_grad(n, 1);
    gn_tensor *dbt = gn_node_n_inputs(n) > 2 ? gn_in_grad(n, 2) : NULL;
    const float *x = gn_tensor_cdata(gn_in_value(n, 0)), *w = gn_tensor_cdata(gn_in_value(n, 1));
    const float *dy = gn_tensor_cdata(gn_node_grad(n));
    if (dbt) { /* db[co] += sum over n, y, x of dY */
        float *db = gn_tensor_data(dbt);
        const int64_t plane = g.h * g.w;
        for (int64_t i = 0; i < batch * g.c; i++) {
            db[i % g.c] += gn_sum_f(dy + i * plane, plane);
        }
    }
    if (!dxt && !dwt) return GN_OK;
    AUX(cols, COLS, rows * nb * p);
    AUX(xt, XT, ci * nb * p);
    float *dx_cm = NULL;
    if (dxt && !(dx_cm = gn_node_aux(n, DXT, ci * nb * p, err)))
        return err ? err->status : GN_ERR_NOMEM;
    for (int64_t n0 = 0; n0 < batch; n0 += nb) {
        const int64_t cnt = batch - n0 < nb ? batch - n0 : nb, ncol = cnt * p;
        gn_im2col(&g, dy + n0 * out_sz, cnt, cols, ncol);
        if (dxt) { /* dX (Ci, ncol) = W (Ci, rows) cols */
            gn_gemm(0, 0, ci, ncol, rows, 1.0f, w, rows, cols, ncol, 0.0f, dx_cm, ncol);
            gn_cm_to_batch(dx_cm, cnt, ci, p, NULL, 1, gn_tensor_data(dxt) + n0 * ci * p);
        }
        if (dwt) { /* dW (Ci, rows) += x (Ci, ncol) cols^T */
            gn_batch_to_cm(x + n0 * ci * p, cnt, ci, p, xt);
            gn_gemm(0, 1, ci, rows, ncol, 1.0f, xt, ncol, cols, ncol, 1.0f, gn_tensor_data(dwt),
                    rows);
        }
    }
    return GN_OK;
}

const gn_op_vtable gn_op_conv_transpose2d = {
    .struct_size = sizeof(gn_op_vtable),
    .name = "conv_transpose2d",
    .doc = "y = conv2d^T(x) + b (adjoint of conv2d); x (N,Ci,H,W), W (Ci,Co,kh,kw), b (Co)",
    .n_inputs = 3,
    .infer = convt_infer,
    .forward = convt_forward,
    .backward = convt_backward,
};

const gn_op_vtable gn_op_conv_transpose2d_nobias = {
    .struct_size = sizeof(gn_op_vtable),
    .name = "conv_transpose2d_nobias",
    .doc = "y = conv2d^T(x) (adjoint of conv2d); x (N,Ci,H,W), W (Ci,Co,kh,kw)",
    .n_inputs = 2,
    .infer = convt_infer,
    .forward = convt_forward,
    .backward = convt_backward,
};
