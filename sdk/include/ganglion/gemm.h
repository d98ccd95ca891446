/* Ganglion SDK: the one GEMM seam. C = alpha * op(A) * op(B) + beta * C,
 * row-major, op(X) = X or X^T. Backed by OpenBLAS; gn_gemm_ref is the plain
 * loop tests compare against (and where an accelerator would plug in). */
#ifndef GANGLION_GEMM_H
#define GANGLION_GEMM_H

#include <stdint.h>
#include <ganglion/abi.h>

GN_EXPORT void gn_gemm(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                       const float *a, int64_t lda, const float *b, int64_t ldb, float beta,
                       float *c, int64_t ldc);

GN_EXPORT void gn_gemm_ref(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                           const float *a, int64_t lda, const float *b, int64_t ldb, float beta,
                           float *c, int64_t ldc);

/* Sets the number of threads the SDK computes with, once per run (the
 * host calls this; n < 1 = all cores): the SDK's own threads, which split
 * large GEMMs (OpenBLAS itself runs single-threaded), convolution and
 * pooling batches, and long elementwise loops. */
GN_EXPORT void gn_set_threads(int n);
GN_EXPORT int gn_get_threads(void);

#endif
