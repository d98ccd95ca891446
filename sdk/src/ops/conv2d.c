/* conv2d: y[n, o] = act(sum_c W[o, c] (*) x[n, c] + b[o]) (cross-correlation,
 * as PyTorch and Keras compute it). x (N, C, H, W), W (O, C, kh, kw), b (O);
 * act is the identity, or relu when i[7] = 1 (fused: it saves a separate
 * op's two passes over the largest tensors of a CNN).
 *
 * The batch is processed in as few chunks as the work budget allows:
 * im2col turns a chunk into cols (C kh kw, nb oh ow) and one GEMM gives
 * W cols (O, nb oh ow), scattered into y with bias and relu in one pass.
 * Backward: one pass gathers dY (masked by the relu) and sums db, then
 * dW += dY cols^T and dcols = W^T dY (one GEMM each per chunk) and col2im.
 * Forward's cols are kept for backward when small enough (GN_CONV_KEEP).
 * 3x3 stride-1 convolutions with >= 16 channels in and out take the
 * Winograd F(2x2, 3x3) path instead (winograd.c): same maths, 2.25x fewer
 * multiplications. */
#include <string.h>
#include <ganglion/gemm.h>
#include "ops/im2col.h"
#include "ops/ops_internal.h"

enum { COLS = 0, TMP = 1, DCOLS = 2, STATE = 3 };

static gn_status shape_error(gn_error *err, const char *op, const char *what, const gn_tensor *t) {
    char s[64];
    gn_tensor_shape_str(t, 0, s, sizeof s);
    return gn_error_set(err, GN_ERR_INVALID, "%s: %s, got %s", op, what, s);
}

/* Validates the inputs and fills the geometry (image = x). */
static gn_status conv_geom(gn_node *n, gn_conv_geom *g, int64_t *batch, int64_t *out_c,
                           gn_error *err) {
    const char *name = gn_node_op(n)->name;
    const gn_op_attrs *a = gn_node_attrs(n);
    gn_tensor *x = gn_in_value(n, 0), *w = gn_in_value(n, 1);
    if (gn_tensor_ndim(x) != 4)
        return shape_error(err, name, "input must be 4-D (batch, channels, height, width)", x);
    if (gn_tensor_ndim(w) != 4)
        return shape_error(err, name, "weight must be 4-D (out_channels, in_channels, kh, kw)", w);
    int64_t c = gn_tensor_dim(x, 1), o = gn_tensor_dim(w, 0);
    if (gn_tensor_dim(w, 1) != c)
        return gn_error_set(err, GN_ERR_INVALID, "%s: input has %lld channels, weight expects %lld",
                            name, (long long)c, (long long)gn_tensor_dim(w, 1));
    int64_t kh = gn_tensor_dim(w, 2), kw = gn_tensor_dim(w, 3);
    if ((a->i[0] && a->i[0] != kh) || (a->i[1] && a->i[1] != kw))
        return gn_error_set(err, GN_ERR_INVALID, "%s: kernel %lldx%lld but weight is %lldx%lld",
                            name, (long long)a->i[0], (long long)a->i[1], (long long)kh,
                            (long long)kw);
    int64_t sh = a->i[2] ? a->i[2] : 1, sw = a->i[3] ? a->i[3] : 1;
    int same = a->i[6] != 0;
    if (a->i[7] != 0 && a->i[7] != 1)
        return gn_error_set(err, GN_ERR_INVALID, "%s: fused activation %lld must be 0 or 1 (relu)",
                            name, (long long)a->i[7]);
    if (sh < 1 || sw < 1 || (!same && (a->i[4] < 0 || a->i[5] < 0)))
        return gn_error_set(err, GN_ERR_INVALID,
                            "%s: strides (%lld, %lld) must be >= 1 and padding (%lld, %lld) >= 0",
                            name, (long long)sh, (long long)sw, (long long)a->i[4],
                            (long long)a->i[5]);
    if (gn_node_n_inputs(n) > 2) {
        gn_tensor *b = gn_in_value(n, 2);
        if (gn_tensor_ndim(b) != 1 || gn_tensor_numel(b) != o)
            return gn_error_set(err, GN_ERR_INVALID,
                                "%s: bias has %lld elements, weight has %lld output channels", name,
                                (long long)gn_tensor_numel(b), (long long)o);
    }
    *g = (gn_conv_geom){.c = c,
                        .h = gn_tensor_dim(x, 2),
                        .w = gn_tensor_dim(x, 3),
                        .kh = kh,
                        .kw = kw,
                        .sh = sh,
                        .sw = sw};
    g->oh = gn_conv_out_size(g->h, kh, sh, a->i[4], same, &g->pt);
    g->ow = gn_conv_out_size(g->w, kw, sw, a->i[5], same, &g->pl);
    if (g->oh < 1 || g->ow < 1 || kh < 1 || kw < 1)
        return gn_error_set(err, GN_ERR_INVALID,
                            "%s: kernel %lldx%lld is larger than the (padded) input %lldx%lld",
                            name, (long long)kh, (long long)kw, (long long)(g->h + 2 * a->i[4]),
                            (long long)(g->w + 2 * a->i[5]));
    *batch = gn_tensor_dim(x, 0);
    *out_c = o;
    return GN_OK;
}

static gn_status conv_infer(gn_node *n, gn_error *err) {
    gn_conv_geom g;
    int64_t batch, o;
    gn_status st = conv_geom(n, &g, &batch, &o, err);
    if (st) return st;
    int64_t dims[4] = {batch, o, g.oh, g.ow};
    return gn_node_set_shape(n, 4, dims, err);
}

#define AUX(var, slot, count)                                                                      \
    float *var = gn_node_aux(n, (slot), (count), err);                                             \
    if (!var) return err ? err->status : GN_ERR_NOMEM

/* im2col: forward's cols are kept for backward's weight gradient when the
 * whole batch's fit in this many floats (16 MiB); larger ones are
 * recomputed chunk by chunk. */
#define GN_CONV_KEEP ((int64_t)1 << 22)

/* ---- Winograd path (3x3, stride 1, enough channels) ---------------------- */

/* Slots: COLS = V, then dV; TMP = Z, then M (a chunk each); DCOLS = U, dU
 * and the transforms' padded plane.
 * (Keeping V for backward measured no faster: computed chunk by chunk, it
 * is still in cache for the GEMMs.) */
static gn_status wino_forward(gn_node *n, const gn_conv_geom *g, int64_t batch, int64_t o,
                              gn_error *err) {
    const int64_t c = g->c, tn = gn_wino_tiles(g), p = g->oh * g->ow, in_sz = c * g->h * g->w;
    const int64_t nb = gn_conv_chunk(batch, 16 * (c + o) * tn);
    const float *x = gn_tensor_cdata(gn_in_value(n, 0)), *w = gn_tensor_cdata(gn_in_value(n, 1));
    const float *bias = gn_node_n_inputs(n) > 2 ? gn_tensor_cdata(gn_in_value(n, 2)) : NULL;
    float *y = gn_tensor_data(gn_node_value(n));
    AUX(u, DCOLS, 32 * o * c + (int64_t)gn_wino_scratch(g));
    float *scratch = u + 32 * o * c;
    AUX(v, COLS, 16 * c * nb * tn);
    AUX(z, TMP, 16 * o * nb * tn);
    gn_wino_filter(w, o, c, u);
    for (int64_t n0 = 0; n0 < batch; n0 += nb) {
        const int64_t cnt = batch - n0 < nb ? batch - n0 : nb, t = cnt * tn;
        gn_wino_input(g, x + n0 * in_sz, cnt, v, t, scratch);
        for (int e = 0; e < 16; e++) /* Z_e (O, T) = U_e (O, C) V_e (C, T) */
            gn_gemm(0, 0, o, t, c, 1.0f, u + e * o * c, c, v + e * c * t, t, 0.0f, z + e * o * t,
                    t);
        gn_wino_output(g, o, z, t, cnt, bias, gn_node_attrs(n)->i[7] == 1, y + n0 * o * p, scratch);
    }
    return GN_OK;
}

static gn_status wino_backward(gn_node *n, const gn_conv_geom *g, int64_t batch, int64_t o,
                               gn_error *err) {
    const int64_t c = g->c, tn = gn_wino_tiles(g), p = g->oh * g->ow, in_sz = c * g->h * g->w;
    const int64_t nb = gn_conv_chunk(batch, 16 * (c + o) * tn);
    gn_tensor *dxt = gn_in_grad(n, 0), *dwt = gn_in_grad(n, 1);
    gn_tensor *dbt = gn_node_n_inputs(n) > 2 ? gn_in_grad(n, 2) : NULL;
    const float *x = gn_tensor_cdata(gn_in_value(n, 0)), *w = gn_tensor_cdata(gn_in_value(n, 1));
    const float *dy = gn_tensor_cdata(gn_node_grad(n));
    const float *y = gn_node_attrs(n)->i[7] == 1 ? gn_tensor_cdata(gn_node_value(n)) : NULL;
    AUX(u, DCOLS, 32 * o * c + (int64_t)gn_wino_scratch(g));
    float *du = u + 16 * o * c, *scratch = u + 32 * o * c;
    AUX(v, COLS, 16 * c * nb * tn);
    AUX(m, TMP, 16 * o * nb * tn);
    gn_wino_filter(w, o, c, u);
    if (dwt) memset(du, 0, (size_t)(16 * o * c) * sizeof(float));
    for (int64_t n0 = 0; n0 < batch; n0 += nb) {
        const int64_t cnt = batch - n0 < nb ? batch - n0 : nb, t = cnt * tn;
        gn_wino_output_grad(g, o, dy + n0 * o * p, y ? y + n0 * o * p : NULL, cnt, m, t,
                            dbt ? gn_tensor_data(dbt) : NULL, scratch);
        if (dwt) { /* dU_e (O, C) += M_e (O, T) V_e^T */
            gn_wino_input(g, x + n0 * in_sz, cnt, v, t, scratch);
            for (int e = 0; e < 16; e++)
                gn_gemm(0, 1, o, c, t, 1.0f, m + e * o * t, t, v + e * c * t, t, 1.0f,
                        du + e * o * c, c);
        }
        if (dxt) { /* dV_e (C, T) = U_e^T M_e (into V's buffer), then dx += B dV B^T */
            for (int e = 0; e < 16; e++)
                gn_gemm(1, 0, c, t, o, 1.0f, u + e * o * c, c, m + e * o * t, t, 0.0f,
                        v + e * c * t, t);
            gn_wino_input_grad(g, v, t, cnt, gn_tensor_data(dxt) + n0 * in_sz, scratch);
        }
    }
    if (dwt) gn_wino_filter_grad(du, o, c, gn_tensor_data(dwt));
    return GN_OK;
}

/* ---- im2col path ------------------------------------------------------------ */

/* Slots: COLS = cols (whole batch when kept, else a chunk), TMP = W cols or
 * dY in (O, columns) layout (a chunk), DCOLS = W^T dY (a chunk). */
static gn_status conv_forward(gn_node *n, gn_error *err) {
    gn_conv_geom g;
    int64_t batch, o;
    gn_status st = conv_geom(n, &g, &batch, &o, err);
    if (st) return st;
    AUX(state, STATE, 1);
    state[0] = 0.0f;
    if (batch == 0) return GN_OK;
    if (gn_wino_use(&g, o)) return wino_forward(n, &g, batch, o, err);
    const int64_t rows = gn_geom_rows(&g), p = g.oh * g.ow, in_sz = g.c * g.h * g.w;
    const int64_t nb = gn_conv_chunk(batch, (rows > o ? rows : o) * p);
    const int keep = rows * batch * p <= GN_CONV_KEEP;
    const int64_t ldc = (keep ? batch : nb) * p;
    const float *x = gn_tensor_cdata(gn_in_value(n, 0)), *w = gn_tensor_cdata(gn_in_value(n, 1));
    const float *bias = gn_node_n_inputs(n) > 2 ? gn_tensor_cdata(gn_in_value(n, 2)) : NULL;
    float *y = gn_tensor_data(gn_node_value(n));
    AUX(cols, COLS, rows * ldc);
    AUX(tmp, TMP, o * nb * p);
    if (keep) gn_im2col(&g, x, batch, cols, ldc);
    for (int64_t n0 = 0; n0 < batch; n0 += nb) {
        const int64_t cnt = batch - n0 < nb ? batch - n0 : nb, ncol = cnt * p;
        const float *cc = keep ? cols + n0 * p : cols;
        if (!keep) gn_im2col(&g, x + n0 * in_sz, cnt, cols, ldc);
        gn_gemm(0, 0, o, ncol, rows, 1.0f, w, rows, cc, ldc, 0.0f, tmp, ncol);
        gn_conv_epilogue(tmp, cnt, o, p, bias, gn_node_attrs(n)->i[7] == 1, y + n0 * o * p);
    }
    state[0] = keep ? (float)batch : 0.0f;
    return GN_OK;
}

static gn_status conv_backward(gn_node *n, gn_error *err) {
    gn_conv_geom g;
    int64_t batch, o;
    gn_status st = conv_geom(n, &g, &batch, &o, err);
    if (st || batch == 0) return st;
    if (gn_wino_use(&g, o)) return wino_backward(n, &g, batch, o, err);
    const int64_t rows = gn_geom_rows(&g), p = g.oh * g.ow, in_sz = g.c * g.h * g.w;
    const int64_t nb = gn_conv_chunk(batch, (rows > o ? rows : o) * p);
    gn_tensor *dxt = gn_in_grad(n, 0), *dwt = gn_in_grad(n, 1);
    gn_tensor *dbt = gn_node_n_inputs(n) > 2 ? gn_in_grad(n, 2) : NULL;
    const float *x = gn_tensor_cdata(gn_in_value(n, 0)), *w = gn_tensor_cdata(gn_in_value(n, 1));
    const float *dy = gn_tensor_cdata(gn_node_grad(n));
    /* A fused relu masks dY with y > 0. */
    const float *y = gn_node_attrs(n)->i[7] == 1 ? gn_tensor_cdata(gn_node_value(n)) : NULL;
    AUX(state, STATE, 1);
    const int keep = state[0] == (float)batch && rows * batch * p <= GN_CONV_KEEP;
    const int64_t ldc = (keep ? batch : nb) * p;
    AUX(cols, COLS, rows * ldc);
    AUX(tmp, TMP, o * nb * p);
    float *dcols = NULL;
    if (dxt && !(dcols = gn_node_aux(n, DCOLS, rows * nb * p, err)))
        return err ? err->status : GN_ERR_NOMEM;
    for (int64_t n0 = 0; n0 < batch; n0 += nb) {
        const int64_t cnt = batch - n0 < nb ? batch - n0 : nb, ncol = cnt * p;
        /* dY in (O, ncol) layout; db[o] += its row sums. */
        gn_conv_prologue(dy + n0 * o * p, y ? y + n0 * o * p : NULL, cnt, o, p, tmp,
                         dbt ? gn_tensor_data(dbt) : NULL);
        if (dwt) { /* dW (O, rows) += dY (O, ncol) cols^T */
            const float *cc = keep ? cols + n0 * p : cols;
            if (!keep) gn_im2col(&g, x + n0 * in_sz, cnt, cols, ldc);
            gn_gemm(0, 1, o, rows, ncol, 1.0f, tmp, ncol, cc, ldc, 1.0f, gn_tensor_data(dwt), rows);
        }
        if (dxt) { /* dcols (rows, ncol) = W^T dY, then dx += col2im(dcols) */
            gn_gemm(1, 0, rows, ncol, o, 1.0f, w, rows, tmp, ncol, 0.0f, dcols, ncol);
            gn_col2im(&g, dcols, cnt, ncol, gn_tensor_data(dxt) + n0 * in_sz);
        }
    }
    return GN_OK;
}

const gn_op_vtable gn_op_conv2d = {
    .struct_size = sizeof(gn_op_vtable),
    .name = "conv2d",
    .doc = "y[n,o] = sum_c W[o,c] (*) x[n,c] + b[o]; x (N,C,H,W), W (O,C,kh,kw), b (O)",
    .n_inputs = 3,
    .infer = conv_infer,
    .forward = conv_forward,
    .backward = conv_backward,
};

const gn_op_vtable gn_op_conv2d_nobias = {
    .struct_size = sizeof(gn_op_vtable),
    .name = "conv2d_nobias",
    .doc = "y[n,o] = sum_c W[o,c] (*) x[n,c]; x (N,C,H,W), W (O,C,kh,kw)",
    .n_inputs = 2,
    .infer = conv_infer,
    .forward = conv_forward,
    .backward = conv_backward,
};
