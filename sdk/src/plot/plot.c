/* The plot object: series, ranges, options. Rendering is in plot_svg.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "plot_impl.h"

/* Okabe-Ito without yellow first: distinct under the common colour-vision
 * deficiencies and readable on white. */
static const uint32_t palette[] = {0x0072B2, 0xE69F00, 0x009E73, 0xD55E00,
                                   0xCC79A7, 0x56B4E9, 0x000000, 0xF0E442};

static char *dup_or_empty(const char *s) {
    if (!s) s = "";
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

gn_plot *gn_plot_new(const char *title, const char *xlabel, const char *ylabel) {
    gn_plot *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->title = dup_or_empty(title);
    p->xlabel = dup_or_empty(xlabel);
    p->ylabel = dup_or_empty(ylabel);
    p->width = 760;
    p->height = 500;
    if (!p->title || !p->xlabel || !p->ylabel) {
        gn_plot_free(p);
        return NULL;
    }
    return p;
}

static void free_grid(gn_plot_grid *g) {
    if (!g) return;
    free(g->v);
    free(g);
}

void gn_plot_free(gn_plot *p) {
    if (!p) return;
    for (int i = 0; i < p->n; i++) {
        free(p->s[i].label);
        free(p->s[i].x);
        free(p->s[i].y);
    }
    free(p->s);
    free_grid(p->grid);
    free(p->title);
    free(p->xlabel);
    free(p->ylabel);
    free(p);
}

/* Index of the first y <= 0 (NaN skipped), or -1. */
static int64_t first_nonpositive(const double *y, int64_t n) {
    for (int64_t i = 0; i < n; i++)
        if (y[i] <= 0) return i;
    return -1;
}

static gn_status add_series(gn_plot *p, int kind, const char *label, const double *x,
                            const double *y, int64_t n, gn_error *err) {
    if (!p) return gn_error_set(err, GN_ERR_INVALID, "plot: plot is NULL");
    if (n < 0 || (n > 0 && (!x || !y)))
        return gn_error_set(err, GN_ERR_INVALID, "plot: series '%s' has no data",
                            label ? label : "");
    if ((uint64_t)n > SIZE_MAX / 2 / sizeof(double))
        return gn_error_set(err, GN_ERR_NOMEM, "plot: series of %lld points is too long",
                            (long long)n);
    int64_t bad = p->log_y ? first_nonpositive(y, n) : -1;
    if (bad >= 0)
        return gn_error_set(err, GN_ERR_INVALID,
                            "plot: series '%s' has y = %g at point %lld; a log-scale axis needs "
                            "values > 0",
                            label ? label : "", y[bad], (long long)bad);
    if (p->n == p->cap) {
        int cap = p->cap ? p->cap * 2 : 8;
        gn_plot_series *s = realloc(p->s, (size_t)cap * sizeof *s);
        if (!s) return gn_error_set(err, GN_ERR_NOMEM, "plot: out of memory");
        p->s = s;
        p->cap = cap;
    }
    gn_plot_series s = {kind,
                        dup_or_empty(label),
                        malloc((size_t)(n ? n : 1) * sizeof(double)),
                        malloc((size_t)(n ? n : 1) * sizeof(double)),
                        n,
                        palette[p->n % (int)(sizeof palette / sizeof *palette)]};
    if (!s.label || !s.x || !s.y) {
        free(s.label);
        free(s.x);
        free(s.y);
        return gn_error_set(err, GN_ERR_NOMEM, "plot: out of memory for %lld points", (long long)n);
    }
    if (n) {
        memcpy(s.x, x, (size_t)n * sizeof(double));
        memcpy(s.y, y, (size_t)n * sizeof(double));
    }
    p->s[p->n++] = s;
    return GN_OK;
}

gn_status gn_plot_line(gn_plot *p, const char *label, const double *x, const double *y, int64_t n,
                       gn_error *err) {
    return add_series(p, GN_SERIES_LINE, label, x, y, n, err);
}

gn_status gn_plot_path(gn_plot *p, const char *label, const double *x, const double *y, int64_t n,
                       gn_error *err) {
    return add_series(p, GN_SERIES_PATH, label, x, y, n, err);
}

gn_status gn_plot_set_color(gn_plot *p, uint32_t rgb, gn_error *err) {
    if (!p || p->n == 0)
        return gn_error_set(err, GN_ERR_INVALID, "plot: set_color needs a series first");
    p->s[p->n - 1].rgb = rgb & 0xFFFFFF;
    return GN_OK;
}

int gn_plot_n_series(const gn_plot *p) {
    return p ? p->n : 0;
}

gn_status gn_plot_set_log_y(gn_plot *p, int on, gn_error *err) {
    if (!p) return gn_error_set(err, GN_ERR_INVALID, "plot: plot is NULL");
    if (on) {
        for (int i = 0; i < p->n; i++) {
            int64_t bad = first_nonpositive(p->s[i].y, p->s[i].n);
            if (bad >= 0)
                return gn_error_set(err, GN_ERR_INVALID,
                                    "plot: series '%s' has y = %g at point %lld; a log-scale "
                                    "axis needs values > 0",
                                    p->s[i].label, p->s[i].y[bad], (long long)bad);
        }
        if (p->grid && !(p->grid->y0 > 0 && p->grid->y1 > 0))
            return gn_error_set(err, GN_ERR_INVALID,
                                "plot: the contour's y range reaches %g; a log-scale axis needs "
                                "values > 0",
                                fmin(p->grid->y0, p->grid->y1));
        if (p->fixed_y && !(p->yr[0] > 0))
            return gn_error_set(err, GN_ERR_INVALID,
                                "plot: the y range starts at %g; a log-scale axis needs values "
                                "> 0",
                                p->yr[0]);
    }
    p->log_y = on != 0;
    return GN_OK;
}

static gn_status check_range(const char *axis, double lo, double hi, gn_error *err) {
    if (!isfinite(lo) || !isfinite(hi) || !(lo < hi))
        return gn_error_set(err, GN_ERR_INVALID,
                            "plot: %s range [%g, %g] must be finite with lo < hi", axis, lo, hi);
    return GN_OK;
}

gn_status gn_plot_set_xrange(gn_plot *p, double lo, double hi, gn_error *err) {
    if (!p) return gn_error_set(err, GN_ERR_INVALID, "plot: plot is NULL");
    gn_status st = check_range("x", lo, hi, err);
    if (st) return st;
    p->fixed_x = 1;
    p->xr[0] = lo;
    p->xr[1] = hi;
    return GN_OK;
}

gn_status gn_plot_set_yrange(gn_plot *p, double lo, double hi, gn_error *err) {
    if (!p) return gn_error_set(err, GN_ERR_INVALID, "plot: plot is NULL");
    gn_status st = check_range("y", lo, hi, err);
    if (st) return st;
    if (p->log_y && !(lo > 0))
        return gn_error_set(err, GN_ERR_INVALID,
                            "plot: y range starts at %g; a log-scale axis needs values > 0", lo);
    p->fixed_y = 1;
    p->yr[0] = lo;
    p->yr[1] = hi;
    return GN_OK;
}

gn_status gn_plot_contour(gn_plot *p, const double *values, int w, int h, double x0, double x1,
                          double y0, double y1, int levels, int scale, gn_error *err) {
    if (!p) return gn_error_set(err, GN_ERR_INVALID, "plot: plot is NULL");
    if (!values || w < 2 || h < 2 || w > 4096 || h > 4096)
        return gn_error_set(err, GN_ERR_INVALID,
                            "plot: contour grid must be 2..4096 points each way (got %d x %d)", w,
                            h);
    gn_status st = check_range("contour x", x0, x1, err);
    if (!st) st = check_range("contour y", y0, y1, err);
    if (st) return st;
    if (levels < 0 || levels > GN_PLOT_MAX_TICKS / 2)
        return gn_error_set(err, GN_ERR_INVALID, "plot: contour levels must be 0..%d (got %d)",
                            GN_PLOT_MAX_TICKS / 2, levels);
    if (scale != GN_PLOT_CONTOUR_LINEAR && scale != GN_PLOT_CONTOUR_LOG)
        return gn_error_set(err, GN_ERR_INVALID, "plot: unknown contour scale %d", scale);
    if (p->log_y && !(y0 > 0))
        return gn_error_set(err, GN_ERR_INVALID,
                            "plot: the contour's y range starts at %g; a log-scale axis needs "
                            "values > 0",
                            y0);
    gn_plot_grid *g = calloc(1, sizeof *g);
    size_t cells = (size_t)w * (size_t)h;
    if (g) g->v = malloc(cells * sizeof(double));
    if (!g || !g->v) {
        free_grid(g);
        return gn_error_set(err, GN_ERR_NOMEM, "plot: out of memory for a %d x %d contour", w, h);
    }
    memcpy(g->v, values, cells * sizeof(double));
    *g = (gn_plot_grid){g->v, w, h, x0, x1, y0, y1, levels ? levels : 10, scale};
    free_grid(p->grid);
    p->grid = g;
    return GN_OK;
}

gn_status gn_plot_set_size(gn_plot *p, int width, int height, gn_error *err) {
    if (!p) return gn_error_set(err, GN_ERR_INVALID, "plot: plot is NULL");
    if (width < 200 || height < 160 || width > 10000 || height > 10000)
        return gn_error_set(err, GN_ERR_INVALID,
                            "plot: size %d x %d is outside 200..10000 x 160..10000", width, height);
    p->width = width;
    p->height = height;
    return GN_OK;
}
