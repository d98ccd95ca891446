/* Internal: batch-level parallelism for the ops whose GEMMs are too thin
 * for OpenBLAS's own threads (a small CNN's convolutions ran slower with 2
 * OpenBLAS threads than with 1). gn_parallel_for runs independent work
 * items (a chunk of a batch each) on a pool of gn_get_threads() threads
 * that sleep when idle, with OpenBLAS held at one thread meanwhile, so each
 * item's GEMMs run in its own thread. Large dense GEMMs elsewhere keep
 * OpenBLAS's threads (measured faster for MLPs than splitting them here:
 * its threads wake faster than a sleeping pool's).
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
