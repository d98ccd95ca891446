/* L-BFGS with a strong-Wolfe line search, after torch.optim.LBFGS. */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <ganglion/lbfgs.h>

/* Sizes in ABI 1.0: fields are only appended (params after reserved). */
#define PARAMS_V1_SIZE                                                                             \
    (offsetof(gn_lbfgs_params, reserved) + sizeof(((gn_lbfgs_params *)0)->reserved))
#define RESULT_V1_SIZE (offsetof(gn_lbfgs_result, stop) + sizeof(int))

/* Curvature pairs with y.s at or below this are skipped (as PyTorch). */
#define YS_MIN 1e-10

void gn_lbfgs_defaults(gn_lbfgs_params *p) {
    if (!p) return;
    memset(p, 0, sizeof *p);
    p->struct_size = (uint32_t)sizeof *p;
    p->history = 10;
    p->max_iter = 100;
    p->max_eval = 0;
    p->lr = 1.0;
    p->tolerance_grad = 1e-7;
    p->tolerance_change = 1e-9;
    p->line_search = GN_LBFGS_STRONG_WOLFE;
    p->c1 = 1e-4;
    p->c2 = 0.9;
    p->max_ls = 25;
}

const char *gn_lbfgs_stop_name(int stop) {
    static const char *const names[] = {"none",     "grad",     "change", "max_iter",
                                        "max_eval", "callback", "error"};
    if (stop < 0 || stop >= (int)(sizeof names / sizeof names[0])) return "unknown";
    return names[stop];
}

static int finite_nonneg(double v) {
    return v >= 0.0 && !isinf(v);
}

static gn_status check_params(const gn_lbfgs_params *p, gn_error *err) {
    if (p->history < 1)
        return gn_error_set(err, GN_ERR_INVALID, "lbfgs: history must be >= 1 (got %d)",
                            p->history);
    if (p->max_iter < 1)
        return gn_error_set(err, GN_ERR_INVALID, "lbfgs: max_iter must be >= 1 (got %d)",
                            p->max_iter);
    if (p->max_eval < 0)
        return gn_error_set(err, GN_ERR_INVALID,
                            "lbfgs: max_eval must be >= 0 (0 = max_iter * 5 / 4; got %d)",
                            p->max_eval);
    if (!(p->lr > 0.0) || isinf(p->lr))
        return gn_error_set(err, GN_ERR_INVALID, "lbfgs: lr must be finite and > 0 (got %g)",
                            p->lr);
    if (!finite_nonneg(p->tolerance_grad))
        return gn_error_set(err, GN_ERR_INVALID,
                            "lbfgs: tolerance_grad must be finite and >= 0 (got %g)",
                            p->tolerance_grad);
    if (!finite_nonneg(p->tolerance_change))
        return gn_error_set(err, GN_ERR_INVALID,
                            "lbfgs: tolerance_change must be finite and >= 0 (got %g)",
                            p->tolerance_change);
    if (p->line_search != GN_LBFGS_STRONG_WOLFE && p->line_search != GN_LBFGS_FIXED_STEP)
        return gn_error_set(err, GN_ERR_INVALID,
                            "lbfgs: line_search must be GN_LBFGS_STRONG_WOLFE or "
                            "GN_LBFGS_FIXED_STEP (got %d)",
                            p->line_search);
    if (p->line_search == GN_LBFGS_STRONG_WOLFE) {
        if (!(p->c1 > 0.0 && p->c1 < p->c2 && p->c2 < 1.0))
            return gn_error_set(err, GN_ERR_INVALID,
                                "lbfgs: the Wolfe constants need 0 < c1 < c2 < 1 (got c1 = %g, "
                                "c2 = %g)",
                                p->c1, p->c2);
        if (p->max_ls < 1)
            return gn_error_set(err, GN_ERR_INVALID, "lbfgs: max_ls must be >= 1 (got %d)",
                                p->max_ls);
    }
    return GN_OK;
}

/* ---- vectors ------------------------------------------------------------ */

static double dot(const double *a, const double *b, int64_t n) {
    double s = 0.0;
    for (int64_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

static double max_abs(const double *a, int64_t n) {
    double m = 0.0;
    for (int64_t i = 0; i < n; i++)
        m = fmax(m, fabs(a[i]));
    return m;
}

static void copy(double *dst, const double *src, int64_t n) {
    memcpy(dst, src, (size_t)n * sizeof *dst);
}

/* ---- state ---------------------------------------------------------------- */

typedef struct lbfgs {
    int64_t n;
    float *x; /* the caller's vector: trial points, then the accepted point */
    gn_lbfgs_fn f;
    void *ud;
    const gn_lbfgs_params *p;
    gn_error *err;
    int64_t evals, iter;
    float *gf;             /* f's gradient */
    double *xd;            /* accepted point */
    double *g, *d;         /* gradient there; search direction */
    double *g_prev;        /* gradient at the previous accepted point */
    double *s_new, *y_new; /* candidate curvature pair */
    double **S, **Y, *rho, *alpha;
    int n_old;
    double *ls_g, *ls_gp, *bg[2]; /* line-search gradients */
} lbfgs;

/* f at xd + t*d (d NULL: at xd), in float; loss to *fo, gradient to g. */
static gn_status eval_at(lbfgs *s, double t, const double *d, double *fo, double *g) {
    for (int64_t i = 0; i < s->n; i++)
        s->x[i] = (float)(d ? s->xd[i] + t * d[i] : s->xd[i]);
    gn_error fe = {0};
    s->evals++;
    double v = s->f(s->x, s->gf, s->ud, &fe);
    if (fe.status != GN_OK) {
        if (!s->err) return fe.status;
        *s->err = fe;
        return gn_error_prefix(s->err, "lbfgs: evaluation %lld (iteration %lld)",
                               (long long)s->evals, (long long)s->iter);
    }
    if (!isfinite(v))
        return gn_error_set(s->err, GN_ERR_NUMERIC,
                            "lbfgs: the objective returned %g at evaluation %lld (iteration "
                            "%lld)",
                            v, (long long)s->evals, (long long)s->iter);
    for (int64_t i = 0; i < s->n; i++) {
        if (!isfinite(s->gf[i]))
            return gn_error_set(s->err, GN_ERR_NUMERIC,
                                "lbfgs: gradient[%lld] is %g at evaluation %lld (iteration %lld)",
                                (long long)i, (double)s->gf[i], (long long)s->evals,
                                (long long)s->iter);
        g[i] = s->gf[i];
    }
    *fo = v;
    return GN_OK;
}

/* Minimiser of the cubic through (x1, f1, g1), (x2, f2, g2), clamped to
 * [lo, hi]; the midpoint when the cubic has none (PyTorch's _cubic_interpolate). */
static double cubic_interpolate(double x1, double f1, double g1, double x2, double f2, double g2,
                                double lo, double hi) {
    double d1 = g1 + g2 - 3.0 * (f1 - f2) / (x1 - x2);
    double d2_sq = d1 * d1 - g1 * g2;
    if (d2_sq >= 0.0) {
        double d2 = sqrt(d2_sq);
        double pos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2.0 * d2))
                              : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2.0 * d2));
        if (isfinite(pos)) return fmin(fmax(pos, lo), hi);
    }
    return 0.5 * (lo + hi);
}

static double cubic_in_bracket(double x1, double f1, double g1, double x2, double f2, double g2) {
    return cubic_interpolate(x1, f1, g1, x2, f2, g2, fmin(x1, x2), fmax(x1, x2));
}

/* Strong-Wolfe line search along d from xd (loss f0, gradient s->g,
 * directional derivative gtd < 0), starting at step *t. On success *t is
 * the step taken, *f_out its loss and s->g its gradient. */
static gn_status strong_wolfe(lbfgs *s, double *t_io, double f0, double gtd, double *f_out) {
    const double c1 = s->p->c1, c2 = s->p->c2, tol = s->p->tolerance_change;
    const int max_ls = s->p->max_ls;
    const int64_t n = s->n;
    const double *d = s->d;
    double d_norm = max_abs(d, n);
    double *gn = s->ls_g, *gp = s->ls_gp, **bg = s->bg;
    gn_status st;

    double t = *t_io, fn;
    if ((st = eval_at(s, t, d, &fn, gn))) return st;
    double gtdn = dot(gn, d, n);

    /* Bracketing: an interval containing a point that satisfies the conditions. */
    double tp = 0.0, fp = f0, gtdp = gtd;
    copy(gp, s->g, n);
    double bt[2] = {0}, bf[2] = {0}, bgtd[2] = {0};
    int done = 0, ls_iter = 0;
    while (ls_iter < max_ls) {
        int armijo_fails = fn > f0 + c1 * t * gtd || (ls_iter > 1 && fn >= fp);
        if (!armijo_fails && fabs(gtdn) <= -c2 * gtd) { /* strong Wolfe holds at t */
            bt[0] = bt[1] = t;
            bf[0] = bf[1] = fn;
            bgtd[0] = bgtd[1] = gtdn;
            copy(bg[0], gn, n);
            done = 1;
            break;
        }
        if (armijo_fails || gtdn >= 0.0) { /* the minimum lies in [tp, t] */
            bt[0] = tp, bt[1] = t;
            bf[0] = fp, bf[1] = fn;
            bgtd[0] = gtdp, bgtd[1] = gtdn;
            copy(bg[0], gp, n);
            copy(bg[1], gn, n);
            break;
        }
        /* extrapolate */
        double min_step = t + 0.01 * (t - tp), max_step = t * 10.0;
        double t_old = t;
        t = cubic_interpolate(tp, fp, gtdp, t, fn, gtdn, min_step, max_step);
        tp = t_old;
        fp = fn;
        gtdp = gtdn;
        double *sw = gp;
        gp = gn;
        gn = sw;
        if ((st = eval_at(s, t, d, &fn, gn))) return st;
        gtdn = dot(gn, d, n);
        ls_iter++;
    }
    if (ls_iter == max_ls) { /* no bracket found: keep the better of 0 and t */
        bt[0] = 0.0, bt[1] = t;
        bf[0] = f0, bf[1] = fn;
        bgtd[0] = gtd, bgtd[1] = gtdn;
        copy(bg[0], s->g, n);
        copy(bg[1], gn, n);
    }

    /* Zoom: shrink the bracket until a point satisfies the conditions. */
    int insuf_progress = 0;
    int lo = bf[0] <= bf[1] ? 0 : 1, hi = 1 - lo;
    if (done) lo = 0;
    while (!done && ls_iter < max_ls) {
        if (fabs(bt[1] - bt[0]) * d_norm < tol) break;
        t = cubic_in_bracket(bt[0], bf[0], bgtd[0], bt[1], bf[1], bgtd[1]);
        double bmax = fmax(bt[0], bt[1]), bmin = fmin(bt[0], bt[1]);
        double eps = 0.1 * (bmax - bmin);
        if (fmin(bmax - t, t - bmin) < eps) { /* too close to a boundary */
            if (insuf_progress || t >= bmax || t <= bmin) {
                t = fabs(t - bmax) < fabs(t - bmin) ? bmax - eps : bmin + eps;
                insuf_progress = 0;
            } else {
                insuf_progress = 1;
            }
        } else {
            insuf_progress = 0;
        }
        if ((st = eval_at(s, t, d, &fn, gn))) return st;
        gtdn = dot(gn, d, n);
        ls_iter++;
        if (fn > f0 + c1 * t * gtd || fn >= bf[lo]) { /* new high */
            bt[hi] = t;
            bf[hi] = fn;
            bgtd[hi] = gtdn;
            copy(bg[hi], gn, n);
            lo = bf[0] <= bf[1] ? 0 : 1;
            hi = 1 - lo;
        } else {
            if (fabs(gtdn) <= -c2 * gtd) {
                done = 1;
            } else if (gtdn * (bt[hi] - bt[lo]) >= 0.0) { /* old low becomes high */
                bt[hi] = bt[lo];
                bf[hi] = bf[lo];
                bgtd[hi] = bgtd[lo];
                copy(bg[hi], bg[lo], n);
            }
            bt[lo] = t;
            bf[lo] = fn;
            bgtd[lo] = gtdn;
            copy(bg[lo], gn, n);
        }
    }
    s->ls_g = gn; /* the buffers may have been swapped */
    s->ls_gp = gp;
    *t_io = bt[lo];
    *f_out = bf[lo];
    copy(s->g, bg[lo], n);
    return GN_OK;
}

/* Direction d = -H g by the two-loop recursion, after recording the pair
 * (s, y) = (t_prev * d_prev, g - g_prev) when its curvature is positive. */
static void update_direction(lbfgs *s, double t_prev, double *h_diag) {
    const int64_t n = s->n;
    for (int64_t i = 0; i < n; i++) {
        s->s_new[i] = t_prev * s->d[i];
        s->y_new[i] = s->g[i] - s->g_prev[i];
    }
    double ys = dot(s->y_new, s->s_new, n);
    if (ys > YS_MIN) {
        int m = s->p->history;
        if (s->n_old == m) { /* drop the oldest pair; its storage becomes scratch */
            double *so = s->S[0], *yo = s->Y[0];
            memmove(s->S, s->S + 1, (size_t)(m - 1) * sizeof *s->S);
            memmove(s->Y, s->Y + 1, (size_t)(m - 1) * sizeof *s->Y);
            memmove(s->rho, s->rho + 1, (size_t)(m - 1) * sizeof *s->rho);
            s->n_old--;
            s->S[m - 1] = so;
            s->Y[m - 1] = yo;
        }
        int k = s->n_old++;
        double *sw = s->S[k];
        s->S[k] = s->s_new;
        s->s_new = sw;
        sw = s->Y[k];
        s->Y[k] = s->y_new;
        s->y_new = sw;
        s->rho[k] = 1.0 / ys;
        *h_diag = ys / dot(s->Y[k], s->Y[k], n);
    }
    double *q = s->d;
    for (int64_t i = 0; i < n; i++)
        q[i] = -s->g[i];
    for (int k = s->n_old - 1; k >= 0; k--) {
        s->alpha[k] = dot(s->S[k], q, n) * s->rho[k];
        for (int64_t i = 0; i < n; i++)
            q[i] -= s->alpha[k] * s->Y[k][i];
    }
    for (int64_t i = 0; i < n; i++)
        q[i] *= *h_diag;
    for (int k = 0; k < s->n_old; k++) {
        double beta = dot(s->Y[k], q, n) * s->rho[k];
        for (int64_t i = 0; i < n; i++)
            q[i] += (s->alpha[k] - beta) * s->S[k][i];
    }
}

static void free_state(lbfgs *s) {
    free(s->gf);
    free(s->xd);
    free(s->g);
    free(s->d);
    free(s->g_prev);
    free(s->s_new);
    free(s->y_new);
    free(s->ls_g);
    free(s->ls_gp);
    free(s->bg[0]);
    free(s->bg[1]);
    if (s->S)
        for (int k = 0; k < s->p->history; k++)
            free(s->S[k]);
    if (s->Y)
        for (int k = 0; k < s->p->history; k++)
            free(s->Y[k]);
    free(s->S);
    free(s->Y);
    free(s->rho);
    free(s->alpha);
}

static gn_status alloc_state(lbfgs *s, gn_error *err) {
    size_t n = (size_t)s->n, m = (size_t)s->p->history;
    size_t vb = n * sizeof(double);
    int ok = (s->gf = malloc(n * sizeof(float))) != NULL;
    double **vecs[] = {&s->xd,    &s->g,    &s->d,     &s->g_prev, &s->s_new,
                       &s->y_new, &s->ls_g, &s->ls_gp, &s->bg[0],  &s->bg[1]};
    for (size_t k = 0; k < sizeof vecs / sizeof vecs[0]; k++)
        ok = ok && (*vecs[k] = malloc(vb)) != NULL;
    ok = ok && (s->S = calloc(m, sizeof *s->S)) && (s->Y = calloc(m, sizeof *s->Y)) &&
         (s->rho = calloc(m, sizeof *s->rho)) && (s->alpha = calloc(m, sizeof *s->alpha));
    for (size_t k = 0; ok && k < m; k++)
        ok = (s->S[k] = malloc(vb)) && (s->Y[k] = malloc(vb));
    if (!ok)
        return gn_error_set(err, GN_ERR_NOMEM,
                            "lbfgs: out of memory for %lld parameters with history %d",
                            (long long)s->n, s->p->history);
    return GN_OK;
}

gn_status gn_lbfgs_minimize(float *x, int64_t n, gn_lbfgs_fn f, void *ud,
                            const gn_lbfgs_params *params, gn_lbfgs_result *res,
                            gn_lbfgs_callback cb, gn_error *err) {
    if (res && res->struct_size < RESULT_V1_SIZE)
        return gn_error_set(err, GN_ERR_INVALID,
                            "lbfgs: result.struct_size is %u, expected >= %zu (set it to "
                            "sizeof(gn_lbfgs_result))",
                            (unsigned)res->struct_size, (size_t)RESULT_V1_SIZE);
    gn_lbfgs_result r = {.struct_size = (uint32_t)sizeof r, .loss = NAN, .grad_max = NAN};
    gn_status st = GN_OK;
    lbfgs s = {0};
    gn_lbfgs_params p;
    gn_lbfgs_defaults(&p);
    if (!x || !f) {
        st = gn_error_set(err, GN_ERR_INVALID, "lbfgs: %s is NULL", !x ? "x" : "f");
        goto out;
    }
    if (n < 1 || (uint64_t)n > SIZE_MAX / sizeof(double) / 4) {
        st = gn_error_set(err, GN_ERR_INVALID, "lbfgs: n must be >= 1 (got %lld)", (long long)n);
        goto out;
    }
    if (params) {
        if (params->struct_size < PARAMS_V1_SIZE) {
            st = gn_error_set(err, GN_ERR_INVALID,
                              "lbfgs: params.struct_size is %u, expected >= %zu (start from "
                              "gn_lbfgs_defaults)",
                              (unsigned)params->struct_size, (size_t)PARAMS_V1_SIZE);
            goto out;
        }
        memcpy(&p, params, params->struct_size < sizeof p ? params->struct_size : sizeof p);
        p.struct_size = (uint32_t)sizeof p;
    }
    if ((st = check_params(&p, err))) goto out;
    if ((uint64_t)n > SIZE_MAX / sizeof(double) / (uint64_t)(2 * p.history + 12)) {
        st = gn_error_set(err, GN_ERR_NOMEM, "lbfgs: %lld parameters do not fit in memory",
                          (long long)n);
        goto out;
    }
    int64_t max_eval = p.max_eval ? p.max_eval : (int64_t)p.max_iter * 5 / 4;
    s = (lbfgs){.n = n, .x = x, .f = f, .ud = ud, .p = &p, .err = err};
    if ((st = alloc_state(&s, err))) goto out;
    for (int64_t i = 0; i < n; i++)
        s.xd[i] = x[i];

    double loss;
    if ((st = eval_at(&s, 0.0, NULL, &loss, s.g))) {
        r.stop = GN_LBFGS_STOP_ERROR;
        goto out;
    }
    r.loss = loss;
    r.grad_max = max_abs(s.g, n);
    if (r.grad_max <= p.tolerance_grad) {
        r.stop = GN_LBFGS_STOP_GRAD;
        goto out;
    }
    double t = 0.0, h_diag = 1.0;
    for (;;) {
        if (s.iter == 0) {
            for (int64_t i = 0; i < n; i++)
                s.d[i] = -s.g[i];
        } else {
            update_direction(&s, t, &h_diag);
        }
        copy(s.g_prev, s.g, n);
        double prev_loss = loss;
        if (s.iter == 0) {
            double l1 = 0.0;
            for (int64_t i = 0; i < n; i++)
                l1 += fabs(s.g[i]);
            t = fmin(1.0, 1.0 / l1) * p.lr;
        } else {
            t = p.lr;
        }
        double gtd = dot(s.g, s.d, n);
        if (!(gtd <= -p.tolerance_change)) { /* not a descent direction any more */
            r.stop = GN_LBFGS_STOP_CHANGE;
            break;
        }
        s.iter++;
        if (p.line_search == GN_LBFGS_STRONG_WOLFE) {
            st = strong_wolfe(&s, &t, loss, gtd, &loss);
        } else {
            double *gn = s.ls_g;
            st = eval_at(&s, t, s.d, &loss, gn);
            if (!st) copy(s.g, gn, n);
        }
        if (st) {
            r.stop = GN_LBFGS_STOP_ERROR;
            break;
        }
        double step_max = 0.0;
        for (int64_t i = 0; i < n; i++) {
            s.xd[i] += t * s.d[i];
            x[i] = (float)s.xd[i];
            step_max = fmax(step_max, fabs(t * s.d[i]));
        }
        r.iterations = s.iter;
        r.loss = loss;
        r.grad_max = max_abs(s.g, n);
        if (cb && cb(s.iter, loss, ud)) {
            r.stop = GN_LBFGS_STOP_CALLBACK;
            break;
        }
        if (r.grad_max <= p.tolerance_grad) {
            r.stop = GN_LBFGS_STOP_GRAD;
            break;
        }
        if (step_max <= p.tolerance_change || fabs(loss - prev_loss) < p.tolerance_change) {
            r.stop = GN_LBFGS_STOP_CHANGE;
            break;
        }
        if (s.iter >= p.max_iter) {
            r.stop = GN_LBFGS_STOP_MAX_ITER;
            break;
        }
        if (s.evals >= max_eval) {
            r.stop = GN_LBFGS_STOP_MAX_EVAL;
            break;
        }
    }
out:
    if (s.xd) /* the accepted point, not the last trial */
        for (int64_t i = 0; i < n; i++)
            x[i] = (float)s.xd[i];
    r.iterations = s.iter;
    r.evaluations = s.evals;
    r.converged = r.stop == GN_LBFGS_STOP_GRAD || r.stop == GN_LBFGS_STOP_CHANGE;
    if (s.p) free_state(&s);
    if (res) {
        uint32_t keep = res->struct_size;
        memcpy(res, &r, keep < sizeof r ? keep : sizeof r);
        res->struct_size = keep;
    }
    return st;
}
