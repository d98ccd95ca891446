/* Views of a dataset: order, shuffling and float batches. */
#include "data/split.h"

#include <stdlib.h>
#include <string.h>

gn_status gn_data_view_new(const gn_dataset *ds, int64_t first, int64_t count, const char *name,
                           gn_data **out, gn_error *err) {
    *out = NULL;
    if (!ds) return gn_error_set(err, GN_ERR_INVALID, "data view: no dataset");
    if (first < 0 || count < 0 || first > ds->n || count > ds->n - first)
        return gn_error_set(err, GN_ERR_INVALID,
                            "data view: samples [%lld, %lld + %lld) are outside '%s' (%lld "
                            "samples)",
                            (long long)first, (long long)first, (long long)count, ds->name,
                            (long long)ds->n);
    gn_data *d = calloc(1, sizeof *d);
    if (!d) return gn_error_set(err, GN_ERR_NOMEM, "out of memory");
    d->ds = ds;
    d->first = first;
    d->count = count;
    d->order = malloc((size_t)(count ? count : 1) * sizeof *d->order);
    d->name = strdup(name ? name : ds->name);
    if (!d->order || !d->name) {
        gn_data_view_free(d);
        return gn_error_set(err, GN_ERR_NOMEM, "out of memory");
    }
    for (int64_t i = 0; i < count; i++)
        d->order[i] = i;
    if (ds->pixels)
        gn_data_view_set_norm(d, 1.0f / 255.0f, 0.0f);
    else
        gn_data_view_set_norm(d, 1.0f, 0.0f);
    *out = d;
    return GN_OK;
}

void gn_data_view_free(gn_data *d) {
    if (!d) return;
    free(d->order);
    free(d->name);
    free(d->x);
    free(d->labels);
    free(d->y);
    free(d);
}

void gn_data_view_info(gn_data *d, gn_data_info *out) {
    memset(out, 0, sizeof *out);
    out->struct_size = sizeof *out;
    out->n = d->count;
    out->ndim = d->ds->ndim;
    for (int i = 0; i < d->ds->ndim && i < GN_MAX_DIMS; i++)
        out->dims[i] = d->ds->dims[i];
    out->n_classes = d->ds->n_classes;
    out->name = d->name;
    out->target_dim = d->ds->labels ? 1 : d->ds->target_dim;
}

void gn_data_view_set_norm(gn_data *d, float scale, float shift) {
    d->scale = scale;
    d->shift = shift;
}

void gn_data_view_shuffle(gn_data *d, gn_rng *rng) {
    if (d->count > 1) gn_rng_shuffle_i64(rng, d->order, d->count);
}

/* Floats of y per sample. */
static size_t y_dim(const gn_dataset *ds) {
    return ds->labels || ds->target_dim < 1 ? 1 : (size_t)ds->target_dim;
}

static gn_status grow(gn_data *d, int64_t count, gn_error *err) {
    if (count <= d->cap) return GN_OK;
    size_t sample = (size_t)d->ds->sample_size, ydim = y_dim(d->ds);
    size_t widest = sample > ydim ? sample : ydim;
    if ((size_t)count > SIZE_MAX / sizeof(float) / widest)
        return gn_error_set(err, GN_ERR_NOMEM, "data batch of %lld samples is too large",
                            (long long)count);
    float *x = realloc(d->x, (size_t)count * (sample ? sample : 1) * sizeof *x);
    if (x) d->x = x;
    int32_t *l = realloc(d->labels, (size_t)count * sizeof *l);
    if (l) d->labels = l;
    float *y = realloc(d->y, (size_t)count * ydim * sizeof *y);
    if (y) d->y = y;
    if (!x || !l || !y)
        return gn_error_set(err, GN_ERR_NOMEM, "out of memory for a batch of %lld samples",
                            (long long)count);
    d->cap = count;
    return GN_OK;
}

gn_status gn_data_view_batch(gn_data *d, int64_t start, int64_t count, gn_batch *out,
                             gn_error *err) {
    memset(out, 0, sizeof *out);
    if (start < 0 || count < 0 || start > d->count || count > d->count - start)
        return gn_error_set(
            err, GN_ERR_INVALID, "batch [%lld, %lld + %lld) is outside '%s' (%lld samples)",
            (long long)start, (long long)start, (long long)count, d->name, (long long)d->count);
    gn_status st = grow(d, count ? count : 1, err);
    if (st != GN_OK) return st;
    const gn_dataset *ds = d->ds;
    size_t sample = (size_t)ds->sample_size, ydim = y_dim(ds);
    for (int64_t i = 0; i < count; i++) {
        int64_t s = d->first + d->order[start + i];
        float *dst = d->x + (size_t)i * sample;
        if (ds->pixels) {
            /* The LUT's own arithmetic, which vectorises where a lookup would not. */
            const uint8_t *restrict src = ds->pixels + (size_t)s * sample;
            const float scale = d->scale, shift = d->shift;
            for (size_t j = 0; j < sample; j++)
                dst[j] = (float)src[j] * scale + shift;
        } else if (ds->values) {
            const float *src = ds->values + (size_t)s * sample;
            for (size_t j = 0; j < sample; j++)
                dst[j] = src[j] * d->scale + d->shift;
        }
        if (ds->labels) {
            d->labels[i] = ds->labels[s];
            d->y[i] = (float)ds->labels[s];
        } else if (ds->targets) {
            memcpy(d->y + (size_t)i * ydim, ds->targets + (size_t)s * ydim, ydim * sizeof *d->y);
        }
    }
    out->n = count;
    out->x = d->x;
    out->labels = ds->labels ? d->labels : NULL;
    out->y = d->y;
    return GN_OK;
}

gn_status gn_data_view_new_excluding(const gn_dataset *ds, int64_t count, int64_t skip_first,
                                     int64_t skip_count, const char *name, gn_data **out,
                                     gn_error *err) {
    if (skip_first < 0 || skip_count < 0 || skip_first + skip_count > count)
        return gn_error_set(err, GN_ERR_INVALID, "%s: cannot leave out samples %lld..%lld of %lld",
                            ds->name, (long long)skip_first, (long long)(skip_first + skip_count),
                            (long long)count);
    gn_status st = gn_data_view_new(ds, 0, count - skip_count, name, out, err);
    if (st) return st;
    /* Indices before the hole stay; those after it move past it. */
    for (int64_t i = skip_first; i < count - skip_count; i++)
        (*out)->order[i] = i + skip_count;
    return GN_OK;
}
