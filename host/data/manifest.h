/* Ganglion host: dataset manifests (datasets/NAME.ini).
 *
 *   [dataset]
 *   name = fashion-mnist
 *   format = idx
 *   classes = 10
 *   class_names = T-shirt/top, Trouser, ...   ; optional; indented lines continue it
 *   subdir = fashion-mnist                    ; optional: DIR/subdir/ is searched first
 *   description = ...                         ; optional, ignored (also url, license)
 *
 *   [split.train]
 *   images = train-images-idx3-ubyte.gz
 *   images_sha256 = <64 hex digits of the file as stored>
 *   labels = archive.tar.gz:dir/train-labels   ; ARCHIVE:MEMBER, a member of an archive
 *   labels_sha256 = <sha256 of the member's bytes as stored in the archive>
 *
 * Files are found on the data search path (data/search.h). Unknown sections
 * and keys, duplicate keys, unsafe file names (absolute or with ".."), lines
 * longer than GN_MANIFEST_MAX_LINE and files over GN_MANIFEST_MAX_BYTES are
 * errors. */
#ifndef GN_HOST_DATA_MANIFEST_H
#define GN_HOST_DATA_MANIFEST_H

#include <stddef.h>
#include <ganglion/error.h>

#include "data/sha256.h"

#define GN_MANIFEST_PATH_ENV "GANGLION_MANIFEST_PATH"
#define GN_MANIFEST_MAX_BYTES (1 << 20)
#define GN_MANIFEST_MAX_LINE 190 /* Debian's inih splits lines over 200 bytes */
#define GN_MANIFEST_MAX_CLASSES 65536
#define GN_MANIFEST_MAX_SPLITS 16

typedef struct gn_manifest_file {
    char *file;   /* on the search path: the file, or the archive for ARCHIVE:MEMBER */
    char *member; /* member inside the archive, or NULL for a plain file */
    char sha256[GN_SHA256_HEX_LEN + 1]; /* lowercase hex */
} gn_manifest_file;

typedef struct gn_manifest_split {
    char *name; /* "train" for [split.train] */
    gn_manifest_file images;
    gn_manifest_file labels;
} gn_manifest_split;

typedef struct gn_manifest {
    char *path;         /* the .ini file read */
    char *name;         /* [dataset] name */
    char *format;       /* "idx" */
    int classes;        /* 1..GN_MANIFEST_MAX_CLASSES */
    char **class_names; /* classes names, or NULL when class_names is absent */
    char *subdir;       /* "" when absent */
    int n_splits;
    gn_manifest_split *splits;
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
