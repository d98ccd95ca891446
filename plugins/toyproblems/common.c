/* Small pieces both trainers use: artifacts, the step budget, summaries. */
#include <math.h>
#include <stdlib.h>
#include "toyproblems.h"

gn_status gn_toy_write(const gn_run_ctx *ctx, const char *name, char *text, size_t len,
                       gn_error *err) {
    gn_status st = ctx->host->artifact(ctx->run, name, text, len, err);
    free(text);
    return st;
}

int64_t gn_toy_steps(const gn_run_ctx *ctx) {
    int64_t steps = gn_section_int(ctx->params, "steps");
    if (!ctx->quick) return steps;
    int64_t q = gn_section_int(ctx->params, "quick_steps");
    if (q == 0) q = steps / 5 > 0 ? steps / 5 : 1;
    return q < steps ? q : steps;
}

void gn_toy_final_line(const char *name, const gn_toy_trace *t, char *buf, size_t n) {
    int64_t r = t->rows - 1;
    const double *p = t->p + r * t->dim, *g = t->grad + r * t->dim;
    double gn = t->dim == 1 ? fabs(g[0]) : hypot(g[0], g[1]);
    if (t->dim == 1)
        snprintf(buf, n, "%s: x = %.6g, loss = %.6g, |grad| = %.6g after %lld steps%s", name, p[0],
                 t->loss[r], gn, (long long)r, t->diverged ? " (diverged)" : "");
    else
        snprintf(buf, n, "%s: (x, y) = (%.6g, %.6g), loss = %.6g, |grad| = %.6g after %lld steps%s",
                 name, p[0], p[1], t->loss[r], gn, (long long)r, t->diverged ? " (diverged)" : "");
}
