/* Plots of toy runs through the SDK's gn_plot: the landscape with the
 * optimizers' paths (a loss curve in 1-D, contours in 2-D) and the loss per
 * step. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "toyproblems.h"

#define CURVE_SAMPLES 600
#define GRID_W 121
#define GRID_H 101
#define FAR 1e6 /* points of a diverging path beyond this do not set the view */

static gn_status range_key(const gn_section *s, const char *key, int *fixed, double *r,
                           gn_error *err) {
    const char *text = gn_section_str(s, key);
    *fixed = 0;
    if (!text || !text[0]) return GN_OK;
    int n;
    gn_status st = gn_toy_numbers(s, key, NULL, r, 2, &n, err);
    if (st) return st;
    if (n != 2 || !(r[0] < r[1]))
        return gn_toy_config_error(s, key, err, "expected LO HI with LO < HI, got '%s'", text);
    *fixed = 1;
    return GN_OK;
}

gn_status gn_toy_view_parse(const gn_section *s, const gn_toy_fn *f, gn_toy_view *out,
                            gn_error *err) {
    memset(out, 0, sizeof *out);
    gn_status st = range_key(s, "plot_x", &out->fixed_x, out->x, err);
    if (!st) st = range_key(s, "plot_y", &out->fixed_y, out->y, err);
    if (st) return st;
    const char *c = gn_section_str(s, "contours");
    int wide = f->kind == GN_TOY_ROSENBROCK || f->kind == GN_TOY_BEALE ||
               f->kind == GN_TOY_HIMMELBLAU; /* values over several decades */
    out->contours = (c && !strcmp(c, "log")) || ((!c || !strcmp(c, "auto")) && wide)
                        ? GN_PLOT_CONTOUR_LOG
                        : GN_PLOT_CONTOUR_LINEAR;
    return GN_OK;
}

static void grow(double *lo, double *hi, double v) {
    if (!isfinite(v) || fabs(v) > FAR) return;
    *lo = fmin(*lo, v);
    *hi = fmax(*hi, v);
}

/* Range of coordinate d over the paths and the function's own landmarks. */
static void fit(const gn_toy_fn *f, int d, const gn_toy_trace *const *tr, int n, double pad_frac,
                double *r) {
    r[0] = INFINITY;
    r[1] = -INFINITY;
    for (int k = 0; k < n; k++)
        for (int64_t i = 0; i < tr[k]->rows; i++)
            grow(&r[0], &r[1], tr[k]->p[i * f->dim + d]);
    if (f->kind == GN_TOY_PIECEWISE)
        for (int i = 0; i < f->pw.n; i++)
            grow(&r[0], &r[1], f->pw.x[i] + f->center[0]);
    if (f->kind == GN_TOY_GAUSSIANS)
        for (int i = 0; i < f->wells.n; i++) {
            grow(&r[0], &r[1], f->wells.c[i][d] + f->center[d] - 2 * f->wells.width[i]);
            grow(&r[0], &r[1], f->wells.c[i][d] + f->center[d] + 2 * f->wells.width[i]);
        }
    if (!(r[0] <= r[1])) r[0] = -1, r[1] = 1;
    double span = r[1] - r[0];
    if (span < 1e-9) span = fmax(1, fabs(r[0])) * 0.5;
    r[0] -= span * pad_frac;
    r[1] += span * pad_frac;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The loss curve, sampled evenly plus at every breakpoint so kinks are sharp. */
static gn_status curve(gn_plot *pl, const gn_toy_fn *f, const double *xr, gn_error *err) {
    int n = 0;
    double xs[CURVE_SAMPLES + GN_TOY_MAX_POINTS], ys[CURVE_SAMPLES + GN_TOY_MAX_POINTS];
    for (int i = 0; i < CURVE_SAMPLES; i++)
        xs[n++] = xr[0] + (xr[1] - xr[0]) * i / (CURVE_SAMPLES - 1);
    for (int i = 0; f->kind == GN_TOY_PIECEWISE && i < f->pw.n; i++) {
        double x = f->pw.x[i] + f->center[0];
        if (x > xr[0] && x < xr[1]) xs[n++] = x;
    }
    qsort(xs, (size_t)n, sizeof *xs, cmp_double);
    for (int i = 0; i < n; i++)
        ys[i] = gn_toy_eval(f, &xs[i], NULL);
    gn_status st = gn_plot_line(pl, "loss", xs, ys, n, err);
    return st ? st : gn_plot_set_color(pl, 0x555555, err);
}

static gn_status contours(gn_plot *pl, const gn_toy_fn *f, const gn_toy_view *v, const double *xr,
                          const double *yr, gn_error *err) {
    double *vals = malloc(sizeof(double) * GRID_W * GRID_H);
    if (!vals) return gn_error_set(err, GN_ERR_NOMEM, "plot: out of memory");
    for (int j = 0; j < GRID_H; j++)
        for (int i = 0; i < GRID_W; i++) {
            double p[2] = {xr[0] + (xr[1] - xr[0]) * i / (GRID_W - 1),
                           yr[0] + (yr[1] - yr[0]) * j / (GRID_H - 1)};
            vals[j * GRID_W + i] = gn_toy_eval(f, p, NULL);
        }
    gn_status st =
        gn_plot_contour(pl, vals, GRID_W, GRID_H, xr[0], xr[1], yr[0], yr[1], 12, v->contours, err);
    free(vals);
    return st;
}

static gn_status finish(gn_plot *pl, gn_status st, char **svg, size_t *len, gn_error *err) {
    if (!st) st = gn_plot_svg(pl, svg, len, err);
    gn_plot_free(pl);
    return st;
}

gn_status gn_toy_plot_landscape(const gn_toy_fn *f, const gn_toy_view *v, const char *title,
                                const gn_toy_trace *const *traces, const char *const *labels, int n,
                                char **svg, size_t *len, gn_error *err) {
    gn_plot *pl = gn_plot_new(title, "x", f->dim == 1 ? "loss" : "y");
    if (!pl) return gn_error_set(err, GN_ERR_NOMEM, "plot: out of memory");
    double xr[2], yr[2];
    if (v->fixed_x)
        memcpy(xr, v->x, sizeof xr);
    else
        fit(f, 0, traces, n, f->dim == 1 ? 0.08 : 0.12, xr);
    gn_status st = gn_plot_set_xrange(pl, xr[0], xr[1], err);
    if (!st && f->dim == 1) {
        if (v->fixed_y) st = gn_plot_set_yrange(pl, v->y[0], v->y[1], err);
    } else if (!st) {
        if (v->fixed_y)
            memcpy(yr, v->y, sizeof yr);
        else
            fit(f, 1, traces, n, 0.12, yr);
        st = contours(pl, f, v, xr, yr, err);
    }
    for (int k = 0; !st && k < n; k++) {
        const gn_toy_trace *t = traces[k];
        double *x = malloc(sizeof(double) * (size_t)t->rows),
               *y = malloc(sizeof(double) * (size_t)t->rows);
        if (!x || !y) st = gn_error_set(err, GN_ERR_NOMEM, "plot: out of memory");
        for (int64_t i = 0; !st && i < t->rows; i++) {
            x[i] = t->p[i * t->dim];
            y[i] = t->dim == 1 ? t->loss[i] : t->p[i * t->dim + 1];
        }
        if (!st) st = gn_plot_path(pl, labels[k], x, y, t->rows, err);
        free(x);
        free(y);
    }
    /* the curve goes last so the paths keep the palette's first colours,
     * the same as in the loss plot; lines are drawn under paths anyway */
    if (!st && f->dim == 1) st = curve(pl, f, xr, err);
    return finish(pl, st, svg, len, err);
}

gn_status gn_toy_plot_loss(const char *title, const gn_toy_trace *const *traces,
                           const char *const *labels, int n, char **svg, size_t *len,
                           gn_error *err) {
    gn_plot *pl = gn_plot_new(title, "step", "loss");
    if (!pl) return gn_error_set(err, GN_ERR_NOMEM, "plot: out of memory");
    double lo = INFINITY, hi = -INFINITY;
    int positive = 1;
    gn_status st = GN_OK;
    for (int k = 0; !st && k < n; k++) {
        const gn_toy_trace *t = traces[k];
        double *x = malloc(sizeof(double) * (size_t)t->rows);
        if (!x) st = gn_error_set(err, GN_ERR_NOMEM, "plot: out of memory");
        for (int64_t i = 0; !st && i < t->rows; i++) {
            x[i] = (double)i;
            if (!isfinite(t->loss[i])) continue;
            positive &= t->loss[i] > 0;
            lo = fmin(lo, t->loss[i]);
            hi = fmax(hi, t->loss[i]);
        }
        if (!st) st = gn_plot_line(pl, labels[k], x, t->loss, t->rows, err);
        free(x);
    }
    if (!st && positive && lo > 0 && hi / lo >= 100) st = gn_plot_set_log_y(pl, 1, err);
    return finish(pl, st, svg, len, err);
}
