/* Ganglion host: CSV tables for regression (format = csv manifests).
 *
 * The text is UTF-8 (an initial BOM is skipped), lines end in LF or CRLF.
 * Line 1 is the header: one non-empty, unique name per column. Every other
 * non-blank line is a row with exactly as many comma-separated fields.
 * Fields may be "quoted" ("" is a quote inside), but not span lines; spaces
 * and tabs around fields are ignored. The columns a manifest names
 * (features and targets) must hold decimal numbers in float range
 * ("-1.5", "2e-3"): empty fields, NaN, inf, hex and other text are errors
 * that give FILE:LINE and the column; other columns are not read. Lines are
 * at most GN_CSV_MAX_LINE bytes.
 *
 * Values are stored as float, in file order. The host applies no
 * per-feature scaling here: a view's batches are x = value * scale + shift
 * with scale 1 and shift 0 unless set (data/split.h). */
#ifndef GN_HOST_DATA_CSV_H
#define GN_HOST_DATA_CSV_H

#include <stddef.h>
#include <stdint.h>
#include <ganglion/error.h>

#define GN_CSV_MAX_LINE ((size_t)1 << 20)
#define GN_CSV_MAX_COLUMNS 100000

typedef struct gn_csv_table {
    int64_t rows;
    int n_features, n_targets;
    float *features; /* rows x n_features */
    float *targets;  /* rows x n_targets */
} gn_csv_table;

/* Parses the n bytes of CSV text at buf (what names the file in messages).
 * targets names the n_targets (>= 1) target columns; features the
 * n_features feature columns, or NULL (n_features 0) for every column that
 * is not a target, in file order. Caller owns out->features and
 * out->targets (free()); both NULL on failure. */
gn_status gn_csv_parse(const char *buf, size_t n, const char *what, char *const *features,
                       int n_features, char *const *targets, int n_targets, gn_csv_table *out,
                       gn_error *err);

#endif
