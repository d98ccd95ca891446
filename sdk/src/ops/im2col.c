/* im2col / col2im for whole minibatch chunks. The valid range of every
 * kernel offset is computed once per row, so the inner loops are plain
 * copies (memcpy for stride 1) with no per-element bounds tests. */
#include <string.h>
#include "core/simd.h"
#include "ops/im2col.h"

/* Per-chunk work matrices stay within 1 Mi floats (4 MiB), so that a
 * chunk's lowered input is still in cache when its GEMM reads it (larger
 * budgets measured slower, not faster). */
#define GN_CONV_COL_BUDGET ((int64_t)1 << 20)

/* Output positions [lo, hi) whose input index o*s - pad + k lies in [0, in). */
static inline void axis_range(int64_t in, int64_t k, int64_t s, int64_t pad, int64_t out,
                              int64_t *lo, int64_t *hi) {
    int64_t a = pad - k, b = in - 1 + pad - k;
    int64_t l = a <= 0 ? 0 : (a + s - 1) / s;
    int64_t h = b < 0 ? 0 : b / s + 1;
    if (l > out) l = out;
    if (h > out) h = out;
    if (h < l) h = l;
    *lo = l;
    *hi = h;
}

GN_SIMD_CLONES void gn_im2col(const gn_conv_geom *g, const float *x, int64_t nb, float *cols,
                              int64_t ld) {
    const int64_t plane = g->h * g->w, opl = g->oh * g->ow, ncol = ld, ow = g->ow;
    for (int64_t n = 0; n < nb; n++)
        for (int64_t c = 0; c < g->c; c++) {
            const float *img = x + (n * g->c + c) * plane;
            for (int64_t ki = 0; ki < g->kh; ki++) {
                int64_t ylo, yhi;
                axis_range(g->h, ki, g->sh, g->pt, g->oh, &ylo, &yhi);
                for (int64_t kj = 0; kj < g->kw; kj++) {
                    int64_t xlo, xhi;
                    axis_range(g->w, kj, g->sw, g->pl, ow, &xlo, &xhi);
                    float *d = cols + ((c * g->kh + ki) * g->kw + kj) * ncol + n * opl;
                    memset(d, 0, (size_t)(ylo * ow) * sizeof(float));
                    const int64_t len = xhi - xlo, sw = g->sw;
                    for (int64_t oy = ylo; oy < yhi; oy++) {
                        const float *src =
                            img + (oy * g->sh - g->pt + ki) * g->w + xlo * sw - g->pl + kj;
                        float *o = d + oy * ow;
                        for (int64_t i = 0; i < xlo; i++)
                            o[i] = 0.0f;
                        if (sw == 1) {
                            memcpy(o + xlo, src, (size_t)len * sizeof(float));
                        } else {
                            for (int64_t i = 0; i < len; i++)
                                o[xlo + i] = src[i * sw];
                        }
                        for (int64_t i = xhi; i < ow; i++)
                            o[i] = 0.0f;
                    }
                    memset(d + yhi * ow, 0, (size_t)((g->oh - yhi) * ow) * sizeof(float));
                }
            }
        }
}

void gn_col2im(const gn_conv_geom *g, const float *cols, int64_t nb, int64_t ld, float *x) {
    const int64_t plane = g->h * g->w, opl = g->oh * g->ow, ncol = ld, ow = g->ow;
    for (int64_t n = 0; n < nb; n++)
        for (int64_t c = 0; c < g->c; c++) {
            float *img = x + (n * g->c + c) * plane;
            for (int64_t ki = 0; ki < g->kh; ki++) {
                int64_t ylo, yhi;
                axis_range(g->h, ki, g->sh, g->pt, g->oh, &ylo, &yhi);
                for (int64_t kj = 0; kj < g->kw; kj++) {
                    int64_t xlo, xhi;
                    axis_range(g->w, kj, g->sw, g->pl, ow, &xlo, &xhi);
                    const float *d = cols + ((c * g->kh + ki) * g->kw + kj) * ncol + n * opl;
                    const int64_t len = xhi - xlo, sw = g->sw;
                    for (int64_t oy = ylo; oy < yhi; oy++) {
                        float *dst = img + (oy * g->sh - g->pt + ki) * g->w + xlo * sw - g->pl + kj;
                        const float *o = d + oy * ow + xlo;
                        if (sw == 1) {
                            for (int64_t i = 0; i < len; i++)
                                dst[i] += o[i];
                        } else {
                            for (int64_t i = 0; i < len; i++)
                                dst[i * sw] += o[i];
                        }
                    }
                }
            }
        }
}

int64_t gn_conv_out_size(int64_t in, int64_t k, int64_t s, int64_t pad, int same,
                         int64_t *pad_before) {
    if (same) {
        int64_t out = (in + s - 1) / s;
        int64_t total = (out - 1) * s + k - in;
        *pad_before = total > 0 ? total / 2 : 0;
        return out;
    }
    *pad_before = pad;
    int64_t span = in + 2 * pad - k;
    return span < 0 ? 0 : span / s + 1;
}

void gn_batch_to_cm(const float *src, int64_t nb, int64_t m, int64_t p, float *dst) {
    for (int64_t n = 0; n < nb; n++)
        for (int64_t i = 0; i < m; i++)
            memcpy(dst + i * nb * p + n * p, src + (n * m + i) * p, (size_t)p * sizeof(float));
}

void gn_cm_to_batch(const float *src, int64_t nb, int64_t m, int64_t p, const float *bias,
                    int accumulate, float *dst) {
    for (int64_t n = 0; n < nb; n++)
        for (int64_t i = 0; i < m; i++) {
            const float *s = src + i * nb * p + n * p;
            float *d = dst + (n * m + i) * p;
            const float b = bias ? bias[i] : 0.0f;
            if (accumulate) {
                for (int64_t j = 0; j < p; j++)
                    d[j] += s[j] + b;
            } else {
                for (int64_t j = 0; j < p; j++)
                    d[j] = s[j] + b;
            }
        }
}

GN_SIMD_CLONES void gn_conv_epilogue(const float *src, int64_t nb, int64_t m, int64_t p,
                                     const float *bias, int relu, float *dst) {
    for (int64_t n = 0; n < nb; n++)
        for (int64_t i = 0; i < m; i++) {
            const float *s = src + i * nb * p + n * p;
            float *d = dst + (n * m + i) * p;
            const float b = bias ? bias[i] : 0.0f;
            if (relu) {
                for (int64_t j = 0; j < p; j++) {
                    float v = s[j] + b;
                    d[j] = v > 0.0f ? v : 0.0f;
                }
            } else {
                for (int64_t j = 0; j < p; j++)
                    d[j] = s[j] + b;
            }
        }
}

GN_SIMD_CLONES void gn_conv_prologue(const float *dy, const float *y, int64_t nb, int64_t m,
                                     int64_t p, float *dst, float *db) {
    for (int64_t n = 0; n < nb; n++)
        for (int64_t i = 0; i < m; i++) {
            const float *s = dy + (n * m + i) * p;
            float *d = dst + i * nb * p + n * p;
            if (y) {
                const float *yy = y + (n * m + i) * p;
                for (int64_t j = 0; j < p; j++) { /* load first: a conditional load
                                                   * would not vectorise */
                    float v = s[j];
                    d[j] = yy[j] > 0.0f ? v : 0.0f;
                }
            } else {
                memcpy(d, s, (size_t)p * sizeof(float));
            }
            if (db) db[i] += gn_sum_f(d, p);
        }
}

int64_t gn_conv_chunk(int64_t n, int64_t per_sample) {
    if (n < 1) return 1;
    int64_t c = per_sample > 0 ? GN_CONV_COL_BUDGET / per_sample : n;
    if (c < 1) c = 1;
    return c < n ? c : n;
}
