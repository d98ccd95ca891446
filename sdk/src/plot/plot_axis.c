/* Axes: data-to-pixel mapping, round-number ticks and their labels. */
#include <math.h>
#include <stdio.h>
#include "plot_impl.h"

/* Far-off points (a diverging path) are pulled in to a finite pixel
 * position; the clip path hides them. */
#define GN_PLOT_FAR 1e5

double gn_plot_axis_px(const gn_plot_axis *a, double v) {
    double lo = a->lo, hi = a->hi;
    if (a->log) {
        if (!(v > 0)) return NAN;
        v = log10(v);
        lo = log10(lo);
        hi = log10(hi);
    }
    double px = a->p0 + (v - lo) / (hi - lo) * (a->p1 - a->p0);
    if (px > GN_PLOT_FAR) return GN_PLOT_FAR;
    if (px < -GN_PLOT_FAR) return -GN_PLOT_FAR;
    return px;
}

/* 1, 2 or 5 times a power of ten, near raw. */
static double nice_step(double raw) {
    double mag = pow(10, floor(log10(raw)));
    double f = raw / mag;
    return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

static int linear_ticks(double lo, double hi, int target, double *ticks) {
    if (!(hi > lo) || target < 1) return 0;
    double step = nice_step((hi - lo) / target);
    double k0 = ceil(lo / step - 1e-9);
    int n = 0;
    for (double k = k0; n < GN_PLOT_MAX_TICKS; k++) {
        double t = k * step;
        if (t > hi + 1e-9 * step) break;
        ticks[n++] = fabs(t) < 1e-12 * step ? 0.0 : t;
    }
    return n;
}

static int log_ticks(double lo, double hi, int target, double *ticks) {
    double dlo = log10(lo), dhi = log10(hi), span = dhi - dlo;
    int n = 0;
    if (span < 0.6) return linear_ticks(lo, hi, target, ticks);
    if (span <= 2.5) { /* 1-2-5 in every decade */
        static const double m[] = {1, 2, 5};
        for (int d = (int)floor(dlo); d <= (int)ceil(dhi) && n < GN_PLOT_MAX_TICKS; d++)
            for (int k = 0; k < 3 && n < GN_PLOT_MAX_TICKS; k++) {
                double t = m[k] * pow(10, d);
                if (t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9)) ticks[n++] = t;
            }
        return n;
    }
    int every = (int)ceil(span / (target > 0 ? target : 1));
    if (every < 1) every = 1;
    int d0 = (int)ceil(dlo - 1e-9);
    d0 = (int)(ceil((double)d0 / every) * every); /* multiples of `every` decades */
    for (int d = d0; d <= (int)floor(dhi + 1e-9) && n < GN_PLOT_MAX_TICKS; d += every)
        ticks[n++] = pow(10, d);
    return n;
}

int gn_plot_ticks(double lo, double hi, int target, int log, double *ticks) {
    if (!isfinite(lo) || !isfinite(hi) || !(hi > lo)) return 0;
    if (log) return lo > 0 ? log_ticks(lo, hi, target, ticks) : 0;
    return linear_ticks(lo, hi, target, ticks);
}

void gn_plot_tick_label(double v, double step, char *buf, size_t n) {
    if (v == 0) {
        snprintf(buf, n, "0");
        return;
    }
    double a = fabs(v);
    if (a >= 1e6 || a < 1e-4 || !(step > 0)) {
        snprintf(buf, n, "%.3g", v);
        return;
    }
    int dec = (int)ceil(-log10(step) - 1e-9);
    if (dec < 0) dec = 0;
    if (dec > 8) dec = 8;
    snprintf(buf, n, "%.*f", dec, v);
}

int gn_plot_pow10(double v) {
    if (!(v > 0)) return INT32_MIN;
    double k = round(log10(v));
    return fabs(v / pow(10, k) - 1) < 1e-9 ? (int)k : INT32_MIN;
}
