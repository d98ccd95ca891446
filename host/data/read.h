/* Ganglion host: whole-file and archive-member reads through libarchive.
 *
 * Every input is treated as hostile: sizes are bounded by max_bytes, only
 * regular files are read, and archive member paths that are absolute or
 * contain ".." are refused. On success the caller owns *out and frees it with
 * free(); *out is never NULL then (an empty result is a 1-byte allocation
 * with *n == 0). On failure *out is NULL and err names the file. */
#ifndef GN_HOST_DATA_READ_H
#define GN_HOST_DATA_READ_H

#include <stddef.h>
#include <stdint.h>
#include <ganglion/error.h>

/* Reads the file at path, decompressing it transparently when it is gzip,
 * xz, bzip2, zstd, ... (any libarchive filter). Fails with GN_ERR_INVALID
 * when the (decompressed) content is larger than max_bytes. */
gn_status gn_file_read(const char *path, size_t max_bytes, uint8_t **out, size_t *n, gn_error *err);

/* Reads the file at path as stored, without decompressing it. The file must
 * be a regular file of at most max_bytes bytes. */
gn_status gn_file_read_raw(const char *path, size_t max_bytes, uint8_t **out, size_t *n,
                           gn_error *err);

/* Decompresses buf (n bytes, named `what` in messages) when it is
 * compressed. When it is not, *out is set to buf itself and *out_n to n (no
 * copy); otherwise *out is a new buffer the caller frees. Compare *out with
 * buf to know which. Output above max_bytes is refused. */
gn_status gn_buffer_decompress(const uint8_t *buf, size_t n, const char *what, size_t max_bytes,
                               uint8_t **out, size_t *out_n, gn_error *err);

/* Reads member (a relative path inside the archive, e.g. "dir/train.idx")
 * out of the tar, tar.gz, tar.xz or zip archive at archive_path. The member's
 * bytes are returned as stored in the archive (a member that is itself a .gz
 * file is not decompressed). Fails with GN_ERR_NOT_FOUND when the archive
 * has no such member, GN_ERR_INVALID for an unsafe member path or a member
 * larger than max_bytes, GN_ERR_FORMAT for a truncated or corrupt archive or
 * one holding an unsafe entry. */
gn_status gn_archive_member_read(const char *archive_path, const char *member, size_t max_bytes,
                                 uint8_t **out, size_t *n, gn_error *err);

/* Non-zero when path is a safe relative path: not empty, no leading '/',
 * no "." or ".." component, no empty component, no control characters. */
int gn_path_is_safe_relative(const char *path);

#endif
