/* Dataset formats beyond IDX: CIFAR-10 binary batches, image folders in
 * archives (PNG, JPEG, resizing) and CSV regression tables. Every fixture
 * is generated in a fresh temp dir per test: CIFAR records and a tar.gz of
 * them, PNGs (libpng) and JPEGs (libjpeg) in zip and tar archives, CSVs. */
#include <criterion/criterion.h>

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <stdio.h> /* before jpeglib.h */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <jpeglib.h>
#include <png.h>

#include "data/csv.h"
#include "data_test.h"
#include "data/dataset.h"
#include "data/image_decode.h"
#include "data/manifest.h"
#include "data/read.h"
#include "data/resize.h"
#include "data/search.h"
#include "data/sha256.h"
#include "data/split.h"

/* ---- fixtures --------------------------------------------------------- */

static gn_error err;

static void setup(void) {
    snprintf(g_dir, sizeof g_dir, "%s/gn-fmt-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : P_tmpdir);
    cr_assert_not_null(mkdtemp(g_dir), "mkdtemp failed");
    setenv(GN_DATA_PATH_ENV, g_dir, 1);
    unsetenv(GN_MANIFEST_PATH_ENV);
    memset(&err, 0, sizeof err);
}

typedef struct member {
    const char *name;
    const void *data;
    size_t n;
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
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_size(e, (la_int64_t)m[i].n);
        cr_assert_eq(archive_write_header(a, e), ARCHIVE_OK, "%s", archive_error_string(a));
        if (m[i].n) cr_assert_eq(archive_write_data(a, m[i].data, m[i].n), (la_ssize_t)m[i].n);
        archive_entry_free(e);
    }
    cr_assert_eq(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
}

static void write_gz(const char *name, const void *data, size_t n) {
    struct archive *a = archive_write_new();
    archive_write_add_filter_gzip(a);
    archive_write_set_format_raw(a);
    cr_assert_eq(archive_write_open_filename(a, tmp(name)), ARCHIVE_OK);
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, "data");
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_size(e, (la_int64_t)n);
    cr_assert_eq(archive_write_header(a, e), ARCHIVE_OK);
    cr_assert_eq(archive_write_data(a, data, n), (la_ssize_t)n);
    archive_entry_free(e);
    cr_assert_eq(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
}

static const char *sha_of(const char *name) {
    static char hex[4][65];
    static int k;
    char *h = hex[k++ % 4];
    gn_error e = {0};
    cr_assert_eq(gn_sha256_file(tmp(name), h, &e), GN_OK, "%s", e.msg);
    return h;
}

static void expect_err(gn_status st, gn_status want, const char *substr) {
    cr_assert_eq(st, want, "status %d, expected %d (message: %s)", st, want, err.msg);
    cr_assert_not_null(strstr(err.msg, substr), "message '%s' lacks '%s'", err.msg, substr);
}

static void expect_ok(gn_status st) {
    cr_assert_eq(st, GN_OK, "status %d: %s", st, err.msg);
}

/* A manifest NAME.ini in the temp dir; returns its path. */
static const char *manifest(const char *name, const char *text) {
    char file[128];
    snprintf(file, sizeof file, "%s.ini", name);
    write_text(file, text);
    return tmp(file);
}

/* ---- data_cifar ------------------------------------------------------- */

TestSuite(data_cifar, .init = setup, .fini = teardown);

enum { REC = 3073 };

/* Pixel (c, y, x) of CIFAR record k (numbered across files). */
static uint8_t cifar_px(int k, int c, int y, int x) {
    return (uint8_t)(k * 7 + c * 50 + y * 3 + x);
}

/* count records numbered from k0, labels (k0 + i) % 10 (or bad_label for
 * record bad_at). Caller frees. */
static uint8_t *cifar_records(int k0, int count, int bad_at, int bad_label) {
    uint8_t *b = malloc((size_t)count * REC);
    for (int i = 0; i < count; i++) {
        uint8_t *r = b + (size_t)i * REC;
        r[0] = (uint8_t)(i == bad_at ? bad_label : (k0 + i) % 10);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 32; y++)
                for (int x = 0; x < 32; x++)
                    r[1 + c * 1024 + y * 32 + x] = cifar_px(k0 + i, c, y, x);
    }
    return b;
}

/* cifar-10-batches-bin/{data_batch_1 (3 records), data_batch_2 (2),
 * test_batch (1)}.bin and cifar-10-binary.tar.gz holding the same. */
static void write_cifar(void) {
    uint8_t *b1 = cifar_records(0, 3, -1, 0), *b2 = cifar_records(3, 2, -1, 0),
            *t = cifar_records(5, 1, -1, 0);
    mkdir_tmp("cifar-10-batches-bin");
    write_file("cifar-10-batches-bin/data_batch_1.bin", b1, 3 * REC);
    write_file("cifar-10-batches-bin/data_batch_2.bin", b2, 2 * REC);
    write_file("cifar-10-batches-bin/test_batch.bin", t, REC);
    member m[] = {{"cifar-10-batches-bin/batches.meta.txt", "airplane\n", 9},
                  {"cifar-10-batches-bin/test_batch.bin", t, REC},
                  {"cifar-10-batches-bin/data_batch_2.bin", b2, 2 * REC},
                  {"cifar-10-batches-bin/data_batch_1.bin", b1, 3 * REC}};
    write_archive("cifar-10-binary.tar.gz", TGZ, m, 4);
    free(b1);
    free(b2);
    free(t);
}

static const char *cifar_manifest(const char *train_files, const char *extra) {
    char text[2048];
    snprintf(text, sizeof text,
             "[dataset]\nname = cf\nformat = cifar10\nclasses = 10\n"
             "class_names = airplane, automobile, bird, cat, deer, dog, frog, horse, ship, truck\n"
             "subdir = cifar-10-batches-bin\n\n[split.train]\nfiles = %s\n%s\n"
             "[split.test]\nfiles = test_batch.bin\n",
             train_files, extra);
    return manifest("cf", text);
}

static void check_cifar_train(const gn_dataset *ds) {
    cr_assert_str_eq(ds->name, "cf/train");
    cr_assert_eq(ds->n, 5);
    cr_assert_eq(ds->ndim, 3);
    cr_assert_eq(ds->dims[0], 3);
    cr_assert_eq(ds->dims[1], 32);
    cr_assert_eq(ds->dims[2], 32);
    cr_assert_eq(ds->sample_size, 3072);
    cr_assert_eq(ds->n_classes, 10);
    cr_assert_str_eq(ds->class_names[0], "airplane");
    cr_assert_str_eq(ds->class_names[9], "truck");
    cr_assert_null(ds->values);
    cr_assert_null(ds->targets);
    for (int k = 0; k < 5; k++) {
        cr_assert_eq(ds->labels[k], k % 10);
        const uint8_t *s = ds->pixels + (size_t)k * 3072;
        cr_assert_eq(s[0], cifar_px(k, 0, 0, 0));
        cr_assert_eq(s[1024 + 5 * 32 + 7], cifar_px(k, 1, 5, 7), "sample %d green (5, 7)", k);
        cr_assert_eq(s[2 * 1024 + 31 * 32 + 31], cifar_px(k, 2, 31, 31));
    }
}

Test(data_cifar, loads_batches_from_folder_and_tarball) {
    write_cifar();
    const char *p = cifar_manifest("data_batch_1.bin\n  data_batch_2.bin ; continued", "");
    gn_dataset *ds;
    expect_ok(gn_dataset_load(p, "train", &ds, &err));
    check_cifar_train(ds);
    cr_assert_not_null(ds->notes);
    cr_assert_not_null(strstr(ds->notes, "data_batch_1.bin' not verified"), "%s", ds->notes);
    cr_assert_not_null(strstr(ds->notes, "gives no sha256"), "%s", ds->notes);
    gn_dataset_free(ds);

    expect_ok(gn_dataset_load(p, "test", &ds, &err));
    cr_assert_eq(ds->n, 1);
    cr_assert_eq(ds->labels[0], 5);
    cr_assert_eq(ds->pixels[100], cifar_px(5, 0, 3, 4));
    gn_dataset_free(ds);

    /* The same records as members of the tarball, in one pass over it
     * (the archive holds them in another order than listed). */
    p = cifar_manifest("cifar-10-binary.tar.gz:cifar-10-batches-bin/data_batch_1.bin\n"
                       "  cifar-10-binary.tar.gz:cifar-10-batches-bin/data_batch_2.bin",
                       "");
    expect_ok(gn_dataset_load(p, "train", &ds, &err));
    check_cifar_train(ds);
    cr_assert_not_null(
        strstr(ds->notes, "cifar-10-binary.tar.gz:cifar-10-batches-bin/data_batch_2"), "%s",
        ds->notes);
    gn_dataset_free(ds);

    /* With checksums: nothing to note. */
    char extra[300];
    snprintf(extra, sizeof extra, "sha256 = %s\n  %s",
             sha_of("cifar-10-batches-bin/data_batch_1.bin"),
             sha_of("cifar-10-batches-bin/data_batch_2.bin"));
    p = cifar_manifest("data_batch_1.bin data_batch_2.bin", extra);
    expect_ok(gn_dataset_load(p, "train", &ds, &err));
    check_cifar_train(ds);
    cr_assert_null(ds->notes, "%s", ds->notes);
    gn_dataset_free(ds);
}

Test(data_cifar, files_keep_their_listed_order_and_views_batch) {
    write_cifar();
    const char *p = cifar_manifest("data_batch_2.bin data_batch_1.bin", "");
    gn_dataset *ds;
    expect_ok(gn_dataset_load(p, "train", &ds, &err));
    const int want[5] = {3, 4, 0, 1, 2};
    for (int i = 0; i < 5; i++) {
        cr_assert_eq(ds->labels[i], want[i] % 10);
        cr_assert_eq(ds->pixels[(size_t)i * 3072 + 1], cifar_px(want[i], 0, 0, 1));
    }
    gn_data *d;
    expect_ok(gn_data_view_new(ds, 1, 3, NULL, &d, &err));
    gn_data_info info;
    gn_data_view_info(d, &info);
    cr_assert_eq(info.n, 3);
    cr_assert_eq(info.ndim, 3);
    cr_assert_eq(info.dims[0], 3);
    cr_assert_eq(info.n_classes, 10);
    cr_assert_eq(info.target_dim, 1);
    gn_batch b;
    expect_ok(gn_data_view_batch(d, 0, 2, &b, &err));
    cr_assert_eq(b.labels[1], 0);
    cr_assert_float_eq(b.y[0], 4.0f, 0);
    cr_assert_float_eq(b.x[3072 + 2048 + 33], cifar_px(0, 2, 1, 1) / 255.0f, 1e-6);
    gn_data_view_free(d);
    gn_dataset_free(ds);
}

Test(data_cifar, truncated_record) {
    write_cifar();
    uint8_t *b = cifar_records(0, 2, -1, 0);
    write_file("cifar-10-batches-bin/short.bin", b, 2 * REC - 5);
    free(b);
    const char *p = cifar_manifest("data_batch_1.bin short.bin", "");
    gn_dataset *ds = (gn_dataset *)1;
    expect_err(gn_dataset_load(p, "train", &ds, &err), GN_ERR_FORMAT,
               "6141 bytes is not a whole number of CIFAR-10 records of 3073 bytes");
    cr_assert_null(ds);
    cr_assert_not_null(strstr(err.msg, "cifar-10-batches-bin/short.bin"), "%s", err.msg);
    cr_assert_not_null(strstr(err.msg, "truncated"), "%s", err.msg);
    write_file("cifar-10-batches-bin/empty.bin", "", 0);
    p = cifar_manifest("empty.bin", "");
    expect_err(gn_dataset_load(p, "train", &ds, &err), GN_ERR_FORMAT, "empty file");
}

Test(data_cifar, label_out_of_range) {
    write_cifar();
    uint8_t *b = cifar_records(0, 3, 1, 11);
    write_file("cifar-10-batches-bin/bad.bin", b, 3 * REC);
    free(b);
    const char *p = cifar_manifest("data_batch_1.bin bad.bin", "");
    gn_dataset *ds;
    expect_err(gn_dataset_load(p, "train", &ds, &err), GN_ERR_FORMAT,
               "record 1 (byte offset 3073) has label 11, not below classes = 10");
    cr_assert_not_null(strstr(err.msg, "bad.bin"), "%s", err.msg);
}

Test(data_cifar, checksums_and_missing_members) {
    write_cifar();
    char extra[300];
    snprintf(extra, sizeof extra, "sha256 = %s", sha_of("cifar-10-batches-bin/data_batch_1.bin"));
    const char *p = cifar_manifest("data_batch_1.bin data_batch_2.bin", extra);
    gn_dataset *ds;
    expect_err(gn_dataset_load(p, "train", &ds, &err), GN_ERR_CONFIG,
               "sha256 lists 1 digests but there are 2 files");
    snprintf(extra, sizeof extra, "sha256 = %s %s", sha_of("cifar-10-batches-bin/data_batch_1.bin"),
             sha_of("cifar-10-batches-bin/data_batch_1.bin"));
    p = cifar_manifest("data_batch_1.bin data_batch_2.bin", extra);
    expect_err(gn_dataset_load(p, "train", &ds, &err), GN_ERR_FORMAT, "sha256 mismatch for '");
    cr_assert_not_null(strstr(err.msg, "data_batch_2.bin"), "%s", err.msg);
    p = cifar_manifest("cifar-10-binary.tar.gz:cifar-10-batches-bin/data_batch_1.bin "
                       "cifar-10-binary.tar.gz:cifar-10-batches-bin/data_batch_9.bin",
                       "");
    expect_err(gn_dataset_load(p, "train", &ds, &err), GN_ERR_NOT_FOUND,
               "no member 'cifar-10-batches-bin/data_batch_9.bin' in archive");
    cr_assert_not_null(strstr(err.msg, "cifar-10-binary.tar.gz"), "%s", err.msg);
    p = cifar_manifest("data_batch_7.bin", "");
    expect_err(gn_dataset_load(p, "train", &ds, &err), GN_ERR_NOT_FOUND,
               "data file 'data_batch_7.bin' not found");
}

Test(data_cifar, manifest_errors) {
    gn_manifest *m;
    const char *head = "[dataset]\nname = c\nformat = cifar10\nclasses = 10\n";
    char text[1024];
    snprintf(text, sizeof text, "%s[split.train]\nfiles = a.bin\nfiles = b.bin\n", head);
    expect_err(gn_manifest_load(manifest("a", text), &m, &err), GN_ERR_CONFIG,
               "line 7: key 'files' given twice");
    snprintf(text, sizeof text, "%s[split.train]\nimages = a.bin\n", head);
    expect_err(gn_manifest_load(manifest("b", text), &m, &err), GN_ERR_CONFIG,
               "key 'images' in [split.train] is not used by format = cifar10");
    snprintf(text, sizeof text, "%s[split.train]\nsha256 = %064d\n", head, 0);
    expect_err(gn_manifest_load(manifest("c", text), &m, &err), GN_ERR_CONFIG,
               "missing key 'files' in [split.train]");
    snprintf(text, sizeof text, "%s[split.train]\nfiles = ok.bin ../x.bin\n", head);
    expect_err(gn_manifest_load(manifest("d", text), &m, &err), GN_ERR_CONFIG,
               "files: '../x.bin' must be a relative file name");
    snprintf(text, sizeof text, "%s[split.train]\nfiles = a.bin\nsha256 = xyz\n", head);
    expect_err(gn_manifest_load(manifest("e", text), &m, &err), GN_ERR_CONFIG,
               "sha256 'xyz' is not a SHA-256");
    snprintf(text, sizeof text, "[dataset]\nname = c\n  more\nformat = cifar10\n");
    expect_err(gn_manifest_load(manifest("f", text), &m, &err), GN_ERR_CONFIG,
               "line 3: key 'name' takes one value");
    snprintf(text, sizeof text,
             "[dataset]\nname = c\nformat = cifar10\n[split.train]\n"
             "files = a.bin\n");
    expect_err(gn_manifest_load(manifest("g", text), &m, &err), GN_ERR_CONFIG,
               "missing key 'classes'");
}

Test(data_cifar, repo_manifests) {
    gn_manifest *m;
    expect_ok(gn_manifest_open("cifar10", &m, &err));
    cr_assert_eq(m->fmt, GN_FORMAT_CIFAR10);
    cr_assert_str_eq(m->subdir, "cifar-10-batches-bin");
    cr_assert_eq(m->classes, 10);
    cr_assert_str_eq(m->class_names[0], "airplane");
    cr_assert_str_eq(m->class_names[9], "truck");
    const gn_manifest_split *s = gn_manifest_split_find(m, "train");
    cr_assert_eq(s->n_files, 5);
    cr_assert_str_eq(s->files[4].file, "data_batch_5.bin");
    cr_assert_null(s->files[4].member);
    cr_assert_eq(s->files[4].sha256[0], '\0');
    cr_assert_str_eq(gn_manifest_split_find(m, "test")->files[0].file, "test_batch.bin");
    gn_manifest_free(m);
    expect_ok(gn_manifest_open("cifar10-tar", &m, &err));
    s = gn_manifest_split_find(m, "train");
    cr_assert_eq(s->n_files, 5);
    cr_assert_str_eq(s->files[2].file, "cifar-10-binary.tar.gz");
    cr_assert_str_eq(s->files[2].member, "cifar-10-batches-bin/data_batch_3.bin");
    cr_assert_str_eq(gn_manifest_split_find(m, "test")->files[0].member,
                     "cifar-10-batches-bin/test_batch.bin");
    gn_manifest_free(m);
}

/* The repository manifests against the generated fixture laid out like the
 * real download (the real CIFAR-10 is not on this machine). */
Test(data_cifar, repo_manifests_read_the_standard_layout) {
    write_cifar();
    gn_dataset *ds;
    expect_ok(gn_dataset_load("cifar10", "test", &ds, &err));
    cr_assert_str_eq(ds->name, "cifar10/test");
    cr_assert_eq(ds->n, 1);
    cr_assert_str_eq(ds->class_names[5], "dog");
    gn_dataset_free(ds);
    expect_ok(gn_dataset_load("cifar10-tar", "test", &ds, &err));
    cr_assert_eq(ds->labels[0], 5);
    gn_dataset_free(ds);
    expect_err(gn_dataset_load("cifar10", "train", &ds, &err), GN_ERR_NOT_FOUND,
               "data file 'data_batch_3.bin' not found");
}

/* ---- images: encoders for the fixtures ---------------------------------- */

typedef struct membuf {
    uint8_t *p;
    size_t n, cap;
} membuf;

static void png_write_cb(png_structp png, png_bytep data, size_t len) {
    membuf *b = png_get_io_ptr(png);
    if (b->n + len > b->cap) {
        b->cap = (b->n + len) * 2;
        b->p = realloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, data, len);
    b->n += len;
}

static void png_flush_cb(png_structp png) {
    (void)png;
}

/* A PNG of w x h; rows holds h rows of libpng's packed row bytes. */
static uint8_t *make_png(int w, int h, int color, int depth, const uint8_t *rows,
                         const png_color *palette, int n_palette, size_t *n) {
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    membuf b = {0};
    if (setjmp(png_jmpbuf(png))) cr_assert_fail("libpng write failed");
    png_set_write_fn(png, &b, png_write_cb, png_flush_cb);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, depth, color, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (palette) png_set_PLTE(png, info, palette, n_palette);
    png_write_info(png, info);
    int ch = color == PNG_COLOR_TYPE_RGB          ? 3
             : color == PNG_COLOR_TYPE_RGBA       ? 4
             : color == PNG_COLOR_TYPE_GRAY_ALPHA ? 2
                                                  : 1;
    size_t rowbytes = ((size_t)w * (size_t)ch * (size_t)depth + 7) / 8;
    for (int y = 0; y < h; y++)
        png_write_row(png, rows + (size_t)y * rowbytes);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    *n = b.n;
    return b.p;
}

/* A w x h PNG of one colour: gray (ch 1), RGB (3) or RGBA (4), 8 bits. */
static uint8_t *solid_png(int w, int h, int ch, const uint8_t *color, size_t *n) {
    uint8_t *rows = malloc((size_t)w * h * ch);
    for (int i = 0; i < w * h; i++)
        memcpy(rows + (size_t)i * ch, color, (size_t)ch);
    int type = ch == 1 ? PNG_COLOR_TYPE_GRAY : ch == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_RGBA;
    uint8_t *p = make_png(w, h, type, 8, rows, NULL, 0, n);
    free(rows);
    return p;
}

/* A JPEG (libjpeg-turbo, quality 100) of w x h x comps (1 or 3). Caller frees. */
static uint8_t *make_jpeg(int w, int h, int comps, const uint8_t *px, size_t *n) {
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr e;
    c.err = jpeg_std_error(&e);
    jpeg_create_compress(&c);
    unsigned char *out = NULL;
    unsigned long outn = 0;
    jpeg_mem_dest(&c, &out, &outn);
    c.image_width = (JDIMENSION)w;
    c.image_height = (JDIMENSION)h;
    c.input_components = comps;
    c.in_color_space = comps == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 100, TRUE);
    jpeg_start_compress(&c, TRUE);
    while (c.next_scanline < c.image_height) {
        JSAMPROW row = (JSAMPROW)(px + (size_t)c.next_scanline * w * comps);
        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    *n = outn;
    return out;
}

static uint8_t *solid_jpeg(int w, int h, int comps, const uint8_t *color, size_t *n) {
    uint8_t *px = malloc((size_t)w * h * comps);
    for (int i = 0; i < w * h; i++)
        memcpy(px + (size_t)i * comps, color, (size_t)comps);
    uint8_t *j = make_jpeg(w, h, comps, px, n);
    free(px);
    return j;
}

/* A noisy w x h RGB JPEG (so that its scan data is long). */
static uint8_t *noisy_jpeg(int w, int h, size_t *n) {
    uint8_t *px = malloc((size_t)w * h * 3);
    for (int i = 0; i < w * h * 3; i++)
        px[i] = (uint8_t)((i * 2654435761u) >> 24);
    uint8_t *j = make_jpeg(w, h, 3, px, n);
    free(px);
    return j;
}

static uint32_t crc32_of(const uint8_t *p, size_t n) {
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
    }
    return c ^ 0xffffffffu;
}

static void put32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8),
    p[3] = (uint8_t)v;
}

/* A PNG that claims w x h (8-bit gray) in its IHDR, with an empty IDAT. */
static size_t png_header_only(uint8_t *out, uint32_t w, uint32_t h) {
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    memcpy(out, sig, 8);
    uint8_t *c = out + 8;
    put32(c, 13);
    memcpy(c + 4, "IHDR", 4);
    put32(c + 8, w);
    put32(c + 12, h);
    c[16] = 8, c[17] = 0, c[18] = 0, c[19] = 0, c[20] = 0;
    put32(c + 21, crc32_of(c + 4, 17));
    uint8_t *d = c + 25;
    put32(d, 0);
    memcpy(d + 4, "IDAT", 4);
    put32(d + 8, crc32_of(d + 4, 4));
    return (size_t)(d + 12 - out);
}

/* The offset of the JPEG SOF0 marker's payload (after FF C0 and the length). */
static size_t jpeg_sof(const uint8_t *j, size_t n) {
    for (size_t i = 2; i + 1 < n; i++)
        if (j[i] == 0xFF && j[i + 1] == 0xC0) return i + 4;
    cr_assert_fail("no SOF0 marker");
    return 0;
}

/* ---- data_imagefolder: decoding and resizing ---------------------------- */

TestSuite(data_imagefolder, .init = setup, .fini = teardown);

Test(data_imagefolder, png_variants_to_8_bit) {
    gn_image im;
    size_t n;
    /* palette (2 bits per index) */
    png_color pal[3] = {{1, 2, 3}, {40, 50, 60}, {250, 251, 252}};
    uint8_t prow[2] = {0x24, 0x00}; /* indices 0, 2, 1, 0 */
    uint8_t *p = make_png(4, 1, PNG_COLOR_TYPE_PALETTE, 2, prow, pal, 3, &n);
    expect_ok(gn_image_decode(p, n, 3, "pal.png", &im, &err));
    cr_assert_eq(im.width, 4);
    cr_assert_eq(im.height, 1);
    cr_assert_eq(im.channels, 3);
    const uint8_t want_pal[12] = {1, 2, 3, 250, 251, 252, 40, 50, 60, 1, 2, 3};
    cr_assert_arr_eq(im.data, want_pal, 12);
    free(im.data);
    free(p);
    /* 16-bit gray: 0xC8C8 = 200 * 257 scales to 200 */
    uint8_t g16[4] = {0xC8, 0xC8, 0x00, 0x00};
    p = make_png(2, 1, PNG_COLOR_TYPE_GRAY, 16, g16, NULL, 0, &n);
    expect_ok(gn_image_decode(p, n, 1, "g16.png", &im, &err));
    cr_assert_eq(im.channels, 1);
    cr_assert_eq(im.data[0], 200);
    cr_assert_eq(im.data[1], 0);
    free(im.data);
    /* ... and to RGB: copied to the three channels */
    expect_ok(gn_image_decode(p, n, 3, "g16.png", &im, &err));
    const uint8_t want_g3[6] = {200, 200, 200, 0, 0, 0};
    cr_assert_arr_eq(im.data, want_g3, 6);
    free(im.data);
    free(p);
    /* 1-bit gray */
    uint8_t g1[1] = {0xA0}; /* 1 0 1 0 */
    p = make_png(4, 1, PNG_COLOR_TYPE_GRAY, 1, g1, NULL, 0, &n);
    expect_ok(gn_image_decode(p, n, 1, "g1.png", &im, &err));
    const uint8_t want_g1[4] = {255, 0, 255, 0};
    cr_assert_arr_eq(im.data, want_g1, 4);
    free(im.data);
    free(p);
    /* RGBA: alpha dropped; RGB to gray by ITU-R 601 luma */
    const uint8_t rgba[4] = {10, 20, 30, 0};
    p = solid_png(2, 2, 4, rgba, &n);
    expect_ok(gn_image_decode(p, n, 3, "a.png", &im, &err));
    cr_assert_eq(im.channels, 3);
    cr_assert_arr_eq(im.data + 9, rgba, 3);
    free(im.data);
    expect_ok(gn_image_decode(p, n, 1, "a.png", &im, &err));
    cr_assert_eq(im.data[3], 18); /* (299*10 + 587*20 + 114*30) / 1000 = 18.15 */
    free(im.data);
    free(p);
    const uint8_t red[3] = {255, 0, 0};
    p = solid_png(1, 1, 3, red, &n);
    expect_ok(gn_image_decode(p, n, 1, "red.png", &im, &err));
    cr_assert_eq(im.data[0], 76);
    free(im.data);
    free(p);
}

Test(data_imagefolder, jpeg_gray_and_rgb) {
    gn_image im;
    size_t n;
    const uint8_t c[3] = {100, 150, 200};
    uint8_t *j = solid_jpeg(16, 8, 3, c, &n);
    expect_ok(gn_image_decode(j, n, 3, "c.jpg", &im, &err));
    cr_assert_eq(im.width, 16);
    cr_assert_eq(im.height, 8);
    for (int i = 0; i < 16 * 8 * 3; i++)
        cr_assert(abs(im.data[i] - c[i % 3]) <= 2, "value %d: %d vs %d", i, im.data[i], c[i % 3]);
    free(im.data);
    free(j);
    const uint8_t g = 77;
    j = solid_jpeg(8, 8, 1, &g, &n);
    expect_ok(gn_image_decode(j, n, 3, "g.jpg", &im, &err));
    cr_assert_eq(im.channels, 3);
    cr_assert(abs(im.data[0] - 77) <= 1 && im.data[0] == im.data[1] && im.data[1] == im.data[2]);
    free(im.data);
    free(j);
}

Test(data_imagefolder, corrupt_images_return_errors) {
    gn_image im;
    size_t n;
    /* A corrupt JPEG header (data precision 13): libjpeg's error_exit would
     * exit() the process; here it must come back as an error. */
    uint8_t *j = noisy_jpeg(64, 64, &n);
    uint8_t *bad = malloc(n);
    memcpy(bad, j, n);
    bad[jpeg_sof(bad, n)] = 13;
    expect_err(gn_image_decode(bad, n, 3, "prec.jpg", &im, &err), GN_ERR_FORMAT,
               "'prec.jpg': JPEG decode failed");
    cr_assert_null(im.data);
    /* Truncated scan data: libjpeg only warns and pads with gray; refused. */
    expect_err(gn_image_decode(j, n * 6 / 10, 3, "cut.jpg", &im, &err), GN_ERR_FORMAT,
               "'cut.jpg': JPEG decode failed");
    cr_assert_not_null(strstr(err.msg, "Premature end"), "%s", err.msg);
    /* Garbage after the SOI marker. */
    memset(bad + 3, 0x5A, n - 3);
    expect_err(gn_image_decode(bad, n, 3, "junk.jpg", &im, &err), GN_ERR_FORMAT,
               "JPEG decode failed");
    expect_err(gn_image_decode(j, 3, 3, "three.jpg", &im, &err), GN_ERR_FORMAT,
               "JPEG decode failed");
    free(bad);
    free(j);
    /* Truncated PNG */
    const uint8_t c[3] = {1, 2, 3};
    uint8_t *p = solid_png(40, 40, 3, c, &n);
    expect_err(gn_image_decode(p, n * 6 / 10, 3, "cut.png", &im, &err), GN_ERR_FORMAT,
               "'cut.png': PNG decode failed");
    expect_err(gn_image_decode(p, 20, 3, "tiny.png", &im, &err), GN_ERR_FORMAT,
               "PNG truncated (20 bytes)");
    p[40] ^= 0xFF; /* inside IDAT: a CRC error */
    expect_err(gn_image_decode(p, n, 3, "crc.png", &im, &err), GN_ERR_FORMAT, "PNG decode failed");
    free(p);
    /* Not images */
    expect_err(gn_image_decode((const uint8_t *)"hello world", 11, 3, "text.png", &im, &err),
               GN_ERR_FORMAT, "'text.png' is not a PNG or JPEG image");
    expect_err(gn_image_decode((const uint8_t *)"", 0, 3, "zero.png", &im, &err), GN_ERR_FORMAT,
               "'zero.png': empty file");
}

Test(data_imagefolder, absurd_and_zero_dimensions) {
    gn_image im;
    uint8_t hdr[64];
    size_t n = png_header_only(hdr, 20000, 20000);
    expect_err(gn_image_decode(hdr, n, 3, "huge.png", &im, &err), GN_ERR_FORMAT,
               "PNG image of absurd size 20000 x 20000 (at most 16384 per side)");
    n = png_header_only(hdr, 9000, 9000); /* 81 Mpixel: over the decoded-pixel cap */
    expect_err(gn_image_decode(hdr, n, 3, "bomb.png", &im, &err), GN_ERR_FORMAT,
               "more than 67108864 pixels");
    n = png_header_only(hdr, 0, 5);
    expect_err(gn_image_decode(hdr, n, 3, "zero.png", &im, &err), GN_ERR_FORMAT,
               "PNG image of zero size (0 x 5)");
    /* A JPEG whose SOF claims 20000 x 20000 */
    const uint8_t g = 9;
    uint8_t *j = solid_jpeg(8, 8, 1, &g, &n);
    size_t sof = jpeg_sof(j, n);
    j[sof + 1] = 0x4E, j[sof + 2] = 0x20; /* height */
    j[sof + 3] = 0x4E, j[sof + 4] = 0x20; /* width */
    expect_err(gn_image_decode(j, n, 3, "huge.jpg", &im, &err), GN_ERR_FORMAT,
               "JPEG image of absurd size 20000 x 20000");
    free(j);
}

Test(data_imagefolder, resize_known_values) {
    gn_error e;
    /* 4 x 4 gradient 10 x + 40 y, area-shrunk to 2 x 2: block means */
    uint8_t g[16], out[16];
    for (int y = 0; y < 4; y++)
        for (int x = 0; x < 4; x++)
            g[y * 4 + x] = (uint8_t)(10 * x + 40 * y);
    cr_assert_eq(gn_resize_hwc_to_chw(g, 4, 4, 1, out, 2, 2, &e), GN_OK);
    const uint8_t area[4] = {25, 45, 105, 125};
    cr_assert_arr_eq(out, area, 4);
    /* Non-integer ratio 3 -> 2: footprints of 1.5 pixels */
    const uint8_t r3[3] = {0, 30, 60};
    cr_assert_eq(gn_resize_hwc_to_chw(r3, 1, 3, 1, out, 1, 2, &e), GN_OK);
    cr_assert_eq(out[0], 10); /* (0 * 1 + 30 * 0.5) / 1.5 */
    cr_assert_eq(out[1], 50); /* (30 * 0.5 + 60 * 1) / 1.5 */
    /* Bilinear growth with half-pixel centres: 0 100 -> 0 25 75 100 */
    const uint8_t r2[2] = {0, 100};
    cr_assert_eq(gn_resize_hwc_to_chw(r2, 1, 2, 1, out, 1, 4, &e), GN_OK);
    const uint8_t up[4] = {0, 25, 75, 100};
    cr_assert_arr_eq(out, up, 4);
    /* both axes grow: 2 x 2 {0 100; 100 200} -> 4 x 4, corners kept */
    const uint8_t sq[4] = {0, 100, 100, 200};
    cr_assert_eq(gn_resize_hwc_to_chw(sq, 2, 2, 1, out, 4, 4, &e), GN_OK);
    const uint8_t up2[16] = {0,  25,  75,  100, 25,  50,  100, 125,
                             75, 100, 150, 175, 100, 125, 175, 200};
    cr_assert_arr_eq(out, up2, 16);
    /* Same size: a copy, interleaved RGB becomes planar */
    const uint8_t rgb[6] = {1, 2, 3, 4, 5, 6};
    cr_assert_eq(gn_resize_hwc_to_chw(rgb, 1, 2, 3, out, 1, 2, &e), GN_OK);
    const uint8_t chw[6] = {1, 4, 2, 5, 3, 6};
    cr_assert_arr_eq(out, chw, 6);
}

/* ---- data_imagefolder: archives ----------------------------------------- */

/* faces.zip / faces.tar.gz:
 *   train/dog/a.png         gray 2x2 of 200
 *   train/cat/b.png         RGB 3x3 of (10, 20, 30)
 *   train/cat/c.jpg         RGB 8x8 of (100, 150, 200)
 *   train/bird/x/deep.png   RGBA 2x2 of (50, 60, 70, 128), one folder deeper
 *   train/README.txt, train/cat/notes.txt, train/cat/.hidden.png,
 *   __MACOSX/train/cat/._b.png          skipped
 *   test/cat/t.png (RGB 2x2 of (1, 2, 3)), test/elk/e.png (gray 5x5 of 77) */
static void write_faces(const char *name, int kind) {
    size_t n[6];
    const uint8_t c200 = 200, c10[3] = {10, 20, 30}, c100[3] = {100, 150, 200},
                  c50[4] = {50, 60, 70, 128}, c1[3] = {1, 2, 3}, c77 = 77;
    uint8_t *img[6] = {solid_png(2, 2, 1, &c200, &n[0]), solid_png(3, 3, 3, c10, &n[1]),
                       solid_jpeg(8, 8, 3, c100, &n[2]), solid_png(2, 2, 4, c50, &n[3]),
                       solid_png(2, 2, 3, c1, &n[4]),    solid_png(5, 5, 1, &c77, &n[5])};
    member m[] = {{"train/dog/a.png", img[0], n[0]},
                  {"train/README.txt", "hi\n", 3},
                  {"train/cat/c.jpg", img[2], n[2]},
                  {"train/cat/b.png", img[1], n[1]},
                  {"train/cat/notes.txt", "notes\n", 6},
                  {"train/cat/.hidden.png", "not a png", 9},
                  {"__MACOSX/train/cat/._b.png", "resource fork", 13},
                  {"train/bird/x/deep.png", img[3], n[3]},
                  {"test/elk/e.png", img[5], n[5]},
                  {"test/cat/t.png", img[4], n[4]}};
    write_archive(name, kind, m, sizeof m / sizeof *m);
    for (int i = 0; i < 6; i++)
        free(img[i]);
}

static const char *faces_manifest(const char *archive, const char *extra) {
    char text[1024];
    snprintf(text, sizeof text,
             "[dataset]\nname = faces\nformat = imagefolder\narchive = %s\nsize = 4 4\n%s\n"
             "[split.train]\nroot = train\n[split.test]\nroot = test/\n",
             archive, extra);
    return manifest("faces", text);
}

static void check_plane(const gn_dataset *ds, int k, int c, int value, int tol) {
    const uint8_t *p = ds->pixels + (size_t)k * ds->sample_size + (size_t)c * 16;
    for (int i = 0; i < 16; i++)
        cr_assert(abs(p[i] - value) <= tol, "sample %d channel %d pixel %d: %d, expected %d", k, c,
                  i, p[i], value);
}

static void check_faces_train(const gn_dataset *ds) {
    cr_assert_str_eq(ds->name, "faces/train");
    cr_assert_eq(ds->n_classes, 4);
    const char *classes[4] = {"bird", "cat", "dog", "elk"}; /* sorted; elk only in test */
    for (int i = 0; i < 4; i++)
        cr_assert_str_eq(ds->class_names[i], classes[i]);
    cr_assert_eq(ds->n, 4);
    cr_assert_eq(ds->ndim, 3);
    cr_assert_eq(ds->dims[0], 3);
    cr_assert_eq(ds->dims[1], 4);
    cr_assert_eq(ds->dims[2], 4);
    cr_assert_eq(ds->sample_size, 48);
    /* round-robin over classes: bird/deep, cat/b, dog/a, then cat/c */
    const int labels[4] = {0, 1, 2, 1};
    for (int i = 0; i < 4; i++)
        cr_assert_eq(ds->labels[i], labels[i], "label %d is %d", i, ds->labels[i]);
    const int colour[4][3] = {{50, 60, 70}, {10, 20, 30}, {200, 200, 200}, {100, 150, 200}};
    for (int k = 0; k < 4; k++)
        for (int c = 0; c < 3; c++)
            check_plane(ds, k, c, colour[k][c], k == 3 ? 2 : 0);
    cr_assert_not_null(ds->notes);
    cr_assert_not_null(strstr(ds->notes, "skipped 1 member(s)"), "%s", ds->notes);
    cr_assert_not_null(strstr(ds->notes, "train/cat/notes.txt"), "%s", ds->notes);
    cr_assert_not_null(strstr(ds->notes, "skipped 1 file(s)"), "%s", ds->notes);
    cr_assert_not_null(strstr(ds->notes, "skipped 1 hidden"), "%s", ds->notes);
    cr_assert_not_null(strstr(ds->notes, "not verified"), "%s", ds->notes);
}

Test(data_imagefolder, zip_and_tar_classes_sorted) {
    write_faces("faces.zip", ZIP);
    write_faces("faces.tar.gz", TGZ);
    write_faces("faces.tar", TAR);
    const char *archives[3] = {"faces.zip", "faces.tar.gz", "faces.tar"};
    for (int a = 0; a < 3; a++) {
        const char *p = faces_manifest(archives[a], "channels = 3");
        gn_dataset *ds;
        expect_ok(gn_dataset_load(p, "train", &ds, &err));
        check_faces_train(ds);
        gn_dataset_free(ds);
        expect_ok(gn_dataset_load(p, "test", &ds, &err));
        cr_assert_eq(ds->n, 2);
        cr_assert_eq(ds->n_classes, 4);
        cr_assert_eq(ds->labels[0], 1); /* cat/t */
        cr_assert_eq(ds->labels[1], 3); /* elk/e */
        check_plane(ds, 1, 2, 77, 0);
        gn_dataset_free(ds);
    }
}

Test(data_imagefolder, gray_channels_checksum_and_views) {
    write_faces("faces.zip", ZIP);
    char extra[200];
    snprintf(extra, sizeof extra, "channels = 1\narchive_sha256 = %s", sha_of("faces.zip"));
    const char *p = faces_manifest("faces.zip", extra);
    gn_dataset *ds;
    expect_ok(gn_dataset_load(p, "train", &ds, &err));
    cr_assert_eq(ds->dims[0], 1);
    cr_assert_eq(ds->sample_size, 16);
    cr_assert_eq(ds->pixels[16 + 5], 18); /* cat/b (10, 20, 30) as luma */
    cr_assert_eq(ds->pixels[32], 200);
    cr_assert(ds->notes && !strstr(ds->notes, "not verified"), "%s", ds->notes);
    gn_data *d;
    expect_ok(gn_data_view_new(ds, 0, ds->n, NULL, &d, &err));
    gn_data_info info;
    gn_data_view_info(d, &info);
    cr_assert_eq(info.n_classes, 4);
    cr_assert_eq(info.dims[0], 1);
    cr_assert_eq(info.dims[2], 4);
    gn_batch b;
    expect_ok(gn_data_view_batch(d, 2, 1, &b, &err));
    cr_assert_float_eq(b.x[0], 200.0f / 255.0f, 1e-6);
    cr_assert_eq(b.labels[0], 2);
    gn_data_view_free(d);
    gn_dataset_free(ds);
    snprintf(extra, sizeof extra, "archive_sha256 = %064d", 0);
    p = faces_manifest("faces.zip", extra);
    expect_err(gn_dataset_load(p, "train", &ds, &err), GN_ERR_FORMAT, "sha256 mismatch for '");
    cr_assert_not_null(strstr(err.msg, "faces.zip"), "%s", err.msg);
}

Test(data_imagefolder, class_names_fix_the_classes) {
    write_faces("faces.zip", ZIP);
    const char *p = faces_manifest("faces.zip", "class_names = elk, dog, cat, bird");
    gn_dataset *ds;
    expect_ok(gn_dataset_load(p, "train", &ds, &err));
    cr_assert_str_eq(ds->class_names[0], "elk");
    cr_assert_str_eq(ds->class_names[3], "bird");
    /* round-robin in class order: dog/a, cat/b, bird/deep, cat/c */
    const int labels[4] = {1, 2, 3, 2};
    for (int i = 0; i < 4; i++)
        cr_assert_eq(ds->labels[i], labels[i]);
    gn_dataset_free(ds);
    p = faces_manifest("faces.zip", "class_names = cat, dog, elk");
    expect_err(gn_dataset_load(p, "train", &ds, &err), GN_ERR_FORMAT,
               "folder 'bird' is not one of the class_names");
    cr_assert_not_null(strstr(err.msg, "faces.zip:train/bird/x/deep.png"), "%s", err.msg);
    p = faces_manifest("faces.zip", "classes = 3");
    expect_err(gn_dataset_load(p, "train", &ds, &err), GN_ERR_FORMAT,
               "says classes = 3 but the archive(s) hold 4 class folders");
}

Test(data_imagefolder, split_archives_share_classes) {
    write_faces("faces.zip", ZIP);
    /* test's own archive: its classes still count for train */
    const uint8_t c = 5;
    size_t n;
    uint8_t *png = solid_png(1, 1, 1, &c, &n);
    member m[] = {{"yak/y.png", png, n}};
    write_archive("more.tar", TAR, m, 1);
    free(png);
    const char *p = manifest("two", "[dataset]\nname = two\nformat = imagefolder\n"
                                    "archive = faces.zip\nsize = 2 2\nchannels = 1\n"
                                    "[split.train]\nroot = train\n"
                                    "[split.test]\narchive = more.tar\n");
    gn_dataset *ds;
    expect_ok(gn_dataset_load(p, "train", &ds, &err));
    cr_assert_eq(ds->n_classes, 4);
    cr_assert_str_eq(ds->class_names[3], "yak");
    gn_dataset_free(ds);
    expect_ok(gn_dataset_load(p, "test", &ds, &err));
    cr_assert_eq(ds->n, 1);
    cr_assert_eq(ds->n_classes, 4);
    cr_assert_eq(ds->labels[0], 3);
    cr_assert_eq(ds->pixels[3], 5);
    gn_dataset_free(ds);
}

/* One bad member in an otherwise good archive: the error names it. */
static void expect_member_error(const char *member_name, const void *data, size_t n,
                                const char *substr) {
    const uint8_t g = 1;
    size_t gn;
    uint8_t *good = solid_png(2, 2, 1, &g, &gn);
    member m[] = {{"train/a/good.png", good, gn}, {member_name, data, n}};
    write_archive("bad.zip", ZIP, m, 2);
    free(good);
    const char *p = manifest("bad", "[dataset]\nname = bad\nformat = imagefolder\n"
                                    "archive = bad.zip\nsize = 2 2\n[split.train]\nroot = train\n");
    gn_dataset *ds = (gn_dataset *)1;
    expect_err(gn_dataset_load(p, "train", &ds, &err), GN_ERR_FORMAT, substr);
    cr_assert_null(ds);
    char where[300];
    snprintf(where, sizeof where, "bad.zip:%s", member_name);
    cr_assert_not_null(strstr(err.msg, where), "message '%s' lacks '%s'", err.msg, where);
}

Test(data_imagefolder, bad_members_are_named) {
    size_t n;
    uint8_t *j = noisy_jpeg(32, 32, &n);
    expect_member_error("train/b/cut.jpg", j, n / 2, "JPEG decode failed");
    j[jpeg_sof(j, n)] = 13;
    expect_member_error("train/b/prec.jpeg", j, n, "JPEG decode failed");
    free(j);
    const uint8_t c[3] = {9, 9, 9};
    uint8_t *p = solid_png(30, 30, 3, c, &n);
    expect_member_error("train/b/cut.png", p, n / 2, "PNG decode failed");
    free(p);
    expect_member_error("train/b/text.PNG", "just text\n", 10, "is not a PNG or JPEG image");
    expect_member_error("train/b/empty.png", "", 0, "empty file");
    uint8_t hdr[64];
    n = png_header_only(hdr, 20000, 20000);
    expect_member_error("train/b/huge.png", hdr, n, "absurd size 20000 x 20000");
}

Test(data_imagefolder, archive_level_errors) {
    const uint8_t g = 1;
    size_t n;
    uint8_t *png = solid_png(1, 1, 1, &g, &n);
    member m[] = {{"train/a/x.png", png, n}, {"../evil/y.png", png, n}};
    write_archive("evil.tar", TAR, m, 2);
    write_archive("ok.tar", TAR, m, 1);
    free(png);
    const char *p = manifest("ev", "[dataset]\nname = ev\nformat = imagefolder\n"
                                   "archive = evil.tar\nsize = 2 2\n[split.train]\nroot = train\n");
    gn_dataset *ds;
    expect_err(gn_dataset_load(p, "train", &ds, &err), GN_ERR_FORMAT, "unsafe member path");
    cr_assert_not_null(strstr(err.msg, "evil.tar"), "%s", err.msg);
    p = manifest("ok", "[dataset]\nname = ok\nformat = imagefolder\narchive = ok.tar\n"
                       "size = 2 2\n[split.train]\nroot = nothere\n");
    expect_err(gn_dataset_load(p, "train", &ds, &err), GN_ERR_FORMAT,
               "no .png, .jpg or .jpeg images in class folders under 'nothere/'");
    p = manifest("gone", "[dataset]\nname = gone\nformat = imagefolder\narchive = gone.zip\n"
                         "size = 2 2\n[split.train]\n");
    expect_err(gn_dataset_load(p, "train", &ds, &err), GN_ERR_NOT_FOUND,
               "data file 'gone.zip' not found");
    write_text("notzip.zip", "this is not an archive");
    p = manifest("nz", "[dataset]\nname = nz\nformat = imagefolder\narchive = notzip.zip\n"
                       "size = 2 2\n[split.train]\n");
    expect_err(gn_dataset_load(p, "train", &ds, &err), GN_ERR_FORMAT, "notzip.zip");
}

Test(data_imagefolder, manifest_errors) {
    gn_manifest *m;
    const char *head = "[dataset]\nname = f\nformat = imagefolder\narchive = f.zip\n";
    char text[1024];
    snprintf(text, sizeof text, "%ssize = 64\n[split.train]\n", head);
    expect_err(gn_manifest_load(manifest("a", text), &m, &err), GN_ERR_CONFIG,
               "line 5: size = '64' must be two integers H W in 1..1024");
    snprintf(text, sizeof text, "%ssize = 8 8\nchannels = 2\n[split.train]\n", head);
    expect_err(gn_manifest_load(manifest("b", text), &m, &err), GN_ERR_CONFIG,
               "line 6: channels = '2' must be 1 (gray) or 3 (RGB)");
    snprintf(text, sizeof text, "%s[split.train]\n", head);
    expect_err(gn_manifest_load(manifest("c", text), &m, &err), GN_ERR_CONFIG,
               "missing key 'size' in [dataset]");
    snprintf(text, sizeof text,
             "[dataset]\nname = f\nformat = imagefolder\nsize = 8 8\n"
             "archive = f.zip:inner\n[split.train]\n");
    expect_err(gn_manifest_load(manifest("d", text), &m, &err), GN_ERR_CONFIG,
               "archive = 'f.zip:inner' must be a relative file name");
    snprintf(text, sizeof text,
             "[dataset]\nname = f\nformat = imagefolder\nsize = 8 8\n"
             "[split.train]\nroot = a\n");
    expect_err(gn_manifest_load(manifest("e", text), &m, &err), GN_ERR_CONFIG,
               "missing key 'archive' in [split.train]");
    snprintf(text, sizeof text, "%ssize = 8 8\n[split.train]\nroot = ../up\n", head);
    expect_err(gn_manifest_load(manifest("f", text), &m, &err), GN_ERR_CONFIG,
               "root = '../up' must be a relative folder");
    snprintf(text, sizeof text, "%ssize = 8 8\ntargets = y\n[split.train]\n", head);
    expect_err(gn_manifest_load(manifest("g", text), &m, &err), GN_ERR_CONFIG,
               "key 'targets' in [dataset] is not used by format = imagefolder");
    snprintf(text, sizeof text,
             "%ssize = 8 6\nclass_names = a, b\n[split.train]\n"
             "[split.test]\nroot = t\narchive = g.tar\n",
             head);
    expect_ok(gn_manifest_load(manifest("h", text), &m, &err));
    cr_assert_eq(m->fmt, GN_FORMAT_IMAGEFOLDER);
    cr_assert_eq(m->height, 8);
    cr_assert_eq(m->width, 6);
    cr_assert_eq(m->channels, 3);
    cr_assert_eq(m->classes, 2);
    cr_assert_str_eq(m->archive.file, "f.zip");
    cr_assert_str_eq(gn_manifest_split_find(m, "train")->root, "");
    cr_assert_null(gn_manifest_split_find(m, "train")->archive.file);
    cr_assert_str_eq(gn_manifest_split_find(m, "test")->archive.file, "g.tar");
    gn_manifest_free(m);
}

/* ---- data_csv --------------------------------------------------------- */

TestSuite(data_csv, .init = setup, .fini = teardown);

static const char *csv_manifest(const char *dataset_extra, const char *splits) {
    char text[2048];
    snprintf(text, sizeof text, "[dataset]\nname = tab\nformat = csv\n%s\n%s", dataset_extra,
             splits);
    return manifest("tab", text);
}

Test(data_csv, loads_features_and_targets) {
    write_text("data.csv", "\xEF\xBB\xBFx1,x2,name,y\r\n"
                           "1,2.5,foo,3\r\n"
                           "\r\n"
                           "-4e1, 0.5 ,\"bar, baz\",\"6\"\n"
                           "+.25,1E-2,,-7.5\n");
    const char *p =
        csv_manifest("features = x1 x2\ntargets = y", "[split.train]\nfile = data.csv\n");
    gn_dataset *ds;
    expect_ok(gn_dataset_load(p, "train", &ds, &err));
    cr_assert_str_eq(ds->name, "tab/train");
    cr_assert_eq(ds->n, 3);
    cr_assert_eq(ds->ndim, 1);
    cr_assert_eq(ds->dims[0], 2);
    cr_assert_eq(ds->sample_size, 2);
    cr_assert_eq(ds->n_classes, 0);
    cr_assert_null(ds->class_names);
    cr_assert_null(ds->pixels);
    cr_assert_null(ds->labels);
    cr_assert_eq(ds->target_dim, 1);
    const float x[6] = {1, 2.5f, -40, 0.5f, 0.25f, 0.01f}, y[3] = {3, 6, -7.5f};
    for (int i = 0; i < 6; i++)
        cr_assert_eq(ds->values[i], x[i], "value %d: %g", i, ds->values[i]);
    for (int i = 0; i < 3; i++)
        cr_assert_eq(ds->targets[i], y[i]);
    cr_assert_not_null(strstr(ds->notes, "data.csv' not verified"), "%s", ds->notes);
    gn_dataset_free(ds);

    /* Without features: every other column, and 'name' is text. */
    p = csv_manifest("targets = y", "[split.train]\nfile = data.csv\n");
    expect_err(gn_dataset_load(p, "train", &ds, &err), GN_ERR_FORMAT,
               "data.csv:2: column 'name' (3): 'foo' is not a number");
}

Test(data_csv, views_give_regression_batches) {
    write_text("r.csv", "a,t1,b,t2\n1,10,2,20\n3,30,4,40\n5,50,6,60\n");
    const char *p = csv_manifest("targets = t1 t2\nfeatures = b a", "[split.train]\nfile = r.csv");
    gn_dataset *ds;
    expect_ok(gn_dataset_load(p, "train", &ds, &err));
    cr_assert_eq(ds->target_dim, 2);
    gn_data *d;
    expect_ok(gn_data_view_new(ds, 1, 2, "tab/val", &d, &err));
    gn_data_info info;
    gn_data_view_info(d, &info);
    cr_assert_eq(info.n, 2);
    cr_assert_eq(info.ndim, 1);
    cr_assert_eq(info.dims[0], 2);
    cr_assert_eq(info.n_classes, 0);
    cr_assert_eq(info.target_dim, 2);
    gn_batch b;
    expect_ok(gn_data_view_batch(d, 0, 2, &b, &err));
    cr_assert_null(b.labels);
    const float x[4] = {4, 3, 6, 5}, y[4] = {30, 40, 50, 60};
    for (int i = 0; i < 4; i++) {
        cr_assert_float_eq(b.x[i], x[i], 0, "x %d: %g (no scaling by default)", i, b.x[i]);
        cr_assert_float_eq(b.y[i], y[i], 0);
    }
    gn_data_view_set_norm(d, 2.0f, 1.0f);
    gn_rng rng;
    gn_rng_seed(&rng, 3);
    gn_data_view_shuffle(d, &rng);
    expect_ok(gn_data_view_batch(d, 0, 2, &b, &err));
    for (int i = 0; i < 2; i++) { /* rows stay whole through shuffling */
        cr_assert_float_eq(b.x[2 * i], (b.y[2 * i] / 10 + 1) * 2 + 1, 0);
        cr_assert_float_eq(b.y[2 * i + 1], b.y[2 * i] + 10, 0);
    }
    double mean, sd;
    gn_dataset_moments(ds, 0, 3, &mean, &sd);
    cr_assert_float_eq(mean, 3.5, 1e-9);
    cr_assert_float_eq(sd, 1.707825127659933, 1e-9);
    gn_data_view_free(d);
    gn_dataset_free(ds);
}

Test(data_csv, test_fraction_and_test_files) {
    char text[512] = "x,y\n";
    for (int i = 0; i < 10; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "%d,%d\n", i, 100 + i);
    write_text("all.csv", text);
    const char *p =
        csv_manifest("targets = y\ntest_fraction = 0.2", "[split.train]\nfile = all.csv");
    gn_dataset *ds;
    expect_ok(gn_dataset_load(p, "train", &ds, &err));
    cr_assert_eq(ds->n, 8);
    cr_assert_eq(ds->values[7], 7);
    gn_dataset_free(ds);
    expect_ok(gn_dataset_load(p, "test", &ds, &err));
    cr_assert_str_eq(ds->name, "tab/test");
    cr_assert_eq(ds->n, 2);
    cr_assert_eq(ds->values[0], 8);
    cr_assert_eq(ds->targets[1], 109);
    gn_dataset_free(ds);
    expect_err(gn_dataset_load(p, "val", &ds, &err), GN_ERR_NOT_FOUND,
               "has no split 'val' (it has: train, test)");
    p = csv_manifest("targets = y\ntest_fraction = 0.05", "[split.train]\nfile = all.csv");
    expect_err(gn_dataset_load(p, "test", &ds, &err), GN_ERR_FORMAT,
               "test_fraction = 0.05 of 10 rows leaves no test rows");
    cr_assert_not_null(strstr(err.msg, "all.csv"), "%s", err.msg);

    /* A test file of its own, gzip-compressed, with its checksum. */
    write_gz("test.csv.gz", "x,y\n42,4200\n", 12);
    char splits[300];
    snprintf(splits, sizeof splits,
             "[split.train]\nfile = all.csv\n[split.test]\nfile = test.csv.gz\nsha256 = %s\n",
             sha_of("test.csv.gz"));
    p = csv_manifest("targets = y", splits);
    expect_ok(gn_dataset_load(p, "test", &ds, &err));
    cr_assert_eq(ds->n, 1);
    cr_assert_eq(ds->values[0], 42);
    cr_assert_eq(ds->targets[0], 4200);
    cr_assert_null(ds->notes, "%s", ds->notes);
    gn_dataset_free(ds);
}

/* Parses text with features x1 x2 and target y; expects an error. */
static void csv_error(const char *text, const char *substr) {
    const char *feat[2] = {"x1", "x2"}, *targ[1] = {"y"};
    gn_csv_table t;
    expect_err(gn_csv_parse(text, strlen(text), "d.csv", (char *const *)feat, 2,
                            (char *const *)targ, 1, &t, &err),
               GN_ERR_FORMAT, substr);
    cr_assert_null(t.features);
    cr_assert_null(t.targets);
}

Test(data_csv, malformed_rows_name_file_and_line) {
    csv_error("x1,x2,y\n1,2,3\n4,5\n", "d.csv:3: 2 columns, but the header has 3");
    csv_error("x1,x2,y\n1,2,3,4\n", "d.csv:2: more than 3 columns, but the header has 3");
    csv_error("x1,x2,y\n1,2,3\n\n4,abc,6\n", "d.csv:4: column 'x2' (2): 'abc' is not a number");
    csv_error("x1,x2,y\n1,NaN,3\n", "d.csv:2: column 'x2' (2): 'NaN' is not finite");
    csv_error("x1,x2,y\n1,2,-inf\n", "d.csv:2: column 'y' (3): '-inf' is not finite");
    csv_error("x1,x2,y\n1,2,1e999\n", "'1e999' is out of float range");
    csv_error("x1,x2,y\n1,2,1e39\n", "'1e39' is out of float range");
    csv_error("x1,x2,y\n1,0x10,3\n", "'0x10' is not a number");
    csv_error("x1,x2,y\n1,1.2.3,3\n", "'1.2.3' is not a number");
    csv_error("x1,x2,y\n1,,3\n", "d.csv:2: column 'x2' (2): empty value");
    csv_error("x1,x2,y\n1,\"2,3\n", "d.csv:2: bad quoting");
    csv_error("x1,x2,y\n1,\"2\"x,3\n", "d.csv:2: bad quoting");
    csv_error("x1,x2,y\n", "d.csv: no data rows after the header");
    csv_error("", "d.csv:1: missing header row");
    csv_error("x1,x2\n1,2\n", "d.csv:1: no column 'y' (named by targets) in the header, which "
                              "has: x1, x2");
    csv_error("x1,y\n1,2\n", "no column 'x2' (named by features)");
    csv_error("x1,,x2,y\n", "d.csv:1: column 2 of the header has no name");
    csv_error("x1,x2,y,x1\n", "d.csv:1: column name 'x1' appears twice (columns 1 and 4)");
    /* A NUL byte: the length is given (strlen would stop there) */
    const char *feat[2] = {"x1", "x2"}, *targ[1] = {"y"};
    gn_csv_table t;
    const char nul[] = "x1,x2,y\n1,2,3\n4\0,5,6\n";
    expect_err(gn_csv_parse(nul, sizeof nul - 1, "d.csv", (char *const *)feat, 2,
                            (char *const *)targ, 1, &t, &err),
               GN_ERR_FORMAT, "d.csv:3: NUL byte");
    /* A line over 1 MiB */
    size_t big = GN_CSV_MAX_LINE + 100;
    char *huge = malloc(big + 32);
    strcpy(huge, "x1,x2,y\n1,2,3\n");
    size_t k = strlen(huge);
    memset(huge + k, '7', big);
    strcpy(huge + k + big, ",1,2\n");
    csv_error(huge, "d.csv:3: line is longer than 1048576 bytes");
    free(huge);
}

Test(data_csv, load_errors_name_the_file) {
    write_text("bad.csv", "x1,x2,y\n1,2,3\n4,5\n");
    const char *p = csv_manifest("features = x1 x2\ntargets = y", "[split.train]\nfile = bad.csv");
    gn_dataset *ds = (gn_dataset *)1;
    expect_err(gn_dataset_load(p, "train", &ds, &err), GN_ERR_FORMAT,
               "bad.csv:3: 2 columns, but the header has 3");
    cr_assert_null(ds);
    cr_assert_not_null(strstr(err.msg, g_dir), "the full path: %s", err.msg);
    p = csv_manifest("features = x1 x3\ntargets = y", "[split.train]\nfile = bad.csv");
    expect_err(gn_dataset_load(p, "train", &ds, &err), GN_ERR_FORMAT,
               "bad.csv:1: no column 'x3' (named by features)");
    char splits[200];
    snprintf(splits, sizeof splits, "[split.train]\nfile = bad.csv\nsha256 = %064d", 0);
    p = csv_manifest("targets = y", splits);
    expect_err(gn_dataset_load(p, "train", &ds, &err), GN_ERR_FORMAT, "sha256 mismatch for '");
}

Test(data_csv, manifest_errors) {
    gn_manifest *m;
    const char *p;
    p = csv_manifest("features = a", "[split.train]\nfile = a.csv");
    expect_err(gn_manifest_load(p, &m, &err), GN_ERR_CONFIG, "missing key 'targets' in [dataset]");
    p = csv_manifest("targets = y\nfeatures = a y", "[split.train]\nfile = a.csv");
    expect_err(gn_manifest_load(p, &m, &err), GN_ERR_CONFIG,
               "column 'y' is both a feature and a target");
    p = csv_manifest("targets = y y", "[split.train]\nfile = a.csv");
    expect_err(gn_manifest_load(p, &m, &err), GN_ERR_CONFIG, "targets names column 'y' twice");
    p = csv_manifest("targets = y\nclasses = 3", "[split.train]\nfile = a.csv");
    expect_err(gn_manifest_load(p, &m, &err), GN_ERR_CONFIG,
               "key 'classes' in [dataset] is not used by format = csv");
    p = csv_manifest("targets = y\ntest_fraction = 1.5", "[split.train]\nfile = a.csv");
    expect_err(gn_manifest_load(p, &m, &err), GN_ERR_CONFIG,
               "line 5: test_fraction = '1.5' must be a number between 0 and 1");
    p = csv_manifest("targets = y\ntest_fraction = 0.1",
                     "[split.train]\nfile = a.csv\n[split.test]\nfile = b.csv");
    expect_err(gn_manifest_load(p, &m, &err), GN_ERR_CONFIG,
               "give [split.train] and no [split.test]");
    p = csv_manifest("targets = y", "[split.train]\nfiles = a.csv");
    expect_err(gn_manifest_load(p, &m, &err), GN_ERR_CONFIG,
               "key 'files' in [split.train] is not used by format = csv");
    p = csv_manifest("targets = y", "[split.train]\nsha256 = ");
    expect_err(gn_manifest_load(p, &m, &err), GN_ERR_CONFIG, "missing key 'file' in [split.train]");
    p = csv_manifest("targets = y", "[split.train]\nfile = a.csv\nfile = b.csv");
    expect_err(gn_manifest_load(p, &m, &err), GN_ERR_CONFIG, "key 'file' given twice");
    p = csv_manifest("targets = y1\n  y2\nfeatures = a b\n  c ; comment",
                     "[split.train]\nfile = pack.zip:t/a.csv");
    expect_ok(gn_manifest_load(p, &m, &err));
    cr_assert_eq(m->fmt, GN_FORMAT_CSV);
    cr_assert_eq(m->classes, 0);
    cr_assert_eq(m->n_targets, 2);
    cr_assert_str_eq(m->targets[1], "y2");
    cr_assert_eq(m->n_features, 3);
    cr_assert_str_eq(m->features[2], "c");
    const gn_manifest_split *s = gn_manifest_split_find(m, "train");
    cr_assert_eq(s->n_files, 1);
    cr_assert_str_eq(s->files[0].file, "pack.zip");
    cr_assert_str_eq(s->files[0].member, "t/a.csv");
    gn_manifest_free(m);
}

Test(data_csv, image_moments) {
    gn_dataset ds = {0};
    uint8_t px[4] = {0, 0, 255, 255};
    ds.n = 2;
    ds.sample_size = 2;
    ds.pixels = px;
    double mean, sd;
    gn_dataset_moments(&ds, 0, 2, &mean, &sd);
    cr_assert_float_eq(mean, 127.5, 1e-12);
    cr_assert_float_eq(sd, 127.5, 1e-12);
    gn_dataset_moments(&ds, 1, 1, &mean, &sd);
    cr_assert_float_eq(mean, 255, 1e-12);
    cr_assert_float_eq(sd, 1, 0, "a constant gives sd 1");
}
