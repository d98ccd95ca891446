/* Finite-difference gradient check: d(sum(w * out))/d(wrt), central
 * differences, with the graph's RNG restored before every pass so that
 * stochastic ops see the same randomness. */
#include <math.h>
#include <stdlib.h>
#include <ganglion/gradcheck.h>
#include "graph_impl.h"

static gn_status objective(gn_graph *g, gn_node *out, const float *w, const gn_rng *saved,
                           double *f, gn_error *err) {
    if (g->rng && saved) *g->rng = *saved;
    gn_status st = gn_graph_forward(g, out, err);
    if (st) return st;
    const float *y = gn_tensor_cdata(out->value);
    double acc = 0;
    for (int64_t i = 0; i < gn_tensor_numel(out->value); i++)
        acc += (double)w[i] * y[i];
    *f = acc;
    return GN_OK;
}

gn_status gn_gradcheck(gn_graph *g, gn_node *out, gn_node *wrt, float eps, gn_gradcheck_result *res,
                       gn_error *err) {
    if (!wrt->grad)
        return gn_error_set(err, GN_ERR_INVALID, "gradcheck: '%s' has no gradient", wrt->name);
    gn_rng saved = {{0}}, wr;
    if (g->rng) saved = *g->rng;
    gn_status st = gn_graph_forward(g, out, err);
    if (st) return st;
    int64_t n_out = gn_tensor_numel(out->value), n = gn_tensor_numel(wrt->value);
    float *w = malloc((size_t)n_out * sizeof *w);
    float *analytic = malloc((size_t)n * sizeof *analytic);
    if (!w || !analytic) {
        free(w);
        free(analytic);
        return gn_error_set(err, GN_ERR_NOMEM, "gradcheck: out of memory");
    }
    gn_rng_seed(&wr, 0x6e616e6cull);
    for (int64_t i = 0; i < n_out; i++)
        w[i] = (float)(gn_rng_uniform(&wr) * 2 - 1);

    double f0;
    if ((st = objective(g, out, w, g->rng ? &saved : NULL, &f0, err))) goto done;
    gn_tensor_zero(wrt->grad);
    if ((st = gn_graph_backward_seeded(g, out, w, err))) goto done;
    for (int64_t i = 0; i < n; i++)
        analytic[i] = gn_tensor_cdata(wrt->grad)[i];

    res->max_abs_err = res->max_rel_err = 0;
    res->checked = n;
    float *x = gn_tensor_data(wrt->value);
    for (int64_t i = 0; i < n; i++) {
        float keep = x[i];
        double fp, fm;
        x[i] = keep + eps;
        st = objective(g, out, w, g->rng ? &saved : NULL, &fp, err);
        x[i] = keep - eps;
        if (!st) st = objective(g, out, w, g->rng ? &saved : NULL, &fm, err);
        x[i] = keep;
        if (st) goto done;
        double num = (fp - fm) / (2.0 * eps), a = analytic[i];
        double abs_err = fabs(a - num), den = fabs(a) + fabs(num);
        double rel = abs_err / (den > 1e-3 ? den : 1e-3);
        if (abs_err > res->max_abs_err) res->max_abs_err = abs_err;
        if (rel > res->max_rel_err) res->max_rel_err = rel;
    }
    st = objective(g, out, w, g->rng ? &saved : NULL, &f0, err); /* leave values consistent */
done:
    free(w);
    free(analytic);
    return st;
}
