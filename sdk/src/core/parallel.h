/* Internal: the SDK's own threads. OpenBLAS runs single-threaded; the SDK
 * splits the work itself: large GEMMs into blocks of C (core/gemm.c),
 * convolution and pooling batches into chunks, long elementwise loops and
 * optimizer steps into ranges. One pool for everything means no two
 * thread pools fight over the cores (with OpenBLAS's threads beside ours,
 * 2 threads ran slower than 1 for a small CNN).
 * Items are assigned statically (item i on thread i % width), so a given
 * thread count always does the same arithmetic in the same order: runs
 * stay reproducible. Items must not fail: allocate everything before. */
#ifndef GN_PARALLEL_H
#define GN_PARALLEL_H

#include <stdint.h>

/* Threads gn_parallel_for will use for count items (1 .. threads); 1 when
 * called from inside a parallel item. */
int gn_parallel_width(int64_t count);

/* Calls fn(ctx, i, tid) for i in [0, count), tid = i % width. */
void gn_parallel_for(int64_t count, void (*fn)(void *ctx, int64_t i, int tid), void *ctx);

/* Splits [0, n) into one contiguous range per thread (each a multiple of 16
 * elements, at least min_chunk long) and calls fn(ctx, lo, hi) on each;
 * short loops run in the caller. For loops whose elements are independent,
 * so the result is the same for any thread count. */
void gn_parallel_range(int64_t n, int64_t min_chunk, void (*fn)(void *ctx, int64_t lo, int64_t hi),
                       void *ctx);

/* p[0 .. n) = 0, split like gn_parallel_range. */
void gn_parallel_zero(float *p, int64_t n);

#endif
