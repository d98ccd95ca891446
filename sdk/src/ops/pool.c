/* Pooling over (N, C, H, W): max and average over kh x kw windows, and the
 * global average over H x W. Window geometry as conv2d's: explicit
 * symmetric padding (at most half the window, as PyTorch requires) or
 * TensorFlow "same". Padded positions never take part: max ignores them
 * and the average divides by the number of in-bounds elements (TF "same";
 * PyTorch's count_include_pad=False). */
#include <float.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include "core/parallel.h"
#include "ops/im2col.h"
#include "ops/ops_internal.h"

enum { ARGMAX = 0 };

typedef struct pool_geom {
    int64_t nc, h, w, kh, kw, sh, sw, pt, pl, oh, ow;
} pool_geom;

static gn_status need_4d(gn_error *err, const char *op, const gn_tensor *x) {
    if (gn_tensor_ndim(x) == 4) return GN_OK;
    char s[64];
    gn_tensor_shape_str(x, 0, s, sizeof s);
    return gn_error_set(err, GN_ERR_INVALID,
                        "%s: input must be 4-D (batch, channels, height, width), got %s", op, s);
}

static gn_status pool_geometry(gn_node *n, pool_geom *g, gn_error *err) {
    const char *name = gn_node_op(n)->name;
    const gn_op_attrs *a = gn_node_attrs(n);
    gn_tensor *x = gn_in_value(n, 0);
    gn_status st = need_4d(err, name, x);
    if (st) return st;
    int64_t kh = a->i[0], kw = a->i[1];
    int64_t sh = a->i[2] ? a->i[2] : kh, sw = a->i[3] ? a->i[3] : kw;
    int same = a->i[6] != 0;
    if (kh < 1 || kw < 1 || sh < 1 || sw < 1)
        return gn_error_set(err, GN_ERR_INVALID,
                            "%s: pool size %lldx%lld and strides (%lld, %lld) must be >= 1", name,
                            (long long)kh, (long long)kw, (long long)sh, (long long)sw);
    if (!same && (a->i[4] < 0 || a->i[5] < 0 || 2 * a->i[4] > kh || 2 * a->i[5] > kw))
        return gn_error_set(err, GN_ERR_INVALID,
                            "%s: padding (%lld, %lld) must be between 0 and half the pool size "
                            "%lldx%lld",
                            name, (long long)a->i[4], (long long)a->i[5], (long long)kh,
                            (long long)kw);
    *g = (pool_geom){.nc = gn_tensor_dim(x, 0) * gn_tensor_dim(x, 1),
                     .h = gn_tensor_dim(x, 2),
                     .w = gn_tensor_dim(x, 3),
                     .kh = kh,
                     .kw = kw,
                     .sh = sh,
                     .sw = sw};
    g->oh = gn_conv_out_size(g->h, kh, sh, a->i[4], same, &g->pt);
    g->ow = gn_conv_out_size(g->w, kw, sw, a->i[5], same, &g->pl);
    if (g->oh < 1 || g->ow < 1)
        return gn_error_set(err, GN_ERR_INVALID,
                            "%s: pool %lldx%lld is larger than the (padded) input %lldx%lld", name,
                            (long long)kh, (long long)kw, (long long)(g->h + 2 * a->i[4]),
                            (long long)(g->w + 2 * a->i[5]));
    return GN_OK;
}

static gn_status pool_infer(gn_node *n, gn_error *err) {
    pool_geom g;
    gn_status st = pool_geometry(n, &g, err);
    if (st) return st;
    gn_tensor *x = gn_in_value(n, 0);
    int64_t dims[4] = {gn_tensor_dim(x, 0), gn_tensor_dim(x, 1), g.oh, g.ow};
    return gn_node_set_shape(n, 4, dims, err);
}

/* The in-bounds part [*a, *b) of the window starting at o * s - pad. */
static inline void window(int64_t o, int64_t s, int64_t pad, int64_t k, int64_t in, int64_t *a,
                          int64_t *b) {
    int64_t lo = o * s - pad, hi = lo + k;
    *a = lo < 0 ? 0 : lo;
    *b = hi > in ? in : hi;
}

/* ---- max ---------------------------------------------------------------- */

/* The common 2x2 / 2 case over planes [c0, c1): branch-free selects (ties:
 * the first wins). */
static void max2x2(const pool_geom *g, const float *x, float *y, int32_t *idx, int64_t c0,
                   int64_t c1) {
    const int64_t plane = g->h * g->w, opl = g->oh * g->ow;
    for (int64_t c = c0; c < c1; c++)
        for (int64_t oy = 0; oy < g->oh; oy++) {
            const float *r0 = x + c * plane + 2 * oy * g->w, *r1 = r0 + g->w;
            float *yo = y + c * opl + oy * g->ow;
            int32_t *io = idx + c * opl + oy * g->ow;
            const int32_t base = (int32_t)(2 * oy * g->w), wd = (int32_t)g->w;
            int64_t ox = 0;
#ifdef __SSE2__
            /* 4 windows at a time: even/odd columns split by shuffles, the
             * same comparisons as below as masks. */
            const __m128i step = _mm_set1_epi32(8), wdv = _mm_set1_epi32(wd);
            __m128i ia = _mm_add_epi32(_mm_set1_epi32(base), _mm_set_epi32(6, 4, 2, 0));
            for (; ox + 4 <= g->ow; ox += 4, ia = _mm_add_epi32(ia, step)) {
                __m128 p0 = _mm_loadu_ps(r0 + 2 * ox), p1 = _mm_loadu_ps(r0 + 2 * ox + 4);
                __m128 q0 = _mm_loadu_ps(r1 + 2 * ox), q1 = _mm_loadu_ps(r1 + 2 * ox + 4);
                __m128 a = _mm_shuffle_ps(p0, p1, _MM_SHUFFLE(2, 0, 2, 0));
                __m128 b = _mm_shuffle_ps(p0, p1, _MM_SHUFFLE(3, 1, 3, 1));
                __m128 cc = _mm_shuffle_ps(q0, q1, _MM_SHUFFLE(2, 0, 2, 0));
                __m128 d = _mm_shuffle_ps(q0, q1, _MM_SHUFFLE(3, 1, 3, 1));
                __m128 g0 = _mm_cmpgt_ps(b, a), g1 = _mm_cmpgt_ps(d, cc);
                __m128 m0 = _mm_or_ps(_mm_and_ps(g0, b), _mm_andnot_ps(g0, a));
                __m128 m1 = _mm_or_ps(_mm_and_ps(g1, d), _mm_andnot_ps(g1, cc));
                __m128i i0 = _mm_sub_epi32(ia, _mm_castps_si128(g0)); /* mask is -1 */
                __m128i i1 = _mm_sub_epi32(_mm_add_epi32(ia, wdv), _mm_castps_si128(g1));
                __m128 gt = _mm_cmpgt_ps(m1, m0);
                __m128i gi = _mm_castps_si128(gt);
                _mm_storeu_ps(yo + ox, _mm_or_ps(_mm_and_ps(gt, m1), _mm_andnot_ps(gt, m0)));
                _mm_storeu_si128((__m128i *)(void *)(io + ox),
                                 _mm_or_si128(_mm_and_si128(gi, i1), _mm_andnot_si128(gi, i0)));
            }
#endif
            for (; ox < g->ow; ox++) {
                float a = r0[2 * ox], b = r0[2 * ox + 1], cc = r1[2 * ox], d = r1[2 * ox + 1];
                int32_t ia = base + (int32_t)(2 * ox);
                float m0 = b > a ? b : a, m1 = d > cc ? d : cc;
                int32_t i0 = b > a ? ia + 1 : ia, i1 = d > cc ? ia + wd + 1 : ia + wd;
                yo[ox] = m1 > m0 ? m1 : m0;
                io[ox] = m1 > m0 ? i1 : i0;
            }
        }
}

typedef struct pool_job {
    const pool_geom *g;
    const float *x;
    float *y;
    int32_t *idx;
    int64_t block;
    int assign; /* backward: dx is not zeroed (gn_node_grad_assign) */
} pool_job;

static void max2x2_block(void *ctx, int64_t i, int tid) {
    const pool_job *j = ctx;
    (void)tid;
    int64_t c0 = i * j->block, c1 = c0 + j->block < j->g->nc ? c0 + j->block : j->g->nc;
    max2x2(j->g, j->x, j->y, j->idx, c0, c1);
}

/* Planes per work item: one block per thread when the batch is large. */
static int64_t plane_block(const pool_geom *g) {
    int width = g->nc * g->oh * g->ow >= (1 << 16) ? gn_parallel_width(g->nc) : 1;
    return (g->nc + width - 1) / width;
}

/* 2x2 windows with stride 2 and no padding: each input belongs to at most
 * one window. */
static int is_2x2(const pool_geom *g) {
    return g->kh == 2 && g->kw == 2 && g->sh == 2 && g->sw == 2 && g->pt == 0 && g->pl == 0 &&
           2 * g->oh <= g->h && 2 * g->ow <= g->w;
}

static gn_status maxpool_forward(gn_node *n, gn_error *err) {
    pool_geom g;
    gn_status st = pool_geometry(n, &g, err);
    if (st) return st;
    const float *x = gn_tensor_cdata(gn_in_value(n, 0));
    float *y = gn_tensor_data(gn_node_value(n));
    const int64_t plane = g.h * g.w, opl = g.oh * g.ow;
    /* Argmax per output, relative to its input plane, for backward. */
    float *aux = gn_node_aux(n, ARGMAX, g.nc * opl, err);
    if (!aux) return err ? err->status : GN_ERR_NOMEM;
    int32_t *idx = (int32_t *)aux;
    if (plane > INT32_MAX)
        return gn_error_set(err, GN_ERR_INVALID, "maxpool2d: input plane too large");
    if (is_2x2(&g)) {
        pool_job j = {&g, x, y, idx, plane_block(&g), 0};
        gn_parallel_for((g.nc + j.block - 1) / j.block, max2x2_block, &j);
        return GN_OK;
    }
    for (int64_t c = 0; c < g.nc; c++) {
        const float *xp = x + c * plane;
        for (int64_t oy = 0; oy < g.oh; oy++) {
            int64_t ya, yb;
            window(oy, g.sh, g.pt, g.kh, g.h, &ya, &yb);
            for (int64_t ox = 0; ox < g.ow; ox++) {
                int64_t xa, xb;
                window(ox, g.sw, g.pl, g.kw, g.w, &xa, &xb);
                float best = -FLT_MAX;
                int64_t bi = ya * g.w + xa;
                for (int64_t iy = ya; iy < yb; iy++)
                    for (int64_t ix = xa; ix < xb; ix++) {
                        float v = xp[iy * g.w + ix];
                        bi = v > best ? iy * g.w + ix : bi;
                        best = v > best ? v : best;
                    }
                y[c * opl + oy * g.ow + ox] = xp[bi];
                idx[c * opl + oy * g.ow + ox] = (int32_t)bi;
            }
        }
    }
    return GN_OK;
}

/* One plane's input gradient d (h, w) from dy and the argmax ix of 2x2
 * windows, every element written once (dy at its window's argmax, zero
 * elsewhere): the overwriting backward, no zeroing pass and no scatter. */
static void max2x2_assign_plane(const pool_geom *g, const float *dy, const int32_t *ix, float *d) {
    for (int64_t oy = 0; oy < g->oh; oy++) {
        float *r0 = d + 2 * oy * g->w, *r1 = r0 + g->w;
        const int32_t base = (int32_t)(2 * oy * g->w), wd = (int32_t)g->w;
        int64_t ox = 0;
#ifdef __SSE2__
        /* 4 windows at a time: k = argmax - window corner, compared
         * with the 4 offsets; each row's pairs interleaved back. */
        const __m128i w0 = _mm_setzero_si128(), w1 = _mm_set1_epi32(1);
        const __m128i w2 = _mm_set1_epi32(wd), w3 = _mm_set1_epi32(wd + 1);
        __m128i corner = _mm_add_epi32(_mm_set1_epi32(base), _mm_set_epi32(6, 4, 2, 0));
        for (; ox + 4 <= g->ow; ox += 4, corner = _mm_add_epi32(corner, _mm_set1_epi32(8))) {
            const __m128i k = _mm_sub_epi32(
                _mm_loadu_si128((const __m128i *)(const void *)(ix + oy * g->ow + ox)), corner);
            const __m128 v = _mm_loadu_ps(dy + oy * g->ow + ox);
            const __m128 a = _mm_and_ps(v, _mm_castsi128_ps(_mm_cmpeq_epi32(k, w0)));
            const __m128 b = _mm_and_ps(v, _mm_castsi128_ps(_mm_cmpeq_epi32(k, w1)));
            const __m128 c2 = _mm_and_ps(v, _mm_castsi128_ps(_mm_cmpeq_epi32(k, w2)));
            const __m128 d2 = _mm_and_ps(v, _mm_castsi128_ps(_mm_cmpeq_epi32(k, w3)));
            _mm_storeu_ps(r0 + 2 * ox, _mm_unpacklo_ps(a, b));
            _mm_storeu_ps(r0 + 2 * ox + 4, _mm_unpackhi_ps(a, b));
            _mm_storeu_ps(r1 + 2 * ox, _mm_unpacklo_ps(c2, d2));
            _mm_storeu_ps(r1 + 2 * ox + 4, _mm_unpackhi_ps(c2, d2));
        }
#endif
        for (; ox < g->ow; ox++) {
            const int32_t k = ix[oy * g->ow + ox] - base - (int32_t)(2 * ox);
            const float v = dy[oy * g->ow + ox];
            r0[2 * ox] = k == 0 ? v : 0.0f;
            r0[2 * ox + 1] = k == 1 ? v : 0.0f;
            r1[2 * ox] = k == wd ? v : 0.0f;
            r1[2 * ox + 1] = k == wd + 1 ? v : 0.0f;
        }
        for (int64_t x = 2 * g->ow; x < g->w; x++) /* an odd last column */
            r0[x] = r1[x] = 0.0f;
    }
    memset(d + 2 * g->oh * g->w, 0, (size_t)((g->h - 2 * g->oh) * g->w) * sizeof(float));
}

/* dx[argmax] += dy over a block of planes (planes never share an input). */
static void max_scatter_block(void *ctx, int64_t i, int tid) {
    const pool_job *j = ctx;
    (void)tid;
    const pool_geom *g = j->g;
    const int64_t plane = g->h * g->w, opl = g->oh * g->ow;
    int64_t c0 = i * j->block, c1 = c0 + j->block < g->nc ? c0 + j->block : g->nc;
    for (int64_t c = c0; c < c1; c++) {
        if (j->assign && is_2x2(g)) {
            max2x2_assign_plane(g, j->x + c * opl, j->idx + c * opl, j->y + c * plane);
            continue;
        }
        /* zeroed here, plane by plane, the scatter then hits cache */
        if (j->assign) memset(j->y + c * plane, 0, (size_t)plane * sizeof(float));
        for (int64_t k = 0; k < opl; k++)
            j->y[c * plane + j->idx[c * opl + k]] += j->x[c * opl + k];
    }
}

static gn_status maxpool_backward(gn_node *n, gn_error *err) {
    gn_tensor *dxt = gn_in_grad(n, 0);
    if (!dxt) return GN_OK;
    pool_geom g;
    gn_status st = pool_geometry(n, &g, err);
    if (st) return st;
    const int64_t opl = g.oh * g.ow;
    float *aux = gn_node_aux(n, ARGMAX, g.nc * opl, err);
    if (!aux) return err ? err->status : GN_ERR_NOMEM;
    const int32_t *idx = (const int32_t *)aux;
    const float *dy = gn_tensor_cdata(gn_node_grad(n));
    float *dx = gn_tensor_data(dxt);
    pool_job j = {&g, dy, dx, (int32_t *)idx, plane_block(&g), gn_node_grad_assign(n, 0)};
    gn_parallel_for((g.nc + j.block - 1) / j.block, max_scatter_block, &j);
    return GN_OK;
}

/* ---- average -------------------------------------------------------------- */

static gn_status avgpool_forward(gn_node *n, gn_error *err) {
    pool_geom g;
    gn_status st = pool_geometry(n, &g, err);
    if (st) return st;
    const float *x = gn_tensor_cdata(gn_in_value(n, 0));
    float *y = gn_tensor_data(gn_node_value(n));
    const int64_t plane = g.h * g.w, opl = g.oh * g.ow;
    for (int64_t c = 0; c < g.nc; c++) {
        const float *xp = x + c * plane;
        for (int64_t oy = 0; oy < g.oh; oy++) {
            int64_t ya, yb;
            window(oy, g.sh, g.pt, g.kh, g.h, &ya, &yb);
            for (int64_t ox = 0; ox < g.ow; ox++) {
                int64_t xa, xb;
                window(ox, g.sw, g.pl, g.kw, g.w, &xa, &xb);
                float s = 0.0f;
                for (int64_t iy = ya; iy < yb; iy++)
                    for (int64_t ix = xa; ix < xb; ix++)
                        s += xp[iy * g.w + ix];
                y[c * opl + oy * g.ow + ox] = s / (float)((yb - ya) * (xb - xa));
            }
        }
    }
    return GN_OK;
}

static gn_status avgpool_backward(gn_node *n, gn_error *err) {
    gn_tensor *dxt = gn_in_grad(n, 0);
    if (!dxt) return GN_OK;
    pool_geom g;
    gn_status st = pool_geometry(n, &g, err);
    if (st) return st;
    const float *dy = gn_tensor_cdata(gn_node_grad(n));
    float *dx = gn_tensor_data(dxt);
    const int64_t plane = g.h * g.w, opl = g.oh * g.ow;
    for (int64_t c = 0; c < g.nc; c++) {
        float *xp = dx + c * plane;
        for (int64_t oy = 0; oy < g.oh; oy++) {
            int64_t ya, yb;
            window(oy, g.sh, g.pt, g.kh, g.h, &ya, &yb);
            for (int64_t ox = 0; ox < g.ow; ox++) {
                int64_t xa, xb;
                window(ox, g.sw, g.pl, g.kw, g.w, &xa, &xb);
                float v = dy[c * opl + oy * g.ow + ox] / (float)((yb - ya) * (xb - xa));
                for (int64_t iy = ya; iy < yb; iy++)
                    for (int64_t ix = xa; ix < xb; ix++)
                        xp[iy * g.w + ix] += v;
            }
        }
    }
    return GN_OK;
}

/* ---- global average ---------------------------------------------------------- */

static gn_status gap_infer(gn_node *n, gn_error *err) {
    gn_tensor *x = gn_in_value(n, 0);
    gn_status st = need_4d(err, "global_avg_pool2d", x);
    if (st) return st;
    int64_t dims[2] = {gn_tensor_dim(x, 0), gn_tensor_dim(x, 1)};
    return gn_node_set_shape(n, 2, dims, err);
}

static gn_status gap_forward(gn_node *n, gn_error *err) {
    (void)err;
    gn_tensor *xt = gn_in_value(n, 0);
    const float *x = gn_tensor_cdata(xt);
    float *y = gn_tensor_data(gn_node_value(n));
    const int64_t nc = gn_tensor_dim(xt, 0) * gn_tensor_dim(xt, 1);
    const int64_t plane = gn_tensor_dim(xt, 2) * gn_tensor_dim(xt, 3);
    for (int64_t c = 0; c < nc; c++) {
        float s = 0.0f;
        for (int64_t j = 0; j < plane; j++)
            s += x[c * plane + j];
        y[c] = plane ? s / (float)plane : 0.0f;
    }
    return GN_OK;
}

static gn_status gap_backward(gn_node *n, gn_error *err) {
    (void)err;
    gn_tensor *dxt = gn_in_grad(n, 0);
    if (!dxt) return GN_OK;
    float *dx = gn_tensor_data(dxt);
    const float *dy = gn_tensor_cdata(gn_node_grad(n));
    const int64_t nc = gn_tensor_dim(dxt, 0) * gn_tensor_dim(dxt, 1);
    const int64_t plane = gn_tensor_dim(dxt, 2) * gn_tensor_dim(dxt, 3);
    for (int64_t c = 0; c < nc; c++) {
        const float v = dy[c] / (float)plane;
        for (int64_t j = 0; j < plane; j++)
            dx[c * plane + j] += v;
    }
    return GN_OK;
}

const gn_op_vtable gn_op_maxpool2d = {
    .struct_size = sizeof(gn_op_vtable),
    .name = "maxpool2d",
    .doc = "y[n,c,i,j] = max over the window at (i s, j s) of x[n,c]",
    .n_inputs = 1,
    .infer = pool_infer,
    .forward = maxpool_forward,
    .backward = maxpool_backward,
    .flags = GN_OP_CAN_ASSIGN_DX,
};

const gn_op_vtable gn_op_avgpool2d = {
    .struct_size = sizeof(gn_op_vtable),
    .name = "avgpool2d",
    .doc = "y[n,c,i,j] = mean over the in-bounds window at (i s, j s) of x[n,c]",
    .n_inputs = 1,
    .infer = pool_infer,
    .forward = avgpool_forward,
    .backward = avgpool_backward,
};

const gn_op_vtable gn_op_global_avg_pool2d = {
    .struct_size = sizeof(gn_op_vtable),
    .name = "global_avg_pool2d",
    .doc = "y[n,c] = mean over h, w of x[n,c,h,w]",
    .n_inputs = 1,
    .infer = gap_infer,
    .forward = gap_forward,
    .backward = gap_backward,
};
