/* Sums of Gaussian wells, f = -sum d exp(-|u - c|^2 / (2 w^2)), in one or
 * two variables: "x:depth:width, ..." or "x:y:depth:width, ...". */
#include <math.h>
#include <string.h>
#include "toyproblems.h"

gn_status gn_toy_wells_parse(const gn_section *s, const char *key, const gn_toy_subst *sub, int dim,
                             gn_toy_wells *out, gn_error *err) {
    const char *text = gn_section_str(s, key), *p = text ? text : "";
    const char *form = dim == 1 ? "X:DEPTH:WIDTH" : "X:Y:DEPTH:WIDTH";
    memset(out, 0, sizeof *out);
    for (int item = 1; *p; item++) {
        p += strspn(p, " \t"); /* trimmed, for the messages */
        if (!*p) break;
        size_t len = strcspn(p, ",");
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        double v[4];
        int nv = 0, ok = 1;
        for (const char *q = p; ok && q < p + len;) {
            const char *colon = memchr(q, ':', (size_t)(p + len - q));
            size_t l = colon ? (size_t)(colon - q) : (size_t)(p + len - q);
            if (nv == dim + 2)
                ok = 0;
            else
                v[nv++] = gn_toy_number(q, l, sub, &ok);
            q += l + (colon != NULL);
        }
        if (!ok || nv != dim + 2)
            return gn_toy_config_error(s, key, err,
                                       "well %d '%.*s' is not %s (%d numbers for a %d-D start)",
                                       item, (int)len, p, form, dim + 2, dim);
        if (!(v[dim + 1] > 0))
            return gn_toy_config_error(s, key, err, "well %d has width %g; it must be > 0", item,
                                       v[dim + 1]);
        if (out->n == GN_TOY_MAX_WELLS)
            return gn_toy_config_error(s, key, err, "more than %d wells", GN_TOY_MAX_WELLS);
        for (int d = 0; d < dim; d++)
            out->c[out->n][d] = v[d];
        out->depth[out->n] = v[dim];
        out->width[out->n++] = v[dim + 1];
        p += len;
        p += strspn(p, " \t");
        if (*p == ',') p++;
    }
    if (out->n == 0)
        return gn_toy_config_error(s, key, err, "needs at least one well %s (write wells = %s)",
                                   form, dim == 1 ? "-1:1:0.5, 1.5:2:0.5" : "0:0:1:0.5");
    return GN_OK;
}

double gn_toy_wells_eval(const gn_toy_wells *w, int dim, const double *u, double *g) {
    double v = 0;
    if (g) g[0] = g[1] = 0;
    for (int k = 0; k < w->n; k++) {
        double r2 = 0, s2 = w->width[k] * w->width[k];
        for (int d = 0; d < dim; d++)
            r2 += (u[d] - w->c[k][d]) * (u[d] - w->c[k][d]);
        double e = w->depth[k] * exp(-r2 / (2 * s2));
        v -= e;
        for (int d = 0; g && d < dim; d++)
            g[d] += e * (u[d] - w->c[k][d]) / s2;
    }
    return v;
}
