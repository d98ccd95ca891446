/* Ganglion host: the per-format loaders behind gn_dataset_load and the
 * helpers they share (internal to data/).
 *
 * Each loader fills ds (already named, otherwise zeroed) from a manifest
 * split; on failure ds may be partly filled and the caller frees it with
 * gn_dataset_free. Every error names the file (or ARCHIVE:MEMBER). */
#ifndef GN_HOST_DATA_FORMATS_H
#define GN_HOST_DATA_FORMATS_H

#include <stddef.h>
#include <stdint.h>
#include <ganglion/error.h>

#include "data/dataset.h"
#include "data/manifest.h"

/* CIFAR-10 binary records: 1 label byte then 3 x 32 x 32 pixels. */
#define GN_CIFAR_SIDE 32
#define GN_CIFAR_PIXELS (3 * GN_CIFAR_SIDE * GN_CIFAR_SIDE)
#define GN_CIFAR_RECORD (1 + GN_CIFAR_PIXELS)

gn_status gn_cifar_load(gn_dataset *ds, const gn_manifest *m, const gn_manifest_split *s,
                        gn_error *err);
gn_status gn_imagefolder_load(gn_dataset *ds, const gn_manifest *m, const gn_manifest_split *s,
                              gn_error *err);
/* split may be "test" without a [split.test] when the manifest has
 * test_fraction: then it is the tail of train's rows. */
gn_status gn_csv_load(gn_dataset *ds, const gn_manifest *m, const char *split, gn_error *err);
/* format = function: samples (2) = the point, targets (1) = the function
 * there (plus the manifest's noise in split "train"). data/function.c. */
gn_status gn_function_load(gn_dataset *ds, const gn_manifest *m, const gn_manifest_split *s,
                           gn_error *err);

/* The functions of format = function, by index: gn_function_find gives the
 * index of name (or -1) and, when range is not NULL, its default range
 * x0 x1 y0 y1; gn_function_value evaluates one (NaN for a bad index). */
#define GN_FUNCTION_NAMES "franke, peaks, saddle or sinc"
int gn_function_find(const char *name, double range[4]);
const char *gn_function_name(int f);
double gn_function_value(int f, double x, double y);

/* ---- shared (dataset.c) ------------------------------------------------- */

/* Appends one line (printf-style) to ds->notes. Best effort: dropped when
 * out of memory. */
void gn_dataset_note(gn_dataset *ds, const char *fmt, ...) GN_PRINTF(2, 3);

/* Sets ds->n_classes and a copy of the n names (NULL names: "0", "1", ...). */
gn_status gn_dataset_set_classes(gn_dataset *ds, int n, char *const *names, gn_error *err);

/* Reads the n_files files of a manifest split: plain files on the data
 * path, or ARCHIVE:MEMBER (the members of one archive are read in a single
 * pass over it). Each is checked against its sha256 when the manifest gives
 * one (otherwise a note says it is not verified), then decompressed when
 * compressed (at most max_bytes). On success the caller owns bufs[i] and
 * shown[i] (the name to use in messages: "PATH" or "PATH:MEMBER"), and frees
 * them with free() (also on failure: entries not read are NULL). */
gn_status gn_data_files_read(gn_dataset *ds, const gn_manifest *m, const gn_manifest_file *files,
                             int n_files, size_t max_bytes, uint8_t **bufs, size_t *sizes,
                             char **shown, gn_error *err);

/* Finds archive (a plain file on the data path) and checks its sha256 when
 * the manifest gives one (otherwise notes it is not verified). Writes the
 * path into the caller's out. */
gn_status gn_data_archive_find(gn_dataset *ds, const gn_manifest *m, const gn_manifest_file *f,
                               char *out, size_t outsz, gn_error *err);

#endif
