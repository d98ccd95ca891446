/* Ganglion SDK: small SVG charts for run reports (learning curves, optimizer
 * paths, loss surfaces).
 *
 * A gn_plot collects series and renders them as one standalone SVG document:
 * title, axes with round-number ticks, a light grid, a legend and a
 * colour-blind-safe palette (Okabe-Ito). Series are
 *   - lines: n points joined in order; a NaN coordinate breaks the line;
 *   - paths: the same, drawn with a dot per point, arrows along the way and
 *     marked start and end points, for iterates of an optimizer;
 *   - one optional contour background: a function sampled on a grid, drawn
 *     as filled bands between round-number levels with isolines and a colour
 *     bar.
 * Everything given is copied; the plot owns its data. Output is
 * deterministic: the same calls give the same bytes.
 *
 * Append-only: functions are only added, never changed or removed. */
#ifndef GANGLION_PLOT_H
#define GANGLION_PLOT_H

#include <stddef.h>
#include <stdint.h>
#include <ganglion/error.h>

typedef struct gn_plot gn_plot;

/* Caller owns; free with gn_plot_free. NULL (or "") strings draw nothing.
 * Returns NULL only when out of memory. Strings are copied. */
GN_EXPORT gn_plot *gn_plot_new(const char *title, const char *xlabel, const char *ylabel);
GN_EXPORT void gn_plot_free(gn_plot *p);

/* Adds a line through (x[i], y[i]), i < n. Copies the arrays and label
 * (which may contain any text: it is escaped in the SVG). */
GN_EXPORT gn_status gn_plot_line(gn_plot *p, const char *label, const double *x, const double *y,
                                 int64_t n, gn_error *err);

/* Adds an optimizer-style path: like a line, plus a dot per point, arrows
 * showing the direction, a hollow start marker and a filled end marker. */
GN_EXPORT gn_status gn_plot_path(gn_plot *p, const char *label, const double *x, const double *y,
                                 int64_t n, gn_error *err);

/* Colour of the series added last, as 0xRRGGBB (default: the next palette
 * colour). GN_ERR_INVALID when there is no series yet. */
GN_EXPORT gn_status gn_plot_set_color(gn_plot *p, uint32_t rgb, gn_error *err);

/* Number of series added so far. */
GN_EXPORT int gn_plot_n_series(const gn_plot *p);

/* Log-scale y axis. Every y value (and the contour's y range) must then be
 * > 0: a non-positive value is GN_ERR_INVALID, here for the series already
 * added and later when adding. NaN still breaks lines. */
GN_EXPORT gn_status gn_plot_set_log_y(gn_plot *p, int on, gn_error *err);

/* Fixed axis ranges (lo < hi, finite); by default each axis fits the data
 * with a small margin (exactly the contour's range when there is one).
 * Whatever falls outside is clipped. */
GN_EXPORT gn_status gn_plot_set_xrange(gn_plot *p, double lo, double hi, gn_error *err);
GN_EXPORT gn_status gn_plot_set_yrange(gn_plot *p, double lo, double hi, gn_error *err);

/* Contour levels: evenly spaced, or spaced by factors (1-2-5 per decade or
 * whole decades; values <= 0 fall below them). */
#define GN_PLOT_CONTOUR_LINEAR 0
#define GN_PLOT_CONTOUR_LOG 1

/* Sets the contour background (replacing an earlier one): values[j*w + i] is
 * the function at x = x0 + i*(x1-x0)/(w-1), y = y0 + j*(y1-y0)/(h-1); w, h >= 2.
 * About `levels` round-number levels (0 = 10) are drawn between the finite
 * minimum and maximum; NaN cells are left blank. Copies values. */
GN_EXPORT gn_status gn_plot_contour(gn_plot *p, const double *values, int w, int h, double x0,
                                    double x1, double y0, double y1, int levels, int scale,
                                    gn_error *err);

/* Canvas size in pixels (default 760 x 500; each at least 200 x 160). */
GN_EXPORT gn_status gn_plot_set_size(gn_plot *p, int width, int height, gn_error *err);

/* Renders the SVG document. On success *out is a NUL-terminated, malloc'ed
 * string the caller frees with free(); *len is its length without the NUL.
 * GN_ERR_INVALID when the plot has nothing to draw (no series with a finite
 * point and no contour). */
GN_EXPORT gn_status gn_plot_svg(const gn_plot *p, char **out, size_t *len, gn_error *err);

/* A standalone scatter plot (its own SVG document, not a gn_plot series):
 * n points (x[i], y[i]) coloured by class cls[i] in 0..n_classes-1, with a
 * legend of class names on the right (names[k], or "class k" when names or
 * names[k] is NULL). Points are drawn class by class, small and slightly
 * transparent so dense clusters stay readable; non-finite points are
 * skipped. Axes fit the data. At most 256 classes (colours repeat after 10).
 * On success *out is a NUL-terminated malloc'ed string the caller frees;
 * *len its length. GN_ERR_INVALID for NULL data, n < 1, n_classes outside
 * 1..256, a class id out of range or no finite point. Added in 1.1. */
GN_EXPORT gn_status gn_plot_scatter_svg(const char *title, const char *xlabel, const char *ylabel,
                                        const double *x, const double *y, const int32_t *cls,
                                        int64_t n, int n_classes, const char *const *names,
                                        char **out, size_t *len, gn_error *err);

#endif
