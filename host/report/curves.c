/* Learning curves: one gn_plot per metric, nested side by side in one SVG. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ganglion/plot.h>
#include "report/atomic.h"
#include "report/curves.h"

#define GN_CURVE_MAX 4096
#define GN_CHART_W 560
#define GN_CHART_H 400

/* Legends grow with the number of runs compared. */
static int chart_height(int n_runs) {
    return n_runs > 1 ? GN_CHART_H + 22 * n_runs : GN_CHART_H;
}

static gn_status chart(const gn_results *const *runs, const char *const *labels, int n_runs,
                       const char *metric, const char *x_metric, char **svg, size_t *len,
                       gn_error *err) {
    static double x[GN_CURVE_MAX], y[GN_CURVE_MAX], xe[GN_CURVE_MAX], xv[GN_CURVE_MAX];
    char title[96];
    if (x_metric)
        snprintf(title, sizeof title, "%s against %s", metric, x_metric);
    else
        snprintf(title, sizeof title, "%s per epoch", metric);
    gn_plot *p = gn_plot_new(title, x_metric ? x_metric : "epoch", metric);
    if (!p) return gn_error_set(err, GN_ERR_NOMEM, "learning curves: out of memory");
    gn_status st = gn_plot_set_size(p, GN_CHART_W, chart_height(n_runs), err);
    static const char *const splits[] = {"train", "val"};
    for (int r = 0; r < n_runs && !st; r++)
        for (int s = 0; s < 2 && !st; s++) {
            /* Comparing runs: one curve each (validation when there is one). */
            if (n_runs > 1 && s == 0 && gn_results_series(runs[r], "val", metric, x, y, 1))
                continue;
            int n = gn_results_series(runs[r], splits[s], metric, x, y, GN_CURVE_MAX);
            if (!n) continue;
            if (x_metric) { /* epoch numbers -> that epoch's value of x_metric */
                int nx = gn_results_series(runs[r], "train", x_metric, xe, xv, GN_CURVE_MAX);
                for (int i = 0; i < n; i++) {
                    double v = NAN;
                    for (int k = 0; k < nx; k++)
                        if (xe[k] == x[i]) v = xv[k];
                    x[i] = v;
                }
            }
            char label[160];
            if (labels && labels[r])
                snprintf(label, sizeof label, "%s (%s)", labels[r], splits[s]);
            else
                snprintf(label, sizeof label, "%s", splits[s]);
            st = gn_plot_line(p, label, x, y, n, err);
        }
    if (!st && gn_plot_n_series(p) == 0) st = GN_ERR_NOT_FOUND;
    if (!st) st = gn_plot_svg(p, svg, len, err);
    gn_plot_free(p);
    return st;
}

gn_status gn_curves_svg(const gn_results *const *runs, const char *const *labels, int n_runs,
                        const char *const *metrics, int n_metrics, char **svg, size_t *len,
                        gn_error *err) {
    return gn_curves_svg_x(runs, labels, n_runs, metrics, n_metrics, NULL, svg, len, err);
}

gn_status gn_curves_svg_x(const gn_results *const *runs, const char *const *labels, int n_runs,
                          const char *const *metrics, int n_metrics, const char *x_metric,
                          char **svg, size_t *len, gn_error *err) {
    gn_buf out = {0};
    int drawn = 0;
    gn_status st = GN_OK;
    for (int m = 0; m < n_metrics && !st; m++) {
        char *one = NULL;
        size_t n = 0;
        gn_status cs = chart(runs, labels, n_runs, metrics[m], x_metric, &one, &n, err);
        if (cs == GN_ERR_NOT_FOUND) continue;
        if (cs) {
            st = cs;
            break;
        }
        /* Nest the chart's own <svg> at its column: an SVG may contain SVGs. */
        const char *root = strstr(one, "<svg");
        if (root) gn_buf_printf(&out, "<svg x=\"%d\" y=\"0\"%s\n", drawn * GN_CHART_W, root + 4);
        free(one);
        drawn++;
    }
    if (!st && !drawn) st = gn_error_set(err, GN_ERR_NOT_FOUND, "no metrics recorded yet");
    if (!st) {
        gn_buf doc = {0};
        gn_buf_printf(&doc,
                      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                      "viewBox=\"0 0 %d %d\">\n%s</svg>\n",
                      drawn * GN_CHART_W, chart_height(n_runs), drawn * GN_CHART_W,
                      chart_height(n_runs), out.data ? out.data : "");
        if (doc.failed) st = gn_error_set(err, GN_ERR_NOMEM, "learning curves: out of memory");
        *svg = doc.data;
        *len = doc.len;
    }
    gn_buf_free(&out);
    return st;
}
