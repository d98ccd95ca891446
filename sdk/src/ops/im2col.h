/* Internal: the helpers of the convolution ops. im2col / col2im over a
 * chunk of a minibatch (the data movement that turns a convolution into one
 * GEMM per chunk), the fused epilogue/prologue passes around those GEMMs,
 * and the Winograd F(4x4, 3x3) transforms (winograd.c). */
#ifndef GN_IM2COL_H
#define GN_IM2COL_H

#include <stddef.h>
#include <stdint.h>

/* A 2-D convolution's geometry, seen from its image side. Output position
 * (oy, ox) reads image rows oy*sh - pt + ki and columns ox*sw - pl + kj;
 * positions outside the image read zero (bottom/right padding is implied
 * by oh, ow, so asymmetric "same" padding needs no extra field). */
typedef struct gn_conv_geom {
    int64_t c, h, w;        /* image channels, height, width */
    int64_t kh, kw, sh, sw; /* kernel and stride */
    int64_t pt, pl;         /* top and left padding */
    int64_t oh, ow;         /* output height and width */
} gn_conv_geom;

/* Rows of the column matrix: c * kh * kw. */
static inline int64_t gn_geom_rows(const gn_conv_geom *g) {
    return g->c * g->kh * g->kw;
}

/* cols ((c, ki, kj) x (n, oy, ox)), row-major with leading dimension ld
 * (>= nb * oh * ow: a chunk may be a slice of a whole-batch matrix), from
 * nb contiguous images (c, h, w) at x. Overwrites those columns. */
void gn_im2col(const gn_conv_geom *g, const float *x, int64_t nb, float *cols, int64_t ld);

/* x += the adjoint of gn_im2col applied to cols (col2im, accumulating). */
void gn_col2im(const gn_conv_geom *g, const float *cols, int64_t nb, int64_t ld, float *x);

/* Output size and top padding of one axis: explicit symmetric padding pad
 * (PyTorch: out = (in + 2 pad - k) / s + 1), or TensorFlow "same" (out =
 * ceil(in / s), total padding max((out - 1) s + k - in, 0), the odd one at
 * the bottom/right). Returns the output size, < 1 when the kernel does not
 * fit. */
int64_t gn_conv_out_size(int64_t in, int64_t k, int64_t s, int64_t pad, int same,
                         int64_t *pad_before);

/* (nb, m, p) -> (m, nb * p): gathers a chunk of a batch-first tensor into
 * the channel-major layout the GEMMs use. */
void gn_batch_to_cm(const float *src, int64_t nb, int64_t m, int64_t p, float *dst);

/* dst (nb, m, p) (+)= src (m, nb * p) (+ bias[m] when bias != NULL);
 * accumulate selects += over =. */
void gn_cm_to_batch(const float *src, int64_t nb, int64_t m, int64_t p, const float *bias,
                    int accumulate, float *dst);

/* Forward epilogue, one pass: dst (nb, m, p) = act(src (m, nb * p) + bias),
 * act = relu when relu is set, else identity; bias may be NULL. */
void gn_conv_epilogue(const float *src, int64_t nb, int64_t m, int64_t p, const float *bias,
                      int relu, float *dst);

/* Backward prologue, one pass: dst (m, nb * p) = dy (nb, m, p), masked by
 * y > 0 when y != NULL (a fused relu); db[m] += the sums of dst's rows
 * when db != NULL. */
void gn_conv_prologue(const float *dy, const float *y, int64_t nb, int64_t m, int64_t p, float *dst,
                      float *db);

/* Sum of n floats with independent partial sums: a plain loop would be a
 * serial chain of adds (float addition is not reassociated without
 * -ffast-math), several times slower. */
static inline float gn_sum_f(const float *p, int64_t n) {
    float acc[8] = {0};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++)
            acc[k] += p[i + k];
    float s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (; i < n; i++)
        s += p[i];
    return s;
}

/* dst[k] = act(src[k] + b) for k < n, act = relu when relu is set. */
static inline void gn_bias_act_row(const float *src, float *dst, int64_t n, float b, int relu) {
    if (relu) {
        for (int64_t k = 0; k < n; k++) {
            const float v = src[k] + b;
            dst[k] = v > 0.0f ? v : 0.0f;
        }
    } else {
        for (int64_t k = 0; k < n; k++)
            dst[k] = src[k] + b;
    }
}

/* dst[k] = dy[k], masked by y[k] > 0 when y != NULL (a fused relu). The
 * value is loaded first: a conditional load would not vectorise. */
static inline void gn_relu_mask_row(const float *dy, const float *y, float *dst, int64_t n) {
    if (!y) {
        for (int64_t k = 0; k < n; k++)
            dst[k] = dy[k];
        return;
    }
    for (int64_t k = 0; k < n; k++) {
        const float v = dy[k];
        dst[k] = y[k] > 0.0f ? v : 0.0f;
    }
}

/* The largest chunk of a batch of n whose biggest work matrix (per_sample
 * floats each) stays within the budget, at least 1. */
int64_t gn_conv_chunk(int64_t n, int64_t per_sample);

/* ---- Winograd F(4x4, 3x3) (winograd.c) ----------------------------------
 * For 3x3 stride-1 convolutions: each 4x4 output tile is
 * A^T [(G g G^T) . (B^T d B)] A for its 6x6 input tile d, 4x fewer
 * multiplications than im2col. The 36 elementwise products summed over
 * channels become 36 GEMMs per chunk; backward uses the exact adjoints
 * (dU = sum M V^T, dV = U^T M with M = A dY A^T). Layouts: U (36, O, C),
 * V (36, C, T), M and Z (36, O, T) with planes gn_wino_plane apart,
 * T = tiles of the chunk. */

/* Elements of a transformed tile, and tiles transformed at once. */
#define GN_WINO_E 36
#define GN_WINO_BLOCK 64

/* Whether conv2d with this geometry and o outputs takes the Winograd path.
 * The v, z, m buffers below have leading dimension ld (tiles per row of
 * the whole buffer) and start at the chunk's first tile. */
int gn_wino_use(const gn_conv_geom *g, int64_t o);
/* Floats between the 16 planes of a (16, rows, ld) buffer (V, Z, M). */
int64_t gn_wino_plane(int64_t rows, int64_t ld);
/* Tiles per sample. */
int64_t gn_wino_tiles(const gn_conv_geom *g);
/* u = G w G^T for w (o, c, 3, 3). */
void gn_wino_filter(const float *w, int64_t o, int64_t c, float *u);
/* dw (o, c, 3, 3) += G^T du G. */
void gn_wino_filter_grad(const float *du, int64_t o, int64_t c, float *dw);
/* Floats of scratch each transform below needs for nb images. */
size_t gn_wino_scratch(const gn_conv_geom *g, int64_t nb);
/* v = B^T d B for every tile of nb images at x. */
void gn_wino_input(const gn_conv_geom *g, const float *x, int64_t nb, float *v, int64_t ld,
                   float *scratch);
/* dx += B dv B^T, scattered back to the overlapping tiles. */
void gn_wino_input_grad(const gn_conv_geom *g, const float *dv, int64_t ld, int64_t nb, float *dx,
                        float *scratch);
/* y (nb, o, oh, ow) = act(A^T z A + bias); relu as gn_conv_epilogue. */
void gn_wino_output(const gn_conv_geom *g, int64_t o, const float *z, int64_t ld, int64_t nb,
                    const float *bias, int relu, float *y, float *scratch);
/* m = A dY A^T (dY masked by y > 0 when y != NULL); db[o] += sum of dY. */
void gn_wino_output_grad(const gn_conv_geom *g, int64_t o, const float *dy, const float *y,
                         int64_t nb, float *m, int64_t ld, float *db, float *scratch);

/* ---- direct convolution (conv_direct.c) -------------------------------------
 * For stride 1 and at most GN_DIRECT_MAX_TAPS input taps (c kh kw). */
#define GN_DIRECT_MAX_TAPS 32

int gn_direct_use(const gn_conv_geom *g);
/* Floats of scratch per call. */
size_t gn_direct_scratch(const gn_conv_geom *g);
/* y (nb, o, oh, ow) = act(w (*) x + bias) for nb images at x; relu as
 * gn_conv_epilogue; bias may be NULL. */
void gn_direct_forward(const gn_conv_geom *g, const float *x, int64_t nb, const float *w, int64_t o,
                       const float *bias, int relu, float *y, float *scratch);
/* dw (o, c kh kw) += dY (*) x, db[o] += sums of dY, dx += the adjoint (each
 * may be NULL); dY is masked by y > 0 when y != NULL. */
void gn_direct_backward(const gn_conv_geom *g, const float *x, const float *dy, const float *y,
                        int64_t nb, const float *w, int64_t o, float *dw, float *db, float *dx,
                        float *scratch);

#endif
