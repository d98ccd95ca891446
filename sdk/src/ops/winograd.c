/* Winograd F(2x2, 3x3) transforms (Lavin and Gray, 2015) for 3x3 stride-1
 * convolutions; the GEMMs between them are done by conv2d.c. Transforms
 * (B^T, G, A^T), applied to columns then rows:
 *   B^T d = (d0 - d2, d1 + d2, d2 - d1, d1 - d3)
 *   G g   = (g0, (g0 + g1 + g2) / 2, (g0 - g1 + g2) / 2, g2)
 *   A^T z = (z0 + z1 + z2, z1 - z2 - z3)
 * and their transposes for the gradients. */
#include <string.h>
#include "ops/im2col.h"

int gn_wino_use(const gn_conv_geom *g, int64_t o) {
    /* With few channels the 16 GEMMs are too thin to win (K = c or o). */
    return g->kh == 3 && g->kw == 3 && g->sh == 1 && g->sw == 1 && g->c >= 16 && o >= 16;
}

int64_t gn_wino_tiles(const gn_conv_geom *g) {
    return ((g->oh + 1) / 2) * ((g->ow + 1) / 2);
}

void gn_wino_filter(const float *w, int64_t o, int64_t c, float *u) {
    const int64_t oc = o * c;
    for (int64_t k = 0; k < oc; k++) {
        const float *g = w + 9 * k;
        float t[4][3], r[4][4]; /* t = G g (4x3), r = t G^T */
        for (int j = 0; j < 3; j++) {
            t[0][j] = g[j];
            t[1][j] = 0.5f * (g[j] + g[3 + j] + g[6 + j]);
            t[2][j] = 0.5f * (g[j] - g[3 + j] + g[6 + j]);
            t[3][j] = g[6 + j];
        }
        for (int i = 0; i < 4; i++) {
            r[i][0] = t[i][0];
            r[i][1] = 0.5f * (t[i][0] + t[i][1] + t[i][2]);
            r[i][2] = 0.5f * (t[i][0] - t[i][1] + t[i][2]);
            r[i][3] = t[i][2];
        }
        for (int e = 0; e < 16; e++)
            u[e * oc + k] = r[e / 4][e % 4];
    }
}

void gn_wino_filter_grad(const float *du, int64_t o, int64_t c, float *dw) {
    const int64_t oc = o * c;
    for (int64_t k = 0; k < oc; k++) {
        float v[4][4], t[3][4]; /* t = G^T v (3x4), dw += t G */
        for (int e = 0; e < 16; e++)
            v[e / 4][e % 4] = du[e * oc + k];
        for (int j = 0; j < 4; j++) {
            t[0][j] = v[0][j] + 0.5f * (v[1][j] + v[2][j]);
            t[1][j] = 0.5f * (v[1][j] - v[2][j]);
            t[2][j] = 0.5f * (v[1][j] + v[2][j]) + v[3][j];
        }
        float *g = dw + 9 * k;
        for (int i = 0; i < 3; i++) {
            g[3 * i + 0] += t[i][0] + 0.5f * (t[i][1] + t[i][2]);
            g[3 * i + 1] += 0.5f * (t[i][1] - t[i][2]);
            g[3 * i + 2] += 0.5f * (t[i][1] + t[i][2]) + t[i][3];
        }
    }
}

/* ---- row kernels --------------------------------------------------------
 * Each applies one 1-D transform to a row of tiles: input and output
 * streams are separate restrict parameters, contiguous in the tile index
 * (or at stride 2 for image rows), so the compiler vectorises them. */

/* B^T on image rows: s0[2 t] is element 0 of tile t's row (s1 = s0 + 1...). */
static void bt_s2(const float *restrict s0, const float *restrict s1, const float *restrict s2,
                  const float *restrict s3, float *restrict o0, float *restrict o1,
                  float *restrict o2, float *restrict o3, int64_t n) {
    for (int64_t t = 0; t < n; t++) {
        const float a = s0[2 * t], b = s1[2 * t], c = s2[2 * t], d = s3[2 * t];
        o0[t] = a - c;
        o1[t] = b + c;
        o2[t] = c - b;
        o3[t] = b - d;
    }
}

/* B^T on tile streams. */
static void bt_1(const float *restrict s0, const float *restrict s1, const float *restrict s2,
                 const float *restrict s3, float *restrict o0, float *restrict o1,
                 float *restrict o2, float *restrict o3, int64_t n) {
    for (int64_t t = 0; t < n; t++) {
        const float a = s0[t], b = s1[t], c = s2[t], d = s3[t];
        o0[t] = a - c;
        o1[t] = b + c;
        o2[t] = c - b;
        o3[t] = b - d;
    }
}

/* B (the adjoint of B^T) on tile streams. */
static void b_1(const float *restrict s0, const float *restrict s1, const float *restrict s2,
                const float *restrict s3, float *restrict o0, float *restrict o1,
                float *restrict o2, float *restrict o3, int64_t n) {
    for (int64_t t = 0; t < n; t++) {
        const float a = s0[t], b = s1[t], c = s2[t], d = s3[t];
        o0[t] = a;
        o1[t] = b - c + d;
        o2[t] = b + c - a;
        o3[t] = -d;
    }
}

/* A^T on tile streams: 4 -> 2. */
static void at_1(const float *restrict s0, const float *restrict s1, const float *restrict s2,
                 const float *restrict s3, float *restrict o0, float *restrict o1, int64_t n) {
    for (int64_t t = 0; t < n; t++) {
        const float a = s0[t], b = s1[t], c = s2[t], d = s3[t];
        o0[t] = a + b + c;
        o1[t] = b - c - d;
    }
}

/* A (the adjoint of A^T), 2 -> 4, on tile streams (stride 1) or on rows
 * of output gradients (stride 2: s0[2 t], s1 = s0 + 1). */
static void a_1(const float *restrict s0, const float *restrict s1, float *restrict o0,
                float *restrict o1, float *restrict o2, float *restrict o3, int64_t n) {
    for (int64_t t = 0; t < n; t++) {
        const float a = s0[t], b = s1[t];
        o0[t] = a;
        o1[t] = a + b;
        o2[t] = a - b;
        o3[t] = -b;
    }
}

static void a_s2(const float *restrict s0, const float *restrict s1, float *restrict o0,
                 float *restrict o1, float *restrict o2, float *restrict o3, int64_t n) {
    for (int64_t t = 0; t < n; t++) {
        const float a = s0[2 * t], b = s1[2 * t];
        o0[t] = a;
        o1[t] = a + b;
        o2[t] = a - b;
        o3[t] = -b;
    }
}

/* dst (+)= act(interleave(e, o) + bias) over n columns (n may be odd). */
static void interleave(const float *restrict e, const float *restrict o, float *restrict dst,
                       int64_t n, float bias, int relu) {
    const int64_t half = n / 2;
    if (relu) {
        for (int64_t u = 0; u < half; u++) {
            const float a = e[u] + bias, b = o[u] + bias;
            dst[2 * u] = a > 0.0f ? a : 0.0f;
            dst[2 * u + 1] = b > 0.0f ? b : 0.0f;
        }
    } else {
        for (int64_t u = 0; u < half; u++) {
            dst[2 * u] = e[u] + bias;
            dst[2 * u + 1] = o[u] + bias;
        }
    }
    if (n % 2) {
        const float a = e[half] + bias;
        dst[n - 1] = relu && !(a > 0.0f) ? 0.0f : a;
    }
}

/* row[2 u + q] += q-th column of tile u + (q + 2)-th column of tile u - 1,
 * for u in [0, n]; the c* arrays have a zero at index 0 and n + 1. */
static void overlap_add(const float *restrict c0, const float *restrict c1,
                        const float *restrict c2, const float *restrict c3, float *restrict row,
                        int64_t n) {
    for (int64_t u = 0; u <= n; u++) {
        row[2 * u] += c0[u + 1] + c2[u];
        row[2 * u + 1] += c1[u + 1] + c3[u];
    }
}

static void add_rows(const float *restrict src, float *restrict dst, int64_t n) {
    for (int64_t i = 0; i < n; i++)
        dst[i] += src[i];
}

size_t gn_wino_scratch(const gn_conv_geom *g) {
    const int64_t th = (g->oh + 1) / 2, tw = (g->ow + 1) / 2;
    return (size_t)((2 * th + 2) * (2 * tw + 2) + 32 * (tw + 2));
}

/* pp = the zero-padded copy, (2 th + 2) x (2 tw + 2), of image plane p at
 * (pt, pl): every tile is then interior and the row kernels branch-free. */
static void pad_plane(const gn_conv_geom *g, const float *p, int64_t hp, int64_t wp, float *pp) {
    memset(pp, 0, (size_t)(hp * wp) * sizeof(float));
    const int64_t rows = g->h < hp - g->pt ? g->h : hp - g->pt;
    const int64_t cols = g->w < wp - g->pl ? g->w : wp - g->pl;
    for (int64_t y = 0; y < rows; y++)
        memcpy(pp + (y + g->pt) * wp + g->pl, p + y * g->w, (size_t)cols * sizeof(float));
}

void gn_wino_input(const gn_conv_geom *g, const float *x, int64_t nb, float *v, float *scratch) {
    const int64_t th = (g->oh + 1) / 2, tw = (g->ow + 1) / 2, tn = th * tw, t_all = nb * tn;
    const int64_t plane = g->h * g->w, ct = g->c * t_all, hp = 2 * th + 2, wp = 2 * tw + 2;
    float *pp = scratch, *r = scratch + hp * wp; /* r: 16 rows of tw */
    for (int64_t n = 0; n < nb; n++)
        for (int64_t c = 0; c < g->c; c++) {
            pad_plane(g, x + (n * g->c + c) * plane, hp, wp, pp);
            float *out = v + c * t_all + n * tn;
            for (int64_t ty = 0; ty < th; ty++) {
                float *o = out + ty * tw;
                for (int i = 0; i < 4; i++) { /* r[i][l] = (d_i B)[l] */
                    const float *row = pp + (2 * ty + i) * wp;
                    bt_s2(row, row + 1, row + 2, row + 3, r + (4 * i) * tw, r + (4 * i + 1) * tw,
                          r + (4 * i + 2) * tw, r + (4 * i + 3) * tw, tw);
                }
                for (int l = 0; l < 4; l++) /* V[4 i + l] = (B^T r)[i][l] */
                    bt_1(r + l * tw, r + (4 + l) * tw, r + (8 + l) * tw, r + (12 + l) * tw,
                         o + l * ct, o + (4 + l) * ct, o + (8 + l) * ct, o + (12 + l) * ct, tw);
            }
        }
}

void gn_wino_input_grad(const gn_conv_geom *g, const float *dv, int64_t nb, float *dx,
                        float *scratch) {
    const int64_t th = (g->oh + 1) / 2, tw = (g->ow + 1) / 2, tn = th * tw, t_all = nb * tn;
    const int64_t plane = g->h * g->w, ct = g->c * t_all, hp = 2 * th + 2, wp = 2 * tw + 2;
    const int64_t rl = tw + 2; /* per-tile results with a zero at both ends */
    float *pp = scratch, *r = scratch + hp * wp, *rb = r + 16 * tw;
    memset(rb, 0, (size_t)(16 * rl) * sizeof(float));
    const int64_t rows = g->h < hp - g->pt ? g->h : hp - g->pt;
    const int64_t cols = g->w < wp - g->pl ? g->w : wp - g->pl;
    for (int64_t n = 0; n < nb; n++)
        for (int64_t c = 0; c < g->c; c++) {
            const float *in = dv + c * t_all + n * tn;
            memset(pp, 0, (size_t)(hp * wp) * sizeof(float));
            for (int64_t ty = 0; ty < th; ty++) {
                const float *d = in + ty * tw;
                for (int i = 0; i < 4; i++) /* r[i][l] = (dV_i B^T)[l] */
                    b_1(d + (4 * i) * ct, d + (4 * i + 1) * ct, d + (4 * i + 2) * ct,
                        d + (4 * i + 3) * ct, r + (4 * i) * tw, r + (4 * i + 1) * tw,
                        r + (4 * i + 2) * tw, r + (4 * i + 3) * tw, tw);
                for (int l = 0; l < 4; l++) /* rb[k][l] = (B r)[k][l] */
                    b_1(r + l * tw, r + (4 + l) * tw, r + (8 + l) * tw, r + (12 + l) * tw,
                        rb + l * rl + 1, rb + (4 + l) * rl + 1, rb + (8 + l) * rl + 1,
                        rb + (12 + l) * rl + 1, tw);
                for (int k = 0; k < 4; k++) /* tiles overlap by two columns and rows */
                    overlap_add(rb + (4 * k) * rl, rb + (4 * k + 1) * rl, rb + (4 * k + 2) * rl,
                                rb + (4 * k + 3) * rl, pp + (2 * ty + k) * wp, tw);
            }
            float *p = dx + (n * g->c + c) * plane;
            for (int64_t y = 0; y < rows; y++)
                add_rows(pp + (y + g->pt) * wp + g->pl, p + y * g->w, cols);
        }
}

void gn_wino_output(const gn_conv_geom *g, int64_t o, const float *z, int64_t nb, const float *bias,
                    int relu, float *y, float *scratch) {
    const int64_t th = (g->oh + 1) / 2, tw = (g->ow + 1) / 2, tn = th * tw, t_all = nb * tn;
    const int64_t opl = g->oh * g->ow, ot = o * t_all;
    float *r = scratch; /* 8 rows of tw, then 4 */
    for (int64_t n = 0; n < nb; n++)
        for (int64_t c = 0; c < o; c++) {
            const float *in = z + c * t_all + n * tn;
            float *p = y + (n * o + c) * opl;
            const float b = bias ? bias[c] : 0.0f;
            for (int64_t ty = 0; ty < th; ty++) {
                const float *d = in + ty * tw;
                float *q = r + 8 * tw;
                for (int i = 0; i < 4; i++) /* r[i][a] = (Z_i A)[a] */
                    at_1(d + (4 * i) * ot, d + (4 * i + 1) * ot, d + (4 * i + 2) * ot,
                         d + (4 * i + 3) * ot, r + (2 * i) * tw, r + (2 * i + 1) * tw, tw);
                for (int a = 0; a < 2; a++) /* q[b][a] = (A^T r)[b][a] */
                    at_1(r + a * tw, r + (2 + a) * tw, r + (4 + a) * tw, r + (6 + a) * tw,
                         q + a * tw, q + (2 + a) * tw, tw);
                interleave(q, q + tw, p + 2 * ty * g->ow, g->ow, b, relu);
                if (2 * ty + 1 < g->oh)
                    interleave(q + 2 * tw, q + 3 * tw, p + (2 * ty + 1) * g->ow, g->ow, b, relu);
            }
        }
}

void gn_wino_output_grad(const gn_conv_geom *g, int64_t o, const float *dy, const float *y,
                         int64_t nb, float *m, float *db, float *scratch) {
    const int64_t th = (g->oh + 1) / 2, tw = (g->ow + 1) / 2, tn = th * tw, t_all = nb * tn;
    const int64_t opl = g->oh * g->ow, ot = o * t_all, wb = 2 * tw;
    float *gb = scratch, *r = scratch + 2 * th * wb; /* dY masked, zero beyond (oh, ow) */
    memset(gb, 0, (size_t)(2 * th * wb) * sizeof(float));
    for (int64_t n = 0; n < nb; n++)
        for (int64_t c = 0; c < o; c++) {
            const float *p = dy + (n * o + c) * opl;
            const float *q = y ? y + (n * o + c) * opl : NULL;
            float sum = 0.0f;
            for (int64_t yy = 0; yy < g->oh; yy++) {
                float *dst = gb + yy * wb;
                const float *src = p + yy * g->ow;
                if (q) {
                    const float *mask = q + yy * g->ow;
                    for (int64_t x = 0; x < g->ow; x++) {
                        const float v = src[x];
                        dst[x] = mask[x] > 0.0f ? v : 0.0f;
                    }
                } else {
                    memcpy(dst, src, (size_t)g->ow * sizeof(float));
                }
                sum += gn_sum_f(dst, g->ow);
            }
            if (db) db[c] += sum;
            float *out = m + c * t_all + n * tn;
            for (int64_t ty = 0; ty < th; ty++) {
                float *od = out + ty * tw;
                for (int b = 0; b < 2; b++) { /* r[b][l] = (dY_b A^T)[l] */
                    const float *row = gb + (2 * ty + b) * wb;
                    a_s2(row, row + 1, r + (4 * b) * tw, r + (4 * b + 1) * tw, r + (4 * b + 2) * tw,
                         r + (4 * b + 3) * tw, tw);
                }
                for (int l = 0; l < 4; l++) /* M[4 k + l] = (A r)[k][l] */
                    a_1(r + l * tw, r + (4 + l) * tw, od + l * ot, od + (4 + l) * ot,
                        od + (8 + l) * ot, od + (12 + l) * ot, tw);
            }
        }
}
