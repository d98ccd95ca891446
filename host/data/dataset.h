/* Ganglion host: an in-memory dataset split, loaded from a manifest
 * (data/manifest.h) and files on the data search path.
 *
 * Two kinds of samples:
 *   - images (idx, cifar10, imagefolder): uint8 `pixels`, int32 `labels` in
 *     [0, n_classes), class_names; values and targets are NULL.
 *   - tables (csv, function): float `values` (the features) and float
 *     `targets` (target_dim per sample, for regression); pixels, labels
 *     and class_names are NULL and n_classes is 0.
 *
 * Sample order: idx, cifar10 and csv keep the files' order (cifar10 files
 * one after another, as listed); function grids are row-major (x varies
 * fastest), random points come in the order drawn. imagefolder samples are sorted by class,
 * then path, and then interleaved round-robin over the classes (the first
 * image of each class, then the second of each, ...) so that any tail of
 * the set, such as a validation split, holds every class. */
#ifndef GN_HOST_DATA_DATASET_H
#define GN_HOST_DATA_DATASET_H

#include <stddef.h>
#include <stdint.h>
#include <ganglion/abi.h>
#include <ganglion/error.h>

/* Upper bound of one decoded data file (and of one stored file). */
#define GN_DATA_MAX_BYTES ((size_t)1 << 32)

typedef struct gn_dataset {
    char *name;                /* "fashion-mnist/train" */
    int64_t n;                 /* samples */
    int ndim;                  /* per-sample rank: 3 for images (C, H, W), 1 for tables (D) */
    int64_t dims[GN_MAX_DIMS]; /* per-sample dims, channels first */
    int64_t sample_size;       /* prod(dims): values per sample */
    int n_classes;             /* 0 for regression tables */
    char **class_names; /* n_classes names (manifest's, folders', or "0", "1", ...); or NULL */
    uint8_t *pixels;    /* images: n * sample_size bytes, sample after sample; else NULL */
    int32_t *labels;    /* images: n labels, each in [0, n_classes); else NULL */
    /* appended for tables */
    float *values;  /* tables: n * sample_size floats (used when pixels is NULL) */
    float *targets; /* tables: n * target_dim regression targets; else NULL */
    int target_dim; /* tables: targets per sample (>= 1); 0 for images */
    char *notes;    /* NULL, or newline-separated remarks for the log: files not verified
                       (no sha256 in the manifest), archive members skipped, ... */
} gn_dataset;

/* Loads split ("train", "test", ...) of the dataset whose manifest is
 * manifest_name_or_path (see gn_manifest_find). Files are found on the data
 * search path, checked against the manifest's SHA-256 when it gives one (of
 * the file, or archive member, as stored), decompressed and parsed by the
 * manifest's format:
 *   idx: images N x H x W become samples (1, H, W), N x D become (D);
 *        labels must be N values below classes.
 *   cifar10: records of 1 label byte + 3 x 32 x 32 pixels (channel-major)
 *        become samples (3, 32, 32); labels below classes.
 *   imagefolder: PNG and JPEG members (data/image_decode.h) become samples
 *        (channels, H, W) resized to `size` (data/resize.h); class = the
 *        first folder under the split's root.
 *   csv: data/csv.h; samples (n_features), targets (n_targets).
 *   function: no files; samples (2) = points, targets (1) = the function
 *        there (data/function.c).
 * Caller owns *out and frees it with gn_dataset_free. */
gn_status gn_dataset_load(const char *manifest_name_or_path, const char *split, gn_dataset **out,
                          gn_error *err);

void gn_dataset_free(gn_dataset *ds);

/* Mean and (population) standard deviation of every value of samples
 * [first, first + count) of ds, pixels or float values alike: for a
 * single-scale normalisation x = (v - mean) / sd. count 0 gives 0 and 1. */
void gn_dataset_moments(const gn_dataset *ds, int64_t first, int64_t count, double *mean,
                        double *sd);

#endif
