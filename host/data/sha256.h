/* Ganglion host: SHA-256 of files and buffers (libmd). Digests are written
 * as 64 lowercase hex digits plus a terminating NUL into caller-owned hex. */
#ifndef GN_HOST_DATA_SHA256_H
#define GN_HOST_DATA_SHA256_H

#include <stddef.h>
#include <stdint.h>
#include <ganglion/error.h>

#define GN_SHA256_HEX_LEN 64

/* SHA-256 of the file at path as stored (no decompression). Only regular
 * files are hashed. */
gn_status gn_sha256_file(const char *path, char hex[GN_SHA256_HEX_LEN + 1], gn_error *err);

/* SHA-256 of n bytes at buf. */
void gn_sha256_buffer(const void *buf, size_t n, char hex[GN_SHA256_HEX_LEN + 1]);

/* Non-zero when s is exactly 64 hex digits (either case). */
int gn_sha256_is_hex(const char *s);

#endif
