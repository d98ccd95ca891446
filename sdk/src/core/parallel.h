/* Internal: Ganglion's own threads. OpenBLAS runs single-threaded; the SDK
 * splits work itself, because a small CNN's thin GEMMs ran slower with
 * OpenBLAS's threads than without, and OpenBLAS's idle threads spin
 * (sched_yield, ~0.1 s after each call) on the cores our work needs.
 *   - gn_parallel_for runs independent work items (a chunk of a batch each)
 *     on a pool of gn_get_threads() threads that sleep when idle;
 *   - gn_gemm splits a large GEMM into one block of C per thread.
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

#endif
