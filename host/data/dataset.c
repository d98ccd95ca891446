/* Loading a dataset split: manifest -> files -> sha256 -> IDX. */
#include "data/dataset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/idx.h"
#include "data/manifest.h"
#include "data/read.h"
#include "data/search.h"
#include "data/sha256.h"

/* Finds, reads, verifies and decompresses one file of the manifest. Caller
 * owns *out. shown receives the name used in messages. */
static gn_status load_file(const gn_manifest *m, const gn_manifest_file *f, uint8_t **out,
                           size_t *n, char *shown, size_t shown_sz, gn_error *err) {
    *out = NULL;
    *n = 0;
    char path[4096];
    gn_status st = gn_data_find(f->file, m->subdir, path, sizeof path, err);
    if (st != GN_OK) return st;
    uint8_t *stored;
    size_t stored_n;
    if (f->member) {
        snprintf(shown, shown_sz, "%s:%s", path, f->member);
        st = gn_archive_member_read(path, f->member, GN_DATA_MAX_BYTES, &stored, &stored_n, err);
    } else {
        snprintf(shown, shown_sz, "%s", path);
        st = gn_file_read_raw(path, GN_DATA_MAX_BYTES, &stored, &stored_n, err);
    }
    if (st != GN_OK) return st;
    char actual[GN_SHA256_HEX_LEN + 1];
    gn_sha256_buffer(stored, stored_n, actual);
    if (strcmp(actual, f->sha256) != 0) {
        free(stored);
        return gn_error_set(err, GN_ERR_FORMAT,
                            "sha256 mismatch for '%s': expected %s, actual %s (corrupt file, or "
                            "manifest '%s' out of date)",
                            shown, f->sha256, actual, m->path);
    }
    uint8_t *dec;
    st = gn_buffer_decompress(stored, stored_n, shown, GN_DATA_MAX_BYTES, &dec, n, err);
    if (st != GN_OK || dec != stored) free(stored);
    if (st != GN_OK) return st;
    *out = dec;
    return GN_OK;
}

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

static gn_status set_meta(gn_dataset *ds, const gn_manifest *m, const char *split, gn_error *err) {
    size_t len = strlen(m->name) + strlen(split) + 2;
    ds->name = malloc(len);
    ds->class_names = calloc((size_t)m->classes, sizeof *ds->class_names);
    if (!ds->name || !ds->class_names) return gn_error_set(err, GN_ERR_NOMEM, "out of memory");
    snprintf(ds->name, len, "%s/%s", m->name, split);
    ds->n_classes = m->classes;
    for (int i = 0; i < m->classes; i++) {
        char num[16];
        snprintf(num, sizeof num, "%d", i);
        ds->class_names[i] = strdup(m->class_names ? m->class_names[i] : num);
        if (!ds->class_names[i]) return gn_error_set(err, GN_ERR_NOMEM, "out of memory");
    }
    return GN_OK;
}

static gn_status load_split(gn_dataset *ds, const gn_manifest *m, const gn_manifest_split *s,
                            gn_error *err) {
    char img_name[4200], lab_name[4200];
    uint8_t *img = NULL, *lab = NULL;
    size_t img_n, lab_n;
    gn_idx idx;
    gn_status st = load_file(m, &s->images, &img, &img_n, img_name, sizeof img_name, err);
    if (st == GN_OK) st = gn_idx_parse(img, img_n, img_name, &idx, err);
    if (st == GN_OK) {
        st = set_images(ds, img, &idx, img_name, err);
        if (st == GN_OK) img = NULL; /* now ds->pixels */
    }
    if (st == GN_OK) st = load_file(m, &s->labels, &lab, &lab_n, lab_name, sizeof lab_name, err);
    if (st == GN_OK) st = gn_idx_parse(lab, lab_n, lab_name, &idx, err);
    if (st == GN_OK) st = set_labels(ds, &idx, lab_name, img_name, err);
    free(img);
    free(lab);
    return st;
}

gn_status gn_dataset_load(const char *manifest_name_or_path, const char *split, gn_dataset **out,
                          gn_error *err) {
    *out = NULL;
    gn_manifest *m;
    gn_status st = gn_manifest_open(manifest_name_or_path, &m, err);
    if (st != GN_OK) return st;
    const gn_manifest_split *s = gn_manifest_split_find(m, split);
    if (!s) {
        char names[256] = "";
        for (int i = 0; i < m->n_splits; i++) {
            size_t used = strlen(names);
            snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "", m->splits[i].name);
        }
        st = gn_error_set(err, GN_ERR_NOT_FOUND, "dataset '%s' has no split '%s' (it has: %s)",
                          m->name, split ? split : "(null)", names);
        gn_manifest_free(m);
        return st;
    }
    gn_dataset *ds = calloc(1, sizeof *ds);
    if (!ds) st = gn_error_set(err, GN_ERR_NOMEM, "out of memory");
    if (st == GN_OK) st = set_meta(ds, m, split, err);
    if (st == GN_OK) st = load_split(ds, m, s, err);
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
    free(ds);
}
