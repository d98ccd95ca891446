/* Internal: the plot object and the helpers its files share. */
#ifndef GN_PLOT_IMPL_H
#define GN_PLOT_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <ganglion/plot.h>

enum { GN_SERIES_LINE = 1, GN_SERIES_PATH };

typedef struct gn_plot_series {
    int kind;
    char *label;
    double *x, *y;
    int64_t n;
    uint32_t rgb;
} gn_plot_series;

typedef struct gn_plot_grid {
    double *v; /* h rows of w values */
    int w, h;
    double x0, x1, y0, y1;
    int levels, scale;
} gn_plot_grid;

struct gn_plot {
    char *title, *xlabel, *ylabel;
    gn_plot_series *s;
    int n, cap;
    int log_y;
    int fixed_x, fixed_y;
    double xr[2], yr[2];
    gn_plot_grid *grid; /* NULL without a contour background */
    int width, height;
};

/* Growable text with printf; `failed` sticks after an allocation failure. */
typedef struct gn_plot_buf {
    char *data;
    size_t len, cap;
    int failed;
} gn_plot_buf;

void gn_plot_buf_printf(gn_plot_buf *b, const char *fmt, ...) GN_PRINTF(2, 3);
/* Appends s with &, <, >, " and ' as XML entities. */
void gn_plot_buf_escape(gn_plot_buf *b, const char *s);

/* An axis: data range [lo, hi] onto pixels [p0, p1] (p1 < p0 for y). */
typedef struct gn_plot_axis {
    double lo, hi, p0, p1;
    int log;
} gn_plot_axis;

double gn_plot_axis_px(const gn_plot_axis *a, double v);

#define GN_PLOT_MAX_TICKS 64

/* Round-number positions within [lo, hi], about `target` of them (at most
 * GN_PLOT_MAX_TICKS); returns the count. For log axes: 1-2-5 steps or whole
 * (or every k-th) decades. */
int gn_plot_ticks(double lo, double hi, int target, int log, double *ticks);
/* Tick label: decimals fitted to the spacing of ticks; "" for log ticks
 * that are drawn as powers of ten (see gn_plot_pow10). */
void gn_plot_tick_label(double v, double step, char *buf, size_t n);
/* Exponent k when v is 10^k (within rounding), else INT32_MIN. */
int gn_plot_pow10(double v);

/* Contour levels of grid values (finite min..max), at most GN_PLOT_MAX_TICKS. */
int gn_plot_levels(const gn_plot_grid *g, double *levels);
/* The contour's filled bands and isolines, in axis coordinates. */
void gn_plot_contour_svg(gn_plot_buf *b, const gn_plot_grid *g, const gn_plot_axis *ax,
                         const gn_plot_axis *ay, const double *levels, int n_levels);
/* Band colour k of n_levels + 1 bands (low values darker). */
uint32_t gn_plot_band_color(int k, int n_levels);

#endif
