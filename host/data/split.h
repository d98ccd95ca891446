/* Ganglion host: a view of a dataset, the `gn_data` that trainers iterate
 * through gn_host_api (data_info, data_shuffle, data_batch).
 *
 * A view covers samples [first, first + count) of a borrowed gn_dataset in
 * an order it can shuffle. Batches are converted to float on the fly into
 * buffers the view owns and reuses; no copy of the whole set is made:
 *   images (uint8 pixels): x = pixel * scale + shift
 *     default scale 1/255, shift 0; labels = the class ids and
 *     y = the labels as float (one per sample).
 *   tables (float values, csv): x = value * scale + shift, default scale 1,
 *     shift 0 (no scaling: per-feature standardisation is up to the caller);
 *     labels = NULL and y = the regression targets, target_dim per sample.
 * A Keras-style validation split is two views: train = the first
 * (1 - f) * n samples, val = the last f * n. */
#ifndef GN_HOST_DATA_SPLIT_H
#define GN_HOST_DATA_SPLIT_H

#include <stdint.h>
#include <ganglion/error.h>
#include <ganglion/host_api.h>
#include <ganglion/rng.h>

#include "data/dataset.h"

struct gn_data {
    const gn_dataset *ds; /* borrowed: must outlive the view */
    int64_t first;        /* first sample of ds in the view */
    int64_t count;        /* samples in the view */
    int64_t *order;       /* count indices in [0, count): the current order */
    char *name;           /* "fashion-mnist/val" */
    float *x;             /* batch buffers, cap samples each */
    int32_t *labels;
    float *y;
    int64_t cap;
    float scale, shift; /* the normalisation (used directly for float values) */
};

/* Creates a view of samples [first, first + count) of ds (count may be 0),
 * named name (NULL: ds->name), in the identity order, with the default
 * normalisation: scale 1/255, shift 0 for pixels; scale 1, shift 0 for float
 * values. Caller owns *out and frees it with gn_data_view_free (before
 * freeing ds). */
gn_status gn_data_view_new(const gn_dataset *ds, int64_t first, int64_t count, const char *name,
                           gn_data **out, gn_error *err);

/* A view of samples [0, count) of ds without [skip_first, skip_first +
 * skip_count): the training part of one fold of k-fold cross-validation.
 * Caller owns *out. */
gn_status gn_data_view_new_excluding(const gn_dataset *ds, int64_t count, int64_t skip_first,
                                     int64_t skip_count, const char *name, gn_data **out,
                                     gn_error *err);

void gn_data_view_free(gn_data *d);

/* Fills out (struct_size, n, ndim, dims, n_classes, name, target_dim).
 * target_dim is the number of floats of y per sample: 1 for class labels,
 * the number of targets for regression (then n_classes is 0). out->name is
 * borrowed from the view. */
void gn_data_view_info(gn_data *d, gn_data_info *out);

/* x = value * scale + shift (pixels or float values) for the following
 * batches. */
void gn_data_view_set_norm(gn_data *d, float scale, float shift);

/* A new random order (Fisher-Yates from rng) of the view's samples. */
void gn_data_view_shuffle(gn_data *d, gn_rng *rng);

/* Samples start .. start + count - 1 of the current order into out. The
 * arrays are borrowed: valid until the next call on d. out->labels is NULL
 * for regression data. */
gn_status gn_data_view_batch(gn_data *d, int64_t start, int64_t count, gn_batch *out,
                             gn_error *err);

#endif
