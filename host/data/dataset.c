/* Loading a dataset split: manifest -> files -> sha256 -> format loader. */
#include "data/dataset.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/formats.h"
#include "data/idx.h"
#include "data/manifest.h"
#include "data/read.h"
#include "data/search.h"
#include "data/sha256.h"

/* ---- shared helpers ------------------------------------------------------ */

void gn_dataset_note(gn_dataset *ds, const char *fmt, ...) {
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    size_t old = ds->notes ? strlen(ds->notes) : 0, len = strlen(line);
    char *s = realloc(ds->notes, old + len + 2);
    if (!s) return;
    snprintf(s + old, len + 2, "%s%s", old ? "\n" : "", line);
    ds->notes = s;
}

gn_status gn_dataset_set_classes(gn_dataset *ds, int n, char *const *names, gn_error *err) {
    ds->class_names = calloc((size_t)(n ? n : 1), sizeof *ds->class_names);
    if (!ds->class_names) return gn_error_set(err, GN_ERR_NOMEM, "out of memory");
    ds->n_classes = n;
    for (int i = 0; i < n; i++) {
        char num[16];
        snprintf(num, sizeof num, "%d", i);
        ds->class_names[i] = strdup(names ? names[i] : num);
        if (!ds->class_names[i]) return gn_error_set(err, GN_ERR_NOMEM, "out of memory");
    }
    return GN_OK;
}

/* Checks stored (which this takes over) against f's sha256, or notes that
 * there is none, and decompresses it. */
static gn_status verify_and_decode(gn_dataset *ds, const gn_manifest *m, const gn_manifest_file *f,
                                   const char *shown, uint8_t *stored, size_t stored_n,
                                   size_t max_bytes, uint8_t **out, size_t *n, gn_error *err) {
    if (f->sha256[0]) {
        char actual[GN_SHA256_HEX_LEN + 1];
        gn_sha256_buffer(stored, stored_n, actual);
        if (strcmp(actual, f->sha256) != 0) {
            free(stored);
            return gn_error_set(err, GN_ERR_FORMAT,
                                "sha256 mismatch for '%s': expected %s, actual %s (corrupt file, "
                                "or manifest '%s' out of date)",
                                shown, f->sha256, actual, m->path);
        }
    } else {
        gn_dataset_note(ds, "%s: '%s' not verified (manifest '%s' gives no sha256 for it)",
                        ds->name, shown, m->path);
    }
    uint8_t *dec;
    gn_status st = gn_buffer_decompress(stored, stored_n, shown, max_bytes, &dec, n, err);
    if (st != GN_OK || dec != stored) free(stored);
    if (st != GN_OK) return st;
    *out = dec;
    return GN_OK;
}

/* Members wanted from one archive in a single pass. */
typedef struct member_set {
    const gn_manifest_file *files;
    int n_files;
    const char *archive; /* f->file of the members in this pass */
    uint8_t **stored;
    size_t *stored_n;
    int left; /* members still to find */
} member_set;

static int in_pass(const member_set *ms, int i) {
    return ms->files[i].member && strcmp(ms->files[i].file, ms->archive) == 0;
}

static int want_member(const char *member, gn_member_kind kind, void *user) {
    member_set *ms = user;
    (void)kind;
    if (ms->left == 0) return GN_WALK_STOP;
    for (int i = 0; i < ms->n_files; i++)
        if (in_pass(ms, i) && !ms->stored[i] && strcmp(ms->files[i].member, member) == 0)
            return GN_WALK_READ;
    return GN_WALK_SKIP;
}

static gn_status got_member(const char *member, uint8_t *data, size_t n, void *user,
                            gn_error *err) {
    member_set *ms = user;
    for (int i = 0; i < ms->n_files; i++)
        if (in_pass(ms, i) && !ms->stored[i] && strcmp(ms->files[i].member, member) == 0) {
            ms->stored[i] = data; /* a member listed twice gets the same bytes */
            ms->stored_n[i] = n;
            ms->left--;
            for (int j = i + 1; j < ms->n_files; j++)
                if (in_pass(ms, j) && !ms->stored[j] && strcmp(ms->files[j].member, member) == 0) {
                    ms->stored[j] = malloc(n ? n : 1);
                    if (!ms->stored[j]) return gn_error_set(err, GN_ERR_NOMEM, "out of memory");
                    memcpy(ms->stored[j], data, n);
                    ms->stored_n[j] = n;
                    ms->left--;
                }
            return GN_OK;
        }
    free(data);
    return GN_OK;
}

gn_status gn_data_files_read(gn_dataset *ds, const gn_manifest *m, const gn_manifest_file *files,
                             int n_files, size_t max_bytes, uint8_t **bufs, size_t *sizes,
                             char **shown, gn_error *err) {
    if (n_files < 1 || n_files > GN_MANIFEST_MAX_FILES)
        return gn_error_set(err, GN_ERR_INVALID, "%s: %d files to read", ds->name, n_files);
    for (int i = 0; i < n_files; i++) {
        bufs[i] = NULL;
        sizes[i] = 0;
        shown[i] = NULL;
    }
    uint8_t **stored = calloc(GN_MANIFEST_MAX_FILES, sizeof *stored);
    size_t *stored_n = calloc(GN_MANIFEST_MAX_FILES, sizeof *stored_n);
    gn_status st = stored && stored_n ? GN_OK : gn_error_set(err, GN_ERR_NOMEM, "out of memory");
    char path[4096];
    for (int i = 0; st == GN_OK && i < n_files; i++) {
        const gn_manifest_file *f = &files[i];
        if (stored[i]) continue; /* read in an earlier pass */
        if ((st = gn_data_find(f->file, m->subdir, path, sizeof path, err)) != GN_OK) break;
        if (!f->member) {
            st = gn_file_read_raw(path, max_bytes, &stored[i], &stored_n[i], err);
            continue;
        }
        member_set ms = {files, n_files, f->file, stored, stored_n, 0};
        for (int j = i; j < n_files; j++)
            ms.left += in_pass(&ms, j) && !stored[j];
        st = gn_archive_walk(path, max_bytes, want_member, got_member, &ms, err);
        for (int j = i; st == GN_OK && j < n_files; j++)
            if (in_pass(&ms, j) && !stored[j])
                st = gn_error_set(err, GN_ERR_NOT_FOUND, "no member '%s' in archive '%s'",
                                  files[j].member, path);
    }
    for (int i = 0; st == GN_OK && i < n_files; i++) {
        const gn_manifest_file *f = &files[i];
        if ((st = gn_data_find(f->file, m->subdir, path, sizeof path, err)) != GN_OK) break;
        size_t len = strlen(path) + (f->member ? strlen(f->member) + 1 : 0) + 1;
        if (!(shown[i] = malloc(len))) {
            st = gn_error_set(err, GN_ERR_NOMEM, "out of memory");
            break;
        }
        snprintf(shown[i], len, "%s%s%s", path, f->member ? ":" : "", f->member ? f->member : "");
        st = verify_and_decode(ds, m, f, shown[i], stored[i], stored_n[i], max_bytes, &bufs[i],
                               &sizes[i], err);
        stored[i] = NULL; /* taken over */
    }
    for (int i = 0; stored && i < n_files; i++)
        free(stored[i]);
    free(stored);
    free(stored_n);
    return st;
}

gn_status gn_data_archive_find(gn_dataset *ds, const gn_manifest *m, const gn_manifest_file *f,
                               char *out, size_t outsz, gn_error *err) {
    gn_status st = gn_data_find(f->file, m->subdir, out, outsz, err);
    if (st != GN_OK) return st;
    if (!f->sha256[0]) {
        gn_dataset_note(ds, "%s: '%s' not verified (manifest '%s' gives no sha256 for it)",
                        ds->name, out, m->path);
        return GN_OK;
    }
    char actual[GN_SHA256_HEX_LEN + 1];
    if ((st = gn_sha256_file(out, actual, err)) != GN_OK) return st;
    if (strcmp(actual, f->sha256) != 0)
        return gn_error_set(err, GN_ERR_FORMAT,
                            "sha256 mismatch for '%s': expected %s, actual %s (corrupt file, or "
                            "manifest '%s' out of date)",
                            out, f->sha256, actual, m->path);
    return GN_OK;
}

/* ---- idx ----------------------------------------------------------------- */

static gn_status set_images(gn_dataset *ds, uint8_t *buf, const gn_idx *idx, const char *what,
                            gn_error *err) {
    if (idx->ndim == 3) {
        ds->ndim = 3;
        ds->dims[0] = 1;
        ds->dims[1] = idx->dims[1];
        ds->dims[2] = idx->dims[2];
    } else if (idx->ndim == 2) {
        ds->ndim = 1;
        ds->dims[0] = idx->dims[1];
    } else {
        return gn_error_set(err, GN_ERR_FORMAT,
                            "'%s': images must be an IDX of 2 (N x D) or 3 (N x H x W) "
                            "dimensions, not %d",
                            what, idx->ndim);
    }
    ds->n = idx->dims[0];
    ds->sample_size = gn_idx_count(idx) / ds->n;
    size_t bytes = (size_t)(ds->n * ds->sample_size);
    memmove(buf, idx->data, bytes); /* drop the header; the buffer is ours */
    uint8_t *p = realloc(buf, bytes);
    ds->pixels = p ? p : buf;
    return GN_OK;
}

static gn_status set_labels(gn_dataset *ds, const gn_idx *idx, const char *what, const char *images,
                            gn_error *err) {
    if (idx->ndim != 1)
        return gn_error_set(err, GN_ERR_FORMAT,
                            "'%s': labels must be a 1-dimensional IDX, not %d-dimensional", what,
                            idx->ndim);
    if (idx->dims[0] != ds->n)
        return gn_error_set(err, GN_ERR_FORMAT,
                            "label count mismatch: '%s' has %lld labels but '%s' has %lld images",
                            what, (long long)idx->dims[0], images, (long long)ds->n);
    ds->labels = malloc((size_t)ds->n * sizeof *ds->labels);
    if (!ds->labels) return gn_error_set(err, GN_ERR_NOMEM, "out of memory for labels");
    for (int64_t i = 0; i < ds->n; i++) {
        int v = idx->data[i];
        if (v >= ds->n_classes)
            return gn_error_set(err, GN_ERR_FORMAT,
                                "'%s': label %d of sample %lld is not below classes = %d", what, v,
                                (long long)i, ds->n_classes);
        ds->labels[i] = v;
    }
    return GN_OK;
}

static gn_status idx_load(gn_dataset *ds, const gn_manifest *m, const gn_manifest_split *s,
                          gn_error *err) {
    gn_manifest_file files[2] = {s->images, s->labels};
    uint8_t *buf[2] = {NULL, NULL};
    size_t n[2] = {0, 0};
    char *shown[2] = {NULL, NULL};
    gn_idx img, lab;
    gn_status st = gn_dataset_set_classes(ds, m->classes, m->class_names, err);
    if (st == GN_OK)
        st = gn_data_files_read(ds, m, files, 2, GN_DATA_MAX_BYTES, buf, n, shown, err);
    if (st == GN_OK) st = gn_idx_parse(buf[0], n[0], shown[0], &img, err);
    if (st == GN_OK) {
        st = set_images(ds, buf[0], &img, shown[0], err);
        if (st == GN_OK) buf[0] = NULL; /* now ds->pixels */
    }
    if (st == GN_OK) st = gn_idx_parse(buf[1], n[1], shown[1], &lab, err);
    if (st == GN_OK) st = set_labels(ds, &lab, shown[1], shown[0], err);
    for (int i = 0; i < 2; i++) {
        free(buf[i]);
        free(shown[i]);
    }
    return st;
}

/* ---- the entry point ----------------------------------------------------- */

gn_status gn_dataset_load(const char *manifest_name_or_path, const char *split, gn_dataset **out,
                          gn_error *err) {
    *out = NULL;
    gn_manifest *m;
    gn_status st = gn_manifest_open(manifest_name_or_path, &m, err);
    if (st != GN_OK) return st;
    const gn_manifest_split *s = gn_manifest_split_find(m, split);
    int derived = !s && split && m->fmt == GN_FORMAT_CSV && m->test_fraction > 0 &&
                  strcmp(split, "test") == 0;
    if (!s && !derived) {
        char names[256] = "";
        for (int i = 0; i < m->n_splits; i++) {
            size_t used = strlen(names);
            snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "", m->splits[i].name);
        }
        if (m->fmt == GN_FORMAT_CSV && m->test_fraction > 0) {
            size_t used = strlen(names);
            snprintf(names + used, sizeof names - used, ", test");
        }
        st = gn_error_set(err, GN_ERR_NOT_FOUND, "dataset '%s' has no split '%s' (it has: %s)",
                          m->name, split ? split : "(null)", names);
        gn_manifest_free(m);
        return st;
    }
    gn_dataset *ds = calloc(1, sizeof *ds);
    size_t len = strlen(m->name) + strlen(split) + 2;
    if (!ds || !(ds->name = malloc(len))) {
        st = gn_error_set(err, GN_ERR_NOMEM, "out of memory");
    } else {
        snprintf(ds->name, len, "%s/%s", m->name, split);
        switch (m->fmt) {
        case GN_FORMAT_IDX:
            st = idx_load(ds, m, s, err);
            break;
        case GN_FORMAT_CIFAR10:
            st = gn_cifar_load(ds, m, s, err);
            break;
        case GN_FORMAT_IMAGEFOLDER:
            st = gn_imagefolder_load(ds, m, s, err);
            break;
        case GN_FORMAT_CSV:
            st = gn_csv_load(ds, m, split, err);
            break;
        case GN_FORMAT_FUNCTION:
            st = gn_function_load(ds, m, s, err);
            break;
        }
    }
    gn_manifest_free(m);
    if (st != GN_OK) {
        gn_dataset_free(ds);
        return st;
    }
    *out = ds;
    return GN_OK;
}

void gn_dataset_free(gn_dataset *ds) {
    if (!ds) return;
    if (ds->class_names)
        for (int i = 0; i < ds->n_classes; i++)
            free(ds->class_names[i]);
    free(ds->class_names);
    free(ds->name);
    free(ds->pixels);
    free(ds->labels);
    free(ds->values);
    free(ds->targets);
    free(ds->notes);
    free(ds);
}

void gn_dataset_moments(const gn_dataset *ds, int64_t first, int64_t count, double *mean,
                        double *sd) {
    *mean = 0;
    *sd = 1;
    if (!ds || first < 0 || count <= 0 || first > ds->n || count > ds->n - first) return;
    size_t from = (size_t)(first * ds->sample_size), total = (size_t)(count * ds->sample_size);
    if (!total) return;
    double s = 0, s2 = 0;
    if (ds->pixels) {
        uint64_t hist[256] = {0}; /* exact sums for bytes */
        for (size_t i = 0; i < total; i++)
            hist[ds->pixels[from + i]]++;
        for (int v = 0; v < 256; v++) {
            s += (double)hist[v] * v;
            s2 += (double)hist[v] * v * v;
        }
        *mean = s / (double)total;
        s2 = s2 / (double)total - *mean * *mean;
    } else if (ds->values) {
        for (size_t i = 0; i < total; i++)
            s += ds->values[from + i];
        *mean = s / (double)total;
        for (size_t i = 0; i < total; i++) {
            double d = ds->values[from + i] - *mean;
            s2 += d * d;
        }
        s2 /= (double)total;
    }
    *sd = s2 > 1e-24 ? sqrt(s2) : 1;
}
