/* Host: atomic file writes (temporary file, fsync, rename), so a crash or
 * a second run never leaves a half-written report behind. */
#ifndef GN_HOST_ATOMIC_H
#define GN_HOST_ATOMIC_H

#include <stddef.h>
#include <ganglion/error.h>

gn_status gn_write_atomic(const char *path, const void *data, size_t size, gn_error *err);

/* A growable text buffer for building files before writing them. */
typedef struct gn_buf {
    char *data;
    size_t len, cap;
    int failed; /* an allocation failed; the content is incomplete */
} gn_buf;

void gn_buf_printf(gn_buf *b, const char *fmt, ...) GN_PRINTF(2, 3);
void gn_buf_free(gn_buf *b);

#endif
