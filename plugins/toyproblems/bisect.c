/* Threshold search: bisection over the searched symbol for the value where
 * an optimizer goes from escaping a local minimum to staying trapped in it. */
#include <math.h>
#include <string.h>
#include "toyproblems.h"

/* Runs o with symbol = value; trapped when it ends within radius of trap. */
static gn_status evaluate(const gn_section *s, const gn_toy_search *q, const gn_toy_opt *o,
                          double value, gn_toy_eval_row *row, gn_error *err) {
    gn_toy_subst sub = {q->symbol, value};
    gn_toy_problem pb;
    gn_status st = gn_toy_problem_parse(s, &sub, &pb, err);
    if (st) {
        size_t n = strlen(err->msg);
        snprintf(err->msg + n, sizeof err->msg - n, " (with %s = %g)", q->symbol, value);
        return st;
    }
    gn_toy_trace t;
    if ((st = gn_toy_run(&pb.f, pb.start, o, q->steps, 0, &t, err))) return st;
    double to_trap = 0, to_escape = 0;
    for (int i = 0; i < pb.f.dim; i++) {
        to_trap += pow(t.final_p[i] - q->trap[i], 2);
        to_escape += pow(t.final_p[i] - q->escape[i], 2);
    }
    /* a diverged run (NaN distances) counts as escaped */
    int trapped = q->has_escape ? to_trap < to_escape : sqrt(to_trap) <= q->radius;
    *row = (gn_toy_eval_row){value, trapped, {t.final_p[0], t.final_p[1]}, t.final_loss};
    return GN_OK;
}

gn_status gn_toy_bisect(const gn_section *s, const gn_toy_search *q, const gn_toy_opt *o,
                        gn_toy_bisection *out, gn_error *err) {
    memset(out, 0, sizeof *out);
    gn_toy_eval_row *r = out->rows;
    gn_status st;
    if ((st = evaluate(s, q, o, q->lo, &r[0], err)) || (st = evaluate(s, q, o, q->hi, &r[1], err)))
        return st;
    out->n = 2;
    if (r[0].trapped == r[1].trapped)
        return gn_toy_config_error(
            s, "search_lo", err,
            "%s %s at both ends of the search range (%s = %g ends at x = %g, %s = %g at x = %g); "
            "choose search_lo and search_hi so that it escapes at one and is trapped at the other",
            o->name, r[0].trapped ? "is trapped" : "escapes", q->symbol, q->lo, r[0].p[0],
            q->symbol, q->hi, r[1].p[0]);
    double a = q->lo, b = q->hi;
    int trapped_a = r[0].trapped;
    while (fabs(b - a) > q->tol && out->n < GN_TOY_MAX_EVALS) {
        double m = a + (b - a) / 2;
        if (m == a || m == b) break; /* no double between them */
        gn_toy_eval_row *row = &r[out->n];
        if ((st = evaluate(s, q, o, m, row, err))) return st;
        out->n++;
        if (row->trapped == trapped_a)
            a = m;
        else
            b = m;
    }
    out->escapes_at = trapped_a ? b : a;
    out->trapped_at = trapped_a ? a : b;
    return GN_OK;
}
