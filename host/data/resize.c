/* Separable area / bilinear resizing, HWC in, CHW out. */
#include "data/resize.h"

#include <math.h>
#include <stdlib.h>

/* Taps of one axis: output o reads taps[o * max + k] with weight
 * weights[o * max + k], for k < count[o]. */
typedef struct axis {
    int max;
    int *count;
    int *taps;
    float *weights;
} axis;

static void axis_free(axis *a) {
    free(a->count);
    free(a->taps);
    free(a->weights);
}

static int axis_init(axis *a, int in, int out) {
    double scale = (double)in / out;
    a->max = in > out ? (int)ceil(scale) + 1 : 2;
    a->count = calloc((size_t)out, sizeof *a->count);
    a->taps = calloc((size_t)out * (size_t)a->max, sizeof *a->taps);
    a->weights = calloc((size_t)out * (size_t)a->max, sizeof *a->weights);
    if (!a->count || !a->taps || !a->weights) return 0;
    for (int o = 0; o < out; o++) {
        int *t = a->taps + (size_t)o * a->max;
        float *w = a->weights + (size_t)o * a->max;
        int k = 0;
        if (in == out) {
            t[k] = o;
            w[k++] = 1.0f;
        } else if (in > out) { /* area: the footprint [o * scale, (o + 1) * scale) */
            double lo = o * scale, hi = (o + 1) * scale;
            for (int i = (int)floor(lo); i < in && i < hi && k < a->max; i++) {
                double cover = fmin(hi, i + 1.0) - fmax(lo, (double)i);
                if (cover <= 1e-12) continue;
                t[k] = i;
                w[k++] = (float)(cover / scale);
            }
        } else { /* bilinear, half-pixel centres */
            double x = (o + 0.5) * scale - 0.5;
            if (x < 0) x = 0;
            if (x > in - 1) x = in - 1;
            int i0 = (int)floor(x);
            int i1 = i0 + 1 < in ? i0 + 1 : i0;
            float f = (float)(x - i0);
            t[k] = i0;
            w[k++] = 1.0f - f;
            if (f > 0) {
                t[k] = i1;
                w[k++] = f;
            }
        }
        a->count[o] = k;
    }
    return 1;
}

gn_status gn_resize_hwc_to_chw(const uint8_t *src, int height, int width, int channels,
                               uint8_t *dst, int out_h, int out_w, gn_error *err) {
    if (height < 1 || width < 1 || channels < 1 || out_h < 1 || out_w < 1)
        return gn_error_set(err, GN_ERR_INVALID, "resize: bad sizes %dx%dx%d -> %dx%d", height,
                            width, channels, out_h, out_w);
    axis ax = {0}, ay = {0};
    /* horizontal pass: tmp[c][y][ox] */
    float *tmp = malloc((size_t)channels * (size_t)height * (size_t)out_w * sizeof *tmp);
    gn_status st = GN_OK;
    if (!tmp || !axis_init(&ax, width, out_w) || !axis_init(&ay, height, out_h)) {
        st = gn_error_set(err, GN_ERR_NOMEM, "out of memory resizing a %dx%d image", height, width);
        goto done;
    }
    for (int y = 0; y < height; y++) {
        const uint8_t *row = src + (size_t)y * width * channels;
        for (int ox = 0; ox < out_w; ox++) {
            const int *t = ax.taps + (size_t)ox * ax.max;
            const float *w = ax.weights + (size_t)ox * ax.max;
            for (int c = 0; c < channels; c++) {
                float v = 0;
                for (int k = 0; k < ax.count[ox]; k++)
                    v += w[k] * row[(size_t)t[k] * channels + c];
                tmp[((size_t)c * height + y) * out_w + ox] = v;
            }
        }
    }
    /* vertical pass into dst[c][oy][ox] */
    for (int c = 0; c < channels; c++)
        for (int oy = 0; oy < out_h; oy++) {
            const int *t = ay.taps + (size_t)oy * ay.max;
            const float *w = ay.weights + (size_t)oy * ay.max;
            uint8_t *out = dst + ((size_t)c * out_h + oy) * out_w;
            for (int ox = 0; ox < out_w; ox++) {
                float v = 0;
                for (int k = 0; k < ay.count[oy]; k++)
                    v += w[k] * tmp[((size_t)c * height + t[k]) * out_w + ox];
                v = floorf(v + 0.5f);
                out[ox] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
            }
        }
done:
    axis_free(&ax);
    axis_free(&ay);
    free(tmp);
    return st;
}
