/* Winograd F(2x2, 3x3) transforms (Lavin and Gray, 2015) for 3x3 stride-1
 * convolutions; the GEMMs between them are done by conv2d.c. Transforms
 * (B^T, G, A^T):
 *   B^T d = (d0 - d2, d1 + d2, d2 - d1, d1 - d3)
 *   G g   = (g0, (g0 + g1 + g2) / 2, (g0 - g1 + g2) / 2, g2)
 *   A^T z = (z0 + z1 + z2, z1 - z2 - z3)
 * and their transposes for the gradients. */
#include <string.h>
#include "ops/im2col.h"
#if defined(__SSE2__)
#include <emmintrin.h>
#define GN_WINO_SSE 1
#endif

int gn_wino_use(const gn_conv_geom *g, int64_t o) {
    /* With few channels the 16 GEMMs are too thin to win (K = c or o). */
    return g->kh == 3 && g->kw == 3 && g->sh == 1 && g->sw == 1 && g->c >= 16 && o >= 16;
}

int64_t gn_wino_tiles(const gn_conv_geom *g) {
    return ((g->oh + 1) / 2) * ((g->ow + 1) / 2);
}

/* The 1-D transforms: d read with stride s, r written with stride os. */
static inline void bt4(const float *d, int s, float *r, int os) { /* B^T d */
    float d0 = d[0], d1 = d[s], d2 = d[2 * s], d3 = d[3 * s];
    r[0] = d0 - d2;
    r[os] = d1 + d2;
    r[2 * os] = d2 - d1;
    r[3 * os] = d1 - d3;
}

static inline void b4(const float *d, int s, float *r, int os) { /* B d */
    float d0 = d[0], d1 = d[s], d2 = d[2 * s], d3 = d[3 * s];
    r[0] = d0;
    r[os] = d1 - d2 + d3;
    r[2 * os] = -d0 + d1 + d2;
    r[3 * os] = -d3;
}

static inline void at4(const float *z, int s, float *r, int os) { /* A^T z */
    float z0 = z[0], z1 = z[s], z2 = z[2 * s], z3 = z[3 * s];
    r[0] = z0 + z1 + z2;
    r[os] = z1 - z2 - z3;
}

static inline void a2(const float *v, int s, float *r, int os) { /* A v */
    float v0 = v[0], v1 = v[s];
    r[0] = v0;
    r[os] = v0 + v1;
    r[2 * os] = v0 - v1;
    r[3 * os] = -v1;
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

/* ---- tile transforms ------------------------------------------------------
 * Every plane goes through a zero-padded buffer of (2 th + 2) x (2 tw + 2)
 * with the image at (pt, pl), so that all tiles are interior: no bounds
 * tests at all. Groups of 4 tiles along a row are done with SSE (the
 * stride-2 tile columns deinterleaved by shuffles); where writing a tile
 * twice is harmless, a row's last group overlaps the one before, else the
 * remaining tiles are done one by one. */

size_t gn_wino_scratch(const gn_conv_geom *g) {
    const int64_t th = (g->oh + 1) / 2, tw = (g->ow + 1) / 2;
    return (size_t)((2 * th + 2) * (2 * tw + 2));
}

/* Rows and columns of the image that the padded buffer holds. */
static inline void padded_extent(const gn_conv_geom *g, int64_t hp, int64_t wp, int64_t *rows,
                                 int64_t *cols) {
    *rows = g->h < hp - g->pt ? g->h : hp - g->pt;
    *cols = g->w < wp - g->pl ? g->w : wp - g->pl;
    if (*rows < 0) *rows = 0;
    if (*cols < 0) *cols = 0;
}

void gn_wino_input(const gn_conv_geom *g, const float *x, int64_t nb, float *v, int64_t ld,
                   float *scratch) {
    const int64_t th = (g->oh + 1) / 2, tw = (g->ow + 1) / 2, tn = th * tw;
    const int64_t plane = g->h * g->w, ct = g->c * ld, hp = 2 * th + 2, wp = 2 * tw + 2;
    int64_t rows, cols;
    padded_extent(g, hp, wp, &rows, &cols);
    float *pp = scratch;
    for (int64_t n = 0; n < nb; n++)
        for (int64_t c = 0; c < g->c; c++) {
            const float *src = x + (n * g->c + c) * plane;
            memset(pp, 0, (size_t)(hp * wp) * sizeof(float));
            for (int64_t y = 0; y < rows; y++)
                memcpy(pp + (y + g->pt) * wp + g->pl, src + y * g->w, (size_t)cols * sizeof(float));
            float *out = v + c * ld + n * tn;
            for (int64_t ty = 0; ty < th; ty++) {
                const float *r = pp + 2 * ty * wp;
                float *o = out + ty * tw;
                int64_t tx = 0;
#ifdef GN_WINO_SSE
                for (; tw >= 4 && tx < tw; tx += 4) {
                    if (tx + 4 > tw) tx = tw - 4; /* the last group overlaps: recomputes a tile */
                    __m128 t[4][4];               /* t[i][l] = (d_i B)[l] for 4 tiles */
                    for (int i = 0; i < 4; i++) {
                        const float *q = r + i * wp + 2 * tx;
                        __m128 a = _mm_loadu_ps(q), b = _mm_loadu_ps(q + 4);
                        __m128 c2 = _mm_loadu_ps(q + 2), d2 = _mm_loadu_ps(q + 6);
                        __m128 d0 = _mm_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));
                        __m128 d1 = _mm_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1));
                        __m128 e2 = _mm_shuffle_ps(c2, d2, _MM_SHUFFLE(2, 0, 2, 0));
                        __m128 e3 = _mm_shuffle_ps(c2, d2, _MM_SHUFFLE(3, 1, 3, 1));
                        t[i][0] = _mm_sub_ps(d0, e2);
                        t[i][1] = _mm_add_ps(d1, e2);
                        t[i][2] = _mm_sub_ps(e2, d1);
                        t[i][3] = _mm_sub_ps(d1, e3);
                    }
                    for (int l = 0; l < 4; l++) { /* V[4 k + l] = (B^T t)[k][l] */
                        _mm_storeu_ps(o + l * ct + tx, _mm_sub_ps(t[0][l], t[2][l]));
                        _mm_storeu_ps(o + (4 + l) * ct + tx, _mm_add_ps(t[1][l], t[2][l]));
                        _mm_storeu_ps(o + (8 + l) * ct + tx, _mm_sub_ps(t[2][l], t[1][l]));
                        _mm_storeu_ps(o + (12 + l) * ct + tx, _mm_sub_ps(t[1][l], t[3][l]));
                    }
                }
#endif
                for (; tx < tw; tx++) {
                    float d[16], t[16], q[16];
                    for (int i = 0; i < 4; i++)
                        for (int j = 0; j < 4; j++)
                            d[4 * i + j] = r[i * wp + 2 * tx + j];
                    for (int j = 0; j < 4; j++) /* t = B^T d, column by column */
                        bt4(d + j, 4, t + j, 4);
                    for (int i = 0; i < 4; i++) /* q = t B, row by row */
                        bt4(t + 4 * i, 1, q + 4 * i, 1);
                    for (int e = 0; e < 16; e++)
                        o[e * ct + tx] = q[e];
                }
            }
        }
}

void gn_wino_input_grad(const gn_conv_geom *g, const float *dv, int64_t ld, int64_t nb, float *dx,
                        float *scratch) {
    const int64_t th = (g->oh + 1) / 2, tw = (g->ow + 1) / 2, tn = th * tw;
    const int64_t plane = g->h * g->w, ct = g->c * ld, hp = 2 * th + 2, wp = 2 * tw + 2;
    int64_t rows, cols;
    padded_extent(g, hp, wp, &rows, &cols);
    float *pp = scratch;
    for (int64_t n = 0; n < nb; n++)
        for (int64_t c = 0; c < g->c; c++) {
            const float *in = dv + c * ld + n * tn;
            memset(pp, 0, (size_t)(hp * wp) * sizeof(float));
            for (int64_t ty = 0; ty < th; ty++) {
                const float *d = in + ty * tw;
                float *r = pp + 2 * ty * wp;
                int64_t tx = 0;
#ifdef GN_WINO_SSE
                /* Tile columns 2, 3 overlap the next tile's 0, 1: each group
                 * adds its 8 columns and carries the 2 that spill over in a
                 * register (re-reading just-stored, overlapping memory would
                 * stall store forwarding). */
                __m128 carry[4] = {_mm_setzero_ps(), _mm_setzero_ps(), _mm_setzero_ps(),
                                   _mm_setzero_ps()};
                const __m128 zero = _mm_setzero_ps();
                for (; tx + 4 <= tw; tx += 4) {
                    __m128 t[4][4]; /* t = B dV (over rows), then rows times B^T */
                    for (int j = 0; j < 4; j++) {
                        __m128 d0 = _mm_loadu_ps(d + j * ct + tx);
                        __m128 d1 = _mm_loadu_ps(d + (4 + j) * ct + tx);
                        __m128 d2 = _mm_loadu_ps(d + (8 + j) * ct + tx);
                        __m128 d3 = _mm_loadu_ps(d + (12 + j) * ct + tx);
                        t[0][j] = d0;
                        t[1][j] = _mm_add_ps(_mm_sub_ps(d1, d2), d3);
                        t[2][j] = _mm_sub_ps(_mm_add_ps(d1, d2), d0);
                        t[3][j] = _mm_sub_ps(zero, d3);
                    }
                    for (int k = 0; k < 4; k++) {
                        __m128 q0 = t[k][0];
                        __m128 q1 = _mm_add_ps(_mm_sub_ps(t[k][1], t[k][2]), t[k][3]);
                        __m128 q2 = _mm_sub_ps(_mm_add_ps(t[k][1], t[k][2]), t[k][0]);
                        __m128 q3 = _mm_sub_ps(zero, t[k][3]);
                        __m128 lo = _mm_unpacklo_ps(q0, q1), hi = _mm_unpackhi_ps(q0, q1);
                        __m128 lo2 = _mm_unpacklo_ps(q2, q3), hi2 = _mm_unpackhi_ps(q2, q3);
                        /* columns 2tx..+3: lo + (0, 0, lo2_0, lo2_1) + carry;
                         * 2tx+4..+7: hi + (lo2_2, lo2_3, hi2_0, hi2_1) */
                        __m128 v0 = _mm_add_ps(_mm_add_ps(lo, _mm_movelh_ps(zero, lo2)), carry[k]);
                        __m128 v1 =
                            _mm_add_ps(hi, _mm_shuffle_ps(lo2, hi2, _MM_SHUFFLE(1, 0, 3, 2)));
                        carry[k] = _mm_movehl_ps(zero, hi2); /* (hi2_2, hi2_3, 0, 0) */
                        float *row = r + k * wp + 2 * tx;
                        _mm_storeu_ps(row, _mm_add_ps(_mm_loadu_ps(row), v0));
                        _mm_storeu_ps(row + 4, _mm_add_ps(_mm_loadu_ps(row + 4), v1));
                    }
                }
                for (int k = 0; k < 4 && tx > 0; k++) { /* flush the carried columns */
                    float spill[4];
                    _mm_storeu_ps(spill, carry[k]);
                    r[k * wp + 2 * tx] += spill[0];
                    r[k * wp + 2 * tx + 1] += spill[1];
                }
#endif
                for (; tx < tw; tx++) {
                    float e[16], t[16], q[16];
                    for (int k = 0; k < 16; k++)
                        e[k] = d[k * ct + tx];
                    for (int j = 0; j < 4; j++) /* t = B dV */
                        b4(e + j, 4, t + j, 4);
                    for (int i = 0; i < 4; i++) /* q = t B^T */
                        b4(t + 4 * i, 1, q + 4 * i, 1);
                    for (int i = 0; i < 4; i++)
                        for (int j = 0; j < 4; j++)
                            r[i * wp + 2 * tx + j] += q[4 * i + j];
                }
            }
            float *dst = dx + (n * g->c + c) * plane;
            for (int64_t y = 0; y < rows; y++) {
                const float *a = pp + (y + g->pt) * wp + g->pl;
                float *b = dst + y * g->w;
                for (int64_t k = 0; k < cols; k++)
                    b[k] += a[k];
            }
        }
}

void gn_wino_output(const gn_conv_geom *g, int64_t o, const float *z, int64_t ld, int64_t nb,
                    const float *bias, int relu, float *y, float *scratch) {
    const int64_t th = (g->oh + 1) / 2, tw = (g->ow + 1) / 2, tn = th * tw;
    const int64_t opl = g->oh * g->ow, ot = o * ld, wb = 2 * tw;
    float *ob = scratch; /* (2 th, 2 tw) */
    for (int64_t n = 0; n < nb; n++)
        for (int64_t c = 0; c < o; c++) {
            const float *in = z + c * ld + n * tn;
            for (int64_t ty = 0; ty < th; ty++) {
                const float *d = in + ty * tw;
                float *r0 = ob + 2 * ty * wb, *r1 = r0 + wb;
                int64_t tx = 0;
#ifdef GN_WINO_SSE
                for (; tw >= 4 && tx < tw; tx += 4) {
                    if (tx + 4 > tw) tx = tw - 4; /* the last group overlaps: recomputes a tile */
                    __m128 s[2][4];               /* s = A^T Z (over rows), then rows times A */
                    for (int j = 0; j < 4; j++) {
                        __m128 z0 = _mm_loadu_ps(d + j * ot + tx);
                        __m128 z1 = _mm_loadu_ps(d + (4 + j) * ot + tx);
                        __m128 z2 = _mm_loadu_ps(d + (8 + j) * ot + tx);
                        __m128 z3 = _mm_loadu_ps(d + (12 + j) * ot + tx);
                        s[0][j] = _mm_add_ps(_mm_add_ps(z0, z1), z2);
                        s[1][j] = _mm_sub_ps(_mm_sub_ps(z1, z2), z3);
                    }
                    for (int a = 0; a < 2; a++) {
                        __m128 e = _mm_add_ps(_mm_add_ps(s[a][0], s[a][1]), s[a][2]);
                        __m128 f = _mm_sub_ps(_mm_sub_ps(s[a][1], s[a][2]), s[a][3]);
                        float *row = (a ? r1 : r0) + 2 * tx;
                        _mm_storeu_ps(row, _mm_unpacklo_ps(e, f));
                        _mm_storeu_ps(row + 4, _mm_unpackhi_ps(e, f));
                    }
                }
#endif
                for (; tx < tw; tx++) {
                    float e[16], t[8], q[4];
                    for (int k = 0; k < 16; k++)
                        e[k] = d[k * ot + tx];
                    for (int j = 0; j < 4; j++) /* t = A^T Z (2x4) */
                        at4(e + j, 4, t + j, 4);
                    for (int i = 0; i < 2; i++) /* q = t A (2x2) */
                        at4(t + 4 * i, 1, q + 2 * i, 1);
                    r0[2 * tx] = q[0];
                    r0[2 * tx + 1] = q[1];
                    r1[2 * tx] = q[2];
                    r1[2 * tx + 1] = q[3];
                }
            }
            float *p = y + (n * o + c) * opl;
            const float b = bias ? bias[c] : 0.0f;
            for (int64_t yy = 0; yy < g->oh; yy++) { /* the valid part, plus bias and relu */
                const float *src = ob + yy * wb;
                float *dst = p + yy * g->ow;
                if (relu) {
                    for (int64_t k = 0; k < g->ow; k++) {
                        const float val = src[k] + b;
                        dst[k] = val > 0.0f ? val : 0.0f;
                    }
                } else {
                    for (int64_t k = 0; k < g->ow; k++)
                        dst[k] = src[k] + b;
                }
            }
        }
}

void gn_wino_output_grad(const gn_conv_geom *g, int64_t o, const float *dy, const float *y,
                         int64_t nb, float *m, int64_t ld, float *db, float *scratch) {
    const int64_t th = (g->oh + 1) / 2, tw = (g->ow + 1) / 2, tn = th * tw;
    const int64_t opl = g->oh * g->ow, ot = o * ld, wb = 2 * tw;
    float *gb = scratch; /* dY masked by the relu, zero beyond (oh, ow) */
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
                    for (int64_t k = 0; k < g->ow; k++) {
                        const float val = src[k];
                        dst[k] = mask[k] > 0.0f ? val : 0.0f;
                    }
                } else {
                    memcpy(dst, src, (size_t)g->ow * sizeof(float));
                }
                sum += gn_sum_f(dst, g->ow);
            }
            if (db) db[c] += sum;
            float *out = m + c * ld + n * tn;
            for (int64_t ty = 0; ty < th; ty++) {
                const float *g0 = gb + 2 * ty * wb, *g1 = g0 + wb;
                float *od = out + ty * tw;
                int64_t tx = 0;
#ifdef GN_WINO_SSE
                for (; tw >= 4 && tx < tw; tx += 4) {
                    if (tx + 4 > tw) tx = tw - 4; /* the last group overlaps: recomputes a tile */
                    __m128 a = _mm_loadu_ps(g0 + 2 * tx), b = _mm_loadu_ps(g0 + 2 * tx + 4);
                    __m128 c0 = _mm_loadu_ps(g1 + 2 * tx), c1 = _mm_loadu_ps(g1 + 2 * tx + 4);
                    __m128 d00 = _mm_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));
                    __m128 d01 = _mm_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1));
                    __m128 d10 = _mm_shuffle_ps(c0, c1, _MM_SHUFFLE(2, 0, 2, 0));
                    __m128 d11 = _mm_shuffle_ps(c0, c1, _MM_SHUFFLE(3, 1, 3, 1));
                    const __m128 zero = _mm_setzero_ps();
                    __m128 t[4][2] = {{d00, d01},
                                      {_mm_add_ps(d00, d10), _mm_add_ps(d01, d11)},
                                      {_mm_sub_ps(d00, d10), _mm_sub_ps(d01, d11)},
                                      {_mm_sub_ps(zero, d10), _mm_sub_ps(zero, d11)}};
                    for (int k = 0; k < 4; k++) { /* M[4 k + l] = (t A^T)[k][l] */
                        _mm_storeu_ps(od + (4 * k) * ot + tx, t[k][0]);
                        _mm_storeu_ps(od + (4 * k + 1) * ot + tx, _mm_add_ps(t[k][0], t[k][1]));
                        _mm_storeu_ps(od + (4 * k + 2) * ot + tx, _mm_sub_ps(t[k][0], t[k][1]));
                        _mm_storeu_ps(od + (4 * k + 3) * ot + tx, _mm_sub_ps(zero, t[k][1]));
                    }
                }
#endif
                for (; tx < tw; tx++) {
                    const float d[4] = {g0[2 * tx], g0[2 * tx + 1], g1[2 * tx], g1[2 * tx + 1]};
                    float t[8], r[16];
                    for (int j = 0; j < 2; j++) /* t = A d (4x2) */
                        a2(d + j, 2, t + j, 2);
                    for (int i = 0; i < 4; i++) /* r = t A^T (4x4) */
                        a2(t + 2 * i, 1, r + 4 * i, 1);
                    for (int e = 0; e < 16; e++)
                        od[e * ot + tx] = r[e];
                }
            }
        }
}
