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

/* What an archive entry is, for gn_archive_walk. */
typedef enum gn_member_kind {
    GN_MEMBER_FILE = 0, /* a regular file */
    GN_MEMBER_DIR,
    GN_MEMBER_OTHER /* symlink, hard link, device, ... */
} gn_member_kind;

/* What gn_archive_walk does with an entry, as its want callback decides. */
enum { GN_WALK_SKIP = 0, GN_WALK_READ, GN_WALK_STOP };

/* Decides about the entry member (its path with any leading "./" removed):
 * GN_WALK_SKIP, GN_WALK_READ (only for GN_MEMBER_FILE) or GN_WALK_STOP
 * (end the walk successfully). */
typedef int (*gn_archive_want_fn)(const char *member, gn_member_kind kind, void *user);

/* Receives a member's bytes as stored in the archive. visit owns data (a
 * malloc'd buffer, never NULL; free it). A status other than GN_OK ends the
 * walk and is returned by gn_archive_walk. */
typedef gn_status (*gn_archive_visit_fn)(const char *member, uint8_t *data, size_t n, void *user,
                                         gn_error *err);

/* Walks the tar, tar.gz, tar.xz or zip archive at archive_path once, in
 * archive order: want is asked about every entry, and visit gets the bytes
 * of those it wants read. An entry that is absolute or has a ".." component
 * refuses the whole archive (GN_ERR_FORMAT, as gn_archive_member_read); so
 * does a truncated or corrupt archive. Reading a member that is not a
 * regular file, or larger than max_bytes, is an error naming it. */
gn_status gn_archive_walk(const char *archive_path, size_t max_bytes, gn_archive_want_fn want,
                          gn_archive_visit_fn visit, void *user, gn_error *err);

/* Non-zero when path is a safe relative path: not empty, no leading '/',
 * no "." or ".." component, no empty component, no control characters. */
int gn_path_is_safe_relative(const char *path);

#endif
