/* Dataset ingestion: IDX, reads, archives, sha256, search path, manifests,
 * datasets and views. Fixtures are generated in a fresh temp dir per test. */
#include <criterion/criterion.h>

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "data_test.h"
#include "data/dataset.h"
#include "data/idx.h"
#include "data/manifest.h"
#include "data/read.h"
#include "data/search.h"
#include "data/sha256.h"
#include "data/split.h"

#ifndef GN_TEST_FIXTURES
#define GN_TEST_FIXTURES "tests/fixtures"
#endif

/* ---- fixtures --------------------------------------------------------- */

static gn_error err;

static void setup(void) {
    snprintf(g_dir, sizeof g_dir, "%s/gn-data-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : P_tmpdir);
    cr_assert_not_null(mkdtemp(g_dir), "mkdtemp failed");
    unsetenv(GN_DATA_PATH_ENV);
    unsetenv(GN_MANIFEST_PATH_ENV);
    memset(&err, 0, sizeof err);
}

/* A gzip (or other filter) file holding data, through libarchive's raw writer. */
static void write_filtered(const char *name, const void *data, size_t n, int filter) {
    struct archive *a = archive_write_new();
    cr_assert_eq(archive_write_add_filter(a, filter), ARCHIVE_OK, "%s", archive_error_string(a));
    cr_assert_eq(archive_write_set_format_raw(a), ARCHIVE_OK);
    cr_assert_eq(archive_write_open_filename(a, tmp(name)), ARCHIVE_OK);
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, "data");
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_size(e, (la_int64_t)n);
    cr_assert_eq(archive_write_header(a, e), ARCHIVE_OK, "%s", archive_error_string(a));
    cr_assert_eq(archive_write_data(a, data, n), (la_ssize_t)n);
    archive_entry_free(e);
    cr_assert_eq(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
}

static void write_gz(const char *name, const void *data, size_t n) {
    write_filtered(name, data, n, ARCHIVE_FILTER_GZIP);
}

typedef struct member {
    const char *name;
    const void *data;
    size_t n;
    const char *symlink; /* non-NULL: a symlink to this target */
} member;

enum { TAR, TGZ, ZIP };

static void write_archive(const char *name, int kind, const member *m, int count) {
    struct archive *a = archive_write_new();
    if (kind == ZIP) {
        archive_write_set_format_zip(a);
    } else {
        archive_write_set_format_pax_restricted(a);
        if (kind == TGZ) archive_write_add_filter_gzip(a);
    }
    cr_assert_eq(archive_write_open_filename(a, tmp(name)), ARCHIVE_OK);
    for (int i = 0; i < count; i++) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, m[i].name);
        archive_entry_set_perm(e, 0644);
        if (m[i].symlink) {
            archive_entry_set_filetype(e, AE_IFLNK);
            archive_entry_set_symlink(e, m[i].symlink);
            archive_entry_set_size(e, 0);
        } else {
            archive_entry_set_filetype(e, AE_IFREG);
            archive_entry_set_size(e, (la_int64_t)m[i].n);
        }
        cr_assert_eq(archive_write_header(a, e), ARCHIVE_OK, "%s", archive_error_string(a));
        if (!m[i].symlink && m[i].n)
            cr_assert_eq(archive_write_data(a, m[i].data, m[i].n), (la_ssize_t)m[i].n);
        archive_entry_free(e);
    }
    cr_assert_eq(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
}

/* Cuts the file to keep / 100 of its size. */
static void truncate_pct(const char *name, int keep) {
    struct stat st;
    cr_assert_eq(stat(tmp(name), &st), 0);
    cr_assert_eq(truncate(tmp(name), st.st_size * keep / 100), 0);
}

/* An IDX buffer; caller frees. */
static uint8_t *make_idx(int type, int ndim, const uint32_t *dims, const uint8_t *data,
                         size_t data_n, size_t *n) {
    *n = 4 + 4 * (size_t)ndim + data_n;
    uint8_t *b = malloc(*n);
    b[0] = 0, b[1] = 0, b[2] = (uint8_t)type, b[3] = (uint8_t)ndim;
    for (int i = 0; i < ndim; i++) {
        b[4 + 4 * i] = (uint8_t)(dims[i] >> 24);
        b[5 + 4 * i] = (uint8_t)(dims[i] >> 16);
        b[6 + 4 * i] = (uint8_t)(dims[i] >> 8);
        b[7 + 4 * i] = (uint8_t)dims[i];
    }
    if (data_n) memcpy(b + 4 + 4 * ndim, data, data_n);
    return b;
}

static void expect_err(gn_status st, gn_status want, const char *substr) {
    cr_assert_eq(st, want, "status %d, expected %d (message: %s)", st, want, err.msg);
    cr_assert_not_null(strstr(err.msg, substr), "message '%s' lacks '%s'", err.msg, substr);
}

static void expect_ok(gn_status st) {
    cr_assert_eq(st, GN_OK, "status %d: %s", st, err.msg);
}

/* ---- data_idx --------------------------------------------------------- */

TestSuite(data_idx, .init = setup, .fini = teardown);

static const uint32_t dims234[3] = {2, 3, 4};

Test(data_idx, parses_ubyte_3d) {
    uint8_t px[24];
    for (int i = 0; i < 24; i++)
        px[i] = (uint8_t)i;
    size_t n;
    uint8_t *b = make_idx(0x08, 3, dims234, px, 24, &n);
    gn_idx idx;
    expect_ok(gn_idx_parse(b, n, "x.idx", &idx, &err));
    cr_assert_eq(idx.type, GN_IDX_UBYTE);
    cr_assert_eq(idx.ndim, 3);
    cr_assert_eq(idx.dims[0], 2);
    cr_assert_eq(idx.dims[1], 3);
    cr_assert_eq(idx.dims[2], 4);
    cr_assert_eq(gn_idx_count(&idx), 24);
    cr_assert_eq(idx.data, b + 16);
    cr_assert_eq(idx.data[23], 23);
    free(b);
}

Test(data_idx, truncated_data) {
    uint8_t px[24] = {0};
    size_t n;
    uint8_t *b = make_idx(0x08, 3, dims234, px, 20, &n);
    gn_idx idx;
    expect_err(gn_idx_parse(b, n, "short.idx", &idx, &err), GN_ERR_FORMAT,
               "truncated: expected 24 bytes of data, found 20");
    cr_assert_not_null(strstr(err.msg, "short.idx"));
    free(b);
}

Test(data_idx, truncated_header) {
    size_t n;
    uint8_t *b = make_idx(0x08, 3, dims234, NULL, 0, &n);
    gn_idx idx;
    expect_err(gn_idx_parse(b, 9, "h.idx", &idx, &err), GN_ERR_FORMAT, "truncated");
    expect_err(gn_idx_parse(b, 2, "h.idx", &idx, &err), GN_ERR_FORMAT, "truncated");
    free(b);
}

Test(data_idx, wrong_magic) {
    size_t n;
    uint8_t *b = make_idx(0x08, 3, dims234, NULL, 0, &n);
    b[0] = 0x1f;
    gn_idx idx;
    expect_err(gn_idx_parse(b, n, "m.idx", &idx, &err), GN_ERR_FORMAT, "bad IDX magic");
    b[0] = 0, b[2] = 0x42;
    expect_err(gn_idx_parse(b, n, "m.idx", &idx, &err), GN_ERR_FORMAT, "bad IDX magic");
    free(b);
}

Test(data_idx, non_ubyte_type) {
    uint8_t px[96] = {0};
    size_t n;
    uint8_t *b = make_idx(0x0D, 3, dims234, px, 96, &n);
    gn_idx idx;
    expect_err(gn_idx_parse(b, n, "f.idx", &idx, &err), GN_ERR_UNSUPPORTED, "0x0D (float32)");
    cr_assert_not_null(strstr(err.msg, "only 0x08"));
    free(b);
}

Test(data_idx, absurd_dims) {
    const uint32_t d[2] = {1u << 31, 1u << 31};
    size_t n;
    uint8_t *b = make_idx(0x08, 2, d, NULL, 0, &n);
    gn_idx idx;
    expect_err(gn_idx_parse(b, n, "big.idx", &idx, &err), GN_ERR_FORMAT,
               "absurd IDX dimensions 2147483648 x 2147483648");
    const uint32_t d4[4] = {0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu};
    free(b);
    b = make_idx(0x08, 4, d4, NULL, 0, &n);
    expect_err(gn_idx_parse(b, n, "big.idx", &idx, &err), GN_ERR_FORMAT, "absurd");
    free(b);
}

Test(data_idx, bad_ndim_and_zero_dim) {
    const uint32_t d[5] = {1, 1, 1, 1, 1};
    uint8_t px[1] = {0};
    size_t n;
    uint8_t *b = make_idx(0x08, 0, d, px, 1, &n);
    gn_idx idx;
    expect_err(gn_idx_parse(b, n, "z.idx", &idx, &err), GN_ERR_FORMAT, "0 dimensions");
    free(b);
    b = make_idx(0x08, 5, d, px, 1, &n);
    expect_err(gn_idx_parse(b, n, "z.idx", &idx, &err), GN_ERR_FORMAT, "5 dimensions");
    free(b);
    const uint32_t dz[2] = {3, 0};
    b = make_idx(0x08, 2, dz, NULL, 0, &n);
    expect_err(gn_idx_parse(b, n, "z.idx", &idx, &err), GN_ERR_FORMAT, "dimension 2 is 0");
    free(b);
}

Test(data_idx, trailing_bytes) {
    uint8_t px[30] = {0};
    size_t n;
    uint8_t *b = make_idx(0x08, 3, dims234, px, 30, &n);
    gn_idx idx;
    expect_err(gn_idx_parse(b, n, "t.idx", &idx, &err), GN_ERR_FORMAT,
               "6 bytes of trailing garbage");
    free(b);
}

/* ---- data_read -------------------------------------------------------- */

TestSuite(data_read, .init = setup, .fini = teardown);

static uint8_t *pattern(size_t n) {
    uint8_t *p = malloc(n);
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 7 + i / 251);
    return p;
}

Test(data_read, raw_and_gzip_give_same_bytes) {
    size_t n = 300000;
    uint8_t *p = pattern(n);
    write_file("a.bin", p, n);
    write_gz("a.bin.gz", p, n);
    write_filtered("a.bin.xz", p, n, ARCHIVE_FILTER_XZ);
    const char *names[] = {"a.bin", "a.bin.gz", "a.bin.xz"};
    for (int i = 0; i < 3; i++) {
        uint8_t *out;
        size_t got;
        expect_ok(gn_file_read(tmp(names[i]), n, &out, &got, &err));
        cr_assert_eq(got, n, "%s: %zu bytes", names[i], got);
        cr_assert_eq(memcmp(out, p, n), 0, "%s differs", names[i]);
        free(out);
    }
    free(p);
}

Test(data_read, refuses_output_over_max) {
    size_t n = 1 << 20;
    uint8_t *zeros = calloc(n, 1);
    write_file("z.bin", zeros, n);
    write_gz("z.gz", zeros, n); /* about 1 kB: a small bomb */
    uint8_t *out = (uint8_t *)1;
    size_t got;
    expect_err(gn_file_read(tmp("z.gz"), 4096, &out, &got, &err), GN_ERR_INVALID,
               "larger than 4096 bytes");
    cr_assert_null(out);
    expect_err(gn_file_read(tmp("z.bin"), 4096, &out, &got, &err), GN_ERR_INVALID,
               "larger than 4096 bytes");
    free(zeros);
}

Test(data_read, truncated_gzip) {
    size_t n = 200000;
    uint8_t *p = pattern(n);
    write_gz("t.gz", p, n);
    truncate_pct("t.gz", 50);
    uint8_t *out;
    size_t got;
    expect_err(gn_file_read(tmp("t.gz"), n, &out, &got, &err), GN_ERR_FORMAT, "truncated");
    cr_assert_not_null(strstr(err.msg, "t.gz"));
    free(p);
}

Test(data_read, missing_directory_and_empty) {
    uint8_t *out;
    size_t got;
    expect_err(gn_file_read(tmp("nope"), 100, &out, &got, &err), GN_ERR_IO, "cannot open");
    cr_assert_not_null(strstr(err.msg, "nope"));
    expect_err(gn_file_read(g_dir, 100, &out, &got, &err), GN_ERR_IO, "not a regular file");
    write_file("empty", "", 0);
    expect_ok(gn_file_read(tmp("empty"), 100, &out, &got, &err));
    cr_assert_eq(got, 0);
    free(out);
}

/* ---- data_archive ----------------------------------------------------- */

TestSuite(data_archive, .init = setup, .fini = teardown);

static void archive_roundtrip(int kind, const char *name) {
    size_t n = 100000;
    uint8_t *p = pattern(n);
    member m[] = {
        {"readme.txt", "hi\n", 3, NULL}, {"dir/train.idx", p, n, NULL}, {"./dot.bin", p, 10, NULL}};
    write_archive(name, kind, m, 3);
    uint8_t *out;
    size_t got;
    expect_ok(gn_archive_member_read(tmp(name), "dir/train.idx", n, &out, &got, &err));
    cr_assert_eq(got, n);
    cr_assert_eq(memcmp(out, p, n), 0);
    free(out);
    expect_ok(gn_archive_member_read(tmp(name), "dot.bin", n, &out, &got, &err));
    cr_assert_eq(got, 10);
    free(out);
    expect_err(gn_archive_member_read(tmp(name), "missing.idx", n, &out, &got, &err),
               GN_ERR_NOT_FOUND, "no member 'missing.idx' in archive");
    cr_assert_not_null(strstr(err.msg, name));
    expect_err(gn_archive_member_read(tmp(name), "dir/train.idx", 1000, &out, &got, &err),
               GN_ERR_INVALID, "larger than 1000 bytes");
    free(p);
}

Test(data_archive, tar) {
    archive_roundtrip(TAR, "a.tar");
}
Test(data_archive, tar_gz) {
    archive_roundtrip(TGZ, "a.tar.gz");
}
Test(data_archive, zip) {
    archive_roundtrip(ZIP, "a.zip");
}

Test(data_archive, refuses_unsafe_requests) {
    member m[] = {{"x", "x", 1, NULL}};
    write_archive("a.tar", TAR, m, 1);
    uint8_t *out;
    size_t got;
    expect_err(gn_archive_member_read(tmp("a.tar"), "../x", 10, &out, &got, &err), GN_ERR_INVALID,
               "unsafe member path '../x'");
    expect_err(gn_archive_member_read(tmp("a.tar"), "a/../../x", 10, &out, &got, &err),
               GN_ERR_INVALID, "unsafe");
    expect_err(gn_archive_member_read(tmp("a.tar"), "/etc/passwd", 10, &out, &got, &err),
               GN_ERR_INVALID, "unsafe");
    expect_err(gn_archive_member_read(tmp("a.tar"), "", 10, &out, &got, &err), GN_ERR_INVALID,
               "unsafe");
    expect_err(gn_archive_member_read(tmp("a.tar"), "dir/", 10, &out, &got, &err), GN_ERR_INVALID,
               "unsafe");
}

Test(data_archive, refuses_dotdot_and_absolute_entries) {
    member evil[] = {{"../evil", "evil", 4, NULL}, {"good", "good", 4, NULL}};
    uint8_t *out;
    size_t got;
    const int kinds[] = {TAR, TGZ, ZIP};
    const char *names[] = {"e.tar", "e.tgz", "e.zip"};
    for (int k = 0; k < 3; k++) {
        write_archive(names[k], kinds[k], evil, 2);
        expect_err(gn_archive_member_read(tmp(names[k]), "evil", 10, &out, &got, &err),
                   GN_ERR_FORMAT, "unsafe member path '../evil'");
        expect_err(gn_archive_member_read(tmp(names[k]), "good", 10, &out, &got, &err),
                   GN_ERR_FORMAT, "unsafe");
    }
    member abs[] = {{"/abs", "abs", 3, NULL}};
    write_archive("abs.tar", TAR, abs, 1);
    expect_err(gn_archive_member_read(tmp("abs.tar"), "abs", 10, &out, &got, &err), GN_ERR_FORMAT,
               "unsafe member path");
}

Test(data_archive, symlink_member_is_refused) {
    member m[] = {{"link", NULL, 0, "/etc/passwd"}};
    write_archive("l.tar", TAR, m, 1);
    uint8_t *out;
    size_t got;
    expect_err(gn_archive_member_read(tmp("l.tar"), "link", 1000, &out, &got, &err), GN_ERR_FORMAT,
               "not a regular file");
}

Test(data_archive, truncated_archives) {
    size_t n = 300000;
    uint8_t *p = pattern(n);
    member m[] = {{"first", p, n, NULL}, {"second", p, n, NULL}};
    write_archive("t.tar", TAR, m, 2);
    write_archive("t.tgz", TGZ, m, 2);
    truncate_pct("t.tar", 30);
    truncate_pct("t.tgz", 40);
    uint8_t *out;
    size_t got;
    expect_err(gn_archive_member_read(tmp("t.tar"), "first", n, &out, &got, &err), GN_ERR_FORMAT,
               "truncated");
    expect_err(gn_archive_member_read(tmp("t.tar"), "second", n, &out, &got, &err), GN_ERR_FORMAT,
               "truncated");
    expect_err(gn_archive_member_read(tmp("t.tgz"), "second", n, &out, &got, &err), GN_ERR_FORMAT,
               "truncated");
    free(p);
}

Test(data_archive, not_an_archive) {
    write_gz("plain.gz", "hello", 5);
    uint8_t *out;
    size_t got;
    expect_err(gn_archive_member_read(tmp("plain.gz"), "hello", 10, &out, &got, &err),
               GN_ERR_FORMAT, "cannot read archive");
    expect_err(gn_archive_member_read(tmp("absent.tar"), "x", 10, &out, &got, &err), GN_ERR_IO,
               "absent.tar");
}

/* ---- data_sha256 ------------------------------------------------------ */

TestSuite(data_sha256, .init = setup, .fini = teardown);

Test(data_sha256, known_digests) {
    char hex[65];
    write_text("abc", "abc");
    expect_ok(gn_sha256_file(tmp("abc"), hex, &err));
    cr_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    gn_sha256_buffer("", 0, hex);
    cr_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    size_t n = 1000000;
    uint8_t *p = pattern(n);
    write_file("big", p, n);
    char a[65];
    expect_ok(gn_sha256_file(tmp("big"), a, &err));
    gn_sha256_buffer(p, n, hex);
    cr_assert_str_eq(a, hex);
    free(p);
    expect_err(gn_sha256_file(tmp("missing"), hex, &err), GN_ERR_IO, "missing");
    cr_assert(gn_sha256_is_hex(a));
    cr_assert_not(gn_sha256_is_hex("abc"));
}

/* ---- data_search ------------------------------------------------------ */

TestSuite(data_search, .init = setup, .fini = teardown);

Test(data_search, env_path_and_subdir_order) {
    mkdir_tmp("d1");
    mkdir_tmp("d2");
    mkdir_tmp("d2/sub");
    write_text("d1/f.bin", "1");
    write_text("d2/f.bin", "2");
    write_text("d2/sub/f.bin", "3");
    write_text("d2/g.bin", "4");
    char env[1200], out[1024];
    snprintf(env, sizeof env, "::%s:%s", tmp("d2"), tmp("d1"));
    setenv(GN_DATA_PATH_ENV, env, 1);
    expect_ok(gn_data_find("f.bin", "sub", out, sizeof out, &err));
    cr_assert_str_eq(out, tmp("d2/sub/f.bin"));
    expect_ok(gn_data_find("f.bin", NULL, out, sizeof out, &err));
    cr_assert_str_eq(out, tmp("d2/f.bin"));
    expect_ok(gn_data_find("g.bin", "sub", out, sizeof out, &err));
    cr_assert_str_eq(out, tmp("d2/g.bin"));
    snprintf(env, sizeof env, "%s:%s", tmp("d1"), tmp("d2"));
    setenv(GN_DATA_PATH_ENV, env, 1);
    expect_ok(gn_data_find("f.bin", "nosub", out, sizeof out, &err));
    cr_assert_str_eq(out, tmp("d1/f.bin"));
}

Test(data_search, missing_file_lists_places) {
    setenv(GN_DATA_PATH_ENV, g_dir, 1);
    char out[1024];
    expect_err(gn_data_find("nothing.gz", "sub", out, sizeof out, &err), GN_ERR_NOT_FOUND,
               "data file 'nothing.gz' not found");
    cr_assert_not_null(strstr(err.msg, g_dir), "%s", err.msg);
    cr_assert_not_null(strstr(err.msg, "/usr/share/datasets"));
    cr_assert_not_null(strstr(err.msg, "/usr/local/share/datasets"));
    cr_assert_not_null(strstr(err.msg, "GANGLION_DATA_PATH"));
    cr_assert_not_null(strstr(err.msg, "DIR/sub"));
}

Test(data_search, refuses_unsafe_names) {
    char out[256];
    expect_err(gn_data_find("../etc/passwd", NULL, out, sizeof out, &err), GN_ERR_INVALID,
               "relative path");
    expect_err(gn_data_find("/etc/passwd", NULL, out, sizeof out, &err), GN_ERR_INVALID,
               "relative path");
    expect_err(gn_data_find("f", "../..", out, sizeof out, &err), GN_ERR_INVALID, "subfolder");
}

/* ---- data_manifest ---------------------------------------------------- */

TestSuite(data_manifest, .init = setup, .fini = teardown);

static const char *SHA_A = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

/* A manifest with the given [dataset] body and one split; returns its path. */
static const char *write_manifest(const char *name, const char *dataset_body,
                                  const char *split_body) {
    char text[4096];
    snprintf(text, sizeof text, "; test manifest\n[dataset]\n%s\n[split.train]\n%s\n", dataset_body,
             split_body);
    write_text(name, text);
    return tmp(name);
}

static char g_split_ok[1024];

static const char *split_ok(void) {
    snprintf(g_split_ok, sizeof g_split_ok,
             "images = imgs.idx.gz\nimages_sha256 = %s\nlabels = pack.tar.gz:dir/labels.idx\n"
             "labels_sha256 = %s",
             SHA_A, "ABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789");
    return g_split_ok;
}

Test(data_manifest, parses_all_fields) {
    const char *path = write_manifest("t.ini",
                                      "name = tiny\nformat = idx\nclasses = 3\n"
                                      "class_names = cat, dog,\n   bird ; continued\n"
                                      "subdir = tiny\ndescription = x",
                                      split_ok());
    gn_manifest *m;
    expect_ok(gn_manifest_load(path, &m, &err));
    cr_assert_str_eq(m->name, "tiny");
    cr_assert_str_eq(m->format, "idx");
    cr_assert_eq(m->classes, 3);
    cr_assert_str_eq(m->class_names[0], "cat");
    cr_assert_str_eq(m->class_names[2], "bird");
    cr_assert_str_eq(m->subdir, "tiny");
    cr_assert_eq(m->n_splits, 1);
    const gn_manifest_split *s = gn_manifest_split_find(m, "train");
    cr_assert_not_null(s);
    cr_assert_null(gn_manifest_split_find(m, "test"));
    cr_assert_str_eq(s->images.file, "imgs.idx.gz");
    cr_assert_null(s->images.member);
    cr_assert_str_eq(s->images.sha256, SHA_A);
    cr_assert_str_eq(s->labels.file, "pack.tar.gz");
    cr_assert_str_eq(s->labels.member, "dir/labels.idx");
    cr_assert_str_eq(s->labels.sha256,
                     "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
    gn_manifest_free(m);
}

Test(data_manifest, find_by_name_path_and_env) {
    mkdir_tmp("m1");
    mkdir_tmp("m2");
    write_manifest("m2/tiny.ini", "name = tiny\nformat = idx\nclasses = 2", split_ok());
    char env[1200], out[1024];
    snprintf(env, sizeof env, "%s:%s", tmp("m1"), tmp("m2"));
    setenv(GN_MANIFEST_PATH_ENV, env, 1);
    expect_ok(gn_manifest_find("tiny", out, sizeof out, &err));
    cr_assert_str_eq(out, tmp("m2/tiny.ini"));
    expect_ok(gn_manifest_find(tmp("m2/tiny.ini"), out, sizeof out, &err));
    cr_assert_str_eq(out, tmp("m2/tiny.ini"));
    gn_manifest *m;
    expect_ok(gn_manifest_open("tiny", &m, &err));
    cr_assert_eq(m->classes, 2);
    cr_assert_null(m->class_names);
    cr_assert_str_eq(m->subdir, "");
    gn_manifest_free(m);
    expect_err(gn_manifest_find("absent", out, sizeof out, &err), GN_ERR_NOT_FOUND,
               "no manifest 'absent.ini'");
    cr_assert_not_null(strstr(err.msg, "GANGLION_MANIFEST_PATH"));
    cr_assert_not_null(strstr(err.msg, tmp("m1")), "%s", err.msg);
    expect_err(gn_manifest_find(tmp("m1/none.ini"), out, sizeof out, &err), GN_ERR_NOT_FOUND,
               "none.ini");
    expect_err(gn_manifest_find("../x", out, sizeof out, &err), GN_ERR_NOT_FOUND, "../x");
    expect_err(gn_manifest_find("a b", out, sizeof out, &err), GN_ERR_INVALID, "bad dataset name");
}

Test(data_manifest, repo_manifests_load) {
    /* Compiled-in GN_SOURCE_DATASET_DIR: the repository's datasets/. */
    const char *names[] = {"fashion-mnist", "mnist"};
    for (int i = 0; i < 2; i++) {
        gn_manifest *m;
        expect_ok(gn_manifest_open(names[i], &m, &err));
        cr_assert_str_eq(m->name, names[i]);
        cr_assert_eq(m->classes, 10);
        cr_assert_not_null(m->class_names);
        cr_assert_str_eq(m->subdir, names[i]);
        cr_assert_not_null(gn_manifest_split_find(m, "train"));
        cr_assert_not_null(gn_manifest_split_find(m, "test"));
        gn_manifest_free(m);
    }
}

Test(data_manifest, line_of_100k) {
    size_t n = 100 * 1024;
    char *text = malloc(n + 200);
    int k = snprintf(text, 200, "[dataset]\nname = tiny\nclass_names = ");
    memset(text + k, 'a', n);
    strcpy(text + k + n, "\nformat = idx\nclasses = 1\n");
    write_text("long.ini", text);
    free(text);
    gn_manifest *m = (gn_manifest *)1;
    expect_err(gn_manifest_load(tmp("long.ini"), &m, &err), GN_ERR_FORMAT, "line 3 is too long");
    cr_assert_null(m);
}

Test(data_manifest, errors_name_the_line_or_key) {
    gn_manifest *m;
    const char *p;
    p = write_manifest("a.ini", "name = t\nformat = idx\nclasses = 3\nfoo = 1", split_ok());
    expect_err(gn_manifest_load(p, &m, &err), GN_ERR_CONFIG, "line 6: unknown key 'foo'");
    p = write_manifest("b.ini", "name = t\nformat = bmp\nclasses = 3", split_ok());
    expect_err(gn_manifest_load(p, &m, &err), GN_ERR_CONFIG, "line 4: format = 'bmp'");
    p = write_manifest("c.ini", "name = t\nformat = idx\nclasses = 0", split_ok());
    expect_err(gn_manifest_load(p, &m, &err), GN_ERR_CONFIG, "classes = '0'");
    p = write_manifest("d.ini", "name = t\nformat = idx", split_ok());
    expect_err(gn_manifest_load(p, &m, &err), GN_ERR_CONFIG, "missing key 'classes'");
    p = write_manifest("e.ini", "name = t\nformat = idx\nclasses = 2",
                       "images = a\nimages_sha256 = 1234\nlabels = b\nlabels_sha256 = 1234");
    expect_err(gn_manifest_load(p, &m, &err), GN_ERR_CONFIG, "not a SHA-256");
    p = write_manifest("f.ini", "name = t\nformat = idx\nclasses = 2", "images = ../../etc/x");
    expect_err(gn_manifest_load(p, &m, &err), GN_ERR_CONFIG, "must be a relative file name");
    p = write_manifest("g.ini", "name = t\nformat = idx\nclasses = 2", "images = a.tar:/abs");
    expect_err(gn_manifest_load(p, &m, &err), GN_ERR_CONFIG, "relative");
    p = write_manifest("h.ini", "name = t\nformat = idx\nclasses = 2\nclass_names = a, b, c",
                       split_ok());
    expect_err(gn_manifest_load(p, &m, &err), GN_ERR_CONFIG, "lists 3 names but classes = 2");
    p = write_manifest("i.ini", "name = t\nformat = idx\nclasses = 2", "images = a");
    expect_err(gn_manifest_load(p, &m, &err), GN_ERR_CONFIG, "missing key 'images_sha256'");
    p = write_manifest("j.ini", "name = t\nformat = idx\nclasses = 2\njunk line", split_ok());
    expect_err(gn_manifest_load(p, &m, &err), GN_ERR_FORMAT, "line 6: expected 'key = value'");
    p = write_manifest("k.ini", "name = t\nformat = idx\nname = u\nclasses = 2", split_ok());
    expect_err(gn_manifest_load(p, &m, &err), GN_ERR_CONFIG, "key 'name' given twice");
    p = write_manifest("l.ini", "name = t\nformat = idx\nclasses = 2\n[bogus]\nx = 1", split_ok());
    expect_err(gn_manifest_load(p, &m, &err), GN_ERR_CONFIG, "unknown section [bogus]");
    p = write_manifest("m.ini", "name = t\nformat = idx\nclasses = 2\n[split.train", split_ok());
    expect_err(gn_manifest_load(p, &m, &err), GN_ERR_FORMAT, "line 6: missing ']'");
    write_file("nul.ini", "[dataset]\nname = t\0x\n", 20);
    expect_err(gn_manifest_load(tmp("nul.ini"), &m, &err), GN_ERR_FORMAT, "line 2: NUL byte");
    expect_err(gn_manifest_load(tmp("absent.ini"), &m, &err), GN_ERR_IO, "absent.ini");
}

/* ---- data_dataset ----------------------------------------------------- */

TestSuite(data_dataset, .init = setup, .fini = teardown);

enum { NS = 6, H = 2, W = 3 };

/* Writes tiny/imgs.idx(.gz), tiny/labs.idx(.gz) and tiny/pack.tar.gz with
 * NS samples of H x W and labels i % 3 (plus label_bump on the last one);
 * sets GANGLION_DATA_PATH to the temp dir. */
static void write_tiny(int n_labels, int label_bump) {
    uint8_t px[NS * H * W], lb[NS + 4];
    for (int i = 0; i < NS * H * W; i++)
        px[i] = (uint8_t)(i * 5);
    for (int i = 0; i < NS + 4; i++)
        lb[i] = (uint8_t)(i % 3);
    lb[n_labels - 1] = (uint8_t)(lb[n_labels - 1] + label_bump);
    const uint32_t di[3] = {NS, H, W}, dl[1] = {(uint32_t)n_labels};
    size_t ni, nl;
    uint8_t *img = make_idx(0x08, 3, di, px, sizeof px, &ni);
    uint8_t *lab = make_idx(0x08, 1, dl, lb, (size_t)n_labels, &nl);
    mkdir_tmp("tiny");
    write_file("tiny/imgs.idx", img, ni);
    write_file("tiny/labs.idx", lab, nl);
    write_gz("tiny/imgs.idx.gz", img, ni);
    write_gz("labs.idx.gz", lab, nl); /* found in DIR/ too */
    member m[] = {{"dir/imgs.idx", img, ni, NULL}, {"labs.idx.gz", NULL, 0, NULL}};
    uint8_t *labgz;
    size_t labgz_n;
    expect_ok(gn_file_read_raw(tmp("labs.idx.gz"), 1 << 20, &labgz, &labgz_n, &err));
    m[1].data = labgz, m[1].n = labgz_n;
    write_archive("tiny/pack.tar.gz", TGZ, m, 2);
    free(labgz);
    free(img);
    free(lab);
    setenv(GN_DATA_PATH_ENV, g_dir, 1);
}

static const char *sha_of(const char *name) {
    static char hex[4][65];
    static int k;
    char *h = hex[k++ % 4];
    expect_ok(gn_sha256_file(tmp(name), h, &err));
    return h;
}

/* A manifest tiny.ini for files images and labels (with their sha256 unless
 * given). */
static const char *tiny_manifest(const char *images, const char *images_sha, const char *labels,
                                 const char *labels_sha) {
    char text[2048];
    snprintf(text, sizeof text,
             "[dataset]\nname = tiny\nformat = idx\nclasses = 3\nclass_names = a, b, c\n"
             "subdir = tiny\n\n[split.train]\nimages = %s\nimages_sha256 = %s\nlabels = %s\n"
             "labels_sha256 = %s\n",
             images, images_sha, labels, labels_sha);
    write_text("tiny.ini", text);
    return tmp("tiny.ini");
}

static void check_tiny(const gn_dataset *ds) {
    cr_assert_str_eq(ds->name, "tiny/train");
    cr_assert_eq(ds->n, NS);
    cr_assert_eq(ds->ndim, 3);
    cr_assert_eq(ds->dims[0], 1);
    cr_assert_eq(ds->dims[1], H);
    cr_assert_eq(ds->dims[2], W);
    cr_assert_eq(ds->sample_size, H * W);
    cr_assert_eq(ds->n_classes, 3);
    cr_assert_str_eq(ds->class_names[1], "b");
    for (int i = 0; i < NS * H * W; i++)
        cr_assert_eq(ds->pixels[i], (uint8_t)(i * 5));
    for (int i = 0; i < NS; i++)
        cr_assert_eq(ds->labels[i], i % 3);
}

Test(data_dataset, loads_raw_gzip_and_archive_members) {
    write_tiny(NS, 0);
    const char *p =
        tiny_manifest("imgs.idx", sha_of("tiny/imgs.idx"), "labs.idx", sha_of("tiny/labs.idx"));
    gn_dataset *ds;
    expect_ok(gn_dataset_load(p, "train", &ds, &err));
    check_tiny(ds);
    gn_dataset_free(ds);

    tiny_manifest("imgs.idx.gz", sha_of("tiny/imgs.idx.gz"), "labs.idx.gz", sha_of("labs.idx.gz"));
    expect_ok(gn_dataset_load(p, "train", &ds, &err));
    check_tiny(ds);
    gn_dataset_free(ds);

    /* Members: sha256 of the member's bytes as stored (the .gz member stays
     * compressed in the archive and is decompressed after the check). */
    tiny_manifest("pack.tar.gz:dir/imgs.idx", sha_of("tiny/imgs.idx"), "pack.tar.gz:labs.idx.gz",
                  sha_of("labs.idx.gz"));
    expect_ok(gn_dataset_load(p, "train", &ds, &err));
    check_tiny(ds);
    gn_dataset_free(ds);

    /* By name through GANGLION_MANIFEST_PATH. */
    setenv(GN_MANIFEST_PATH_ENV, g_dir, 1);
    expect_ok(gn_dataset_load("tiny", "train", &ds, &err));
    check_tiny(ds);
    gn_dataset_free(ds);
}

Test(data_dataset, sha256_mismatch) {
    write_tiny(NS, 0);
    const char *p = tiny_manifest("imgs.idx", SHA_A, "labs.idx", sha_of("tiny/labs.idx"));
    gn_dataset *ds = (gn_dataset *)1;
    expect_err(gn_dataset_load(p, "train", &ds, &err), GN_ERR_FORMAT, "sha256 mismatch");
    cr_assert_null(ds);
    cr_assert_not_null(strstr(err.msg, "tiny/imgs.idx"), "%s", err.msg);
    cr_assert_not_null(strstr(err.msg, SHA_A));
    cr_assert_not_null(strstr(err.msg, sha_of("tiny/imgs.idx")));
    tiny_manifest("pack.tar.gz:dir/imgs.idx", sha_of("tiny/pack.tar.gz"), "labs.idx",
                  sha_of("tiny/labs.idx"));
    expect_err(gn_dataset_load(p, "train", &ds, &err), GN_ERR_FORMAT, "pack.tar.gz:dir/imgs.idx");
}

Test(data_dataset, label_count_mismatch) {
    write_tiny(NS - 1, 0);
    const char *p =
        tiny_manifest("imgs.idx", sha_of("tiny/imgs.idx"), "labs.idx", sha_of("tiny/labs.idx"));
    gn_dataset *ds;
    expect_err(gn_dataset_load(p, "train", &ds, &err), GN_ERR_FORMAT, "label count mismatch");
    cr_assert_not_null(strstr(err.msg, "has 5 labels but"), "%s", err.msg);
    cr_assert_not_null(strstr(err.msg, "has 6 images"), "%s", err.msg);
}

Test(data_dataset, label_not_below_classes) {
    write_tiny(NS, 2); /* last label 2 -> 4 */
    const char *p =
        tiny_manifest("imgs.idx", sha_of("tiny/imgs.idx"), "labs.idx", sha_of("tiny/labs.idx"));
    gn_dataset *ds;
    expect_err(gn_dataset_load(p, "train", &ds, &err), GN_ERR_FORMAT,
               "label 4 of sample 5 is not below classes = 3");
    cr_assert_not_null(strstr(err.msg, "labs.idx"));
}

Test(data_dataset, missing_file_lists_search_path) {
    write_tiny(NS, 0);
    const char *p = tiny_manifest("gone.idx", SHA_A, "labs.idx", SHA_A);
    gn_dataset *ds;
    expect_err(gn_dataset_load(p, "train", &ds, &err), GN_ERR_NOT_FOUND,
               "data file 'gone.idx' not found");
    cr_assert_not_null(strstr(err.msg, g_dir), "%s", err.msg);
    cr_assert_not_null(strstr(err.msg, "/usr/share/datasets"));
    cr_assert_not_null(strstr(err.msg, "GANGLION_DATA_PATH"));
}

Test(data_dataset, unknown_split_and_bad_idx) {
    write_tiny(NS, 0);
    const char *p =
        tiny_manifest("imgs.idx", sha_of("tiny/imgs.idx"), "labs.idx", sha_of("tiny/labs.idx"));
    gn_dataset *ds;
    expect_err(gn_dataset_load(p, "val", &ds, &err), GN_ERR_NOT_FOUND,
               "has no split 'val' (it has: train)");
    /* A truncated IDX inside a valid gzip, with a matching sha256. */
    uint8_t junk[16 + 10] = {0, 0, 8, 3, 0, 0, 0, 6, 0, 0, 0, 2, 0, 0, 0, 3};
    write_gz("tiny/short.gz", junk, sizeof junk);
    tiny_manifest("short.gz", sha_of("tiny/short.gz"), "labs.idx", sha_of("tiny/labs.idx"));
    expect_err(gn_dataset_load(p, "train", &ds, &err), GN_ERR_FORMAT,
               "truncated: expected 36 bytes of data, found 10");
    cr_assert_not_null(strstr(err.msg, "short.gz"));
    /* A labels file given as images (1-D). */
    tiny_manifest("labs.idx", sha_of("tiny/labs.idx"), "labs.idx", sha_of("tiny/labs.idx"));
    expect_err(gn_dataset_load(p, "train", &ds, &err), GN_ERR_FORMAT, "images must be an IDX");
    expect_err(gn_dataset_load("no-such-set", "train", &ds, &err), GN_ERR_NOT_FOUND,
               "no manifest 'no-such-set.ini'");
}

/* ---- data_split ------------------------------------------------------- */

TestSuite(data_split, .init = setup, .fini = teardown);

/* A 10-sample dataset of 2 x 2 with pixel values 10 * i + j and label i % 4. */
static gn_dataset *fake_dataset(void) {
    gn_dataset *ds = calloc(1, sizeof *ds);
    ds->name = strdup("fake/train");
    ds->n = 10;
    ds->ndim = 3;
    ds->dims[0] = 1, ds->dims[1] = 2, ds->dims[2] = 2;
    ds->sample_size = 4;
    ds->n_classes = 4;
    ds->class_names = NULL; /* gn_dataset_free copes with n_classes and NULL */
    ds->pixels = malloc(40);
    ds->labels = malloc(10 * sizeof *ds->labels);
    for (int i = 0; i < 10; i++) {
        for (int j = 0; j < 4; j++)
            ds->pixels[4 * i + j] = (uint8_t)(10 * i + j);
        ds->labels[i] = i % 4;
    }
    return ds;
}

Test(data_split, info_and_batches) {
    gn_dataset *ds = fake_dataset();
    gn_data *d;
    expect_ok(gn_data_view_new(ds, 2, 5, "fake/val", &d, &err));
    gn_data_info info;
    gn_data_view_info(d, &info);
    cr_assert_eq(info.struct_size, sizeof info);
    cr_assert_eq(info.n, 5);
    cr_assert_eq(info.ndim, 3);
    cr_assert_eq(info.dims[0], 1);
    cr_assert_eq(info.dims[1], 2);
    cr_assert_eq(info.dims[2], 2);
    cr_assert_eq(info.n_classes, 4);
    cr_assert_str_eq(info.name, "fake/val");
    gn_batch b;
    expect_ok(gn_data_view_batch(d, 1, 3, &b, &err));
    cr_assert_eq(b.n, 3);
    for (int i = 0; i < 3; i++) {
        int s = 2 + 1 + i; /* sample of ds */
        cr_assert_eq(b.labels[i], s % 4);
        cr_assert_float_eq(b.y[i], (float)(s % 4), 0);
        for (int j = 0; j < 4; j++)
            cr_assert_float_eq(b.x[4 * i + j], (float)(10 * s + j) / 255.0f, 1e-6);
    }
    const float *x0 = b.x;
    gn_data_view_set_norm(d, 2.0f, -1.0f);
    expect_ok(gn_data_view_batch(d, 0, 2, &b, &err));
    cr_assert_eq(b.x, x0, "buffers are reused for smaller batches");
    cr_assert_float_eq(b.x[5], (float)(10 * 3 + 1) * 2.0f - 1.0f, 1e-6);
    expect_err(gn_data_view_batch(d, 3, 3, &b, &err), GN_ERR_INVALID, "outside 'fake/val'");
    expect_err(gn_data_view_batch(d, -1, 1, &b, &err), GN_ERR_INVALID, "outside");
    expect_ok(gn_data_view_batch(d, 5, 0, &b, &err));
    cr_assert_eq(b.n, 0);
    gn_data_view_free(d);
    expect_err(gn_data_view_new(ds, 8, 3, NULL, &d, &err), GN_ERR_INVALID, "outside 'fake/train'");
    cr_assert_null(d);
    expect_err(gn_data_view_new(ds, -1, 3, NULL, &d, &err), GN_ERR_INVALID, "outside");
    expect_ok(gn_data_view_new(ds, 10, 0, NULL, &d, &err));
    gn_data_view_info(d, &info);
    cr_assert_eq(info.n, 0);
    cr_assert_str_eq(info.name, "fake/train");
    gn_data_view_free(d);
    gn_dataset_free(ds);
}

Test(data_split, shuffle_is_a_permutation_and_val_split_is_disjoint) {
    gn_dataset *ds = fake_dataset();
    /* Keras validation_split = 0.3: train = first 7, val = last 3. */
    int64_t n_val = 3, n_train = ds->n - n_val;
    gn_data *tr, *va;
    expect_ok(gn_data_view_new(ds, 0, n_train, "fake/train", &tr, &err));
    expect_ok(gn_data_view_new(ds, n_train, n_val, "fake/val", &va, &err));
    gn_rng rng;
    gn_rng_seed(&rng, 42);
    int moved = 0;
    for (int epoch = 0; epoch < 3; epoch++) {
        gn_data_view_shuffle(tr, &rng);
        gn_batch b;
        expect_ok(gn_data_view_batch(tr, 0, n_train, &b, &err));
        int count[10] = {0};
        for (int i = 0; i < n_train; i++) {
            int s = (int)(b.x[4 * i] * 255.0f + 0.5f) / 10;
            cr_assert_lt(s, n_train, "train view reached sample %d", s);
            cr_assert_eq(b.labels[i], s % 4);
            count[s]++;
            moved += s != i;
        }
        for (int s = 0; s < n_train; s++)
            cr_assert_eq(count[s], 1, "sample %d appears %d times", s, count[s]);
    }
    cr_assert_gt(moved, 0, "shuffling changed nothing");
    gn_batch b;
    expect_ok(gn_data_view_batch(va, 0, n_val, &b, &err));
    for (int i = 0; i < n_val; i++)
        cr_assert_eq(b.labels[i], (int)(n_train + i) % 4);
    gn_data_view_free(tr);
    gn_data_view_free(va);
    gn_dataset_free(ds);
}

/* ---- data_real: the installed datasets, when present ------------------ */

TestSuite(data_real, .init = setup, .fini = teardown);

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int exists(const char *p) {
    return access(p, R_OK) == 0;
}

Test(data_real, fashion_mnist_test_split) {
    if (!exists("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"))
        cr_skip_test("dataset-fashion-mnist is not installed");
    gn_dataset *ds;
    expect_ok(gn_dataset_load("fashion-mnist", "test", &ds, &err));
    cr_assert_eq(ds->n, 10000);
    cr_assert_eq(ds->ndim, 3);
    cr_assert_eq(ds->dims[0], 1);
    cr_assert_eq(ds->dims[1], 28);
    cr_assert_eq(ds->dims[2], 28);
    const int first[5] = {9, 2, 1, 1, 6};
    for (int i = 0; i < 5; i++)
        cr_assert_eq(ds->labels[i], first[i], "label %d is %d", i, ds->labels[i]);
    cr_assert_str_eq(ds->class_names[9], "Ankle boot");
    gn_dataset_free(ds);
}

Test(data_real, fashion_mnist_train_loads_fast, .timeout = 30) {
    if (!exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"))
        cr_skip_test("dataset-fashion-mnist is not installed");
    gn_dataset *ds;
    double t = now();
    expect_ok(gn_dataset_load("fashion-mnist", "train", &ds, &err));
    t = now() - t;
    cr_assert_eq(ds->n, 60000);
    cr_assert_eq(ds->labels[0], 9);
    cr_log_info("fashion-mnist/train loaded in %.3f s", t);
    gn_dataset_free(ds);
}

/* MNIST is not a Debian package: it is found through GANGLION_DATA_PATH,
 * which .ci/run points at the course's shared datasets. */
Test(data_real, mnist_via_data_path, .timeout = 30) {
    char path[1024];
    gn_error probe = {0};
    if (gn_data_find("train-images-idx3-ubyte.gz", "mnist", path, sizeof path, &probe))
        cr_skip_test("MNIST is not on the data path: %s", probe.msg);
    gn_dataset *ds;
    expect_ok(gn_dataset_load("mnist", "train", &ds, &err));
    cr_assert_eq(ds->n, 60000);
    cr_assert_eq(ds->dims[1], 28);
    const int first[5] = {5, 0, 4, 1, 9};
    for (int i = 0; i < 5; i++)
        cr_assert_eq(ds->labels[i], first[i], "label %d is %d", i, ds->labels[i]);
    gn_dataset_free(ds);
}
