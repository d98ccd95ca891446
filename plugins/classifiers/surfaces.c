/* Surface plots of a regression on two inputs: the data, the model's
 * prediction and its error as filled contour maps with the same axes.
 * Writes surface_data.svg, surface_prediction.svg, surface_error.svg and
 * the three side by side in surfaces.svg.
 *
 * When the test split is a regular G x G grid (G <= GN_SURF_MAX_GRID;
 * either input varying fastest), the panels are the test targets, the
 * predictions and |prediction - target| at its points. Otherwise the
 * prediction is the model fed a GN_SURF_GRID-sided grid over the test
 * points' bounding box, and data and error are per-cell means of the test
 * targets and of |prediction - target| on a coarser grid (empty cells
 * blank): nothing is interpolated.
 *
 * Axes are in the model's input units, the x that data_batch gives: the
 * raw inputs for tables unless [data] normalize = standard, which maps
 * both inputs through one affine x * scale + shift (the plugin cannot
 * undo it; the surfaces keep their shape, only the tick values change). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ganglion/plot.h>
#include "trainer.h"

#define GN_SURF_GRID 60      /* prediction grid side for scattered test points */
#define GN_SURF_MAX_GRID 200 /* larger test grids are binned */
#define GN_SURF_W 520
#define GN_SURF_H 460

typedef struct surf {
    int64_t n;
    float *x, *y;   /* test inputs (n x 2) and targets */
    const float *p; /* predictions (borrowed) */
    double box[4];  /* x0 x1 y0 y1 of the inputs */
    double mse;
} surf;

/* The side G and the fast-varying input when the n points are a G x G grid
 * of increasing, evenly spaced coordinates; 0 otherwise. */
static int grid_side(const surf *s, int *fast) {
    int g = (int)lround(sqrt((double)s->n));
    if (g < 2 || g > GN_SURF_MAX_GRID || (int64_t)g * g != s->n) return 0;
    for (*fast = 0; *fast < 2; ++*fast) {
        int f = *fast, sl = 1 - f, ok = 1;
        const float *x = s->x;
        /* row 0 gives the fast coordinates, column 0 the slow ones */
        double df = x[2 * 1 + f] - x[f], ds = x[2 * g + sl] - x[sl];
        for (int i = 1; i < g && ok; i++)
            ok = fabs(x[2 * i + f] - x[f] - i * df) <= 1e-3 * fabs(df) && df > 0 &&
                 fabs(x[2 * (int64_t)i * g + sl] - x[sl] - i * ds) <= 1e-3 * fabs(ds) && ds > 0;
        for (int64_t k = 0; k < s->n && ok; k++)
            ok = x[2 * k + f] == x[2 * (k % g) + f] && x[2 * k + sl] == x[2 * (k / g * g) + sl];
        if (ok) return g;
    }
    return 0;
}

/* Reads the test inputs and targets (the predictions are given). */
static gn_status read_test(trainer *t, gn_data *test, int64_t n, surf *s, gn_error *err) {
    s->n = n;
    s->x = malloc((size_t)n * 2 * sizeof *s->x);
    s->y = malloc((size_t)n * sizeof *s->y);
    if (!s->x || !s->y) return gn_error_set(err, GN_ERR_NOMEM, "surfaces: out of memory");
    s->box[0] = s->box[2] = INFINITY;
    s->box[1] = s->box[3] = -INFINITY;
    double se = 0;
    for (int64_t at = 0; at < n; at += t->o.eval_batch) {
        int64_t m = n - at < t->o.eval_batch ? n - at : t->o.eval_batch;
        gn_batch b;
        gn_status st = t->ctx->host->data_batch(test, at, m, &b, err);
        if (st) return st;
        memcpy(s->x + 2 * at, b.x, (size_t)m * 2 * sizeof *s->x);
        memcpy(s->y + at, b.y, (size_t)m * sizeof *s->y);
    }
    for (int64_t k = 0; k < n; k++) {
        for (int c = 0; c < 2; c++) {
            s->box[2 * c] = fmin(s->box[2 * c], s->x[2 * k + c]);
            s->box[2 * c + 1] = fmax(s->box[2 * c + 1], s->x[2 * k + c]);
        }
        se += ((double)s->p[k] - s->y[k]) * ((double)s->p[k] - s->y[k]);
    }
    s->mse = se / (double)n;
    for (int c = 0; c < 2; c++) /* a flat input still needs an axis */
        if (!(s->box[2 * c + 1] > s->box[2 * c])) s->box[2 * c] -= 0.5, s->box[2 * c + 1] += 0.5;
    return GN_OK;
}

/* The model on a w x w grid over the box, into v (w * w, x fastest). */
static gn_status predict_grid(trainer *t, const double *box, int w, double *v, gn_error *err) {
    int64_t n = (int64_t)w * w, bs = t->o.eval_batch;
    float *x = malloc((size_t)bs * 2 * sizeof *x), *y = calloc((size_t)bs, sizeof *y);
    gn_status st = x && y ? GN_OK : gn_error_set(err, GN_ERR_NOMEM, "surfaces: out of memory");
    gn_graph_set_training(t->g, 0);
    for (int64_t at = 0; at < n && !st; at += bs) {
        int64_t m = n - at < bs ? n - at : bs;
        for (int64_t k = 0; k < m; k++) {
            int64_t i = (at + k) % w, j = (at + k) / w;
            x[2 * k] = (float)(box[0] + (box[1] - box[0]) * (double)i / (w - 1));
            x[2 * k + 1] = (float)(box[2] + (box[3] - box[2]) * (double)j / (w - 1));
        }
        gn_batch b = {m, x, NULL, y};
        if ((st = gn_forward_batch(t, &b, x, err))) break;
        const float *out = gn_tensor_cdata(gn_node_value(t->out));
        for (int64_t k = 0; k < m; k++)
            v[at + k] = out[k];
    }
    free(x);
    free(y);
    return st;
}

/* Per-cell means over a k x k partition of the box: of the targets into
 * data, of |prediction - target| into error; NaN for empty cells. */
static gn_status bin_means(const surf *s, int k, double *data, double *error, gn_error *err) {
    int64_t *count = calloc((size_t)k * k, sizeof *count);
    if (!count) return gn_error_set(err, GN_ERR_NOMEM, "surfaces: out of memory");
    for (int64_t c = 0; c < (int64_t)k * k; c++)
        data[c] = error[c] = 0;
    for (int64_t q = 0; q < s->n; q++) {
        int i = (int)((s->x[2 * q] - s->box[0]) / (s->box[1] - s->box[0]) * k);
        int j = (int)((s->x[2 * q + 1] - s->box[2]) / (s->box[3] - s->box[2]) * k);
        int64_t c = (int64_t)(j < k ? j : k - 1) * k + (i < k ? i : k - 1);
        count[c]++;
        data[c] += s->y[q];
        error[c] += fabs((double)s->p[q] - s->y[q]);
    }
    for (int64_t c = 0; c < (int64_t)k * k; c++) {
        data[c] = count[c] ? data[c] / (double)count[c] : NAN;
        error[c] = count[c] ? error[c] / (double)count[c] : NAN;
    }
    free(count);
    return GN_OK;
}

/* One panel: v (w x w) sampled at cell centres (centred) or on the box's
 * corners, drawn over the whole box. */
static gn_status panel(const char *title, const double *v, int w, int centred, const double *box,
                       char **svg, size_t *len, gn_error *err) {
    gn_plot *p = gn_plot_new(title, "input 1", "input 2");
    if (!p) return gn_error_set(err, GN_ERR_NOMEM, "surfaces: out of memory");
    double hx = centred ? (box[1] - box[0]) / (2.0 * w) : 0;
    double hy = centred ? (box[3] - box[2]) / (2.0 * w) : 0;
    gn_status st = gn_plot_set_size(p, GN_SURF_W, GN_SURF_H, err);
    if (!st)
        st = gn_plot_contour(p, v, w, w, box[0] + hx, box[1] - hx, box[2] + hy, box[3] - hy, 0,
                             GN_PLOT_CONTOUR_LINEAR, err);
    if (!st) st = gn_plot_set_xrange(p, box[0], box[1], err);
    if (!st) st = gn_plot_set_yrange(p, box[2], box[3], err);
    if (!st) st = gn_plot_svg(p, svg, len, err);
    gn_plot_free(p);
    return st;
}

/* Writes the three panels and surfaces.svg, their <svg> roots nested side
 * by side (an SVG may contain SVGs). */
static gn_status write_panels(trainer *t, char *const *titles, double *const *v, const int *w,
                              int centred, const double *box, gn_error *err) {
    static const char *const files[3] = {"surface_data.svg", "surface_prediction.svg",
                                         "surface_error.svg"};
    char *svg[3] = {NULL, NULL, NULL};
    size_t len[3] = {0, 0, 0}, total = 200;
    gn_status st = GN_OK;
    for (int k = 0; k < 3 && !st; k++) {
        st = panel(titles[k], v[k], w[k], centred && k != 1, box, &svg[k], &len[k], err);
        if (!st) st = t->ctx->host->artifact(t->ctx->run, files[k], svg[k], len[k], err);
        total += len[k] + 40;
    }
    char *all = st ? NULL : malloc(total);
    if (!st && !all) st = gn_error_set(err, GN_ERR_NOMEM, "surfaces: out of memory");
    if (!st) {
        size_t at = (size_t)snprintf(all, total,
                                     "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
                                     "height=\"%d\" viewBox=\"0 0 %d %d\">\n",
                                     3 * GN_SURF_W, GN_SURF_H, 3 * GN_SURF_W, GN_SURF_H);
        for (int k = 0; k < 3; k++) {
            const char *root = strstr(svg[k], "<svg");
            if (root)
                at += (size_t)snprintf(all + at, total - at, "<svg x=\"%d\" y=\"0\"%s\n",
                                       k * GN_SURF_W, root + 4);
        }
        at += (size_t)snprintf(all + at, total - at, "</svg>\n");
        st = t->ctx->host->artifact(t->ctx->run, "surfaces.svg", all, at, err);
    }
    free(all);
    for (int k = 0; k < 3; k++)
        free(svg[k]);
    return st;
}

gn_status gn_regression_surfaces(trainer *t, gn_data *test, const float *pred, gn_error *err) {
    gn_data_info info = {.struct_size = sizeof info};
    t->ctx->host->data_info(test, &info);
    if (t->tdim != 1 || info.ndim != 1 || info.dims[0] != 2 || info.n < 1) return GN_OK;
    surf s = {.p = pred};
    double *v[3] = {NULL, NULL, NULL};
    gn_status st = read_test(t, test, info.n, &s, err);
    int fast = 0, g = st ? 0 : grid_side(&s, &fast);
    /* scattered points: about 6 per cell, 4..40 cells a side */
    int k = (int)sqrt((double)info.n / 6);
    k = k < 4 ? 4 : k > 40 ? 40 : k;
    int w[3] = {g ? g : k, g ? g : GN_SURF_GRID, g ? g : k};
    for (int i = 0; i < 3 && !st; i++)
        if (!(v[i] = malloc((size_t)w[i] * w[i] * sizeof *v[i])))
            st = gn_error_set(err, GN_ERR_NOMEM, "surfaces: out of memory");
    char titles[3][120];
    if (!st && g) {
        for (int64_t q = 0; q < s.n; q++) { /* to x-fastest order */
            int64_t i = fast ? q / g : q % g, j = fast ? q % g : q / g, c = j * g + i;
            v[0][c] = s.y[q];
            v[1][c] = s.p[q];
            v[2][c] = fabs((double)s.p[q] - s.y[q]);
        }
        snprintf(titles[0], sizeof titles[0], "data: test targets (%d x %d grid)", g, g);
        snprintf(titles[1], sizeof titles[1], "prediction on the test grid (MSE %.3g)", s.mse);
        snprintf(titles[2], sizeof titles[2], "error |prediction - target| (test MSE %.3g)", s.mse);
    } else if (!st) {
        st = bin_means(&s, k, v[0], v[2], err);
        if (!st) st = predict_grid(t, s.box, GN_SURF_GRID, v[1], err);
        snprintf(titles[0], sizeof titles[0], "data: mean test target per cell (%lld points)",
                 (long long)s.n);
        snprintf(titles[1], sizeof titles[1], "prediction on a %d x %d grid (test MSE %.3g)",
                 GN_SURF_GRID, GN_SURF_GRID, s.mse);
        snprintf(titles[2], sizeof titles[2], "mean |prediction - target| per cell (MSE %.3g)",
                 s.mse);
    }
    char *tp[3] = {titles[0], titles[1], titles[2]};
    if (!st) st = write_panels(t, tp, v, w, !g, s.box, err);
    for (int i = 0; i < 3; i++)
        free(v[i]);
    free(s.x);
    free(s.y);
    return st;
}
