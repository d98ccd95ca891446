/* Random affine transforms of a batch: one inverse map per sample. */
#include <math.h>
#include <string.h>
#include "augment.h"

static inline float clampf(float v, float lo, float hi) {
    return v < lo ? lo : v > hi ? hi : v;
}

/* Bilinear sample of one channel at (y, x), edges extended ("nearest" fill). */
static inline float sample(const float *p, int64_t h, int64_t w, float y, float x) {
    y = clampf(y, 0, (float)(h - 1));
    x = clampf(x, 0, (float)(w - 1));
    int64_t y0 = (int64_t)y, x0 = (int64_t)x;
    int64_t y1 = y0 + 1 < h ? y0 + 1 : y0, x1 = x0 + 1 < w ? x0 + 1 : x0;
    float fy = y - (float)y0, fx = x - (float)x0;
    float top = p[y0 * w + x0] * (1 - fx) + p[y0 * w + x1] * fx;
    float bot = p[y1 * w + x0] * (1 - fx) + p[y1 * w + x1] * fx;
    return top * (1 - fy) + bot * fy;
}

void gn_augment_batch(const gn_augment *a, float *x, int64_t n, int64_t c, int64_t h, int64_t w,
                      float *tmp, gn_rng *rng) {
    const int64_t plane = h * w, size = c * plane;
    const float cy = (float)(h - 1) / 2, cx = (float)(w - 1) / 2;
    for (int64_t i = 0; i < n; i++) {
        float *s = x + i * size;
        /* Draw in a fixed order so a seed reproduces the same transforms. */
        int flip = a->flip && gn_rng_uniform(rng) < 0.5;
        double ang = a->rotation > 0 ? (gn_rng_uniform(rng) * 2 - 1) * a->rotation : 0;
        float dy = a->shift > 0 ? (float)((gn_rng_uniform(rng) * 2 - 1) * a->shift * h) : 0;
        float dx = a->shift > 0 ? (float)((gn_rng_uniform(rng) * 2 - 1) * a->shift * w) : 0;
        if (!flip && ang == 0 && dy == 0 && dx == 0) continue;
        float co = (float)cos(ang * M_PI / 180), si = (float)sin(ang * M_PI / 180);
        memcpy(tmp, s, (size_t)size * sizeof *tmp);
        for (int64_t ch = 0; ch < c; ch++) {
            const float *src = tmp + ch * plane;
            float *dst = s + ch * plane;
            for (int64_t yy = 0; yy < h; yy++)
                for (int64_t xx = 0; xx < w; xx++) {
                    /* Output pixel -> source pixel: undo shift, rotation, flip. */
                    float oy = (float)yy - cy - dy, ox = (float)xx - cx - dx;
                    float sy = co * oy + si * ox + cy, sx = -si * oy + co * ox + cx;
                    if (flip) sx = (float)(w - 1) - sx;
                    dst[yy * w + xx] = sample(src, h, w, sy, sx);
                }
        }
    }
}
