/* Piecewise-linear objectives through breakpoints "x0:y0, x1:y1, ...",
 * continued beyond the ends with the end slopes. */
#include <string.h>
#include "toyproblems.h"

gn_status gn_toy_piecewise_parse(const gn_section *s, const char *key, const gn_toy_subst *sub,
                                 gn_toy_piecewise *out, gn_error *err) {
    const char *text = gn_section_str(s, key), *p = text ? text : "";
    memset(out, 0, sizeof *out);
    for (int item = 1; *p; item++) {
        p += strspn(p, " \t"); /* trimmed, for the messages */
        if (!*p) break;
        size_t len = strcspn(p, ",");
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        const char *colon = memchr(p, ':', len);
        int okx = 0, oky = 0;
        double x = 0, y = 0;
        if (colon) {
            x = gn_toy_number(p, (size_t)(colon - p), sub, &okx);
            y = gn_toy_number(colon + 1, len - (size_t)(colon - p) - 1, sub, &oky);
        }
        if (!okx || !oky)
            return gn_toy_config_error(s, key, err,
                                       "point %d '%.*s' is not X:Y with numbers%s%s (write "
                                       "points = 0:1, 1:0, 2:0.5)",
                                       item, (int)len, p, sub && sub->name ? " or " : "",
                                       sub && sub->name ? sub->name : "");
        if (out->n == GN_TOY_MAX_POINTS)
            return gn_toy_config_error(s, key, err, "more than %d points", GN_TOY_MAX_POINTS);
        if (out->n > 0 && !(x > out->x[out->n - 1]))
            return gn_toy_config_error(s, key, err,
                                       "x must increase from point to point: point %d has x = "
                                       "%g after %g",
                                       item, x, out->x[out->n - 1]);
        out->x[out->n] = x;
        out->y[out->n++] = y;
        p += len;
        p += strspn(p, " \t");
        if (*p == ',') p++;
    }
    if (out->n < 2)
        return gn_toy_config_error(s, key, err,
                                   "needs at least two points X:Y (write points = 0:1, 1:0)");
    return GN_OK;
}

/* Piece i covers [x_i, x_i+1); beyond the ends the first and last pieces go
 * on, so a breakpoint takes the slope on its right. */
double gn_toy_piecewise_eval(const gn_toy_piecewise *pw, double x, double *g) {
    int i = 0;
    while (i + 2 < pw->n && x >= pw->x[i + 1])
        i++;
    double slope = (pw->y[i + 1] - pw->y[i]) / (pw->x[i + 1] - pw->x[i]);
    if (g) *g = slope;
    return pw->y[i] + slope * (x - pw->x[i]);
}
