/* Internal: im2col / col2im over a chunk of a minibatch, the data movement
 * that turns convolutions into one GEMM per chunk. */
#ifndef GN_IM2COL_H
#define GN_IM2COL_H

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
static inline int64_t gn_geom_rows(const gn_conv_geom *g) { return g->c * g->kh * g->kw; }

/* cols ((c, ki, kj) x (n, oy, ox)), row-major with nb * oh * ow columns,
 * from nb contiguous images (c, h, w) at x. Overwrites cols. */
void gn_im2col(const gn_conv_geom *g, const float *x, int64_t nb, float *cols);

/* x += the adjoint of gn_im2col applied to cols (col2im, accumulating). */
void gn_col2im(const gn_conv_geom *g, const float *cols, int64_t nb, float *x);

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

/* The largest chunk of a batch of n whose column matrix (per_sample floats
 * each) stays within the column budget, at least 1. */
int64_t gn_conv_chunk(int64_t n, int64_t per_sample);

#endif
