/* Contour backgrounds: round-number levels, filled bands (painted low to
 * high, each level's region {f >= level} over the previous) and isolines,
 * both by marching squares on the sampled grid. */
#include <math.h>
#include "plot_impl.h"

static int linear_levels(double lo, double hi, int target, double *out) {
    double t[GN_PLOT_MAX_TICKS];
    int n = gn_plot_ticks(lo, hi, target, 0, t), m = 0;
    for (int i = 0; i < n; i++)
        if (t[i] > lo && t[i] < hi) out[m++] = t[i];
    return m;
}

/* 1-2-5, 1-3 or whole decades, whichever gives about `target` levels. */
static int log_levels(double lo, double hi, int target, double *out) {
    static const double m125[] = {1, 2, 5}, m13[] = {1, 3}, m1[] = {1};
    double span = log10(hi) - log10(lo);
    const double *m = m1;
    int nm = 1, every = 1;
    if (span * 3 <= target * 1.5)
        m = m125, nm = 3;
    else if (span * 2 <= target * 1.5)
        m = m13, nm = 2;
    else
        every = (int)ceil(span / target);
    int n = 0;
    for (int d = (int)floor(log10(lo)); d <= (int)ceil(log10(hi)); d++) {
        if (d % every) continue;
        for (int k = 0; k < nm && n < GN_PLOT_MAX_TICKS; k++) {
            double v = m[k] * pow(10, d);
            if (v > lo && v < hi) out[n++] = v;
        }
    }
    return n;
}

int gn_plot_levels(const gn_plot_grid *g, double *levels) {
    double lo = INFINITY, hi = -INFINITY, pos = INFINITY;
    for (int64_t i = 0; i < (int64_t)g->w * g->h; i++) {
        double v = g->v[i];
        if (!isfinite(v)) continue;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
        if (v > 0 && v < pos) pos = v;
    }
    if (!(hi > lo)) return 0;
    if (g->scale == GN_PLOT_CONTOUR_LOG && isfinite(pos) && hi > pos) {
        if (pos < hi * 1e-4) pos = hi * 1e-4; /* four decades show the shape best */
        return log_levels(pos, hi, g->levels, levels);
    }
    return linear_levels(lo, hi, g->levels, levels);
}

/* Low values darker: steel blue through pale sage to cream, light enough
 * that coloured series stay readable on top. */
uint32_t gn_plot_band_color(int k, int n_levels) {
    static const double stops[3][3] = {{127, 166, 198}, {207, 224, 216}, {251, 247, 234}};
    double t = n_levels > 0 ? (double)k / n_levels : 0;
    int s = t < 0.5 ? 0 : 1;
    double u = t < 0.5 ? t * 2 : (t - 0.5) * 2;
    uint32_t rgb = 0;
    for (int c = 0; c < 3; c++) {
        double v = stops[s][c] + (stops[s + 1][c] - stops[s][c]) * u;
        rgb = rgb << 8 | (uint32_t)lround(v);
    }
    return rgb;
}

typedef struct cell {
    double x[4], y[4], v[4]; /* corners counter-clockwise from bottom-left */
} cell;

static int load_cell(const gn_plot_grid *g, int i, int j, cell *c) {
    double dx = (g->x1 - g->x0) / (g->w - 1), dy = (g->y1 - g->y0) / (g->h - 1);
    static const int di[4] = {0, 1, 1, 0}, dj[4] = {0, 0, 1, 1};
    for (int k = 0; k < 4; k++) {
        c->x[k] = g->x0 + (i + di[k]) * dx;
        c->y[k] = g->y0 + (j + dj[k]) * dy;
        c->v[k] = g->v[(int64_t)(j + dj[k]) * g->w + i + di[k]];
        if (!isfinite(c->v[k])) return 0;
    }
    return 1;
}

/* Where the level crosses edge e (corner e to corner e+1). */
static void crossing(const cell *c, int e, double level, double *x, double *y) {
    int a = e, b = (e + 1) % 4;
    double t = (level - c->v[a]) / (c->v[b] - c->v[a]);
    *x = c->x[a] + t * (c->x[b] - c->x[a]);
    *y = c->y[a] + t * (c->y[b] - c->y[a]);
}

static void point(gn_plot_buf *b, char cmd, const gn_plot_axis *ax, const gn_plot_axis *ay,
                  double x, double y) {
    gn_plot_buf_printf(b, "%c%.1f %.1f", cmd, gn_plot_axis_px(ax, x), gn_plot_axis_px(ay, y));
}

/* The part of a mixed cell at or above level: the cell clipped corner by
 * corner (a saddle keeps its two high corners joined). */
static void clip_polygon(gn_plot_buf *b, const cell *c, double level, const gn_plot_axis *ax,
                         const gn_plot_axis *ay) {
    char cmd = 'M';
    for (int e = 0; e < 4; e++) {
        int in_a = c->v[e] >= level, in_b = c->v[(e + 1) % 4] >= level;
        if (in_a) {
            point(b, cmd, ax, ay, c->x[e], c->y[e]);
            cmd = 'L';
        }
        if (in_a != in_b) {
            double x, y;
            crossing(c, e, level, &x, &y);
            point(b, cmd, ax, ay, x, y);
            cmd = 'L';
        }
    }
    gn_plot_buf_printf(b, "Z");
}

/* Region {f >= level} of the grid as one path: runs of full cells as
 * rectangles, mixed cells as clipped polygons. */
static void band_region(gn_plot_buf *b, const gn_plot_grid *g, double level, const gn_plot_axis *ax,
                        const gn_plot_axis *ay) {
    for (int j = 0; j + 1 < g->h; j++) {
        int run = -1;
        cell c, first = {{0}, {0}, {0}};
        for (int i = 0; i + 1 < g->w; i++) {
            int ok = load_cell(g, i, j, &c);
            int full =
                ok && c.v[0] >= level && c.v[1] >= level && c.v[2] >= level && c.v[3] >= level;
            if (full && run < 0) {
                run = i;
                first = c;
            }
            if (!full && run >= 0) { /* close the run at this cell's left edge */
                point(b, 'M', ax, ay, first.x[0], first.y[0]);
                gn_plot_buf_printf(b, "H%.1fV%.1fH%.1fZ", gn_plot_axis_px(ax, c.x[0]),
                                   gn_plot_axis_px(ay, c.y[3]), gn_plot_axis_px(ax, first.x[0]));
                run = -1;
            }
            if (ok && !full &&
                (c.v[0] >= level || c.v[1] >= level || c.v[2] >= level || c.v[3] >= level))
                clip_polygon(b, &c, level, ax, ay);
        }
        if (run >= 0) {
            point(b, 'M', ax, ay, first.x[0], first.y[0]);
            gn_plot_buf_printf(b, "H%.1fV%.1fH%.1fZ", gn_plot_axis_px(ax, g->x1),
                               gn_plot_axis_px(ay, first.y[3]), gn_plot_axis_px(ax, first.x[0]));
        }
    }
}

/* Isoline pieces of one level: a segment between the two crossed edges of
 * a cell; in a saddle (four crossings) one segment cutting off each low
 * corner, matching clip_polygon. */
static void isolines(gn_plot_buf *b, const gn_plot_grid *g, double level, const gn_plot_axis *ax,
                     const gn_plot_axis *ay) {
    cell c;
    for (int j = 0; j + 1 < g->h; j++)
        for (int i = 0; i + 1 < g->w; i++) {
            if (!load_cell(g, i, j, &c)) continue;
            int in[4], crossed[4], n = 0;
            for (int k = 0; k < 4; k++)
                in[k] = c.v[k] >= level;
            for (int e = 0; e < 4; e++)
                if (in[e] != in[(e + 1) % 4]) crossed[n++] = e;
            double x0, y0, x1, y1;
            if (n == 2) {
                crossing(&c, crossed[0], level, &x0, &y0);
                crossing(&c, crossed[1], level, &x1, &y1);
                point(b, 'M', ax, ay, x0, y0);
                point(b, 'L', ax, ay, x1, y1);
                continue;
            }
            for (int o = 0; n == 4 && o < 4; o++) {
                if (in[o]) continue;
                crossing(&c, (o + 3) % 4, level, &x0, &y0);
                crossing(&c, o, level, &x1, &y1);
                point(b, 'M', ax, ay, x0, y0);
                point(b, 'L', ax, ay, x1, y1);
            }
        }
}

void gn_plot_contour_svg(gn_plot_buf *b, const gn_plot_grid *g, const gn_plot_axis *ax,
                         const gn_plot_axis *ay, const double *levels, int n_levels) {
    for (int k = 0; k <= n_levels; k++) {
        uint32_t rgb = gn_plot_band_color(k, n_levels);
        gn_plot_buf_printf(b, "<path fill=\"#%06X\" stroke=\"#%06X\" stroke-width=\"0.6\" d=\"",
                           (unsigned)rgb, (unsigned)rgb);
        band_region(b, g, k == 0 ? -INFINITY : levels[k - 1], ax, ay);
        gn_plot_buf_printf(b, "\"/>\n");
    }
    if (n_levels == 0) return;
    gn_plot_buf_printf(b, "<path fill=\"none\" stroke=\"#1F2D3A\" stroke-opacity=\"0.3\" "
                          "stroke-width=\"0.7\" d=\"");
    for (int k = 0; k < n_levels; k++)
        isolines(b, g, levels[k], ax, ay);
    gn_plot_buf_printf(b, "\"/>\n");
}
