/* CSV tables: header, numeric rows, and the format = csv loader. */
#include "data/csv.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "data/formats.h"

/* Splits line (len bytes, no newline) into fields copied, unquoted and
 * trimmed, into scratch (len + 1 bytes at least). Stores up to max field
 * starts; returns the number of fields (max + 1 when there are more), or
 * -1 for a bad quote. */
static int split_line(const char *line, size_t len, char *scratch, char **fields, int max) {
    const char *p = line, *e = line + len;
    char *o = scratch;
    int count = 0;
    for (;;) {
        while (p < e && (*p == ' ' || *p == '\t'))
            p++;
        char *start = o;
        if (p < e && *p == '"') {
            p++;
            for (;;) {
                if (p == e) return -1; /* unterminated */
                if (*p == '"') {
                    if (p + 1 < e && p[1] == '"') {
                        *o++ = '"';
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                *o++ = *p++;
            }
            while (p < e && (*p == ' ' || *p == '\t'))
                p++;
            if (p < e && *p != ',') return -1; /* text after the closing quote */
        } else {
            while (p < e && *p != ',') {
                if (*p == '"') return -1; /* a quote inside an unquoted field */
                *o++ = *p++;
            }
            while (o > start && (o[-1] == ' ' || o[-1] == '\t'))
                o--;
        }
        *o++ = '\0';
        if (count < max) fields[count] = start;
        count++;
        if (count > max) return max + 1;
        if (p == e) return count;
        p++; /* the comma */
    }
}

/* Parses a decimal number: [sign] digits [. digits] [e [sign] digits].
 * Returns 0 on success, else what is wrong. */
static const char *parse_number(const char *s, float *out) {
    if (!*s) return "empty value";
    const char *p = s;
    if (*p == '+' || *p == '-') p++;
    if (!strcasecmp(p, "nan") || !strcasecmp(p, "inf") || !strcasecmp(p, "infinity"))
        return "is not finite (NaN and inf are not allowed)";
    int digits = 0;
    while (isdigit((unsigned char)*p))
        p++, digits++;
    if (*p == '.') {
        p++;
        while (isdigit((unsigned char)*p))
            p++, digits++;
    }
    if (digits && (*p == 'e' || *p == 'E')) {
        p++;
        if (*p == '+' || *p == '-') p++;
        if (!isdigit((unsigned char)*p)) return "is not a number";
        while (isdigit((unsigned char)*p))
            p++;
    }
    if (!digits || *p) return "is not a number";
    errno = 0;
    char *end;
    double d = strtod(s, &end);
    if (*end) return "is not a number"; /* e.g. a locale with another decimal point */
    if (!isfinite(d) || fabs(d) > FLT_MAX) return "is out of float range";
    *out = (float)d;
    return NULL;
}

/* A line of the text: [*p, end of line), moving *p past its newline. */
static size_t next_line(const char **p, const char *end, const char **line) {
    *line = *p;
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    const char *e = nl ? nl : end;
    *p = nl ? nl + 1 : end;
    if (e > *line && e[-1] == '\r') e--;
    return (size_t)(e - *line);
}

static int is_blank(const char *s, size_t len) {
    for (size_t i = 0; i < len; i++)
        if (!isspace((unsigned char)s[i])) return 0;
    return 1;
}

/* Finds each named column in the header; -1 in col[] when missing. */
static gn_status map_columns(char **header, int n_cols, char *const *names, int n, int *col,
                             const char *key, const char *what, gn_error *err) {
    for (int i = 0; i < n; i++) {
        col[i] = -1;
        for (int c = 0; c < n_cols && col[i] < 0; c++)
            if (strcmp(header[c], names[i]) == 0) col[i] = c;
        if (col[i] < 0) {
            char list[300] = "";
            for (int c = 0; c < n_cols; c++) {
                size_t used = strlen(list);
                if (used + 8 > sizeof list) {
                    snprintf(list + used, sizeof list - used, ", ...");
                    break;
                }
                snprintf(list + used, sizeof list - used, "%s%s", c ? ", " : "", header[c]);
            }
            return gn_error_set(err, GN_ERR_FORMAT,
                                "%s:1: no column '%s' (named by %s) in the header, which has: %s",
                                what, names[i], key, list);
        }
    }
    return GN_OK;
}

gn_status gn_csv_parse(const char *buf, size_t n, const char *what, char *const *features,
                       int n_features, char *const *targets, int n_targets, gn_csv_table *out,
                       gn_error *err) {
    memset(out, 0, sizeof *out);
    const char *p = buf, *end = buf + n;
    if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3;
    const char *nul = memchr(buf, '\0', n);
    if (nul) {
        long line = 1;
        for (const char *q = buf; q < nul; q++)
            line += *q == '\n';
        return gn_error_set(err, GN_ERR_FORMAT, "%s:%ld: NUL byte (not a text file)", what, line);
    }
    const char *line;
    size_t len = next_line(&p, end, &line);
    if (len > GN_CSV_MAX_LINE)
        return gn_error_set(err, GN_ERR_FORMAT, "%s:1: line is longer than %zu bytes", what,
                            GN_CSV_MAX_LINE);
    if (is_blank(line, len))
        return gn_error_set(err, GN_ERR_FORMAT, "%s:1: missing header row (column names)", what);
    /* header */
    char *scratch = malloc(GN_CSV_MAX_LINE + 1);
    char **header = malloc((GN_CSV_MAX_COLUMNS + 1) * sizeof *header);
    char *hdr_text = malloc(len + 1);
    int *role = NULL, *fcol = NULL, *tcol = NULL;
    char **fields = NULL;
    gn_status st = GN_OK;
    if (!scratch || !header || !hdr_text) {
        st = gn_error_set(err, GN_ERR_NOMEM, "out of memory reading '%s'", what);
        goto done;
    }
    int n_cols = split_line(line, len, hdr_text, header, GN_CSV_MAX_COLUMNS);
    if (n_cols < 0) {
        st = gn_error_set(err, GN_ERR_FORMAT, "%s:1: bad quoting in the header", what);
        goto done;
    }
    if (n_cols > GN_CSV_MAX_COLUMNS) {
        st = gn_error_set(err, GN_ERR_FORMAT, "%s:1: more than %d columns", what,
                          GN_CSV_MAX_COLUMNS);
        goto done;
    }
    for (int c = 0; c < n_cols; c++) {
        if (!header[c][0]) {
            st = gn_error_set(err, GN_ERR_FORMAT, "%s:1: column %d of the header has no name", what,
                              c + 1);
            goto done;
        }
        for (int d = 0; d < c; d++)
            if (strcmp(header[c], header[d]) == 0) {
                st = gn_error_set(err, GN_ERR_FORMAT,
                                  "%s:1: column name '%s' appears twice (columns %d and %d)", what,
                                  header[c], d + 1, c + 1);
                goto done;
            }
    }
    role = malloc((size_t)n_cols * sizeof *role);
    tcol = malloc((size_t)n_targets * sizeof *tcol);
    fcol = malloc((size_t)(n_features ? n_features : n_cols) * sizeof *fcol);
    fields = malloc(((size_t)n_cols + 1) * sizeof *fields);
    if (!role || !tcol || !fcol || !fields) {
        st = gn_error_set(err, GN_ERR_NOMEM, "out of memory reading '%s'", what);
        goto done;
    }
    if ((st = map_columns(header, n_cols, targets, n_targets, tcol, "targets", what, err)))
        goto done;
    if (features) {
        if ((st = map_columns(header, n_cols, features, n_features, fcol, "features", what, err)))
            goto done;
    } else {
        n_features = 0;
        for (int c = 0; c < n_cols; c++) {
            int is_target = 0;
            for (int t = 0; t < n_targets; t++)
                is_target |= tcol[t] == c;
            if (!is_target) fcol[n_features++] = c;
        }
        if (!n_features) {
            st = gn_error_set(err, GN_ERR_FORMAT,
                              "%s:1: no feature columns: every column is a target", what);
            goto done;
        }
    }
    for (int c = 0; c < n_cols; c++)
        role[c] = -1;
    for (int f = 0; f < n_features; f++)
        role[fcol[f]] = f;
    for (int t = 0; t < n_targets; t++)
        role[tcol[t]] = n_features + t;
    /* rows */
    int64_t cap = 0;
    long lineno = 1;
    while (p < end) {
        lineno++;
        len = next_line(&p, end, &line);
        if (len > GN_CSV_MAX_LINE) {
            st = gn_error_set(err, GN_ERR_FORMAT, "%s:%ld: line is longer than %zu bytes", what,
                              lineno, GN_CSV_MAX_LINE);
            goto done;
        }
        if (is_blank(line, len)) continue;
        int got = split_line(line, len, scratch, fields, n_cols);
        if (got < 0) {
            st = gn_error_set(err, GN_ERR_FORMAT,
                              "%s:%ld: bad quoting (unterminated quote, text after a closing "
                              "quote, or a quote inside a field; fields cannot span lines)",
                              what, lineno);
            goto done;
        }
        if (got != n_cols) {
            st = gn_error_set(err, GN_ERR_FORMAT, "%s:%ld: %s%d column%s, but the header has %d",
                              what, lineno, got > n_cols ? "more than " : "",
                              got > n_cols ? n_cols : got, got == 1 ? "" : "s", n_cols);
            goto done;
        }
        if (out->rows == cap) {
            int64_t ncap = cap ? 2 * cap : 256;
            size_t per = (size_t)(n_features + n_targets) * sizeof(float);
            if ((uint64_t)ncap * per > GN_DATA_MAX_BYTES) ncap = cap + 1;
            if ((uint64_t)ncap * per > GN_DATA_MAX_BYTES) {
                st = gn_error_set(err, GN_ERR_INVALID, "%s:%ld: more rows than %zu bytes hold",
                                  what, lineno, GN_DATA_MAX_BYTES);
                goto done;
            }
            float *f = realloc(out->features, (size_t)ncap * (size_t)n_features * sizeof *f);
            if (f) out->features = f;
            float *t =
                f ? realloc(out->targets, (size_t)ncap * (size_t)n_targets * sizeof *t) : NULL;
            if (!t) {
                st = gn_error_set(err, GN_ERR_NOMEM, "out of memory reading '%s'", what);
                goto done;
            }
            out->targets = t;
            cap = ncap;
        }
        float *frow = out->features + (size_t)out->rows * (size_t)n_features;
        float *trow = out->targets + (size_t)out->rows * (size_t)n_targets;
        for (int c = 0; c < n_cols; c++) {
            if (role[c] < 0) continue;
            float v;
            const char *why = parse_number(fields[c], &v);
            if (why) {
                st = gn_error_set(err, GN_ERR_FORMAT, "%s:%ld: column '%s' (%d): %s%.40s%s%s", what,
                                  lineno, header[c], c + 1, fields[c][0] ? "'" : "", fields[c],
                                  fields[c][0] ? "' " : "", why);
                goto done;
            }
            if (role[c] < n_features)
                frow[role[c]] = v;
            else
                trow[role[c] - n_features] = v;
        }
        out->rows++;
    }
    if (!out->rows)
        st = gn_error_set(err, GN_ERR_FORMAT, "%s: no data rows after the header", what);
    out->n_features = n_features;
    out->n_targets = n_targets;
done:
    if (st != GN_OK) {
        free(out->features);
        free(out->targets);
        memset(out, 0, sizeof *out);
    }
    free(scratch);
    free(header);
    free(hdr_text);
    free(role);
    free(fcol);
    free(tcol);
    free(fields);
    return st;
}

/* ---- the format = csv loader ---------------------------------------------- */

gn_status gn_csv_load(gn_dataset *ds, const gn_manifest *m, const char *split, gn_error *err) {
    const gn_manifest_split *s = gn_manifest_split_find(m, split);
    int tail = !s; /* "test" from test_fraction: the last rows of train's file */
    if (!s) s = gn_manifest_split_find(m, "train");
    if (!s) return gn_error_set(err, GN_ERR_NOT_FOUND, "%s: no split to read", ds->name);
    uint8_t *buf = NULL;
    size_t n = 0;
    char *shown = NULL;
    gn_status st = gn_data_files_read(ds, m, s->files, 1, GN_DATA_MAX_BYTES, &buf, &n, &shown, err);
    gn_csv_table t = {0};
    if (st == GN_OK)
        st = gn_csv_parse((const char *)buf, n, shown, m->features, m->n_features, m->targets,
                          m->n_targets, &t, err);
    free(buf);
    int64_t first = 0, count = t.rows;
    if (st == GN_OK && m->test_fraction > 0) {
        int64_t n_test = (int64_t)floor(m->test_fraction * (double)t.rows + 1e-9);
        first = tail ? t.rows - n_test : 0;
        count = tail ? n_test : t.rows - n_test;
        if (count == 0)
            st = gn_error_set(err, GN_ERR_FORMAT,
                              "'%s': test_fraction = %g of %lld rows leaves no %s rows", shown,
                              m->test_fraction, (long long)t.rows, tail ? "test" : "train");
    }
    if (st == GN_OK) {
        size_t nf = (size_t)t.n_features, nt = (size_t)t.n_targets;
        if (first) {
            memmove(t.features, t.features + (size_t)first * nf,
                    (size_t)count * nf * sizeof *t.features);
            memmove(t.targets, t.targets + (size_t)first * nt,
                    (size_t)count * nt * sizeof *t.targets);
        }
        float *f = realloc(t.features, (size_t)count * nf * sizeof *f);
        if (f) t.features = f;
        float *g = realloc(t.targets, (size_t)count * nt * sizeof *g);
        if (g) t.targets = g;
        ds->values = t.features;
        ds->targets = t.targets;
        t.features = t.targets = NULL;
        ds->n = count;
        ds->ndim = 1;
        ds->dims[0] = t.n_features;
        ds->sample_size = t.n_features;
        ds->target_dim = t.n_targets;
        ds->n_classes = 0;
    }
    free(t.features);
    free(t.targets);
    free(shown);
    return st;
}
