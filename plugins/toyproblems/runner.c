/* One optimizer on one objective: gn_optim_step on the 1- or 2-element
 * point, the same update training applies to a model's parameters. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "toyproblems.h"

void gn_toy_trace_free(gn_toy_trace *t) {
    if (!t) return;
    free(t->p);
    free(t->loss);
    free(t->grad);
    free(t->state);
    t->p = t->loss = t->grad = t->state = NULL;
    t->rows = t->cap = 0;
}

static gn_status alloc_rows(gn_toy_trace *t, int64_t rows, gn_error *err) {
    size_t r = (size_t)rows, d = (size_t)t->dim, k = (size_t)t->n_states;
    t->p = malloc(r * d * sizeof(double));
    t->loss = malloc(r * sizeof(double));
    t->grad = malloc(r * d * sizeof(double));
    t->state = malloc(r * (k ? k : 1) * d * sizeof(double));
    if (!t->p || !t->loss || !t->grad || !t->state) {
        gn_toy_trace_free(t);
        return gn_error_set(err, GN_ERR_NOMEM, "out of memory for a trace of %lld steps",
                            (long long)rows - 1);
    }
    t->cap = rows;
    return GN_OK;
}

static void record(gn_toy_trace *t, const gn_optim *opt, const float *x, double loss,
                   const double *g) {
    int64_t r = t->rows++;
    int d = t->dim;
    for (int i = 0; i < d; i++) {
        t->p[r * d + i] = x[i];
        t->grad[r * d + i] = g[i];
        for (int k = 0; k < t->n_states; k++)
            t->state[(r * t->n_states + k) * d + i] = gn_optim_state(opt, k, i);
    }
    t->loss[r] = loss;
}

gn_status gn_toy_run(const gn_toy_fn *f, const double *start, const gn_toy_opt *o, int64_t steps,
                     int keep, gn_toy_trace *out, gn_error *err) {
    memset(out, 0, sizeof *out);
    out->dim = f->dim;
    gn_optim *opt = gn_optim_new(o->name, f->dim, &o->hp, err);
    if (!opt) return err->status;
    out->n_states = gn_optim_n_states(opt);
    if (out->n_states > GN_TOY_MAX_STATES) out->n_states = GN_TOY_MAX_STATES;
    for (int k = 0; k < out->n_states; k++)
        snprintf(out->state_names[k], sizeof out->state_names[k], "%s",
                 gn_optim_state_name(opt, k));
    gn_status st = keep ? alloc_rows(out, steps + 1, err) : GN_OK;
    if (st) {
        gn_optim_free(opt);
        return st;
    }
    /* the point is float, as model parameters are; f and its gradient are
     * evaluated in double at that point */
    float x[2] = {(float)start[0], f->dim > 1 ? (float)start[1] : 0.0f}, gf[2];
    double p[2], g[2] = {0, 0}, loss;
    for (int64_t t = 0;; t++) {
        for (int i = 0; i < f->dim; i++)
            p[i] = x[i];
        loss = gn_toy_eval(f, p, g);
        if (keep) record(out, opt, x, loss, g);
        int finite = isfinite(loss);
        for (int i = 0; i < f->dim; i++)
            finite &= isfinite(p[i]) && isfinite((float)g[i]);
        if (!finite) out->diverged = 1;
        if (!finite || t == steps) break;
        for (int i = 0; i < f->dim; i++)
            gf[i] = (float)g[i];
        if ((st = gn_optim_step(opt, x, gf, err))) break;
    }
    for (int i = 0; i < 2; i++)
        out->final_p[i] = i < f->dim ? p[i] : 0;
    out->final_loss = loss;
    gn_optim_free(opt);
    if (st) gn_toy_trace_free(out);
    return st;
}
