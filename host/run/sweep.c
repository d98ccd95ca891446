/* Sweeps: every combination of the [sweep] axes, each run in its own folder. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "report/atomic.h"
#include "report/curves.h"
#include "report/results.h"
#include "run/sweep.h"

#define GN_SWEEP_MAX_AXES 16
#define GN_SWEEP_MAX_VALUES 64
#define GN_SWEEP_MAX_RUNS 1000
#define GN_SWEEP_MAX_METRICS 16
#define GN_SWEEP_MAX_SETS 64

typedef struct axis {
    const char *key; /* SECTION.KEY */
    char *values[GN_SWEEP_MAX_VALUES];
    int n;
    int lead; /* index of the axis this one moves with (zip), or its own index */
} axis;

typedef struct run_rec {
    int combo, repeat;
    int64_t params;
    double wall;
    char status[16];
    const char *names[GN_SWEEP_MAX_METRICS];
    double values[GN_SWEEP_MAX_METRICS];
    int n;
    char composed[GN_SWEEP_MAX_METRICS][80]; /* "SPLIT.NAME" of splits other than test */
    gn_results *results;
} run_rec;

typedef struct sweep {
    const gn_run_opts *opts;
    axis axes[GN_SWEEP_MAX_AXES];
    int n_axes, n_combos, repeats;
    int kfold; /* > 1: the repeats are the folds, all with the same seed */
    char sort[64];
    char dir[4096];
    run_rec *runs;
    int n_runs;
} sweep;

static char *trim(char *s) {
    while (*s == ' ' || *s == '\t')
        s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
        *--e = '\0';
    return s;
}

static const gn_param_schema sweep_schema[] = {
    GN_PARAM_INT("repeats", "1", 1, 1000, "runs per combination, seeds seed, seed+1, ..."),
    GN_PARAM_STRING("sort", "", "test metric the table is sorted by (default accuracy, else loss)"),
    GN_PARAM_INT("kfold", "0", 0, 100,
                 "k-fold cross-validation: each combination runs once per fold (instead of "
                 "repeats); the table shows mean and std over folds"),
    GN_PARAM_STRING("zip", "", "axes that move together instead of multiplying, space-separated"),
    GN_PARAM_END,
};

static gn_status parse(sweep *sw, const gn_ini *ini, gn_error *err) {
    gn_section *s = gn_ini_find(ini, "sweep");
    const char *extra[GN_SWEEP_MAX_AXES + 1] = {0};
    int ne = 0;
    for (int i = 0; i < gn_section_count(s); i++) {
        const char *key = gn_section_key_at(s, i);
        if (!strchr(key, '.')) continue;
        int line = gn_section_line(s, key);
        if (sw->n_axes == GN_SWEEP_MAX_AXES)
            return gn_error_set(err, GN_ERR_CONFIG, "%s:%d: [sweep] more than %d axes",
                                gn_section_file(s), line, GN_SWEEP_MAX_AXES);
        axis *a = &sw->axes[sw->n_axes++];
        a->key = key;
        extra[ne++] = key;
        char *text = strdup(gn_section_str(s, key)), *save = NULL;
        if (!text) return gn_error_set(err, GN_ERR_NOMEM, "out of memory");
        for (char *v = strtok_r(text, "|", &save); v; v = strtok_r(NULL, "|", &save)) {
            v = trim(v);
            if (!*v || a->n == GN_SWEEP_MAX_VALUES) {
                free(text);
                return gn_error_set(err, GN_ERR_CONFIG, "%s:%d: [sweep] %s: %s", gn_section_file(s),
                                    line, key, *v ? "too many values" : "empty value between '|'");
            }
            if (!(a->values[a->n++] = strdup(v))) {
                free(text);
                return gn_error_set(err, GN_ERR_NOMEM, "out of memory");
            }
        }
        free(text);
        if (!a->n)
            return gn_error_set(err, GN_ERR_CONFIG, "%s:%d: [sweep] %s: no values",
                                gn_section_file(s), line, key);
    }
    gn_section *copy = gn_section_clone(s, err);
    if (!copy) return err->status;
    gn_status st = gn_section_validate(copy, sweep_schema, extra, err);
    sw->repeats = (int)gn_section_int(copy, "repeats");
    sw->kfold = (int)gn_section_int(copy, "kfold");
    if (sw->kfold == 1) {
        gn_section_free(copy);
        return gn_error_set(err, GN_ERR_CONFIG, "%s: [sweep] kfold: needs at least 2 folds",
                            gn_section_file(s));
    }
    if (sw->kfold > 1) sw->repeats = sw->kfold;
    snprintf(sw->sort, sizeof sw->sort, "%s", st ? "" : gn_section_str(copy, "sort"));
    char zip[1024];
    snprintf(zip, sizeof zip, "%s", st ? "" : gn_section_str(copy, "zip"));
    gn_section_free(copy);
    if (st) return st;
    for (int i = 0; i < sw->n_axes; i++)
        sw->axes[i].lead = i;
    int lead = -1;
    for (char *save, *w = strtok_r(zip, " ,", &save); w; w = strtok_r(NULL, " ,", &save)) {
        int k = 0;
        while (k < sw->n_axes && strcmp(sw->axes[k].key, w))
            k++;
        if (k == sw->n_axes)
            return gn_error_set(err, GN_ERR_CONFIG, "%s:%d: [sweep] zip: '%s' is not an axis",
                                gn_section_file(s), gn_section_line(s, "zip"), w);
        if (lead < 0)
            lead = k;
        else if (sw->axes[k].n != sw->axes[lead].n)
            return gn_error_set(err, GN_ERR_CONFIG,
                                "%s:%d: [sweep] zip: %s has %d values but %s has %d",
                                gn_section_file(s), gn_section_line(s, "zip"), w, sw->axes[k].n,
                                sw->axes[lead].key, sw->axes[lead].n);
        sw->axes[k].lead = lead;
    }
    sw->n_combos = 1;
    for (int i = 0; i < sw->n_axes; i++) {
        if (sw->axes[i].lead != i) continue; /* zipped: counted with its lead */
        sw->n_combos *= sw->axes[i].n;
        if (sw->n_combos * sw->repeats > GN_SWEEP_MAX_RUNS)
            return gn_error_set(err, GN_ERR_CONFIG, "%s: [sweep] more than %d runs",
                                gn_section_file(s), GN_SWEEP_MAX_RUNS);
    }
    if (!sw->n_axes)
        return gn_error_set(err, GN_ERR_CONFIG, "%s: [sweep] has no SECTION.KEY = v1 | v2 axes",
                            gn_section_file(s));
    return GN_OK;
}

/* Value index of axis i in combination c (the last axis varies fastest;
 * zipped axes take their lead's index). */
static int value_of(const sweep *sw, int c, int i) {
    i = sw->axes[i].lead;
    for (int k = sw->n_axes - 1; k > i; k--)
        if (sw->axes[k].lead == k) c /= sw->axes[k].n;
    return c % sw->axes[i].n;
}

static void describe(const sweep *sw, int c, char *out, size_t n) {
    size_t off = 0;
    out[0] = '\0';
    for (int i = 0; i < sw->n_axes && off < n; i++)
        off += (size_t)snprintf(out + off, n - off, "%s%s=%s", i ? ", " : "", sw->axes[i].key,
                                sw->axes[i].values[value_of(sw, c, i)]);
}

static int make_dir(const char *path) {
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0755) && errno != EEXIST) return -1;
            *p = '/';
        }
    return mkdir(tmp, 0755) && errno != EEXIST ? -1 : 0;
}

static double find_metric(const run_rec *r, const char *name) {
    for (int i = 0; i < r->n; i++)
        if (!strcmp(r->names[i], name)) return r->values[i];
    return NAN;
}

/* Mean and standard deviation (n - 1) of metric over the repeats of combo c. */
static int combo_stats(const sweep *sw, int c, const char *metric, double *mean, double *sd) {
    double s = 0, s2 = 0;
    int k = 0;
    for (int i = 0; i < sw->n_runs; i++) {
        double v = !strcmp(metric, "params") ? (double)sw->runs[i].params
                   : !strcmp(metric, "wall") ? sw->runs[i].wall
                                             : find_metric(&sw->runs[i], metric);
        if (sw->runs[i].combo != c || isnan(v)) continue;
        s += v;
        s2 += v * v;
        k++;
    }
    *mean = k ? s / k : NAN;
    *sd = k > 1 ? sqrt(fmax(0, (s2 - s * s / k) / (k - 1))) : 0;
    return k;
}

static const char *metric_names[GN_SWEEP_MAX_METRICS];
static int n_metric_names;

static void collect_metric_names(const sweep *sw) {
    n_metric_names = 0;
    for (int i = 0; i < sw->n_runs; i++)
        for (int k = 0; k < sw->runs[i].n; k++) {
            int seen = 0;
            for (int j = 0; j < n_metric_names; j++)
                seen |= !strcmp(metric_names[j], sw->runs[i].names[k]);
            if (!seen && n_metric_names < GN_SWEEP_MAX_METRICS)
                metric_names[n_metric_names++] = sw->runs[i].names[k];
        }
}

static gn_status write_csvs(const sweep *sw, gn_error *err) {
    gn_buf b = {0}, m = {0};
    gn_buf_printf(&b, "run,combo,repeat,status");
    gn_buf_printf(&m, "combo,runs");
    for (int i = 0; i < sw->n_axes; i++) {
        gn_buf_printf(&b, ",%s", sw->axes[i].key);
        gn_buf_printf(&m, ",%s", sw->axes[i].key);
    }
    gn_buf_printf(&b, ",params,wall_seconds");
    gn_buf_printf(&m, ",params,wall_seconds_mean");
    for (int k = 0; k < n_metric_names; k++) {
        const char *pre =
            strncmp(metric_names[k], "val_", 4) && !strchr(metric_names[k], '.') ? "test_" : "";
        gn_buf_printf(&b, ",%s%s", pre, metric_names[k]);
        gn_buf_printf(&m, ",%s%s_mean,%s%s_std", pre, metric_names[k], pre, metric_names[k]);
    }
    gn_buf_printf(&b, "\n");
    gn_buf_printf(&m, "\n");
    for (int i = 0; i < sw->n_runs; i++) {
        const run_rec *r = &sw->runs[i];
        gn_buf_printf(&b, "%d,%d,%d,%s", i + 1, r->combo + 1, r->repeat + 1, r->status);
        for (int a = 0; a < sw->n_axes; a++) /* quoted: model specs contain commas */
            gn_buf_printf(&b, ",\"%s\"", sw->axes[a].values[value_of(sw, r->combo, a)]);
        gn_buf_printf(&b, ",%lld,%.3f", (long long)r->params, r->wall);
        for (int k = 0; k < n_metric_names; k++) {
            double v = find_metric(r, metric_names[k]);
            if (isnan(v))
                gn_buf_printf(&b, ",");
            else
                gn_buf_printf(&b, ",%.9g", v);
        }
        gn_buf_printf(&b, "\n");
    }
    for (int c = 0; c < sw->n_combos; c++) {
        double mean, sd, pm, psd, wm, wsd;
        int k = combo_stats(sw, c, "params", &pm, &psd);
        if (!k) continue;
        combo_stats(sw, c, "wall", &wm, &wsd);
        gn_buf_printf(&m, "%d,%d", c + 1, k);
        for (int a = 0; a < sw->n_axes; a++)
            gn_buf_printf(&m, ",\"%s\"", sw->axes[a].values[value_of(sw, c, a)]);
        gn_buf_printf(&m, ",%.0f,%.3f", pm, wm);
        for (int j = 0; j < n_metric_names; j++) {
            combo_stats(sw, c, metric_names[j], &mean, &sd);
            gn_buf_printf(&m, ",%.9g,%.9g", mean, sd);
        }
        gn_buf_printf(&m, "\n");
    }
    char path[4200];
    gn_status st = b.failed || m.failed ? gn_error_set(err, GN_ERR_NOMEM, "out of memory") : GN_OK;
    snprintf(path, sizeof path, "%s/sweep.csv", sw->dir);
    if (!st) st = gn_write_atomic(path, b.data, b.len, err);
    snprintf(path, sizeof path, "%s/sweep_summary.csv", sw->dir);
    if (!st) st = gn_write_atomic(path, m.data, m.len, err);
    gn_buf_free(&b);
    gn_buf_free(&m);
    return st;
}

static const sweep *sort_sweep;
static const char *sort_metric;

static int cmp_combo(const void *a, const void *b) {
    double ma, mb, s;
    combo_stats(sort_sweep, *(const int *)a, sort_metric, &ma, &s);
    combo_stats(sort_sweep, *(const int *)b, sort_metric, &mb, &s);
    int lower =
        strstr(sort_metric, "loss") || strstr(sort_metric, "mse") || strstr(sort_metric, "mae");
    if (isnan(ma) != isnan(mb)) return isnan(ma) ? 1 : -1;
    if (ma == mb) return *(const int *)a - *(const int *)b;
    return (lower ? ma > mb : ma < mb) ? 1 : -1;
}

static void print_table(const sweep *sw, FILE *out) {
    const char *metric = sw->sort[0] ? sw->sort : NULL;
    for (int k = 0; k < n_metric_names && !metric && sw->kfold > 1; k++)
        if (!strcmp(metric_names[k], "val_accuracy")) metric = "val_accuracy"; /* the CV estimate */
    for (int k = 0; k < n_metric_names && !metric; k++)
        if (!strcmp(metric_names[k], "accuracy")) metric = "accuracy";
    for (int k = 0; k < n_metric_names && !metric; k++)
        if (!strcmp(metric_names[k], "loss")) metric = "loss";
    if (!metric && n_metric_names) metric = metric_names[0];
    if (!metric) metric = "loss";
    int order[GN_SWEEP_MAX_RUNS], n = 0;
    for (int c = 0; c < sw->n_combos; c++)
        order[n++] = c;
    sort_sweep = sw;
    sort_metric = metric;
    qsort(order, (size_t)n, sizeof *order, cmp_combo);
    fprintf(out, "\nsweep: %d combinations x %d %s, sorted by %s%s\n", sw->n_combos, sw->repeats,
            sw->kfold > 1 ? "folds" : "repeats",
            strchr(metric, '.') || !strncmp(metric, "val_", 4) ? "" : "test ", metric);
    fprintf(out, "%-4s %-56s %10s %9s  %-21s", "rank", "setting", "params", "wall s", metric);
    for (int k = 0; k < n_metric_names; k++)
        if (strcmp(metric_names[k], metric)) fprintf(out, "  %-21s", metric_names[k]);
    fputc('\n', out);
    for (int i = 0; i < n; i++) {
        int c = order[i];
        double mean, sd, pm, wm, s;
        if (!combo_stats(sw, c, "params", &pm, &s)) continue;
        combo_stats(sw, c, "wall", &wm, &s);
        char desc[1024], cell[64];
        describe(sw, c, desc, sizeof desc);
        if (strlen(desc) > 56) strcpy(desc + 53, "...");
        combo_stats(sw, c, metric, &mean, &sd);
        snprintf(cell, sizeof cell, sw->repeats > 1 ? "%.4f +- %.4f" : "%.4f", mean, sd);
        fprintf(out, "%-4d %-56s %10.0f %9.2f  %-21s", i + 1, desc, pm, wm, cell);
        for (int k = 0; k < n_metric_names; k++) {
            if (!strcmp(metric_names[k], metric)) continue;
            combo_stats(sw, c, metric_names[k], &mean, &sd);
            snprintf(cell, sizeof cell, sw->repeats > 1 ? "%.4f +- %.4f" : "%.4f", mean, sd);
            fprintf(out, "  %-21s", cell);
        }
        fputc('\n', out);
    }
}

static gn_status write_curves(const sweep *sw, gn_error *err) {
    const gn_results *runs[GN_SWEEP_MAX_RUNS];
    const char *labels[GN_SWEEP_MAX_RUNS];
    static char names[GN_SWEEP_MAX_RUNS][96];
    int n = 0;
    for (int i = 0; i < sw->n_runs; i++) {
        if (sw->runs[i].repeat != 0 || !sw->runs[i].results) continue; /* first seed per combo */
        char desc[1024];
        describe(sw, sw->runs[i].combo, desc, sizeof desc);
        snprintf(names[n], sizeof names[n], "%.90s", desc);
        labels[n] = names[n];
        runs[n++] = sw->runs[i].results;
    }
    static const char *const metrics[] = {"loss", "accuracy", "mae"};
    char *svg = NULL;
    size_t len = 0;
    gn_status st = gn_curves_svg(runs, labels, n, metrics, 3, &svg, &len, err);
    if (st == GN_ERR_NOT_FOUND) return GN_OK;
    char path[4200];
    snprintf(path, sizeof path, "%s/sweep_curves.svg", sw->dir);
    if (!st) st = gn_write_atomic(path, svg, len, err);
    free(svg);
    svg = NULL;
    /* The same runs against wall time: what an optimizer comparison needs. */
    static const char *const loss[] = {"loss"};
    if (!st) st = gn_curves_svg_x(runs, labels, n, loss, 1, "wall_seconds", &svg, &len, err);
    snprintf(path, sizeof path, "%s/sweep_curves_time.svg", sw->dir);
    if (!st) st = gn_write_atomic(path, svg, len, err);
    free(svg);
    return st == GN_ERR_NOT_FOUND ? GN_OK : st;
}

/* Final results: test metrics by name, others (a toy problem's "adam"
 * results, say) as SPLIT.NAME. */
static void add_finals(run_rec *rec, const gn_results *r) {
    const char *splits[GN_SWEEP_MAX_METRICS], *names[GN_SWEEP_MAX_METRICS];
    double values[GN_SWEEP_MAX_METRICS];
    int n = gn_results_final_rows(r, splits, names, values, GN_SWEEP_MAX_METRICS);
    for (int i = 0; i < n && rec->n < GN_SWEEP_MAX_METRICS; i++) {
        if (strcmp(splits[i], "test")) {
            snprintf(rec->composed[rec->n], sizeof rec->composed[0], "%s.%s", splits[i], names[i]);
            rec->names[rec->n] = rec->composed[rec->n];
        } else {
            rec->names[rec->n] = names[i];
        }
        rec->values[rec->n++] = values[i];
    }
}

/* The last epoch's validation metrics, as "val_NAME" columns. */
static void add_last_val(run_rec *rec, const gn_results *r) {
    static const char *const names[] = {"val_loss", "val_accuracy", "val_mae"};
    double x[1 << 12], y[1 << 12];
    for (int k = 0; k < 3 && rec->n < GN_SWEEP_MAX_METRICS; k++) {
        int n = gn_results_series(r, "val", names[k] + 4, x, y, 1 << 12);
        if (!n) continue;
        rec->names[rec->n] = names[k];
        rec->values[rec->n++] = y[n - 1];
    }
}

static gn_status run_all(sweep *sw, const gn_ini *ini, gn_error *err) {
    const gn_run_opts *o = sw->opts;
    const char *seed_text = gn_section_str(gn_ini_find(ini, "experiment"), "seed");
    long long seed = seed_text ? atoll(seed_text) : 42;
    for (int c = 0; c < sw->n_combos; c++)
        for (int r = 0; r < sw->repeats; r++) {
            const char *sets[GN_SWEEP_MAX_SETS + GN_SWEEP_MAX_AXES + 2];
            static char assign[GN_SWEEP_MAX_AXES + 1][2048];
            int ns = 0;
            for (int i = 0; i < o->n_sets && ns < GN_SWEEP_MAX_SETS; i++)
                sets[ns++] = o->sets[i];
            for (int i = 0; i < sw->n_axes; i++) {
                snprintf(assign[i], sizeof assign[i], "%s=%s", sw->axes[i].key,
                         sw->axes[i].values[value_of(sw, c, i)]);
                sets[ns++] = assign[i];
            }
            static char fold_set[2][64];
            if (sw->kfold > 1) {
                snprintf(fold_set[0], sizeof fold_set[0], "data.folds=%d", sw->kfold);
                snprintf(fold_set[1], sizeof fold_set[1], "data.fold=%d", r + 1);
                sets[ns++] = fold_set[0];
                sets[ns++] = fold_set[1];
            } else {
                snprintf(assign[sw->n_axes], sizeof assign[0], "experiment.seed=%lld", seed + r);
                sets[ns++] = assign[sw->n_axes];
            }
            char sub[4200], desc[1024];
            snprintf(sub, sizeof sub, "%s/run-%03d", sw->dir, sw->n_runs + 1);
            describe(sw, c, desc, sizeof desc);
            if (sw->kfold > 1)
                fprintf(o->out, "== run %d/%d: %s (fold %d of %d)\n", sw->n_runs + 1,
                        sw->n_combos * sw->repeats, desc, r + 1, sw->kfold);
            else
                fprintf(o->out, "== run %d/%d: %s (seed %lld)\n", sw->n_runs + 1,
                        sw->n_combos * sw->repeats, desc, seed + r);
            gn_run_opts so = *o;
            so.sets = sets;
            so.n_sets = ns;
            so.out_dir = o->mode == GN_RUN_TRAIN ? sub : NULL;
            so.in_sweep = 1;
            run_rec *rec = &sw->runs[sw->n_runs++];
            memset(rec, 0, sizeof *rec);
            rec->combo = c;
            rec->repeat = r;
            gn_run_report rep = {0};
            gn_status st = gn_run_experiment_report(&so, &rep, err);
            rec->params = rep.params;
            rec->wall = rep.wall_seconds;
            rec->results = rep.results;
            snprintf(rec->status, sizeof rec->status, "%s", rep.status[0] ? rep.status : "failed");
            if (rep.results) {
                add_finals(rec, rep.results);
                add_last_val(rec, rep.results);
            }
            /* A config error repeats in every run; a stop ends the sweep. */
            if (st == GN_ERR_CONFIG || st == GN_ERR_INVALID || st == GN_ERR_CANCELLED)
                return gn_error_prefix(err, "sweep run %d (%s)", sw->n_runs, desc);
            if (st) fprintf(stderr, "ganglion: sweep run %d failed: %s\n", sw->n_runs, err->msg);
            if (o->mode != GN_RUN_TRAIN) r = sw->repeats; /* check/summary: once per combo */
        }
    return GN_OK;
}

gn_status gn_sweep_run(const gn_run_opts *opts, const gn_ini *ini, gn_error *err) {
    sweep sw = {.opts = opts};
    gn_status st = parse(&sw, ini, err);
    if (!st && !(sw.runs = calloc((size_t)(sw.n_combos * sw.repeats), sizeof *sw.runs)))
        st = gn_error_set(err, GN_ERR_NOMEM, "out of memory");
    if (!st && opts->mode == GN_RUN_TRAIN) {
        if (opts->out_dir) {
            snprintf(sw.dir, sizeof sw.dir, "%s", opts->out_dir);
        } else {
            const char *base = strrchr(opts->config, '/');
            char stem[256], stamp[32];
            snprintf(stem, sizeof stem, "%s", base ? base + 1 : opts->config);
            char *dot = strrchr(stem, '.');
            if (dot) *dot = '\0';
            time_t t = time(NULL);
            struct tm tm;
            localtime_r(&t, &tm);
            strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
            snprintf(sw.dir, sizeof sw.dir, "runs/%s-sweep-%s", stem, stamp);
        }
        if (make_dir(sw.dir))
            st = gn_error_set(err, GN_ERR_IO, "%s: cannot create sweep folder: %s", sw.dir,
                              strerror(errno));
    }
    if (!st) st = run_all(&sw, ini, err);
    if (opts->mode == GN_RUN_TRAIN && sw.n_runs) {
        collect_metric_names(&sw);
        gn_error werr = {0};
        if (write_csvs(&sw, &werr) || write_curves(&sw, &werr)) {
            if (!st) *err = werr, st = werr.status;
        }
        print_table(&sw, opts->out);
        fprintf(opts->out, "sweep folder: %s\n", sw.dir);
    }
    for (int i = 0; i < sw.n_runs; i++)
        gn_results_free(sw.runs[i].results);
    free(sw.runs);
    for (int i = 0; i < sw.n_axes; i++)
        for (int k = 0; k < sw.axes[i].n; k++)
            free(sw.axes[i].values[k]);
    return st;
}
