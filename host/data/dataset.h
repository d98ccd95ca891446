/* Ganglion host: an in-memory labelled dataset split, loaded from a
 * manifest (data/manifest.h) and files on the data search path. */
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
    int ndim;                  /* per-sample rank: 3 for IDX images (1, 28, 28) */
    int64_t dims[GN_MAX_DIMS]; /* per-sample dims, channels first */
    int64_t sample_size;       /* prod(dims): bytes per sample */
    int n_classes;
    char **class_names; /* n_classes names (manifest's, or "0", "1", ...) */
    uint8_t *pixels;    /* n * sample_size bytes, sample after sample */
    int32_t *labels;    /* n labels, each in [0, n_classes) */
} gn_dataset;

/* Loads split ("train", "test", ...) of the dataset whose manifest is
 * manifest_name_or_path (see gn_manifest_find). Each file is found on the
 * data search path, checked against the manifest's SHA-256 (of the file as
 * stored), decompressed and parsed as IDX: images N x H x W become samples
 * (1, H, W), N x D become (D); labels must be N values below classes.
 * Caller owns *out and frees it with gn_dataset_free. */
gn_status gn_dataset_load(const char *manifest_name_or_path, const char *split, gn_dataset **out,
                          gn_error *err);

void gn_dataset_free(gn_dataset *ds);

#endif
