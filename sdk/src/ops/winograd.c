/* Winograd F(4x4, 3x3) transforms (Lavin and Gray, 2015) for 3x3 stride-1
 * convolutions; the 36 GEMMs between them are done by conv2d.c. 1-D
 * transforms (B^T, G, A^T), each applied along both axes of a tile:
 *   B^T d = (4d0 - 5d2 + d4, -4d1 - 4d2 + d3 + d4, 4d1 - 4d2 - d3 + d4,
 *            -2d1 - d2 + 2d3 + d4, 2d1 - d2 - 2d3 + d4, 4d1 - 5d3 + d5)
 *   G g   = (g0/4, -(g0 + g1 + g2)/6, -(g0 - g1 + g2)/6,
 *            g0/24 + g1/12 + g2/6, g0/24 - g1/12 + g2/6, g2)
 *   A^T z = (z0 + z1 + z2 + z3 + z4, z1 - z2 + 2z3 - 2z4,
 *            z1 + z2 + 4z3 + 4z4, z1 - z2 + 8z3 - 8z4 + z5)
 * and their transposes for the gradients. Against F(2x2, 3x3) it does 1.8x
 * fewer multiplications and moves 1.8x less data through the GEMMs.
 *
 * Tiles are gathered in blocks of GN_WINO_BLOCK and transformed with the
 * block as the innermost (vectorised) loop: any row width keeps the vector
 * lanes full, where 4-tile groups along a row would leave 11x11 outputs
 * (3 tiles a row) to scalar code. */
#include <string.h>
#include "core/parallel.h"
#include "core/simd.h"
#include "ops/im2col.h"

enum { BLK = GN_WINO_BLOCK };

int gn_wino_use(const gn_conv_geom *g, int64_t o) {
    /* With few channels the 36 GEMMs are too thin to win (K = c or o). */
    return g->kh == 3 && g->kw == 3 && g->sh == 1 && g->sw == 1 && g->c >= 16 && o >= 16;
}

int64_t gn_wino_plane(int64_t rows, int64_t ld) {
    /* 16 floats (one cache line) past a multiple of 1024: the transforms
     * touch all 36 planes at once, and planes a multiple of 4 KiB apart
     * would all map to the same L1 sets (measured: 14% of a small CNN's
     * epoch went to those conflicts). */
    const int64_t s = rows * ld;
    return s <= 16 ? 16 : ((s - 16 + 1023) / 1024) * 1024 + 16;
}

int64_t gn_wino_tiles(const gn_conv_geom *g) {
    return ((g->oh + 3) / 4) * ((g->ow + 3) / 4);
}

/* A chunk's tiles, channel by channel: all nb images of the channel are
 * copied into staging planes, padded so that every tile is interior
 * (gathers and scatters without bounds tests), and the nb * tn tiles go
 * through the transforms in blocks of BLK (full vectors but the last). */
typedef struct walk {
    int64_t th, tw, tn;    /* tiles: rows, per row, per image */
    int64_t hp, wp, plane; /* input-side staging plane; the output side's is 4 th x 4 tw */
} walk;

static walk walk_of(const gn_conv_geom *g) {
    walk w = {.th = (g->oh + 3) / 4, .tw = (g->ow + 3) / 4};
    w.tn = w.th * w.tw;
    w.hp = 4 * w.th + 2, w.wp = 4 * w.tw + 2;
    w.plane = w.hp * w.wp;
    return w;
}

size_t gn_wino_scratch(const gn_conv_geom *g, int64_t nb) {
    return (size_t)(2 * 36 * BLK + nb * walk_of(g).plane);
}

/* ---- 1-D transforms over a block of n tiles --------------------------------- */

/* Separate restrict pointers for every output vector: with one pointer and
 * a run-time stride GCC must assume the six stores can overlap and leaves
 * the loop scalar. */
#define GN_OUT6                                                                                    \
    float *restrict o0, float *restrict o1, float *restrict o2, float *restrict o3,                \
        float *restrict o4, float *restrict o5
#define GN_IN6                                                                                     \
    const float *restrict i0, const float *restrict i1, const float *restrict i2,                  \
        const float *restrict i3, const float *restrict i4, const float *restrict i5

static inline void bt6(GN_IN6, GN_OUT6, int n) { /* B^T */
    for (int k = 0; k < n; k++) {
        const float d0 = i0[k], d1 = i1[k], d2 = i2[k], d3 = i3[k], d4 = i4[k], d5 = i5[k];
        o0[k] = 4.0f * d0 - 5.0f * d2 + d4;
        o1[k] = -4.0f * (d1 + d2) + (d3 + d4);
        o2[k] = 4.0f * (d1 - d2) + (d4 - d3);
        o3[k] = 2.0f * (d3 - d1) + (d4 - d2);
        o4[k] = 2.0f * (d1 - d3) + (d4 - d2);
        o5[k] = 4.0f * d1 - 5.0f * d3 + d5;
    }
}

static inline void b6(GN_IN6, GN_OUT6, int n) { /* B */
    for (int k = 0; k < n; k++) {
        const float w0 = i0[k], w1 = i1[k], w2 = i2[k], w3 = i3[k], w4 = i4[k], w5 = i5[k];
        o0[k] = 4.0f * w0;
        o1[k] = 4.0f * (w2 - w1) + 2.0f * (w4 - w3) + 4.0f * w5;
        o2[k] = -5.0f * w0 - 4.0f * (w1 + w2) - (w3 + w4);
        o3[k] = (w1 - w2) + 2.0f * (w3 - w4) - 5.0f * w5;
        o4[k] = w0 + (w1 + w2) + (w3 + w4);
        o5[k] = w5;
    }
}

static inline void at6(GN_IN6, float *restrict o0, float *restrict o1, float *restrict o2,
                       float *restrict o3, int n) { /* A^T */
    for (int k = 0; k < n; k++) {
        const float z0 = i0[k], z1 = i1[k], z2 = i2[k], z3 = i3[k], z4 = i4[k], z5 = i5[k];
        const float p12 = z1 + z2, m12 = z1 - z2, p34 = z3 + z4, m34 = z3 - z4;
        o0[k] = z0 + p12 + p34;
        o1[k] = m12 + 2.0f * m34;
        o2[k] = p12 + 4.0f * p34;
        o3[k] = m12 + 8.0f * m34 + z5;
    }
}

static inline void a4(const float *restrict i0, const float *restrict i1, const float *restrict i2,
                      const float *restrict i3, GN_OUT6, int n) { /* A */
    for (int k = 0; k < n; k++) {
        const float v0 = i0[k], v1 = i1[k], v2 = i2[k], v3 = i3[k];
        const float p02 = v0 + v2, p13 = v1 + v3, q02 = v0 + 4.0f * v2, q13 = 2.0f * v1 + 8.0f * v3;
        o0[k] = v0;
        o1[k] = p02 + p13;
        o2[k] = p02 - p13;
        o3[k] = q02 + q13;
        o4[k] = q02 - q13;
        o5[k] = v3;
    }
}

/* The same over strided vectors: in + i * is is element i's vector of n
 * floats, out + i * os output element i's. */
static inline void tf_bt(const float *in, int64_t is, float *out, int64_t os, int n) {
    bt6(in, in + is, in + 2 * is, in + 3 * is, in + 4 * is, in + 5 * is, out, out + os,
        out + 2 * os, out + 3 * os, out + 4 * os, out + 5 * os, n);
}

static inline void tf_b(const float *in, int64_t is, float *out, int64_t os, int n) {
    b6(in, in + is, in + 2 * is, in + 3 * is, in + 4 * is, in + 5 * is, out, out + os, out + 2 * os,
       out + 3 * os, out + 4 * os, out + 5 * os, n);
}

static inline void tf_at(const float *in, int64_t is, float *out, int64_t os, int n) {
    at6(in, in + is, in + 2 * is, in + 3 * is, in + 4 * is, in + 5 * is, out, out + os,
        out + 2 * os, out + 3 * os, n);
}

static inline void tf_a(const float *in, int64_t is, float *out, int64_t os, int n) {
    a4(in, in + is, in + 2 * is, in + 3 * is, out, out + os, out + 2 * os, out + 3 * os,
       out + 4 * os, out + 5 * os, n);
}

/* ---- filters (small: plain scalar code) ------------------------------------- */

/* Multiplications by the reciprocals: divisions here were 1.5% of a small
 * CNN's epoch (the transforms run every step). */
#define R4 0.25f
#define R6 (1.0f / 6.0f)
#define R12 (1.0f / 12.0f)
#define R24 (1.0f / 24.0f)

static void g6(const float *g, int s, float *r, int os) { /* G g */
    r[0] = g[0] * R4;
    r[os] = -(g[0] + g[s] + g[2 * s]) * R6;
    r[2 * os] = -(g[0] - g[s] + g[2 * s]) * R6;
    r[3 * os] = g[0] * R24 + g[s] * R12 + g[2 * s] * R6;
    r[4 * os] = g[0] * R24 - g[s] * R12 + g[2 * s] * R6;
    r[5 * os] = g[2 * s];
}

static void gt3(const float *v, int s, float *r, int os) { /* G^T v */
    const float v0 = v[0], v1 = v[s], v2 = v[2 * s], v3 = v[3 * s], v4 = v[4 * s], v5 = v[5 * s];
    r[0] = v0 * R4 - (v1 + v2) * R6 + (v3 + v4) * R24;
    r[os] = (v2 - v1) * R6 + (v3 - v4) * R12;
    r[2 * os] = (v3 + v4 - v1 - v2) * R6 + v5;
}

/* Both filter transforms run over ranges of the o c filters (serial, the
 * forward one alone was 1.2% of a small CNN's 2-thread epoch). */
typedef struct filter_job {
    const float *src;
    float *dst;
    int64_t oc;
} filter_job;

static void filter_range(void *ctx, int64_t lo, int64_t hi) {
    const filter_job *j = ctx;
    for (int64_t k = lo; k < hi; k++) {
        float t[18], r[36]; /* t = G g (6x3), r = t G^T (6x6) */
        for (int i = 0; i < 3; i++)
            g6(j->src + 9 * k + i, 3, t + i, 3);
        for (int i = 0; i < 6; i++)
            g6(t + 3 * i, 1, r + 6 * i, 1);
        for (int e = 0; e < 36; e++)
            j->dst[e * j->oc + k] = r[e];
    }
}

void gn_wino_filter(const float *w, int64_t o, int64_t c, float *u) {
    filter_job j = {w, u, o * c};
    gn_parallel_range(o * c, 256, filter_range, &j);
}

static void filter_grad_range(void *ctx, int64_t lo, int64_t hi) {
    const filter_job *j = ctx;
    for (int64_t k = lo; k < hi; k++) {
        float v[36], t[18], q[9]; /* t = G^T v (3x6), q = t G (3x3) */
        for (int e = 0; e < 36; e++)
            v[e] = j->src[e * j->oc + k];
        for (int i = 0; i < 6; i++)
            gt3(v + i, 6, t + i, 6);
        for (int i = 0; i < 3; i++)
            gt3(t + 6 * i, 1, q + 3 * i, 1);
        for (int e = 0; e < 9; e++)
            j->dst[9 * k + e] += q[e];
    }
}

void gn_wino_filter_grad(const float *du, int64_t o, int64_t c, float *dw) {
    filter_job j = {du, dw, o * c};
    gn_parallel_range(o * c, 256, filter_grad_range, &j);
}

/* ---- tiles ------------------------------------------------------------------
 * Tile (ty, tx) of an image reads its staging plane's rows 4 ty .. + 5 and
 * columns 4 tx .. + 5 (the image sits at (pt, pl), zeros around) and gives
 * output rows 4 ty .. + 3, columns 4 tx .. + 3 (those past oh, ow are
 * dropped). */

/* Copies image plane src (h, w) into the zeroed staging plane pp. */
static void stage_in(const gn_conv_geom *g, const walk *w, const float *src, float *pp) {
    memset(pp, 0, (size_t)w->plane * sizeof(float));
    int64_t rows = g->h < w->hp - g->pt ? g->h : w->hp - g->pt;
    int64_t cols = g->w < w->wp - g->pl ? g->w : w->wp - g->pl;
    for (int64_t y = 0; y < rows; y++) { /* short rows: a loop, not a memcpy call each */
        float *d = pp + (y + g->pt) * w->wp + g->pl;
        const float *r = src + y * g->w;
        for (int64_t k = 0; k < cols; k++)
            d[k] = r[k];
    }
}

/* dst (h, w) += the image part of staging plane pp. */
static void unstage_add(const gn_conv_geom *g, const walk *w, const float *pp, float *dst) {
    int64_t rows = g->h < w->hp - g->pt ? g->h : w->hp - g->pt;
    int64_t cols = g->w < w->wp - g->pl ? g->w : w->wp - g->pl;
    for (int64_t y = 0; y < rows; y++) {
        const float *a = pp + (y + g->pt) * w->wp + g->pl;
        float *b = dst + y * g->w;
        for (int64_t k = 0; k < cols; k++)
            b[k] += a[k];
    }
}

/* Walks tiles in order (image, tile row, tile column) and gives where each
 * starts in the staging planes (planes pstride apart, rows rstride apart):
 * counters, not divisions (four 64-bit divisions a tile cost more than its
 * 36 loads). */
typedef struct tile_pos {
    int64_t n, ty, tx;
} tile_pos;

static void block_offsets(const walk *w, tile_pos *at, int cnt, int64_t pstride, int64_t rstride,
                          int64_t *off) {
    for (int slot = 0; slot < cnt; slot++) {
        off[slot] = at->n * pstride + 4 * at->ty * rstride + 4 * at->tx;
        if (++at->tx == w->tw) {
            at->tx = 0;
            if (++at->ty == w->th) at->ty = 0, at->n++;
        }
    }
}

GN_SIMD_CLONES void gn_wino_input(const gn_conv_geom *g, const float *x, int64_t nb, float *v,
                                  int64_t ld, float *scratch) {
    const walk w = walk_of(g);
    const int64_t plane = g->h * g->w, pv = gn_wino_plane(g->c, ld), total = nb * w.tn;
    float *d = scratch, *t = scratch + 36 * BLK, *stage = scratch + 72 * BLK;
    for (int64_t c = 0; c < g->c; c++) {
        for (int64_t n = 0; n < nb; n++)
            stage_in(g, &w, x + (n * g->c + c) * plane, stage + n * w.plane);
        tile_pos at = {0, 0, 0};
        for (int64_t k0 = 0; k0 < total; k0 += BLK) {
            const int cnt = (int)(total - k0 < BLK ? total - k0 : BLK);
            int64_t off[BLK];
            block_offsets(&w, &at, cnt, w.plane, w.wp, off);
            for (int slot = 0; slot < cnt; slot++) { /* gather the 6x6 patches */
                const float *q = stage + off[slot];
                for (int r = 0; r < 6; r++)
                    for (int s = 0; s < 6; s++)
                        d[(6 * r + s) * BLK + slot] = q[r * w.wp + s];
            }
            for (int j = 0; j < 6; j++) /* t = B^T d (over rows) */
                tf_bt(d + j * BLK, 6 * BLK, t + j * BLK, 6 * BLK, cnt);
            float *out = v + c * ld + k0;
            for (int i = 0; i < 6; i++) /* V = t B (over columns) */
                tf_bt(t + 6 * i * BLK, BLK, out + 6 * i * pv, pv, cnt);
        }
    }
}

GN_SIMD_CLONES void gn_wino_input_grad(const gn_conv_geom *g, const float *dv, int64_t ld,
                                       int64_t nb, float *dx, float *scratch) {
    const walk w = walk_of(g);
    const int64_t plane = g->h * g->w, pv = gn_wino_plane(g->c, ld), total = nb * w.tn;
    float *t = scratch, *q = scratch + 36 * BLK, *stage = scratch + 72 * BLK;
    for (int64_t c = 0; c < g->c; c++) {
        memset(stage, 0, (size_t)(nb * w.plane) * sizeof(float));
        tile_pos at = {0, 0, 0};
        for (int64_t k0 = 0; k0 < total; k0 += BLK) {
            const int cnt = (int)(total - k0 < BLK ? total - k0 : BLK);
            const float *in = dv + c * ld + k0;
            for (int j = 0; j < 6; j++) /* t = B dV (over rows) */
                tf_b(in + j * pv, 6 * pv, t + j * BLK, 6 * BLK, cnt);
            for (int i = 0; i < 6; i++) /* q = t B^T (over columns) */
                tf_b(t + 6 * i * BLK, BLK, q + 6 * i * BLK, BLK, cnt);
            int64_t off[BLK];
            block_offsets(&w, &at, cnt, w.plane, w.wp, off);
            for (int slot = 0; slot < cnt; slot++) { /* added onto the overlapping patches */
                float *p = stage + off[slot];
                for (int r = 0; r < 6; r++)
                    for (int s = 0; s < 6; s++)
                        p[r * w.wp + s] += q[(6 * r + s) * BLK + slot];
            }
        }
        for (int64_t n = 0; n < nb; n++)
            unstage_add(g, &w, stage + n * w.plane, dx + (n * g->c + c) * plane);
    }
}

GN_SIMD_CLONES void gn_wino_output(const gn_conv_geom *g, int64_t o, const float *z, int64_t ld,
                                   int64_t nb, const float *bias, int relu, float *y,
                                   float *scratch) {
    const walk w = walk_of(g);
    const int64_t opl = g->oh * g->ow, pz = gn_wino_plane(o, ld), total = nb * w.tn;
    const int64_t ow4 = 4 * w.tw, oplane = 4 * w.th * ow4; /* the output staging plane */
    float *s = scratch, *r = scratch + 36 * BLK, *stage = scratch + 72 * BLK;
    for (int64_t c = 0; c < o; c++) {
        tile_pos at = {0, 0, 0};
        for (int64_t k0 = 0; k0 < total; k0 += BLK) {
            const int cnt = (int)(total - k0 < BLK ? total - k0 : BLK);
            const float *in = z + c * ld + k0;
            for (int j = 0; j < 6; j++) /* s = A^T Z (over rows), 4x6 */
                tf_at(in + j * pz, 6 * pz, s + j * BLK, 6 * BLK, cnt);
            for (int i = 0; i < 4; i++) /* r = s A (over columns), 4x4 */
                tf_at(s + 6 * i * BLK, BLK, r + 4 * i * BLK, BLK, cnt);
            int64_t off[BLK];
            block_offsets(&w, &at, cnt, oplane, ow4, off);
            for (int slot = 0; slot < cnt; slot++) {
                float *p = stage + off[slot];
                for (int rr = 0; rr < 4; rr++)
                    for (int ss = 0; ss < 4; ss++)
                        p[rr * ow4 + ss] = r[(4 * rr + ss) * BLK + slot];
            }
        }
        const float b = bias ? bias[c] : 0.0f;
        for (int64_t n = 0; n < nb; n++) { /* the valid part, plus bias and relu */
            float *dst = y + (n * o + c) * opl;
            for (int64_t yy = 0; yy < g->oh; yy++)
                gn_bias_act_row(stage + n * oplane + yy * ow4, dst + yy * g->ow, g->ow, b, relu);
        }
    }
}

GN_SIMD_CLONES void gn_wino_output_grad(const gn_conv_geom *g, int64_t o, const float *dy,
                                        const float *y, int64_t nb, float *m, int64_t ld, float *db,
                                        float *scratch) {
    const walk w = walk_of(g);
    const int64_t opl = g->oh * g->ow, pm = gn_wino_plane(o, ld), total = nb * w.tn;
    const int64_t ow4 = 4 * w.tw, oplane = 4 * w.th * ow4;
    float *d = scratch, *t = scratch + 36 * BLK, *stage = scratch + 72 * BLK;
    for (int64_t c = 0; c < o; c++) {
        float sum = 0.0f;
        for (int64_t n = 0; n < nb; n++) { /* dY masked by the relu, zero past (oh, ow) */
            float *pp = stage + n * oplane;
            const int64_t base = (n * o + c) * opl;
            const float *p = dy + base, *q = y ? y + base : NULL;
            memset(pp, 0, (size_t)oplane * sizeof(float));
            for (int64_t yy = 0; yy < g->oh; yy++) {
                float *dst = pp + yy * ow4;
                gn_relu_mask_row(p + yy * g->ow, q ? q + yy * g->ow : NULL, dst, g->ow);
                sum += gn_sum_f(dst, g->ow);
            }
        }
        if (db) db[c] += sum;
        tile_pos at = {0, 0, 0};
        for (int64_t k0 = 0; k0 < total; k0 += BLK) {
            const int cnt = (int)(total - k0 < BLK ? total - k0 : BLK);
            int64_t off[BLK];
            block_offsets(&w, &at, cnt, oplane, ow4, off);
            for (int slot = 0; slot < cnt; slot++) { /* gather the 4x4 patches */
                const float *pp = stage + off[slot];
                for (int rr = 0; rr < 4; rr++)
                    for (int ss = 0; ss < 4; ss++)
                        d[(4 * rr + ss) * BLK + slot] = pp[rr * ow4 + ss];
            }
            for (int j = 0; j < 4; j++) /* t = A dY (over rows), 6x4 */
                tf_a(d + j * BLK, 4 * BLK, t + j * BLK, 4 * BLK, cnt);
            float *out = m + c * ld + k0;
            for (int i = 0; i < 6; i++) /* M = t A^T (over columns), 6x6 */
                tf_a(t + 4 * i * BLK, BLK, out + 6 * i * pm, pm, cnt);
        }
    }
}
