/* Ganglion host: dataset manifests (datasets/NAME.ini).
 *
 * Common keys, for every format:
 *
 *   [dataset]
 *   name = fashion-mnist
 *   format = idx                              ; idx | cifar10 | imagefolder | csv | function
 *   classes = 10                              ; idx, cifar10: required; csv, function: no
 *   class_names = T-shirt/top, Trouser, ...   ; optional; indented lines continue it
 *   subdir = fashion-mnist                    ; optional: DIR/subdir/ is searched first
 *   description = ...                         ; optional, ignored (also url, license)
 *
 * format = idx (MNIST), in each [split.NAME]:
 *   images = train-images-idx3-ubyte.gz
 *   images_sha256 = <64 hex digits of the file as stored>
 *   labels = archive.tar.gz:dir/train-labels   ; ARCHIVE:MEMBER, a member of an archive
 *   labels_sha256 = <sha256 of the member's bytes as stored in the archive>
 *
 * format = cifar10 (the CIFAR-10 binary version), in each [split.NAME]:
 *   files = data_batch_1.bin data_batch_2.bin ; 1..64 names (or ARCHIVE:MEMBER), space-
 *           data_batch_3.bin                  ;   separated; indented lines continue it
 *   sha256 = <hex> <hex> <hex>                ; optional: one per file, same order
 *
 * format = imagefolder (class = first folder under root; PNG or JPEG files):
 *   [dataset] archive = faces.zip             ; a tar, tar.gz, tar.xz or zip on the data path
 *   [dataset] archive_sha256 = <hex>          ; optional
 *   [dataset] size = 64 64                    ; H W of every sample after resizing, 1..1024
 *   [dataset] channels = 3                    ; 1 (gray) or 3 (RGB); default 3
 *   [split.NAME] root = train                 ; optional folder inside the archive
 *   [split.NAME] archive = ... / archive_sha256 = ...   ; optional: overrides [dataset]'s
 *   classes is optional (checked against the folders found); class_names, when given,
 *   fixes the classes and their order, otherwise they are the folders, sorted.
 *
 * format = csv (regression tables: a header row, then numbers):
 *   [dataset] targets = y                     ; 1..1024 column names, space-separated
 *   [dataset] features = x1 x2                ; optional: default all other columns
 *   [dataset] test_fraction = 0.2             ; optional: split "test" = the last 20% of
 *                                             ;   train's rows (then no [split.test])
 *   [split.NAME] file = train.csv             ; or ARCHIVE:MEMBER; .gz etc. decompressed
 *   [split.NAME] sha256 = <hex>               ; optional
 *
 * format = function (synthetic regression data: samples (2) = a point,
 * targets (1) = a well-known function of two inputs there; no files):
 *   [dataset] function = franke               ; franke (on [0,1]^2) | peaks (MATLAB's, [-3,3]^2)
 *                                             ;   | saddle (x^2 - y^2, [-1,1]^2)
 *                                             ;   | sinc (sin(r)/r, [-10,10]^2)
 *   [dataset] range = 0 1 0 1                 ; optional: x0 x1 y0 y1 (default per function)
 *   [dataset] noise = 0.1                     ; optional: std of Gaussian noise added to the
 *                                             ;   targets of split "train" only; default 0
 *   [dataset] seed = 1                        ; optional: the data's own seed, 0..2^31-1
 *   [split.NAME] samples = 2000               ; uniform random points, 1..10^7
 *   [split.NAME] grid = 50                    ; or a regular G x G grid, 2..3000, x
 *                                             ;   varying fastest (sample j*G + i is
 *                                             ;   (x_i, y_j)), corners included
 *
 * A missing optional sha256 means the file is not verified (the loader says
 * so in gn_dataset.notes). Files are found on the data search path
 * (data/search.h). Unknown sections and keys, keys of another format,
 * duplicate keys, unsafe file names (absolute or with ".."), lines longer
 * than GN_MANIFEST_MAX_LINE and files over GN_MANIFEST_MAX_BYTES are
 * errors. */
#ifndef GN_HOST_DATA_MANIFEST_H
#define GN_HOST_DATA_MANIFEST_H

#include <stddef.h>
#include <stdint.h>
#include <ganglion/error.h>

#include "data/sha256.h"

#define GN_MANIFEST_PATH_ENV "GANGLION_MANIFEST_PATH"
#define GN_MANIFEST_MAX_BYTES (1 << 20)
#define GN_MANIFEST_MAX_LINE 190 /* Debian's inih splits lines over 200 bytes */
#define GN_MANIFEST_MAX_CLASSES 65536
#define GN_MANIFEST_MAX_SPLITS 16
#define GN_MANIFEST_MAX_FILES 64         /* cifar10 files per split */
#define GN_MANIFEST_MAX_COLUMNS 1024     /* csv features, and targets */
#define GN_MANIFEST_MAX_SIZE 1024        /* imagefolder height and width */
#define GN_MANIFEST_MAX_SAMPLES 10000000 /* function: samples per split */
#define GN_MANIFEST_MAX_GRID 3000        /* function: grid side */

typedef enum gn_data_format {
    GN_FORMAT_IDX = 0,
    GN_FORMAT_CIFAR10,
    GN_FORMAT_IMAGEFOLDER,
    GN_FORMAT_CSV,
    GN_FORMAT_FUNCTION
} gn_data_format;

typedef struct gn_manifest_file {
    char *file;   /* on the search path: the file, or the archive for ARCHIVE:MEMBER */
    char *member; /* member inside the archive, or NULL for a plain file */
    char sha256[GN_SHA256_HEX_LEN + 1]; /* lowercase hex; "" when not given (optional) */
} gn_manifest_file;

typedef struct gn_manifest_split {
    char *name;              /* "train" for [split.train] */
    gn_manifest_file images; /* idx */
    gn_manifest_file labels; /* idx */
    int n_files;             /* cifar10: `files`; csv: 1 (`file`); others 0 */
    gn_manifest_file *files;
    gn_manifest_file archive; /* imagefolder: this split's archive; .file NULL: [dataset]'s */
    char *root;               /* imagefolder: folder inside the archive; "" for the top */
    int64_t samples;          /* function: random points, or 0 for a grid */
    int grid;                 /* function: grid side G (G * G points), or 0 */
} gn_manifest_split;

typedef struct gn_manifest {
    char *path;         /* the .ini file read */
    char *name;         /* [dataset] name */
    char *format;       /* "idx", "cifar10", "imagefolder", "csv" or "function" */
    int classes;        /* 1..GN_MANIFEST_MAX_CLASSES; 0 for csv, function (and imagefolder
                           when absent) */
    char **class_names; /* classes names, or NULL when class_names is absent */
    char *subdir;       /* "" when absent */
    int n_splits;
    gn_manifest_split *splits;
    /* appended for the formats after idx */
    gn_data_format fmt;
    gn_manifest_file archive; /* imagefolder: [dataset] archive (member always NULL) */
    int height, width;        /* imagefolder: size */
    int channels;             /* imagefolder: 1 or 3 */
    int n_features;           /* csv: 0 when features is absent (all but the targets) */
    char **features;          /* csv: n_features column names, or NULL */
    int n_targets;            /* csv: >= 1 */
    char **targets;           /* csv: n_targets column names */
    double test_fraction;     /* csv: in (0, 1), or 0 when absent */
    int function;             /* function: index for gn_function_value (data/formats.h) */
    double range[4];          /* function: x0 x1 y0 y1, x0 < x1 and y0 < y1 */
    double noise;             /* function: noise std on split train's targets (>= 0) */
    uint64_t seed;            /* function: seed of the points and the noise */
} gn_manifest;

/* Finds a manifest: name_or_path is either a path to a .ini file (it ends in
 * ".ini" or contains '/') or a dataset name looked up as NAME.ini in each
 * folder of GANGLION_MANIFEST_PATH (colon-separated), then the source tree's
 * datasets/ and the installed datasets folder. Writes the path into the
 * caller's out (outsz bytes). */
gn_status gn_manifest_find(const char *name_or_path, char *out, size_t outsz, gn_error *err);

/* Parses and validates the manifest at path. Caller owns *out and frees it
 * with gn_manifest_free. */
gn_status gn_manifest_load(const char *path, gn_manifest **out, gn_error *err);

/* gn_manifest_find then gn_manifest_load. Caller owns *out. */
gn_status gn_manifest_open(const char *name_or_path, gn_manifest **out, gn_error *err);

/* The split named split, or NULL. Borrowed from m. */
const gn_manifest_split *gn_manifest_split_find(const gn_manifest *m, const char *split);

void gn_manifest_free(gn_manifest *m);

#endif
