/* Direct stride-1 convolution for layers with few input taps (c kh kw <=
 * GN_DIRECT_MAX_TAPS), such as a CNN's first layer on grey images: there
 * im2col + GEMM spends its time copying (a GEMM with K = 9 is mostly
 * packing) and reordering the output.
 *
 * Each input plane is copied into a zero-padded staging plane of width
 * wp = ow + kw - 1, and outputs are computed on that width: output (oy, ox)
 * is at q = oy wp + ox, and tap (ki, kj) reads staging element q + ki wp +
 * kj, so every tap is one contiguous vector loop over q (the kw - 1
 * columns past ow are computed and dropped). */
#include <string.h>
#include "core/simd.h"
#include "ops/im2col.h"

int gn_direct_use(const gn_conv_geom *g) {
    return g->sh == 1 && g->sw == 1 && gn_geom_rows(g) <= GN_DIRECT_MAX_TAPS;
}

/* 8 floats, and unaligned loads and stores of them. GCC's vector
 * extension: AVX in the AVX2 build, pairs of SSE operations in the
 * baseline one, the same arithmetic in both. */
typedef float v8 __attribute__((vector_size(32)));

/* (Macros: a function returning v8 would change the baseline build's ABI.) */
#define LD8(v, p) memcpy(&(v), (p), sizeof(v8))
#define ST8(p, v) memcpy((p), &(v), sizeof(v8))

enum { QB = 16, CB = 4 }; /* outputs per block: QB positions of CB channels */

typedef struct stage_geom {
    int64_t hp, wp, sp; /* staging rows, width, plane stride */
    int64_t q, qr;      /* outputs per plane (oh wp), rounded up to QB */
} stage_geom;

static stage_geom stage_of(const gn_conv_geom *g) {
    stage_geom s = {.hp = g->oh + g->kh - 1, .wp = g->ow + g->kw - 1};
    s.q = g->oh * s.wp;
    s.qr = (s.q + QB - 1) / QB * QB;
    /* the last block's dropped positions read up to kw - 1 + QB - 1 past */
    s.sp = s.hp * s.wp + g->kw + QB;
    return s;
}

size_t gn_direct_scratch(const gn_conv_geom *g) {
    const stage_geom s = stage_of(g);
    return (size_t)(2 * g->c * s.sp + CB * s.qr);
}

/* The image's rows and columns inside the staging plane. */
static void extent(const gn_conv_geom *g, const stage_geom *s, int64_t *rows, int64_t *cols) {
    *rows = g->h < s->hp - g->pt ? g->h : s->hp - g->pt;
    *cols = g->w < s->wp - g->pl ? g->w : s->wp - g->pl;
}

static void stage_image(const gn_conv_geom *g, const stage_geom *s, const float *x, float *xs) {
    int64_t rows, cols;
    extent(g, s, &rows, &cols);
    memset(xs, 0, (size_t)(g->c * s->sp) * sizeof(float));
    for (int64_t c = 0; c < g->c; c++)
        for (int64_t y = 0; y < rows; y++) { /* short rows: a loop, not a memcpy call each */
            float *d = xs + c * s->sp + (y + g->pt) * s->wp + g->pl;
            const float *r = x + (c * g->h + y) * g->w;
            for (int64_t k = 0; k < cols; k++)
                d[k] = r[k];
        }
}

/* acc[k][q] = sum over taps of w[k][t] xs[off[t] + q], for NC channels
 * (a compile-time count: the accumulators must stay in registers). */
#define GN_FORWARD_BLOCK(name, NC)                                                                 \
    static inline void name(const stage_geom *s, const float *xs, const int64_t *off,              \
                            int64_t taps, const float *w, float *acc) {                            \
        for (int64_t q0 = 0; q0 < s->qr; q0 += QB) {                                               \
            v8 a[NC][2];                                                                           \
            for (int k = 0; k < NC; k++)                                                           \
                a[k][0] = a[k][1] = (v8){0};                                                       \
            for (int64_t t = 0; t < taps; t++) {                                                   \
                v8 x0, x1;                                                                         \
                LD8(x0, xs + off[t] + q0);                                                         \
                LD8(x1, xs + off[t] + q0 + 8);                                                     \
                for (int k = 0; k < NC; k++) {                                                     \
                    const float wv = w[k * taps + t];                                              \
                    a[k][0] += wv * x0;                                                            \
                    a[k][1] += wv * x1;                                                            \
                }                                                                                  \
            }                                                                                      \
            for (int k = 0; k < NC; k++) {                                                         \
                ST8(acc + k * s->qr + q0, a[k][0]);                                                \
                ST8(acc + k * s->qr + q0 + 8, a[k][1]);                                            \
            }                                                                                      \
        }                                                                                          \
    }
GN_FORWARD_BLOCK(forward_block4, 4)
GN_FORWARD_BLOCK(forward_block1, 1)

/* Staging-plane offsets of the taps (c, ki, kj), in the weights' order. */
static void tap_offsets(const gn_conv_geom *g, const stage_geom *s, int64_t *off) {
    for (int64_t c = 0, t = 0; c < g->c; c++)
        for (int64_t ki = 0; ki < g->kh; ki++)
            for (int64_t kj = 0; kj < g->kw; kj++)
                off[t++] = c * s->sp + ki * s->wp + kj;
}

GN_SIMD_CLONES void gn_direct_forward(const gn_conv_geom *g, const float *x, int64_t nb,
                                      const float *w, int64_t o, const float *bias, int relu,
                                      float *y, float *scratch) {
    const stage_geom s = stage_of(g);
    const int64_t taps = gn_geom_rows(g), opl = g->oh * g->ow;
    float *xs = scratch, *acc = scratch + 2 * g->c * s.sp;
    int64_t off[GN_DIRECT_MAX_TAPS];
    tap_offsets(g, &s, off);
    for (int64_t n = 0; n < nb; n++) {
        stage_image(g, &s, x + n * g->c * g->h * g->w, xs);
        for (int64_t o0 = 0; o0 < o; o0 += CB) {
            const int nc = (int)(o - o0 < CB ? o - o0 : CB);
            if (nc == CB)
                forward_block4(&s, xs, off, taps, w + o0 * taps, acc);
            else
                for (int k = 0; k < nc; k++)
                    forward_block1(&s, xs, off, taps, w + (o0 + k) * taps, acc + k * s.qr);
            for (int k = 0; k < nc; k++) {
                const float b = bias ? bias[o0 + k] : 0.0f;
                float *dst = y + (n * o + o0 + k) * opl;
                for (int64_t oy = 0; oy < g->oh; oy++)
                    gn_bias_act_row(acc + k * s.qr + oy * s.wp, dst + oy * g->ow, g->ow, b, relu);
            }
        }
    }
}

/* dw[t] += sum over q < qr of gq[q] xs[off[t] + q] for NT taps: NT
 * independent vector sums (in registers), each reduced in a fixed order. */
#define GN_WEIGHT_GRAD(name, NT)                                                                   \
    static inline void name(const stage_geom *s, const float *gq, const float *xs,                 \
                            const int64_t *off, float *dw) {                                       \
        v8 a[NT];                                                                                  \
        for (int t = 0; t < NT; t++)                                                               \
            a[t] = (v8){0};                                                                        \
        for (int64_t q = 0; q < s->qr; q += 8) {                                                   \
            v8 gv, xv;                                                                             \
            LD8(gv, gq + q);                                                                       \
            for (int t = 0; t < NT; t++) {                                                         \
                LD8(xv, xs + off[t] + q);                                                          \
                a[t] += gv * xv;                                                                   \
            }                                                                                      \
        }                                                                                          \
        for (int t = 0; t < NT; t++)                                                               \
            dw[t] += ((a[t][0] + a[t][1]) + (a[t][2] + a[t][3])) +                                 \
                     ((a[t][4] + a[t][5]) + (a[t][6] + a[t][7]));                                  \
    }
GN_WEIGHT_GRAD(weight_grad8, 8)
GN_WEIGHT_GRAD(weight_grad1, 1)

GN_SIMD_CLONES void gn_direct_backward(const gn_conv_geom *g, const float *x, const float *dy,
                                       const float *y, int64_t nb, const float *w, int64_t o,
                                       float *dw, float *db, float *dx, float *scratch) {
    const stage_geom s = stage_of(g);
    const int64_t taps = gn_geom_rows(g), opl = g->oh * g->ow, in_sz = g->c * g->h * g->w;
    float *xs = scratch, *dxs = scratch + g->c * s.sp, *gq = scratch + 2 * g->c * s.sp;
    int64_t off[GN_DIRECT_MAX_TAPS], rows, cols;
    tap_offsets(g, &s, off);
    extent(g, &s, &rows, &cols);
    for (int64_t q = s.q; q < s.qr; q++)
        gq[q] = 0.0f;
    for (int64_t n = 0; n < nb; n++) {
        if (dw) stage_image(g, &s, x + n * in_sz, xs);
        if (dx) memset(dxs, 0, (size_t)(g->c * s.sp) * sizeof(float));
        for (int64_t oc = 0; oc < o; oc++) {
            /* dY in the staging width, masked by the relu, zero past ow */
            const float *p = dy + (n * o + oc) * opl, *m = y ? y + (n * o + oc) * opl : NULL;
            for (int64_t oy = 0; oy < g->oh; oy++) {
                float *row = gq + oy * s.wp;
                gn_relu_mask_row(p + oy * g->ow, m ? m + oy * g->ow : NULL, row, g->ow);
                for (int64_t ox = g->ow; ox < s.wp; ox++)
                    row[ox] = 0.0f;
            }
            if (db) db[oc] += gn_sum_f(gq, s.q);
            if (dw) {
                int64_t t = 0;
                for (; t + 8 <= taps; t += 8)
                    weight_grad8(&s, gq, xs, off + t, dw + oc * taps + t);
                for (; t < taps; t++)
                    weight_grad1(&s, gq, xs, off + t, dw + oc * taps + t);
            }
            if (dx)
                for (int64_t t = 0; t < taps; t++) {
                    const float wv = w[oc * taps + t];
                    float *d = dxs + off[t];
                    for (int64_t q = 0; q < s.q; q++)
                        d[q] += wv * gq[q];
                }
        }
        if (dx) /* the image part of the staging planes */
            for (int64_t c = 0; c < g->c; c++)
                for (int64_t yy = 0; yy < rows; yy++) {
                    const float *a = dxs + c * s.sp + (yy + g->pt) * s.wp + g->pl;
                    float *b = dx + n * in_sz + (c * g->h + yy) * g->w;
                    for (int64_t k = 0; k < cols; k++)
                        b[k] += a[k];
                }
    }
}
