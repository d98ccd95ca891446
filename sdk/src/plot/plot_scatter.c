/* Scatter plots of points coloured by class (a VAE's 2-D latent codes), as
 * a standalone SVG: axes and ticks as gn_plot draws them, a legend column
 * of class names on the right. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "plot_impl.h"

#define FONT "Inter, 'Helvetica Neue', Helvetica, Arial, 'Liberation Sans', sans-serif"
#define MAX_CLASSES 256

/* Tableau 10: ten hues that stay apart, so ten digits get ten colours. */
static const uint32_t colours[10] = {0x4E79A7, 0xF28E2B, 0xE15759, 0x76B7B2, 0x59A14F,
                                     0xEDC948, 0xB07AA1, 0xFF9DA7, 0x9C755F, 0xBAB0AC};

static void class_name(const char *const *names, int k, char *buf, size_t n) {
    if (names && names[k])
        snprintf(buf, n, "%s", names[k]);
    else
        snprintf(buf, n, "class %d", k);
}

static gn_status check(const double *x, const double *y, const int32_t *cls, int64_t n,
                       int n_classes, double *xr, double *yr, gn_error *err) {
    if (!x || !y || !cls || n < 1)
        return gn_error_set(err, GN_ERR_INVALID, "scatter: no points (NULL data or n < 1)");
    if (n_classes < 1 || n_classes > MAX_CLASSES)
        return gn_error_set(err, GN_ERR_INVALID, "scatter: %d classes (1 to %d)", n_classes,
                            MAX_CLASSES);
    xr[0] = yr[0] = INFINITY;
    xr[1] = yr[1] = -INFINITY;
    for (int64_t i = 0; i < n; i++) {
        if (cls[i] < 0 || cls[i] >= n_classes)
            return gn_error_set(err, GN_ERR_INVALID,
                                "scatter: point %lld has class %d, outside 0..%d", (long long)i,
                                (int)cls[i], n_classes - 1);
        if (!isfinite(x[i]) || !isfinite(y[i])) continue;
        xr[0] = fmin(xr[0], x[i]), xr[1] = fmax(xr[1], x[i]);
        yr[0] = fmin(yr[0], y[i]), yr[1] = fmax(yr[1], y[i]);
    }
    if (!(xr[0] <= xr[1]))
        return gn_error_set(err, GN_ERR_INVALID, "scatter: no finite point among %lld",
                            (long long)n);
    for (int a = 0; a < 2; a++) { /* a small margin; a single value gets a unit range */
        double *r = a ? yr : xr, d = (r[1] - r[0]) * 0.04;
        if (d <= 0) d = fabs(r[0]) > 0 ? fabs(r[0]) * 0.1 : 1;
        r[0] -= d, r[1] += d;
    }
    return GN_OK;
}

static void axis_ticks(gn_plot_buf *b, const gn_plot_axis *a, int yaxis, double other) {
    double t[GN_PLOT_MAX_TICKS];
    int nt = gn_plot_ticks(a->lo, a->hi, yaxis ? 6 : 7, 0, t);
    double step = nt > 1 ? fabs(t[1] - t[0]) : 1;
    for (int k = 0; k < nt; k++) {
        char buf[48];
        double p = gn_plot_axis_px(a, t[k]);
        gn_plot_tick_label(t[k], step, buf, sizeof buf);
        if (yaxis)
            gn_plot_buf_printf(b,
                               "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                               "stroke=\"#B8B8B8\"/><text x=\"%.1f\" y=\"%.1f\" "
                               "text-anchor=\"end\">%s</text>\n",
                               other - 5, p, other, p, other - 8, p + 4, buf);
        else
            gn_plot_buf_printf(b,
                               "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                               "stroke=\"#B8B8B8\"/><text x=\"%.1f\" y=\"%.1f\" "
                               "text-anchor=\"middle\">%s</text>\n",
                               p, other, p, other + 5, p, other + 19, buf);
    }
}

gn_status gn_plot_scatter_svg(const char *title, const char *xlabel, const char *ylabel,
                              const double *x, const double *y, const int32_t *cls, int64_t n,
                              int n_classes, const char *const *names, char **out, size_t *len,
                              gn_error *err) {
    if (out) *out = NULL;
    if (len) *len = 0;
    if (!out) return gn_error_set(err, GN_ERR_INVALID, "scatter: output is NULL");
    double xr[2] = {0, 1}, yr[2] = {0, 1};
    gn_status st = check(x, y, cls, n, n_classes, xr, yr, err);
    if (st) return st;
    title = title ? title : "", xlabel = xlabel ? xlabel : "", ylabel = ylabel ? ylabel : "";
    double legend_w = 0; /* the widest class name sets the legend column */
    for (int k = 0; k < n_classes; k++) {
        char name[128];
        class_name(names, k, name, sizeof name);
        legend_w = fmax(legend_w, 28 + strlen(name) * 12 * 0.62);
    }
    int height = 560 > 90 + n_classes * 18 ? 560 : 90 + n_classes * 18;
    double left = 70, top = title[0] ? 46 : 16, bottom = height - (xlabel[0] ? 54 : 34);
    double right = left + (bottom - top), width = right + 24 + legend_w + 16;
    gn_plot_axis ax = {xr[0], xr[1], left, right, 0}, ay = {yr[0], yr[1], bottom, top, 0};

    gn_plot_buf b = {0};
    gn_plot_buf_printf(&b,
                       "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%d\" "
                       "viewBox=\"0 0 %.0f %d\" font-family=\"%s\">\n<title>",
                       width, height, width, height, FONT);
    gn_plot_buf_escape(&b, title);
    gn_plot_buf_printf(&b, "</title>\n<rect width=\"100%%\" height=\"100%%\" fill=\"#FFFFFF\"/>\n");
    if (title[0]) {
        gn_plot_buf_printf(&b,
                           "<text x=\"%.1f\" y=\"28\" font-size=\"16\" font-weight=\"600\" "
                           "fill=\"#222222\">",
                           left);
        gn_plot_buf_escape(&b, title);
        gn_plot_buf_printf(&b, "</text>\n");
    }
    gn_plot_buf_printf(&b,
                       "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
                       "stroke=\"#B8B8B8\"/>\n<g font-size=\"11\" fill=\"#5A5A5A\">\n",
                       left, top, right - left, bottom - top);
    axis_ticks(&b, &ax, 0, bottom);
    axis_ticks(&b, &ay, 1, left);
    gn_plot_buf_printf(&b, "</g>\n<g font-size=\"13\" fill=\"#333333\">\n");
    if (xlabel[0]) {
        gn_plot_buf_printf(&b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
                           (left + right) / 2, bottom + 42);
        gn_plot_buf_escape(&b, xlabel);
        gn_plot_buf_printf(&b, "</text>\n");
    }
    if (ylabel[0]) {
        gn_plot_buf_printf(&b,
                           "<text transform=\"translate(18 %.1f) rotate(-90)\" "
                           "text-anchor=\"middle\">",
                           (top + bottom) / 2);
        gn_plot_buf_escape(&b, ylabel);
        gn_plot_buf_printf(&b, "</text>\n");
    }
    gn_plot_buf_printf(&b, "</g>\n");
    for (int k = 0; k < n_classes; k++) { /* one group per class: one fill, a tooltip */
        char name[128];
        class_name(names, k, name, sizeof name);
        gn_plot_buf_printf(&b, "<g class=\"class\" fill=\"#%06X\" fill-opacity=\"0.75\"><title>",
                           (unsigned)colours[k % 10]);
        gn_plot_buf_escape(&b, name);
        gn_plot_buf_printf(&b, "</title>\n");
        for (int64_t i = 0; i < n; i++)
            if (cls[i] == k && isfinite(x[i]) && isfinite(y[i]))
                gn_plot_buf_printf(&b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"1.8\"/>\n",
                                   gn_plot_axis_px(&ax, x[i]), gn_plot_axis_px(&ay, y[i]));
        gn_plot_buf_printf(&b, "</g>\n");
    }
    gn_plot_buf_printf(&b, "<g class=\"legend\" font-size=\"12\" fill=\"#333333\">\n");
    for (int k = 0; k < n_classes; k++) {
        char name[128];
        class_name(names, k, name, sizeof name);
        double cy = top + 8 + k * 18;
        gn_plot_buf_printf(&b,
                           "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"#%06X\"/><text "
                           "x=\"%.1f\" y=\"%.1f\">",
                           right + 30, cy, (unsigned)colours[k % 10], right + 42, cy + 4);
        gn_plot_buf_escape(&b, name);
        gn_plot_buf_printf(&b, "</text>\n");
    }
    gn_plot_buf_printf(&b, "</g>\n</svg>\n");
    if (b.failed) {
        free(b.data);
        return gn_error_set(err, GN_ERR_NOMEM, "scatter '%s': out of memory", title);
    }
    *out = b.data;
    if (len) *len = b.len;
    return GN_OK;
}
