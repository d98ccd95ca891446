/* SVG rendering: layout, axes, grid, contour, series, legend, colour bar. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "plot_impl.h"

#define FONT "Inter, 'Helvetica Neue', Helvetica, Arial, 'Liberation Sans', sans-serif"
#define MAX_DOTS 150  /* dots per path; more points are sampled evenly */
#define MAX_ARROWS 14 /* direction arrows per path */

typedef struct layout {
    double left, right, top, bottom; /* plot area in pixels */
    gn_plot_axis ax, ay;
    double xt[GN_PLOT_MAX_TICKS], yt[GN_PLOT_MAX_TICKS];
    int nxt, nyt;
    double levels[GN_PLOT_MAX_TICKS];
    int n_levels;
    int legend_rows;
    char id[16];
} layout;

static int finite_pt(double x, double y) {
    return isfinite(x) && isfinite(y);
}

/* Data extent of the series; y only where x lies in [xlo, xhi]. */
static int extent(const gn_plot *p, int axis, double xlo, double xhi, double *lo, double *hi) {
    int any = 0;
    *lo = INFINITY;
    *hi = -INFINITY;
    for (int s = 0; s < p->n; s++)
        for (int64_t i = 0; i < p->s[s].n; i++) {
            double x = p->s[s].x[i], y = p->s[s].y[i];
            if (!finite_pt(x, y) || (p->log_y && !(y > 0))) continue;
            if (axis == 1 && (x < xlo || x > xhi)) continue;
            double v = axis == 0 ? x : y;
            *lo = fmin(*lo, v);
            *hi = fmax(*hi, v);
            any = 1;
        }
    return any;
}

/* Pads [lo, hi] by a fraction (in log space for log axes); widens a point. */
static void pad(double *lo, double *hi, double frac, int log) {
    if (log) {
        double a = log10(*lo), b = log10(*hi);
        if (b - a < 1e-12) a -= 0.5, b += 0.5;
        double d = (b - a) * frac;
        *lo = pow(10, a - d);
        *hi = pow(10, b + d);
        return;
    }
    if (*hi - *lo < 1e-12 * fmax(1, fabs(*lo))) {
        double d = fabs(*lo) > 0 ? fabs(*lo) * 0.1 : 1;
        *lo -= d;
        *hi += d;
        return;
    }
    double d = (*hi - *lo) * frac;
    *lo -= d;
    *hi += d;
}

static void ranges(const gn_plot *p, double *xr, double *yr) {
    const gn_plot_grid *g = p->grid;
    if (p->fixed_x) {
        xr[0] = p->xr[0], xr[1] = p->xr[1];
    } else if (g) {
        xr[0] = fmin(g->x0, g->x1), xr[1] = fmax(g->x0, g->x1);
    } else if (extent(p, 0, 0, 0, &xr[0], &xr[1])) {
        pad(&xr[0], &xr[1], 0.03, 0);
    } else {
        xr[0] = 0, xr[1] = 1;
    }
    if (p->fixed_y) {
        yr[0] = p->yr[0], yr[1] = p->yr[1];
    } else if (g) {
        yr[0] = fmin(g->y0, g->y1), yr[1] = fmax(g->y0, g->y1);
    } else if (extent(p, 1, xr[0], xr[1], &yr[0], &yr[1])) {
        pad(&yr[0], &yr[1], 0.06, p->log_y);
    } else {
        yr[0] = p->log_y ? 1 : 0, yr[1] = p->log_y ? 10 : 1;
    }
}

static double text_width(const char *s, double size) {
    return (double)strlen(s) * size * 0.62;
}

static void tick_text(const layout *L, int yaxis, int log, int k, char *buf, size_t n) {
    const double *t = yaxis ? L->yt : L->xt;
    int nt = yaxis ? L->nyt : L->nxt;
    double step = nt > 1 ? fabs(t[1] - t[0]) : fabs(t[0]);
    if (log && gn_plot_pow10(t[k]) != INT32_MIN)
        snprintf(buf, n, "10%d", gn_plot_pow10(t[k]));
    else if (log)
        snprintf(buf, n, "%g", t[k]);
    else
        gn_plot_tick_label(t[k], step, buf, n);
}

static int legend_rows(const gn_plot *p, double width) {
    double x = 0;
    int rows = 0;
    for (int s = 0; s < p->n; s++) {
        if (!p->s[s].label[0]) continue;
        double w = 30 + text_width(p->s[s].label, 12) + 24;
        if (rows == 0 || x + w > width) rows++, x = 0;
        x += w;
    }
    return rows;
}

static void compute_layout(const gn_plot *p, layout *L) {
    memset(L, 0, sizeof *L);
    double xr[2], yr[2];
    ranges(p, xr, yr);
    L->nyt = gn_plot_ticks(yr[0], yr[1], p->log_y ? 8 : 6, p->log_y, L->yt);
    double ywide = 0;
    for (int k = 0; k < L->nyt; k++) {
        char buf[48];
        tick_text(L, 1, p->log_y, k, buf, sizeof buf);
        ywide = fmax(ywide, text_width(buf, 11));
    }
    if (p->grid) L->n_levels = gn_plot_levels(p->grid, L->levels);
    double cbar = 0;
    for (int k = 0; k < L->n_levels; k++) {
        char buf[48];
        snprintf(buf, sizeof buf, "%.4g", L->levels[k]);
        cbar = fmax(cbar, 40 + text_width(buf, 10));
    }
    L->left = 28 + ywide + 12;
    L->right = p->width - 24 - cbar;
    L->legend_rows = legend_rows(p, L->right - L->left);
    L->top = (p->title[0] ? 46 : 16) + L->legend_rows * 20 + (L->legend_rows ? 6 : 0);
    L->bottom = p->height - (p->xlabel[0] ? 54 : 34);
    L->ax = (gn_plot_axis){xr[0], xr[1], L->left, L->right, 0};
    L->ay = (gn_plot_axis){yr[0], yr[1], L->bottom, L->top, p->log_y};
    int xtarget = (int)((L->right - L->left) / 90);
    L->nxt = gn_plot_ticks(xr[0], xr[1], xtarget < 3 ? 3 : xtarget, 0, L->xt);
    /* FNV-1a of the texts: ids differ between plots inlined in one page but
     * stay the same from run to run */
    uint32_t h = 2166136261u;
    const char *texts[3] = {p->title, p->xlabel, p->ylabel};
    for (int t = 0; t < 3 + p->n; t++)
        for (const char *c = t < 3 ? texts[t] : p->s[t - 3].label; *c; c++)
            h = (h ^ (unsigned char)*c) * 16777619u;
    snprintf(L->id, sizeof L->id, "gn%08x", (unsigned)h);
}

/* Axes, ticks and labels; a light grid unless a contour fills the area. */
static void axes(gn_plot_buf *b, const gn_plot *p, const layout *L) {
    double w = L->right - L->left, h = L->bottom - L->top;
    if (!p->grid) {
        gn_plot_buf_printf(b, "<g stroke=\"#E8E8E8\" stroke-width=\"1\">\n");
        for (int k = 0; k < L->nxt; k++) {
            double x = gn_plot_axis_px(&L->ax, L->xt[k]);
            gn_plot_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", x,
                               L->top, x, L->bottom);
        }
        for (int k = 0; k < L->nyt; k++) {
            double y = gn_plot_axis_px(&L->ay, L->yt[k]);
            gn_plot_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
                               L->left, y, L->right, y);
        }
        gn_plot_buf_printf(b, "</g>\n");
    }
    gn_plot_buf_printf(b,
                       "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
                       "stroke=\"#B8B8B8\" stroke-width=\"1\"/>\n",
                       L->left, L->top, w, h);
    gn_plot_buf_printf(b, "<g font-size=\"11\" fill=\"#5A5A5A\">\n");
    for (int k = 0; k < L->nxt; k++) {
        char buf[48];
        double x = gn_plot_axis_px(&L->ax, L->xt[k]);
        tick_text(L, 0, 0, k, buf, sizeof buf);
        gn_plot_buf_printf(b,
                           "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                           "stroke=\"#B8B8B8\"/><text x=\"%.1f\" y=\"%.1f\" "
                           "text-anchor=\"middle\">%s</text>\n",
                           x, L->bottom, x, L->bottom + 5, x, L->bottom + 19, buf);
    }
    for (int k = 0; k < L->nyt; k++) {
        double y = gn_plot_axis_px(&L->ay, L->yt[k]);
        gn_plot_buf_printf(b,
                           "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                           "stroke=\"#B8B8B8\"/><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">",
                           L->left - 5, y, L->left, y, L->left - 8, y + 4);
        int e = p->log_y ? gn_plot_pow10(L->yt[k]) : INT32_MIN;
        if (e != INT32_MIN) /* 10 with a raised exponent */
            gn_plot_buf_printf(b, "10<tspan dy=\"-5\" font-size=\"8\">%d</tspan>", e);
        else {
            char buf[48];
            tick_text(L, 1, p->log_y, k, buf, sizeof buf);
            gn_plot_buf_printf(b, "%s", buf);
        }
        gn_plot_buf_printf(b, "</text>\n");
    }
    gn_plot_buf_printf(b, "</g>\n<g font-size=\"13\" fill=\"#333333\">\n");
    if (p->xlabel[0]) {
        gn_plot_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
                           L->left + w / 2, L->bottom + 42);
        gn_plot_buf_escape(b, p->xlabel);
        gn_plot_buf_printf(b, "</text>\n");
    }
    if (p->ylabel[0]) {
        gn_plot_buf_printf(b,
                           "<text transform=\"translate(18 %.1f) rotate(-90)\" "
                           "text-anchor=\"middle\">",
                           L->top + h / 2);
        gn_plot_buf_escape(b, p->ylabel);
        gn_plot_buf_printf(b, "</text>\n");
    }
    gn_plot_buf_printf(b, "</g>\n");
}

/* "M x y L x y ..." of a series in pixels: NaN starts a new piece, points
 * closer than 0.3 px to the last one drawn are skipped (long traces stay
 * small without visible change). Returns the points drawn. */
static int64_t polyline(gn_plot_buf *b, const gn_plot_series *s, const layout *L) {
    int64_t drawn = 0;
    int pen = 0;
    double lx = 0, ly = 0;
    for (int64_t i = 0; i < s->n; i++) {
        double x = gn_plot_axis_px(&L->ax, s->x[i]), y = gn_plot_axis_px(&L->ay, s->y[i]);
        if (!finite_pt(x, y) || !finite_pt(s->x[i], s->y[i])) {
            pen = 0;
            continue;
        }
        int last = i + 1 == s->n || !finite_pt(s->x[i + 1], s->y[i + 1]);
        if (pen && !last && fabs(x - lx) < 0.3 && fabs(y - ly) < 0.3) continue;
        gn_plot_buf_printf(b, "%c%.1f %.1f", pen ? 'L' : 'M', x, y);
        pen = 1;
        lx = x, ly = y;
        drawn++;
    }
    return drawn;
}

/* A small arrowhead centred on (x1, y1), pointing away from (x0, y0). */
static void arrow(gn_plot_buf *b, double x0, double y0, double x1, double y1, uint32_t rgb) {
    double dx = x1 - x0, dy = y1 - y0, len = hypot(dx, dy);
    double ux = dx / len, uy = dy / len;
    double tx = x1 + ux * 4.5, ty = y1 + uy * 4.5, bx = x1 - ux * 3.5, by = y1 - uy * 3.5;
    gn_plot_buf_printf(b,
                       "<path d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fZ\" fill=\"#%06X\" "
                       "stroke=\"#FFFFFF\" stroke-width=\"0.7\"/>\n",
                       tx, ty, bx - uy * 3.6, by + ux * 3.6, bx + uy * 3.6, by - ux * 3.6,
                       (unsigned)rgb);
}

/* Pixel length of step i (0 when either end is not drawable). */
static double seg_px(const gn_plot_series *s, const layout *L, int64_t i) {
    double x0 = gn_plot_axis_px(&L->ax, s->x[i]), y0 = gn_plot_axis_px(&L->ay, s->y[i]);
    double x1 = gn_plot_axis_px(&L->ax, s->x[i + 1]), y1 = gn_plot_axis_px(&L->ay, s->y[i + 1]);
    double d = hypot(x1 - x0, y1 - y0);
    return isfinite(d) && finite_pt(s->x[i], s->y[i]) && finite_pt(s->x[i + 1], s->y[i + 1]) ? d
                                                                                             : 0;
}

/* Dots and direction arrows along a path. */
static void path_marks(gn_plot_buf *b, const gn_plot_series *s, const layout *L) {
    int64_t every = s->n > MAX_DOTS ? (s->n + MAX_DOTS - 1) / MAX_DOTS : 1;
    gn_plot_buf_printf(b, "<g fill=\"#%06X\" stroke=\"#FFFFFF\" stroke-width=\"0.6\">\n",
                       (unsigned)s->rgb);
    for (int64_t i = 0; i < s->n; i += every) {
        double x = gn_plot_axis_px(&L->ax, s->x[i]), y = gn_plot_axis_px(&L->ay, s->y[i]);
        if (finite_pt(x, y) && finite_pt(s->x[i], s->y[i]))
            gn_plot_buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.2\"/>\n", x, y);
    }
    gn_plot_buf_printf(b, "</g>\n");
    /* Arrows every `spacing` pixels of path length, pointing from a point
     * at least 6 px back, so short steps still show their direction. */
    double total = 0, acc, spacing;
    for (int64_t i = 0; i + 1 < s->n; i++)
        total += seg_px(s, L, i);
    spacing = fmax(50, total / MAX_ARROWS);
    acc = spacing / 2;
    for (int64_t i = 0; i + 1 < s->n; i++) {
        double len = seg_px(s, L, i);
        acc += len;
        if (acc < spacing || len == 0) continue;
        double x1 = gn_plot_axis_px(&L->ax, s->x[i + 1]), y1 = gn_plot_axis_px(&L->ay, s->y[i + 1]);
        double x0 = x1, y0 = y1;
        for (int64_t j = i; j >= 0 && j > i - 200 && hypot(x1 - x0, y1 - y0) < 6; j--) {
            double xj = gn_plot_axis_px(&L->ax, s->x[j]), yj = gn_plot_axis_px(&L->ay, s->y[j]);
            if (!finite_pt(xj, yj)) break;
            x0 = xj, y0 = yj;
        }
        if (hypot(x1 - x0, y1 - y0) < 2) continue;
        if (x1 < L->left || x1 > L->right || y1 < L->top || y1 > L->bottom) continue;
        if (len >= 12) { /* a long step: the arrow sits on its middle */
            x0 = gn_plot_axis_px(&L->ax, s->x[i]), y0 = gn_plot_axis_px(&L->ay, s->y[i]);
            x1 = (x0 + x1) / 2, y1 = (y0 + y1) / 2;
        }
        arrow(b, x0, y0, x1, y1, s->rgb);
        acc = 0;
    }
}

/* Hollow start and filled end marker of a path, drawn after every path so
 * that no path hides where another one ends. */
static void end_markers(gn_plot_buf *b, const gn_plot_series *s, const layout *L) {
    int64_t first = -1, last = -1;
    for (int64_t i = 0; i < s->n; i++)
        if (finite_pt(s->x[i], s->y[i]) &&
            finite_pt(gn_plot_axis_px(&L->ax, s->x[i]), gn_plot_axis_px(&L->ay, s->y[i]))) {
            if (first < 0) first = i;
            last = i;
        }
    if (first < 0) return;
    gn_plot_buf_printf(b,
                       "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\" fill=\"#FFFFFF\" "
                       "stroke=\"#%06X\" stroke-width=\"2\"/>\n",
                       gn_plot_axis_px(&L->ax, s->x[first]), gn_plot_axis_px(&L->ay, s->y[first]),
                       (unsigned)s->rgb);
    gn_plot_buf_printf(b,
                       "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\" fill=\"#%06X\" "
                       "stroke=\"#FFFFFF\" stroke-width=\"1.5\"/>\n",
                       gn_plot_axis_px(&L->ax, s->x[last]), gn_plot_axis_px(&L->ay, s->y[last]),
                       (unsigned)s->rgb);
}

static void series(gn_plot_buf *b, const gn_plot *p, const layout *L) {
    for (int pass = GN_SERIES_LINE; pass <= GN_SERIES_PATH; pass++) /* paths on top */
        for (int k = 0; k < p->n; k++) {
            const gn_plot_series *s = &p->s[k];
            if (s->kind != pass) continue;
            gn_plot_buf_printf(b, "<g class=\"series\"><title>");
            gn_plot_buf_escape(b, s->label);
            gn_plot_buf_printf(b, "</title>\n");
            if (s->kind == GN_SERIES_PATH) { /* a white halo keeps it readable on contours */
                gn_plot_buf_printf(b, "<path fill=\"none\" stroke=\"#FFFFFF\" "
                                      "stroke-opacity=\"0.85\" stroke-width=\"4\" "
                                      "stroke-linejoin=\"round\" stroke-linecap=\"round\" d=\"");
                polyline(b, s, L);
                gn_plot_buf_printf(b, "\"/>\n");
            }
            gn_plot_buf_printf(b,
                               "<path fill=\"none\" stroke=\"#%06X\" stroke-width=\"%s\" "
                               "stroke-linejoin=\"round\" stroke-linecap=\"round\" d=\"",
                               (unsigned)s->rgb, s->kind == GN_SERIES_PATH ? "1.6" : "2");
            polyline(b, s, L);
            gn_plot_buf_printf(b, "\"/>\n");
            if (s->kind == GN_SERIES_PATH) path_marks(b, s, L);
            gn_plot_buf_printf(b, "</g>\n");
        }
    for (int k = 0; k < p->n; k++)
        if (p->s[k].kind == GN_SERIES_PATH) end_markers(b, &p->s[k], L);
}

static void legend(gn_plot_buf *b, const gn_plot *p, const layout *L) {
    double x = L->left, y = (p->title[0] ? 46 : 16) + 2;
    int row = 0;
    gn_plot_buf_printf(b, "<g font-size=\"12\" fill=\"#333333\">\n");
    for (int k = 0; k < p->n; k++) {
        const gn_plot_series *s = &p->s[k];
        if (!s->label[0]) continue;
        double w = 30 + text_width(s->label, 12) + 24;
        if (row == 0 || x + w > L->right) row++, x = L->left;
        double cy = y + (row - 1) * 20 + 6;
        gn_plot_buf_printf(b,
                           "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                           "stroke=\"#%06X\" stroke-width=\"%s\" stroke-linecap=\"round\"/>\n",
                           x, cy, x + 22, cy, (unsigned)s->rgb,
                           s->kind == GN_SERIES_PATH ? "1.6" : "2.5");
        if (s->kind == GN_SERIES_PATH)
            gn_plot_buf_printf(b,
                               "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#%06X\" "
                               "stroke=\"#FFFFFF\" stroke-width=\"0.8\"/>\n",
                               x + 11, cy, (unsigned)s->rgb);
        gn_plot_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\">", x + 30, cy + 4);
        gn_plot_buf_escape(b, s->label);
        gn_plot_buf_printf(b, "</text>\n");
        x += w;
    }
    gn_plot_buf_printf(b, "</g>\n");
}

/* Bands bottom (low) to top (high), equal heights, levels at the joins. */
static void colour_bar(gn_plot_buf *b, const layout *L) {
    if (L->n_levels == 0) return;
    int bands = L->n_levels + 1;
    double x = L->right + 16, h = (L->bottom - L->top) / bands;
    for (int k = 0; k < bands; k++)
        gn_plot_buf_printf(b,
                           "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"%.2f\" "
                           "fill=\"#%06X\"/>\n",
                           x, L->bottom - (k + 1) * h, h + 0.3,
                           (unsigned)gn_plot_band_color(k, L->n_levels));
    gn_plot_buf_printf(b,
                       "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"%.1f\" fill=\"none\" "
                       "stroke=\"#B8B8B8\"/>\n<g font-size=\"10\" fill=\"#5A5A5A\">\n",
                       x, L->top, L->bottom - L->top);
    int every = h < 11 ? 2 : 1;
    for (int k = 0; k < L->n_levels; k += every)
        gn_plot_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\">%.4g</text>\n", x + 17,
                           L->bottom - (k + 1) * h + 3.5, L->levels[k]);
    gn_plot_buf_printf(b, "</g>\n");
}

static int has_point(const gn_plot *p) {
    for (int s = 0; s < p->n; s++)
        for (int64_t i = 0; i < p->s[s].n; i++)
            if (finite_pt(p->s[s].x[i], p->s[s].y[i])) return 1;
    return 0;
}

gn_status gn_plot_svg(const gn_plot *p, char **out, size_t *len, gn_error *err) {
    if (!p || !out) return gn_error_set(err, GN_ERR_INVALID, "plot: plot or output is NULL");
    *out = NULL;
    if (len) *len = 0;
    if (!p->grid && !has_point(p))
        return gn_error_set(err, GN_ERR_INVALID,
                            "plot '%s': nothing to draw (no series with a finite point, no "
                            "contour)",
                            p->title);
    layout L;
    compute_layout(p, &L);
    gn_plot_buf b = {0};
    gn_plot_buf_printf(&b,
                       "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                       "viewBox=\"0 0 %d %d\" font-family=\"%s\">\n",
                       p->width, p->height, p->width, p->height, FONT);
    gn_plot_buf_printf(&b, "<title>");
    gn_plot_buf_escape(&b, p->title);
    gn_plot_buf_printf(&b, "</title>\n<rect width=\"100%%\" height=\"100%%\" fill=\"#FFFFFF\"/>\n");
    gn_plot_buf_printf(&b,
                       "<defs><clipPath id=\"%s-clip\"><rect x=\"%.1f\" y=\"%.1f\" "
                       "width=\"%.1f\" height=\"%.1f\"/></clipPath></defs>\n",
                       L.id, L.left, L.top, L.right - L.left, L.bottom - L.top);
    if (p->title[0]) {
        gn_plot_buf_printf(&b,
                           "<text x=\"%.1f\" y=\"28\" font-size=\"16\" font-weight=\"600\" "
                           "fill=\"#222222\">",
                           L.left);
        gn_plot_buf_escape(&b, p->title);
        gn_plot_buf_printf(&b, "</text>\n");
    }
    gn_plot_buf_printf(&b, "<g clip-path=\"url(#%s-clip)\">\n", L.id);
    if (p->grid) gn_plot_contour_svg(&b, p->grid, &L.ax, &L.ay, L.levels, L.n_levels);
    gn_plot_buf_printf(&b, "</g>\n");
    axes(&b, p, &L);
    gn_plot_buf_printf(&b, "<g clip-path=\"url(#%s-clip)\">\n", L.id);
    series(&b, p, &L);
    gn_plot_buf_printf(&b, "</g>\n");
    legend(&b, p, &L);
    colour_bar(&b, &L);
    gn_plot_buf_printf(&b, "</svg>\n");
    if (b.failed) {
        free(b.data);
        return gn_error_set(err, GN_ERR_NOMEM, "plot '%s': out of memory", p->title);
    }
    *out = b.data;
    if (len) *len = b.len;
    return GN_OK;
}
