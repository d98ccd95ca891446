/* Ganglion SDK: growable arenas. Three lifetimes use them: model
 * (parameters, gradients, optimizer state), graph (activations) and step
 * (scratch reset after every batch). Arenas grow by chaining blocks; they
 * never fail for being "full", only when the system is out of memory. */
#ifndef GANGLION_ARENA_H
#define GANGLION_ARENA_H

#include <stddef.h>
#include <ganglion/error.h>

typedef struct gn_arena gn_arena;

/* Caller owns the arena; free with gn_arena_free. block_size 0 = 1 MiB. */
GN_EXPORT gn_arena *gn_arena_new(size_t block_size);
GN_EXPORT void gn_arena_free(gn_arena *a);

/* 64-byte aligned, zero-filled memory valid until reset or free. NULL with
 * err set when out of memory. */
GN_EXPORT void *gn_arena_alloc(gn_arena *a, size_t bytes, gn_error *err);

/* Forgets every allocation but keeps the largest block for reuse. */
GN_EXPORT void gn_arena_reset(gn_arena *a);

/* Bytes handed out since the last reset. */
GN_EXPORT size_t gn_arena_used(const gn_arena *a);

#endif
