#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "report/atomic.h"
#include "report/results.h"

typedef struct gn_row {
    int epoch; /* 0 for final results */
    char split[32], name[64];
    double value;
} gn_row;

struct gn_results {
    gn_row *rows;
    int n, cap;
    int epochs;
};

gn_results *gn_results_new(void) {
    return calloc(1, sizeof(gn_results));
}

void gn_results_free(gn_results *r) {
    if (!r) return;
    free(r->rows);
    free(r);
}

static gn_status add(gn_results *r, int epoch, const char *split, const char *name, double v,
                     gn_error *err) {
    for (int i = 0; i < r->n; i++) /* a result reported twice keeps the last value */
        if (r->rows[i].epoch == epoch && !strcmp(r->rows[i].split, split) &&
            !strcmp(r->rows[i].name, name)) {
            r->rows[i].value = v;
            return GN_OK;
        }
    if (r->n == r->cap) {
        int cap = r->cap ? r->cap * 2 : 64;
        gn_row *p = realloc(r->rows, (size_t)cap * sizeof *p);
        if (!p) return gn_error_set(err, GN_ERR_NOMEM, "results: out of memory");
        r->rows = p;
        r->cap = cap;
    }
    gn_row *row = &r->rows[r->n++];
    row->epoch = epoch;
    snprintf(row->split, sizeof row->split, "%s", split);
    snprintf(row->name, sizeof row->name, "%s", name);
    row->value = v;
    if (epoch > r->epochs) r->epochs = epoch;
    return GN_OK;
}

gn_status gn_results_epoch(gn_results *r, int epoch, const gn_metric *m, int n, gn_error *err) {
    for (int i = 0; i < n; i++) {
        const char *name = m[i].name, *split = "train";
        if (!strncmp(name, "val_", 4)) {
            split = "val";
            name += 4;
        }
        gn_status st = add(r, epoch, split, name, m[i].value, err);
        if (st) return st;
    }
    return GN_OK;
}

gn_status gn_results_final(gn_results *r, const char *split, const char *name, double value,
                           gn_error *err) {
    return add(r, 0, split, name, value, err);
}

int gn_results_series(const gn_results *r, const char *split, const char *name, double *x,
                      double *y, int max) {
    int n = 0;
    for (int e = 1; e <= r->epochs && n < max; e++)
        for (int i = 0; i < r->n; i++) {
            const gn_row *row = &r->rows[i];
            if (row->epoch == e && !strcmp(row->split, split) && !strcmp(row->name, name)) {
                x[n] = e;
                y[n++] = row->value;
                break;
            }
        }
    return n;
}

int gn_results_finals(const gn_results *r, const char *split, const char **names, double *values,
                      int max) {
    int n = 0;
    for (int i = 0; i < r->n && n < max; i++)
        if (r->rows[i].epoch == 0 && !strcmp(r->rows[i].split, split)) {
            names[n] = r->rows[i].name;
            values[n++] = r->rows[i].value;
        }
    return n;
}

int gn_results_final_rows(const gn_results *r, const char **splits, const char **names,
                          double *values, int max) {
    int n = 0;
    for (int i = 0; i < r->n && n < max; i++)
        if (r->rows[i].epoch == 0) {
            splits[n] = r->rows[i].split;
            names[n] = r->rows[i].name;
            values[n++] = r->rows[i].value;
        }
    return n;
}

static int seen(const char (*list)[64], int n, const char *s) {
    for (int i = 0; i < n; i++)
        if (!strcmp(list[i], s)) return i;
    return -1;
}

static void put_number(gn_buf *b, double v) {
    if (isfinite(v))
        gn_buf_printf(b, "%.9g", v);
    else
        gn_buf_printf(b, "%s", "null");
}

gn_status gn_results_write_csv(const gn_results *r, const char *path, gn_error *err) {
    char names[32][64];
    int nn = 0;
    for (int i = 0; i < r->n && nn < 32; i++)
        if (r->rows[i].epoch > 0 && seen((const char(*)[64])names, nn, r->rows[i].name) < 0)
            snprintf(names[nn++], 64, "%s", r->rows[i].name);
    gn_buf b = {0};
    gn_buf_printf(&b, "epoch,split");
    for (int k = 0; k < nn; k++)
        gn_buf_printf(&b, ",%s", names[k]);
    gn_buf_printf(&b, "\n");
    static const char *const splits[] = {"train", "val"};
    for (int e = 1; e <= r->epochs; e++)
        for (int s = 0; s < 2; s++) {
            double vals[32];
            int any = 0;
            for (int k = 0; k < nn; k++)
                vals[k] = NAN;
            for (int i = 0; i < r->n; i++) {
                const gn_row *row = &r->rows[i];
                int k = seen((const char(*)[64])names, nn, row->name);
                if (row->epoch == e && !strcmp(row->split, splits[s]) && k >= 0) {
                    vals[k] = row->value;
                    any = 1;
                }
            }
            if (!any) continue;
            gn_buf_printf(&b, "%d,%s", e, splits[s]);
            for (int k = 0; k < nn; k++) {
                if (isnan(vals[k]))
                    gn_buf_printf(&b, ",");
                else
                    gn_buf_printf(&b, ",%.9g", vals[k]);
            }
            gn_buf_printf(&b, "\n");
        }
    gn_status st = b.failed ? gn_error_set(err, GN_ERR_NOMEM, "results: out of memory")
                            : gn_write_atomic(path, b.data, b.len, err);
    gn_buf_free(&b);
    return st;
}

static void put_string(gn_buf *b, const char *s) {
    gn_buf_printf(b, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            gn_buf_printf(b, "\\%c", c);
        else if (c < 0x20)
            gn_buf_printf(b, "\\u%04x", c);
        else
            gn_buf_printf(b, "%c", c);
    }
    gn_buf_printf(b, "\"");
}

gn_status gn_results_write_summary(const gn_results *r, const char *path, const char *name,
                                   int64_t params, double wall_seconds, const char *status,
                                   gn_error *err) {
    gn_buf b = {0};
    gn_buf_printf(&b, "{\n  \"name\": ");
    put_string(&b, name);
    gn_buf_printf(&b, ",\n  \"status\": ");
    put_string(&b, status);
    gn_buf_printf(&b, ",\n  \"params\": %lld,\n  \"wall_seconds\": %.3f,\n  \"epochs\": %d",
                  (long long)params, wall_seconds, r->epochs);
    /* One object per split of final results, then the last epoch's metrics. */
    char splits[16][64];
    int ns = 0;
    for (int i = 0; i < r->n && ns < 16; i++)
        if (r->rows[i].epoch == 0 && seen((const char(*)[64])splits, ns, r->rows[i].split) < 0)
            snprintf(splits[ns++], 64, "%s", r->rows[i].split);
    for (int s = 0; s < ns; s++) {
        gn_buf_printf(&b, ",\n  ");
        put_string(&b, splits[s]);
        gn_buf_printf(&b, ": {");
        int first = 1;
        for (int i = 0; i < r->n; i++) {
            const gn_row *row = &r->rows[i];
            if (row->epoch != 0 || strcmp(row->split, splits[s])) continue;
            gn_buf_printf(&b, "%s", first ? "" : ", ");
            put_string(&b, row->name);
            gn_buf_printf(&b, ": ");
            put_number(&b, row->value);
            first = 0;
        }
        gn_buf_printf(&b, "}");
    }
    if (r->epochs > 0) {
        gn_buf_printf(&b, ",\n  \"last_epoch\": {");
        int first = 1;
        for (int i = 0; i < r->n; i++) {
            const gn_row *row = &r->rows[i];
            /* wall time already has its own key */
            if (row->epoch != r->epochs || !strcmp(row->name, "wall_seconds")) continue;
            gn_buf_printf(&b, "%s\"%s%s\": ", first ? "" : ", ",
                          strcmp(row->split, "val") ? "" : "val_", row->name);
            put_number(&b, row->value);
            first = 0;
        }
        gn_buf_printf(&b, "}");
    }
    gn_buf_printf(&b, "\n}\n");
    gn_status st = b.failed ? gn_error_set(err, GN_ERR_NOMEM, "results: out of memory")
                            : gn_write_atomic(path, b.data, b.len, err);
    gn_buf_free(&b);
    return st;
}
