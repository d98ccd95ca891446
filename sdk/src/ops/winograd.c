/* Winograd F(2x2, 3x3) transforms (Lavin and Gray, 2015) for 3x3 stride-1
 * convolutions; the GEMMs between them are done by conv2d.c. Tiles at the
 * border read zeros outside the image and drop outputs outside (oh, ow),
 * with clipped loop bounds rather than per-element tests. Transforms
 * (B^T, G, A^T):
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

/* The in-plane part [*a, *b) of the 4 tile positions starting at o0. */
static inline void tile_range(int64_t o0, int64_t size, int *a, int *b) {
    *a = o0 < 0 ? (int)(o0 < -4 ? 4 : -o0) : 0;
    *b = o0 + 4 <= size ? 4 : (int)(size - o0 > 0 ? size - o0 : 0);
    if (*b < *a) *b = *a;
}

/* The 4x4 input tile at (y0, x0) of a plane, zeros outside. */
static inline void load_tile(const float *p, int64_t h, int64_t w, int64_t y0, int64_t x0,
                             float d[16]) {
    int i0, i1, j0, j1;
    tile_range(y0, h, &i0, &i1);
    tile_range(x0, w, &j0, &j1);
    if (i1 - i0 < 4 || j1 - j0 < 4) memset(d, 0, 16 * sizeof(float));
    for (int i = i0; i < i1; i++)
        for (int j = j0; j < j1; j++)
            d[4 * i + j] = p[(y0 + i) * w + x0 + j];
}

void gn_wino_input(const gn_conv_geom *g, const float *x, int64_t nb, float *v, int64_t ld) {
    const int64_t th = (g->oh + 1) / 2, tw = (g->ow + 1) / 2, tn = th * tw, t_all = ld;
    const int64_t plane = g->h * g->w, ct = g->c * t_all;
    for (int64_t n = 0; n < nb; n++)
        for (int64_t c = 0; c < g->c; c++) {
            const float *p = x + (n * g->c + c) * plane;
            float *out = v + c * t_all + n * tn;
            for (int64_t ty = 0; ty < th; ty++)
                for (int64_t tx = 0; tx < tw; tx++) {
                    float d[16], t[16], r[16];
                    load_tile(p, g->h, g->w, 2 * ty - g->pt, 2 * tx - g->pl, d);
                    for (int j = 0; j < 4; j++) /* t = B^T d, column by column */
                        bt4(d + j, 4, t + j, 4);
                    for (int i = 0; i < 4; i++) /* r = t B, row by row */
                        bt4(t + 4 * i, 1, r + 4 * i, 1);
                    const int64_t k = ty * tw + tx;
                    for (int e = 0; e < 16; e++)
                        out[e * ct + k] = r[e];
                }
        }
}

void gn_wino_input_grad(const gn_conv_geom *g, const float *dv, int64_t ld, int64_t nb, float *dx) {
    const int64_t th = (g->oh + 1) / 2, tw = (g->ow + 1) / 2, tn = th * tw, t_all = ld;
    const int64_t plane = g->h * g->w, ct = g->c * t_all;
    for (int64_t n = 0; n < nb; n++)
        for (int64_t c = 0; c < g->c; c++) {
            float *p = dx + (n * g->c + c) * plane;
            const float *in = dv + c * t_all + n * tn;
            for (int64_t ty = 0; ty < th; ty++)
                for (int64_t tx = 0; tx < tw; tx++) {
                    float d[16], t[16], r[16];
                    const int64_t k = ty * tw + tx;
                    for (int e = 0; e < 16; e++)
                        d[e] = in[e * ct + k];
                    for (int j = 0; j < 4; j++) /* t = B d */
                        b4(d + j, 4, t + j, 4);
                    for (int i = 0; i < 4; i++) /* r = t B^T */
                        b4(t + 4 * i, 1, r + 4 * i, 1);
                    const int64_t y0 = 2 * ty - g->pt, x0 = 2 * tx - g->pl;
                    int i0, i1, j0, j1; /* positions outside the plane are padding */
                    tile_range(y0, g->h, &i0, &i1);
                    tile_range(x0, g->w, &j0, &j1);
                    for (int i = i0; i < i1; i++)
                        for (int j = j0; j < j1; j++)
                            p[(y0 + i) * g->w + x0 + j] += r[4 * i + j];
                }
        }
}

void gn_wino_output(const gn_conv_geom *g, int64_t o, const float *z, int64_t ld, int64_t nb,
                    const float *bias, int relu, float *y) {
    const int64_t th = (g->oh + 1) / 2, tw = (g->ow + 1) / 2, tn = th * tw, t_all = ld;
    const int64_t opl = g->oh * g->ow, ot = o * t_all;
    for (int64_t n = 0; n < nb; n++)
        for (int64_t c = 0; c < o; c++) {
            float *p = y + (n * o + c) * opl;
            const float *in = z + c * t_all + n * tn;
            const float b = bias ? bias[c] : 0.0f;
            for (int64_t ty = 0; ty < th; ty++)
                for (int64_t tx = 0; tx < tw; tx++) {
                    float d[16], t[8], r[4];
                    const int64_t k = ty * tw + tx;
                    for (int e = 0; e < 16; e++)
                        d[e] = in[e * ot + k];
                    for (int j = 0; j < 4; j++) /* t = A^T d (2x4) */
                        at4(d + j, 4, t + j, 4);
                    for (int i = 0; i < 2; i++) /* r = t A (2x2) */
                        at4(t + 4 * i, 1, r + 2 * i, 1);
                    for (int e = 0; e < 4; e++) {
                        float v = r[e] + b;
                        r[e] = relu && !(v > 0.0f) ? 0.0f : v;
                    }
                    const int64_t y0 = 2 * ty, x0 = 2 * tx;
                    if (y0 + 2 <= g->oh && x0 + 2 <= g->ow) {
                        p[y0 * g->ow + x0] = r[0];
                        p[y0 * g->ow + x0 + 1] = r[1];
                        p[(y0 + 1) * g->ow + x0] = r[2];
                        p[(y0 + 1) * g->ow + x0 + 1] = r[3];
                        continue;
                    }
                    const int ni = y0 + 2 <= g->oh ? 2 : 1, nj = x0 + 2 <= g->ow ? 2 : 1;
                    for (int i = 0; i < ni; i++)
                        for (int j = 0; j < nj; j++)
                            p[(y0 + i) * g->ow + x0 + j] = r[2 * i + j];
                }
        }
}

void gn_wino_output_grad(const gn_conv_geom *g, int64_t o, const float *dy, const float *y,
                         int64_t nb, float *m, int64_t ld, float *db) {
    const int64_t th = (g->oh + 1) / 2, tw = (g->ow + 1) / 2, tn = th * tw, t_all = ld;
    const int64_t opl = g->oh * g->ow, ot = o * t_all;
    for (int64_t n = 0; n < nb; n++)
        for (int64_t c = 0; c < o; c++) {
            const float *p = dy + (n * o + c) * opl;
            const float *q = y ? y + (n * o + c) * opl : NULL;
            float *out = m + c * t_all + n * tn;
            float sum = 0.0f;
            for (int64_t ty = 0; ty < th; ty++)
                for (int64_t tx = 0; tx < tw; tx++) {
                    float d[4] = {0, 0, 0, 0}, t[8], r[16];
                    const int64_t y0 = 2 * ty, x0 = 2 * tx;
                    /* A tile past an odd edge has fewer than 4 outputs. */
                    const int ni = y0 + 2 <= g->oh ? 2 : 1, nj = x0 + 2 <= g->ow ? 2 : 1;
                    for (int i = 0; i < ni; i++)
                        for (int j = 0; j < nj; j++) {
                            const int64_t at = (y0 + i) * g->ow + x0 + j;
                            const float v = p[at];
                            d[2 * i + j] = q && !(q[at] > 0.0f) ? 0.0f : v;
                        }
                    sum += (d[0] + d[1]) + (d[2] + d[3]);
                    for (int j = 0; j < 2; j++) /* t = A d (4x2) */
                        a2(d + j, 2, t + j, 2);
                    for (int i = 0; i < 4; i++) /* r = t A^T (4x4) */
                        a2(t + 2 * i, 1, r + 4 * i, 1);
                    const int64_t k = ty * tw + tx;
                    for (int e = 0; e < 16; e++)
                        out[e * ot + k] = r[e];
                }
            if (db) db[c] += sum;
        }
}
