/* Whole-file and archive-member reads through libarchive. */
#include "data/read.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Decompression filters libarchive runs in-process. archive_read_support_
 * filter_all() would also register lrzip, grzip and lzop, which libarchive
 * runs as external programs: a hostile file must not start a process. */
static void support_filters(struct archive *a) {
    archive_read_support_filter_gzip(a);
    archive_read_support_filter_bzip2(a);
    archive_read_support_filter_xz(a);
    archive_read_support_filter_lzma(a);
    archive_read_support_filter_lzip(a);
    archive_read_support_filter_zstd(a);
    archive_read_support_filter_lz4(a);
    archive_read_support_filter_compress(a);
}

static const char *arc_msg(struct archive *a) {
    const char *m = archive_error_string(a);
    return m ? m : "unknown libarchive error";
}

/* Opens path for reading, refusing anything but a regular file (a FIFO or
 * device would block or never end). Returns the fd and its size. */
static gn_status open_regular(const char *path, int *fd_out, size_t *size, gn_error *err) {
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) return gn_error_set(err, GN_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return gn_error_set(err, GN_ERR_IO, "cannot stat '%s': %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return gn_error_set(err, GN_ERR_IO, "'%s' is not a regular file", path);
    }
    /* Regular files ignore O_NONBLOCK; clear it anyway for libarchive. */
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    *fd_out = fd;
    *size = (size_t)st.st_size;
    return GN_OK;
}

gn_status gn_file_read_raw(const char *path, size_t max_bytes, uint8_t **out, size_t *n,
                           gn_error *err) {
    *out = NULL;
    *n = 0;
    int fd;
    size_t size;
    gn_status st = open_regular(path, &fd, &size, err);
    if (st != GN_OK) return st;
    if (size > max_bytes) {
        close(fd);
        return gn_error_set(err, GN_ERR_INVALID, "'%s' is larger than %zu bytes", path, max_bytes);
    }
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf) {
        close(fd);
        return gn_error_set(err, GN_ERR_NOMEM, "out of memory reading '%s' (%zu bytes)", path,
                            size);
    }
    size_t len = 0;
    while (len < size) {
        ssize_t r = read(fd, buf + len, size - len);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            int e = errno;
            free(buf);
            close(fd);
            return gn_error_set(err, GN_ERR_IO, "cannot read '%s': %s", path, strerror(e));
        }
        if (r == 0) break; /* shrank while reading: keep what is there */
        len += (size_t)r;
    }
    close(fd);
    *out = buf;
    *n = len;
    return GN_OK;
}

/* Reads the current entry's data into a new buffer of at most max_bytes.
 * hint is the expected size (0 when unknown). */
static gn_status read_data(struct archive *a, const char *what, size_t max_bytes, size_t hint,
                           uint8_t **out, size_t *n, gn_error *err) {
    size_t limit = max_bytes < SIZE_MAX ? max_bytes + 1 : SIZE_MAX; /* +1 detects overflow */
    size_t cap = hint ? hint + 1 : 65536;
    if (hint >= limit || cap > limit) cap = limit;
    uint8_t *buf = malloc(cap ? cap : 1);
    if (!buf) return gn_error_set(err, GN_ERR_NOMEM, "out of memory reading '%s'", what);
    size_t len = 0;
    for (;;) {
        if (len == cap) {
            if (cap >= limit) {
                free(buf);
                return gn_error_set(err, GN_ERR_INVALID, "'%s' is larger than %zu bytes", what,
                                    max_bytes);
            }
            size_t ncap = cap > limit / 2 ? limit : cap * 2;
            uint8_t *nb = realloc(buf, ncap);
            if (!nb) {
                free(buf);
                return gn_error_set(err, GN_ERR_NOMEM, "out of memory reading '%s'", what);
            }
            buf = nb;
            cap = ncap;
        }
        la_ssize_t r = archive_read_data(a, buf + len, cap - len);
        if (r < 0) {
            gn_status st = gn_error_set(err, GN_ERR_FORMAT, "'%s' is truncated or corrupt: %s",
                                        what, arc_msg(a));
            free(buf);
            return st;
        }
        if (r == 0) break;
        len += (size_t)r;
    }
    if (len > max_bytes) { /* only reachable when max_bytes == SIZE_MAX - 1 */
        free(buf);
        return gn_error_set(err, GN_ERR_INVALID, "'%s' is larger than %zu bytes", what, max_bytes);
    }
    if (cap > len + 65536) {
        uint8_t *nb = realloc(buf, len ? len : 1);
        if (nb) buf = nb;
    }
    *out = buf;
    *n = len;
    return GN_OK;
}

/* The size a gzip stream claims (ISIZE, mod 2^32), or 0: a hint only, and
 * ignored when above deflate's best ratio (about 1032:1). */
static size_t gzip_size_hint(const uint8_t *buf, size_t n) {
    if (n < 18 || buf[0] != 0x1f || buf[1] != 0x8b) return 0;
    const uint8_t *p = buf + n - 4;
    size_t hint = (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16 | (size_t)p[3] << 24;
    return hint / 1100 > n ? 0 : hint;
}

gn_status gn_buffer_decompress(const uint8_t *buf, size_t n, const char *what, size_t max_bytes,
                               uint8_t **out, size_t *out_n, gn_error *err) {
    *out = NULL;
    *out_n = 0;
    if (n == 0) {
        *out = (uint8_t *)buf;
        return GN_OK;
    }
    struct archive *a = archive_read_new();
    if (!a) return gn_error_set(err, GN_ERR_NOMEM, "out of memory opening '%s'", what);
    support_filters(a);
    archive_read_support_format_raw(a);
    gn_status st = GN_OK;
    struct archive_entry *e;
    if (archive_read_open_memory(a, buf, n) != ARCHIVE_OK ||
        archive_read_next_header(a, &e) != ARCHIVE_OK) {
        st = gn_error_set(err, GN_ERR_FORMAT, "cannot decode '%s': %s", what, arc_msg(a));
    } else if (archive_filter_count(a) <= 1 || archive_filter_code(a, 0) == ARCHIVE_FILTER_NONE) {
        if (n > max_bytes) {
            st =
                gn_error_set(err, GN_ERR_INVALID, "'%s' is larger than %zu bytes", what, max_bytes);
        } else {
            *out = (uint8_t *)buf; /* not compressed: no copy */
            *out_n = n;
        }
    } else {
        st = read_data(a, what, max_bytes, gzip_size_hint(buf, n), out, out_n, err);
    }
    archive_read_free(a);
    return st;
}

gn_status gn_file_read(const char *path, size_t max_bytes, uint8_t **out, size_t *n,
                       gn_error *err) {
    *out = NULL;
    *n = 0;
    /* A compressed file is at most slightly larger than its content. */
    size_t stored_max = max_bytes + max_bytes / 16 + 4096;
    if (stored_max < max_bytes) stored_max = SIZE_MAX;
    uint8_t *raw;
    size_t raw_n;
    gn_status st = gn_file_read_raw(path, stored_max, &raw, &raw_n, err);
    if (st != GN_OK) {
        if (st == GN_ERR_INVALID)
            return gn_error_set(err, st, "'%s' is larger than %zu bytes", path, max_bytes);
        return st;
    }
    uint8_t *dec;
    size_t dec_n;
    st = gn_buffer_decompress(raw, raw_n, path, max_bytes, &dec, &dec_n, err);
    if (st != GN_OK || dec != raw) free(raw);
    if (st != GN_OK) return st;
    *out = dec;
    *n = dec_n;
    return GN_OK;
}

static int is_sep(char c) {
    return c == '/' || c == '\\';
}

/* An entry is unsafe when absolute or when any component is "..". */
static int entry_is_unsafe(const char *p) {
    if (is_sep(p[0])) return 1;
    while (*p) {
        const char *s = p;
        while (*p && !is_sep(*p))
            p++;
        if (p - s == 2 && s[0] == '.' && s[1] == '.') return 1;
        if (*p) p++;
    }
    return 0;
}

int gn_path_is_safe_relative(const char *path) {
    if (!path || !path[0] || path[0] == '/' || path[strlen(path) - 1] == '/') return 0;
    const char *p = path;
    while (*p) {
        const char *s = p;
        while (*p && *p != '/') {
            if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\') return 0;
            p++;
        }
        size_t len = (size_t)(p - s);
        if (len == 0) return 0;                               /* "a//b" or trailing '/' */
        if (len == 1 && s[0] == '.') return 0;                /* "." */
        if (len == 2 && s[0] == '.' && s[1] == '.') return 0; /* ".." */
        if (*p) p++;
    }
    return 1;
}

/* Opens a tar, gnutar or zip archive (any in-process filter) for reading.
 * On success the caller frees *a with archive_read_free and closes *fd. */
static gn_status open_archive(const char *archive_path, struct archive **out, int *fd,
                              gn_error *err) {
    size_t size;
    gn_status st = open_regular(archive_path, fd, &size, err);
    if (st != GN_OK) return st;
    struct archive *a = archive_read_new();
    if (!a) {
        close(*fd);
        return gn_error_set(err, GN_ERR_NOMEM, "out of memory opening '%s'", archive_path);
    }
    support_filters(a);
    archive_read_support_format_tar(a);
    archive_read_support_format_gnutar(a);
    archive_read_support_format_zip(a);
    if (archive_read_open_fd(a, *fd, 65536) != ARCHIVE_OK) {
        st = gn_error_set(err, GN_ERR_FORMAT, "cannot read archive '%s': %s", archive_path,
                          arc_msg(a));
        archive_read_free(a);
        close(*fd);
        return st;
    }
    *out = a;
    return GN_OK;
}

gn_status gn_archive_member_read(const char *archive_path, const char *member, size_t max_bytes,
                                 uint8_t **out, size_t *n, gn_error *err) {
    *out = NULL;
    *n = 0;
    if (!gn_path_is_safe_relative(member))
        return gn_error_set(err, GN_ERR_INVALID,
                            "unsafe member path '%s' for archive '%s' (must be relative, "
                            "without '..' or leading '/')",
                            member ? member : "(null)", archive_path);
    int fd;
    struct archive *a;
    gn_status st = open_archive(archive_path, &a, &fd, err);
    if (st != GN_OK) return st;
    for (;;) {
        struct archive_entry *e;
        int r = archive_read_next_header(a, &e);
        if (r == ARCHIVE_EOF) {
            st = gn_error_set(err, GN_ERR_NOT_FOUND, "no member '%s' in archive '%s'", member,
                              archive_path);
            break;
        }
        if (r < ARCHIVE_WARN) {
            st = gn_error_set(err, GN_ERR_FORMAT, "archive '%s' is truncated or corrupt: %s",
                              archive_path, arc_msg(a));
            break;
        }
        const char *name = archive_entry_pathname(e);
        if (!name) continue;
        if (entry_is_unsafe(name)) {
            st = gn_error_set(err, GN_ERR_FORMAT,
                              "archive '%s' holds an unsafe member path '%s' (absolute or with "
                              "'..'); refusing the archive",
                              archive_path, name);
            break;
        }
        while (name[0] == '.' && name[1] == '/')
            name += 2;
        if (strcmp(name, member) != 0) continue;
        if (archive_entry_filetype(e) != AE_IFREG || archive_entry_hardlink(e) ||
            archive_entry_symlink(e)) {
            st = gn_error_set(err, GN_ERR_FORMAT,
                              "member '%s' in archive '%s' is not a regular file", member,
                              archive_path);
            break;
        }
        size_t hint = 0;
        if (archive_entry_size_is_set(e)) {
            la_int64_t sz = archive_entry_size(e);
            if (sz < 0 || (uint64_t)sz > max_bytes) {
                st = gn_error_set(err, GN_ERR_INVALID,
                                  "member '%s' of archive '%s' is larger than %zu bytes", member,
                                  archive_path, max_bytes);
                break;
            }
            hint = (size_t)sz;
        }
        char what[1024];
        snprintf(what, sizeof what, "%s:%s", archive_path, member);
        st = read_data(a, what, max_bytes, hint, out, n, err);
        break;
    }
    archive_read_free(a);
    close(fd);
    return st;
}

gn_status gn_archive_walk(const char *archive_path, size_t max_bytes, gn_archive_want_fn want,
                          gn_archive_visit_fn visit, void *user, gn_error *err) {
    int fd;
    struct archive *a;
    gn_status st = open_archive(archive_path, &a, &fd, err);
    if (st != GN_OK) return st;
    for (;;) {
        struct archive_entry *e;
        int r = archive_read_next_header(a, &e);
        if (r == ARCHIVE_EOF) break;
        if (r < ARCHIVE_WARN) {
            st = gn_error_set(err, GN_ERR_FORMAT, "archive '%s' is truncated or corrupt: %s",
                              archive_path, arc_msg(a));
            break;
        }
        const char *name = archive_entry_pathname(e);
        if (!name) continue;
        if (entry_is_unsafe(name)) {
            st = gn_error_set(err, GN_ERR_FORMAT,
                              "archive '%s' holds an unsafe member path '%s' (absolute or with "
                              "'..'); refusing the archive",
                              archive_path, name);
            break;
        }
        while (name[0] == '.' && name[1] == '/')
            name += 2;
        if (!name[0] || strcmp(name, ".") == 0) continue;
        gn_member_kind kind = GN_MEMBER_OTHER;
        if (archive_entry_filetype(e) == AE_IFDIR)
            kind = GN_MEMBER_DIR;
        else if (archive_entry_filetype(e) == AE_IFREG && !archive_entry_hardlink(e) &&
                 !archive_entry_symlink(e))
            kind = GN_MEMBER_FILE;
        int w = want(name, kind, user);
        if (w == GN_WALK_STOP) break;
        if (w != GN_WALK_READ) continue;
        if (kind != GN_MEMBER_FILE) {
            st = gn_error_set(err, GN_ERR_FORMAT,
                              "member '%s' in archive '%s' is not a regular file", name,
                              archive_path);
            break;
        }
        size_t hint = 0;
        if (archive_entry_size_is_set(e)) {
            la_int64_t sz = archive_entry_size(e);
            if (sz < 0 || (uint64_t)sz > max_bytes) {
                st = gn_error_set(err, GN_ERR_INVALID,
                                  "member '%s' of archive '%s' is larger than %zu bytes", name,
                                  archive_path, max_bytes);
                break;
            }
            hint = (size_t)sz;
        }
        char what[1024];
        snprintf(what, sizeof what, "%s:%s", archive_path, name);
        uint8_t *data;
        size_t n;
        if ((st = read_data(a, what, max_bytes, hint, &data, &n, err)) != GN_OK) break;
        if ((st = visit(name, data, n, user, err)) != GN_OK) break;
    }
    archive_read_free(a);
    close(fd);
    return st;
}
