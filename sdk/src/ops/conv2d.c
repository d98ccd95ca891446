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
 * Winograd F(4x4, 3x3) path instead (winograd.c): same maths, 4x fewer
 * multiplications; stride-1 ones with few input taps (a first layer on
 * grey images) a direct loop (conv_direct.c). */
#include <string.h>
#include <ganglion/gemm.h>
#include "core/parallel.h"
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

/* The batch is split into chunks that fit the work budget and, with
 * several threads, into at least one chunk per thread (parallel.h): each
 * thread has its own slice of the scratch buffers, and partial weight and
 * bias gradients that are summed in thread order afterwards. */
typedef struct conv_job {
    const gn_conv_geom *g;
    int64_t batch, nb, o, p, in_sz, tn, rows, ldc;
    int relu, keep;
    int assign; /* backward: dx is not zeroed; each chunk zeroes its images first */
    const float *x, *w, *u, *bias, *dy, *y;
    float *out, *dx;
    float *buf0, *buf1, *buf2; /* per-thread slices of these sizes: */
    int64_t sz0, sz1, sz2;
    float *dw, *db; /* per-thread partial gradients (NULL when not wanted) */
    int64_t dw_sz, db_sz;
} conv_job;

/* Images per chunk: at most gn_conv_chunk's (the scratch budget), and
 * equal rounds for every thread: 128 images in chunks of 18 would give one
 * thread 72 and the other 56; in chunks of 16 both get 64. */
static int64_t job_chunk(int64_t batch, int64_t per_sample, int *width) {
    const int64_t nb = gn_conv_chunk(batch, per_sample);
    *width = gn_parallel_width(batch);
    const int64_t rounds = (batch + *width * nb - 1) / (*width * nb);
    const int64_t chunks = rounds * *width;
    return (batch + chunks - 1) / chunks;
}

/* A chunk's dx, zeroed before it accumulates when the graph left it
 * unzeroed (gn_node_grad_assign): in cache for the accumulation after. */
static float *chunk_dx(const conv_job *j, int64_t n0, int64_t cnt) {
    float *dx = j->dx + n0 * j->in_sz;
    if (j->assign) memset(dx, 0, (size_t)(cnt * j->in_sz) * sizeof(float));
    return dx;
}

static int64_t n_chunks(int64_t batch, int64_t nb) {
    return (batch + nb - 1) / nb;
}

/* Sums the width partial vectors at part (stride sz, n floats) into dst. */
static void reduce_parts(const float *part, int width, int64_t sz, int64_t n, float *dst) {
    for (int t = 0; t < width; t++)
        for (int64_t k = 0; k < n; k++)
            dst[k] += part[t * sz + k];
}

/* Weight and bias gradients: with several threads each accumulates into
 * its own zeroed partial at part (width dW then width db), summed in thread
 * order by grad_parts_end; one thread accumulates straight into dW and db. */
static void grad_parts_begin(conv_job *j, int width, float *part, gn_tensor *dwt, gn_tensor *dbt) {
    const int parts = width > 1;
    if (parts) memset(part, 0, (size_t)(width * (j->dw_sz + j->db_sz)) * sizeof(float));
    if (dwt) j->dw = parts ? part : gn_tensor_data(dwt);
    if (dbt) j->db = parts ? part + width * j->dw_sz : gn_tensor_data(dbt);
}

static void grad_parts_end(const conv_job *j, int width, gn_tensor *dwt, gn_tensor *dbt) {
    if (width > 1 && dwt) reduce_parts(j->dw, width, j->dw_sz, j->dw_sz, gn_tensor_data(dwt));
    if (width > 1 && dbt) reduce_parts(j->db, width, j->db_sz, j->o, gn_tensor_data(dbt));
}

#define AUX(var, slot, count)                                                                      \
    float *var = gn_node_aux(n, (slot), (count), err);                                             \
    if (!var) return err ? err->status : GN_ERR_NOMEM

/* im2col: forward's cols are kept for backward's weight gradient when the
 * whole batch's fit in this many floats (16 MiB); larger ones are
 * recomputed chunk by chunk. */
#define GN_CONV_KEEP ((int64_t)1 << 22)

/* ---- Winograd path (3x3, stride 1, enough channels) ---------------------- */

/* Slots: COLS = V (every chunk's, kept for backward when they fit
 * GN_CONV_KEEP, else one per thread), then dV; TMP = Z, then M; DCOLS = U,
 * dU, the transforms' staging planes, then the partial gradients. */
static void wino_forward_chunk(void *ctx, int64_t k, int tid) {
    const conv_job *j = ctx;
    const int64_t n0 = k * j->nb, cnt = j->batch - n0 < j->nb ? j->batch - n0 : j->nb;
    const int64_t t = cnt * j->tn, c = j->g->c, o = j->o;
    float *v = j->buf0 + (j->keep ? k : tid) * j->sz0;
    float *z = j->buf1 + tid * j->sz1, *s = j->buf2 + tid * j->sz2;
    const int64_t pv = gn_wino_plane(c, t), pz = gn_wino_plane(o, t);
    gn_wino_input(j->g, j->x + n0 * j->in_sz, cnt, v, t, s);
    for (int e = 0; e < GN_WINO_E; e++) /* Z_e (O, T) = U_e (O, C) V_e (C, T) */
        gn_gemm(0, 0, o, t, c, 1.0f, j->u + e * o * c, c, v + e * pv, t, 0.0f, z + e * pz, t);
    gn_wino_output(j->g, o, z, t, cnt, j->bias, j->relu, j->out + n0 * o * j->p, s);
}

static gn_status wino_forward(gn_node *n, const gn_conv_geom *g, int64_t batch, int64_t o,
                              gn_error *err) {
    const int64_t c = g->c, tn = gn_wino_tiles(g);
    int width;
    const int64_t nb = job_chunk(batch, GN_WINO_E * (c + o) * tn, &width);
    conv_job j = {.g = g,
                  .batch = batch,
                  .nb = nb,
                  .o = o,
                  .p = g->oh * g->ow,
                  .in_sz = c * g->h * g->w,
                  .tn = tn,
                  .relu = gn_node_attrs(n)->i[7] == 1,
                  .x = gn_tensor_cdata(gn_in_value(n, 0)),
                  .bias = gn_node_n_inputs(n) > 2 ? gn_tensor_cdata(gn_in_value(n, 2)) : NULL,
                  .out = gn_tensor_data(gn_node_value(n)),
                  .sz0 = GN_WINO_E * gn_wino_plane(c, nb * tn),
                  .sz1 = GN_WINO_E * gn_wino_plane(o, nb * tn),
                  .sz2 = (int64_t)gn_wino_scratch(g, nb)};
    const int64_t nch = n_chunks(batch, nb);
    j.keep = nch * j.sz0 <= GN_CONV_KEEP;
    AUX(u, DCOLS, GN_WINO_E * o * c + width * j.sz2);
    AUX(v, COLS, (j.keep ? nch : width) * j.sz0);
    AUX(z, TMP, width * j.sz1);
    AUX(state, STATE, 1);
    gn_wino_filter(gn_tensor_cdata(gn_in_value(n, 1)), o, c, u);
    j.u = u, j.buf0 = v, j.buf1 = z, j.buf2 = u + GN_WINO_E * o * c;
    gn_parallel_for(nch, wino_forward_chunk, &j);
    state[0] = j.keep ? (float)batch : 0.0f;
    return GN_OK;
}

static void wino_backward_chunk(void *ctx, int64_t k, int tid) {
    const conv_job *j = ctx;
    const int64_t n0 = k * j->nb, cnt = j->batch - n0 < j->nb ? j->batch - n0 : j->nb;
    const int64_t t = cnt * j->tn, c = j->g->c, o = j->o, op = o * j->p;
    float *v = j->buf0 + (j->keep ? k : tid) * j->sz0;
    float *m = j->buf1 + tid * j->sz1, *s = j->buf2 + tid * j->sz2;
    float *du = j->dw ? j->dw + tid * j->dw_sz : NULL, *db = j->db ? j->db + tid * j->db_sz : NULL;
    const int64_t pv = gn_wino_plane(c, t), pm = gn_wino_plane(o, t);
    gn_wino_output_grad(j->g, o, j->dy + n0 * op, j->y ? j->y + n0 * op : NULL, cnt, m, t, db, s);
    if (du) { /* dU_e (O, C) += M_e (O, T) V_e^T (V from forward when kept) */
        if (!j->keep) gn_wino_input(j->g, j->x + n0 * j->in_sz, cnt, v, t, s);
        for (int e = 0; e < GN_WINO_E; e++)
            gn_gemm(0, 1, o, c, t, 1.0f, m + e * pm, t, v + e * pv, t, 1.0f, du + e * o * c, c);
    }
    if (j->dx) { /* dV_e (C, T) = U_e^T M_e (into V's buffer), then dx += B dV B^T */
        for (int e = 0; e < GN_WINO_E; e++)
            gn_gemm(1, 0, c, t, o, 1.0f, j->u + e * o * c, c, m + e * pm, t, 0.0f, v + e * pv, t);
        gn_wino_input_grad(j->g, v, t, cnt, chunk_dx(j, n0, cnt), s);
    }
}

static gn_status wino_backward(gn_node *n, const gn_conv_geom *g, int64_t batch, int64_t o,
                               gn_error *err) {
    const int64_t c = g->c, tn = gn_wino_tiles(g);
    int width;
    const int64_t nb = job_chunk(batch, GN_WINO_E * (c + o) * tn, &width);
    gn_tensor *dxt = gn_in_grad(n, 0), *dwt = gn_in_grad(n, 1);
    gn_tensor *dbt = gn_node_n_inputs(n) > 2 ? gn_in_grad(n, 2) : NULL;
    conv_job j = {.g = g,
                  .batch = batch,
                  .nb = nb,
                  .o = o,
                  .p = g->oh * g->ow,
                  .in_sz = c * g->h * g->w,
                  .tn = tn,
                  .x = gn_tensor_cdata(gn_in_value(n, 0)),
                  .dy = gn_tensor_cdata(gn_node_grad(n)),
                  .y = gn_node_attrs(n)->i[7] == 1 ? gn_tensor_cdata(gn_node_value(n)) : NULL,
                  .dx = dxt ? gn_tensor_data(dxt) : NULL,
                  .assign = gn_node_grad_assign(n, 0),
                  .sz0 = GN_WINO_E * gn_wino_plane(c, nb * tn),
                  .sz1 = GN_WINO_E * gn_wino_plane(o, nb * tn),
                  .sz2 = (int64_t)gn_wino_scratch(g, nb),
                  .dw_sz = GN_WINO_E * o * c,
                  .db_sz = o};
    const int64_t nch = n_chunks(batch, nb);
    AUX(state, STATE, 1);
    j.keep = state[0] == (float)batch && nch * j.sz0 <= GN_CONV_KEEP;
    AUX(u, DCOLS, GN_WINO_E * o * c + width * (j.sz2 + j.dw_sz + j.db_sz));
    AUX(v, COLS, (j.keep ? nch : width) * j.sz0);
    AUX(m, TMP, width * j.sz1);
    gn_wino_filter(gn_tensor_cdata(gn_in_value(n, 1)), o, c, u);
    j.u = u, j.buf0 = v, j.buf1 = m, j.buf2 = u + GN_WINO_E * o * c;
    float *parts = j.buf2 + width * j.sz2;
    if (dwt) j.dw = parts;
    if (dbt) j.db = parts + width * j.dw_sz;
    memset(parts, 0, (size_t)(width * (j.dw_sz + j.db_sz)) * sizeof(float));
    gn_parallel_for(nch, wino_backward_chunk, &j);
    if (j.dx) state[0] = 0.0f; /* dV overwrote the kept V: another backward recomputes it */
    if (dwt) {                 /* the partial dU summed in thread order, then mapped back to dW */
        for (int t = 1; t < width; t++)
            for (int64_t k = 0; k < j.dw_sz; k++)
                j.dw[k] += j.dw[t * j.dw_sz + k];
        gn_wino_filter_grad(j.dw, o, c, gn_tensor_data(dwt));
    }
    if (dbt) reduce_parts(j.db, width, j.db_sz, o, gn_tensor_data(dbt));
    return GN_OK;
}

/* ---- direct path (few input taps, stride 1: conv_direct.c) ------------------- */

/* Slot COLS: per thread, the scratch, then partial dW and db. */
static void direct_forward_chunk(void *ctx, int64_t k, int tid) {
    const conv_job *j = ctx;
    const int64_t n0 = k * j->nb, cnt = j->batch - n0 < j->nb ? j->batch - n0 : j->nb;
    gn_direct_forward(j->g, j->x + n0 * j->in_sz, cnt, j->w, j->o, j->bias, j->relu,
                      j->out + n0 * j->o * j->p, j->buf0 + tid * j->sz0);
}

static void direct_backward_chunk(void *ctx, int64_t k, int tid) {
    const conv_job *j = ctx;
    const int64_t n0 = k * j->nb, cnt = j->batch - n0 < j->nb ? j->batch - n0 : j->nb;
    const int64_t op = j->o * j->p;
    gn_direct_backward(j->g, j->x + n0 * j->in_sz, j->dy + n0 * op, j->y ? j->y + n0 * op : NULL,
                       cnt, j->w, j->o, j->dw ? j->dw + tid * j->dw_sz : NULL,
                       j->db ? j->db + tid * j->db_sz : NULL, j->dx ? chunk_dx(j, n0, cnt) : NULL,
                       j->buf0 + tid * j->sz0);
}

static conv_job direct_job(gn_node *n, const gn_conv_geom *g, int64_t batch, int64_t o,
                           int *width) {
    const int64_t in_sz = g->c * g->h * g->w, p = g->oh * g->ow;
    return (conv_job){.g = g,
                      .batch = batch,
                      .nb = job_chunk(batch, in_sz + o * p, width),
                      .o = o,
                      .p = p,
                      .in_sz = in_sz,
                      .x = gn_tensor_cdata(gn_in_value(n, 0)),
                      .w = gn_tensor_cdata(gn_in_value(n, 1)),
                      .sz0 = (int64_t)gn_direct_scratch(g)};
}

static gn_status direct_forward(gn_node *n, const gn_conv_geom *g, int64_t batch, int64_t o,
                                gn_error *err) {
    int width;
    conv_job j = direct_job(n, g, batch, o, &width);
    j.relu = gn_node_attrs(n)->i[7] == 1;
    j.bias = gn_node_n_inputs(n) > 2 ? gn_tensor_cdata(gn_in_value(n, 2)) : NULL;
    j.out = gn_tensor_data(gn_node_value(n));
    AUX(buf, COLS, width * j.sz0);
    j.buf0 = buf;
    gn_parallel_for(n_chunks(batch, j.nb), direct_forward_chunk, &j);
    return GN_OK;
}

static gn_status direct_backward(gn_node *n, const gn_conv_geom *g, int64_t batch, int64_t o,
                                 gn_error *err) {
    gn_tensor *dxt = gn_in_grad(n, 0), *dwt = gn_in_grad(n, 1);
    gn_tensor *dbt = gn_node_n_inputs(n) > 2 ? gn_in_grad(n, 2) : NULL;
    int width;
    conv_job j = direct_job(n, g, batch, o, &width);
    j.dy = gn_tensor_cdata(gn_node_grad(n));
    j.y = gn_node_attrs(n)->i[7] == 1 ? gn_tensor_cdata(gn_node_value(n)) : NULL;
    j.dx = dxt ? gn_tensor_data(dxt) : NULL;
    j.assign = gn_node_grad_assign(n, 0);
    j.dw_sz = o * gn_geom_rows(g), j.db_sz = o;
    AUX(buf, COLS, width * (j.sz0 + j.dw_sz + j.db_sz));
    j.buf0 = buf;
    grad_parts_begin(&j, width, buf + width * j.sz0, dwt, dbt);
    gn_parallel_for(n_chunks(batch, j.nb), direct_backward_chunk, &j);
    grad_parts_end(&j, width, dwt, dbt);
    return GN_OK;
}

/* ---- im2col path ------------------------------------------------------------ */

/* Slots: COLS = cols (whole batch when kept, else a chunk per thread), TMP =
 * W cols or dY in (O, columns) layout (a chunk per thread), DCOLS = W^T dY
 * (a chunk per thread) and the partial gradients. */
static void im2col_forward_chunk(void *ctx, int64_t k, int tid) {
    const conv_job *j = ctx;
    const int64_t n0 = k * j->nb, cnt = j->batch - n0 < j->nb ? j->batch - n0 : j->nb;
    const int64_t ncol = cnt * j->p;
    float *cols = j->keep ? j->buf0 + n0 * j->p : j->buf0 + tid * j->sz0;
    float *tmp = j->buf1 + tid * j->sz1;
    gn_im2col(j->g, j->x + n0 * j->in_sz, cnt, cols, j->ldc);
    gn_gemm(0, 0, j->o, ncol, j->rows, 1.0f, j->w, j->rows, cols, j->ldc, 0.0f, tmp, ncol);
    gn_conv_epilogue(tmp, cnt, j->o, j->p, j->bias, j->relu, j->out + n0 * j->o * j->p);
}

/* The geometry and buffer sizes forward and backward share; keep: the
 * whole batch's cols are (or stay) in the COLS slot. */
static conv_job im2col_job(gn_node *n, const gn_conv_geom *g, int64_t batch, int64_t o, int keep,
                           int *width) {
    const int64_t rows = gn_geom_rows(g), p = g->oh * g->ow;
    const int64_t nb = job_chunk(batch, (rows > o ? rows : o) * p, width);
    return (conv_job){.g = g,
                      .batch = batch,
                      .nb = nb,
                      .o = o,
                      .p = p,
                      .in_sz = g->c * g->h * g->w,
                      .rows = rows,
                      .ldc = (keep ? batch : nb) * p,
                      .keep = keep,
                      .x = gn_tensor_cdata(gn_in_value(n, 0)),
                      .w = gn_tensor_cdata(gn_in_value(n, 1)),
                      .sz0 = rows * nb * p,
                      .sz1 = o * nb * p};
}

static gn_status conv_forward(gn_node *n, gn_error *err) {
    gn_conv_geom g;
    int64_t batch, o;
    gn_status st = conv_geom(n, &g, &batch, &o, err);
    if (st) return st;
    AUX(state, STATE, 1);
    state[0] = 0.0f;
    if (batch == 0) return GN_OK;
    if (gn_wino_use(&g, o)) return wino_forward(n, &g, batch, o, err);
    if (gn_direct_use(&g)) return direct_forward(n, &g, batch, o, err);
    const int64_t rows = gn_geom_rows(&g), p = g.oh * g.ow;
    int width;
    conv_job j = im2col_job(n, &g, batch, o, rows * batch * p <= GN_CONV_KEEP, &width);
    j.relu = gn_node_attrs(n)->i[7] == 1;
    j.bias = gn_node_n_inputs(n) > 2 ? gn_tensor_cdata(gn_in_value(n, 2)) : NULL;
    j.out = gn_tensor_data(gn_node_value(n));
    const int keep = j.keep;
    AUX(cols, COLS, keep ? rows * batch * p : width * j.sz0);
    AUX(tmp, TMP, width * j.sz1);
    j.buf0 = cols, j.buf1 = tmp;
    gn_parallel_for(n_chunks(batch, j.nb), im2col_forward_chunk, &j);
    state[0] = keep ? (float)batch : 0.0f;
    return GN_OK;
}

static void im2col_backward_chunk(void *ctx, int64_t k, int tid) {
    const conv_job *j = ctx;
    const int64_t n0 = k * j->nb, cnt = j->batch - n0 < j->nb ? j->batch - n0 : j->nb;
    const int64_t ncol = cnt * j->p, op = j->o * j->p;
    float *tmp = j->buf1 + tid * j->sz1;
    /* dY in (O, ncol) layout; db[o] += its row sums. */
    gn_conv_prologue(j->dy + n0 * op, j->y ? j->y + n0 * op : NULL, cnt, j->o, j->p, tmp,
                     j->db ? j->db + tid * j->db_sz : NULL);
    if (j->dw) { /* dW (O, rows) += dY (O, ncol) cols^T */
        float *cols = j->keep ? j->buf0 + n0 * j->p : j->buf0 + tid * j->sz0;
        if (!j->keep) gn_im2col(j->g, j->x + n0 * j->in_sz, cnt, cols, j->ldc);
        gn_gemm(0, 1, j->o, j->rows, ncol, 1.0f, tmp, ncol, cols, j->ldc, 1.0f,
                j->dw + tid * j->dw_sz, j->rows);
    }
    if (j->dx) { /* dcols (rows, ncol) = W^T dY, then dx += col2im(dcols) */
        float *dcols = j->buf2 + tid * j->sz2;
        gn_gemm(1, 0, j->rows, ncol, j->o, 1.0f, j->w, j->rows, tmp, ncol, 0.0f, dcols, ncol);
        gn_col2im(j->g, dcols, cnt, ncol, chunk_dx(j, n0, cnt));
    }
}

static gn_status conv_backward(gn_node *n, gn_error *err) {
    gn_conv_geom g;
    int64_t batch, o;
    gn_status st = conv_geom(n, &g, &batch, &o, err);
    if (st || batch == 0) return st;
    if (gn_wino_use(&g, o)) return wino_backward(n, &g, batch, o, err);
    if (gn_direct_use(&g)) return direct_backward(n, &g, batch, o, err);
    const int64_t rows = gn_geom_rows(&g), p = g.oh * g.ow;
    gn_tensor *dxt = gn_in_grad(n, 0), *dwt = gn_in_grad(n, 1);
    gn_tensor *dbt = gn_node_n_inputs(n) > 2 ? gn_in_grad(n, 2) : NULL;
    AUX(state, STATE, 1);
    int width;
    conv_job j = im2col_job(n, &g, batch, o,
                            state[0] == (float)batch && rows * batch * p <= GN_CONV_KEEP, &width);
    const int keep = j.keep;
    j.dy = gn_tensor_cdata(gn_node_grad(n));
    /* A fused relu masks dY with y > 0. */
    j.y = gn_node_attrs(n)->i[7] == 1 ? gn_tensor_cdata(gn_node_value(n)) : NULL;
    j.dx = dxt ? gn_tensor_data(dxt) : NULL;
    j.assign = gn_node_grad_assign(n, 0);
    j.sz2 = dxt ? j.sz0 : 0;
    j.dw_sz = o * rows, j.db_sz = o;
    AUX(cols, COLS, keep ? rows * batch * p : width * j.sz0);
    AUX(tmp, TMP, width * j.sz1);
    AUX(dcols, DCOLS, width * (j.sz2 + j.dw_sz + j.db_sz) + 1);
    j.buf0 = cols, j.buf1 = tmp, j.buf2 = dcols;
    grad_parts_begin(&j, width, dcols + width * j.sz2, dwt, dbt);
    gn_parallel_for(n_chunks(batch, j.nb), im2col_backward_chunk, &j);
    grad_parts_end(&j, width, dwt, dbt);
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
    .flags = GN_OP_CAN_ASSIGN_DX,
};

const gn_op_vtable gn_op_conv2d_nobias = {
    .struct_size = sizeof(gn_op_vtable),
    .name = "conv2d_nobias",
    .doc = "y[n,o] = sum_c W[o,c] (*) x[n,c]; x (N,C,H,W), W (O,C,kh,kw)",
    .n_inputs = 2,
    .infer = conv_infer,
    .forward = conv_forward,
    .backward = conv_backward,
    .flags = GN_OP_CAN_ASSIGN_DX,
};
