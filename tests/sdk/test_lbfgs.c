/* L-BFGS: quadratics (exact in n + 1 iterations), Rosenbrock, an
 * ill-conditioned quadratic, least squares against the normal equations,
 * failing objectives, the callback, stopping rules and parameter checks. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include <ganglion/lbfgs.h>
#include <ganglion/rng.h>

#define MAXN 16

/* ---- problems ------------------------------------------------------------ */

/* f = 1/2 x'Ax - b'x, gradient Ax - b, in double. */
typedef struct quad {
    int n;
    double a[MAXN][MAXN], b[MAXN];
    int calls;
} quad;

static double quad_f(const float *x, float *g, void *ud, gn_error *err) {
    (void)err;
    quad *q = ud;
    q->calls++;
    double f = 0.0;
    for (int i = 0; i < q->n; i++) {
        double ax = 0.0;
        for (int j = 0; j < q->n; j++)
            ax += q->a[i][j] * x[j];
        f += 0.5 * x[i] * ax - q->b[i] * x[i];
        g[i] = (float)(ax - q->b[i]);
    }
    return f;
}

/* Solves A z = b (A symmetric positive definite) by Cholesky, in double. */
static void solve_spd(int n, double a[][MAXN], const double *b, double *z) {
    double l[MAXN][MAXN] = {{0}}, y[MAXN];
    for (int j = 0; j < n; j++) {
        double s = a[j][j];
        for (int k = 0; k < j; k++)
            s -= l[j][k] * l[j][k];
        cr_assert_gt(s, 0.0, "matrix not positive definite");
        l[j][j] = sqrt(s);
        for (int i = j + 1; i < n; i++) {
            double t = a[i][j];
            for (int k = 0; k < j; k++)
                t -= l[i][k] * l[j][k];
            l[i][j] = t / l[j][j];
        }
    }
    for (int i = 0; i < n; i++) {
        double s = b[i];
        for (int k = 0; k < i; k++)
            s -= l[i][k] * y[k];
        y[i] = s / l[i][i];
    }
    for (int i = n - 1; i >= 0; i--) {
        double s = y[i];
        for (int k = i + 1; k < n; k++)
            s -= l[k][i] * z[k];
        z[i] = s / l[i][i];
    }
}

/* A = Q diag(eig) Q' with Q a Householder reflection I - 2vv'/v'v. */
static void make_quad(quad *q, int n, const double *eig, uint64_t seed) {
    memset(q, 0, sizeof *q);
    q->n = n;
    gn_rng rng;
    gn_rng_seed(&rng, seed);
    double v[MAXN], vv = 0.0;
    for (int i = 0; i < n; i++) {
        v[i] = gn_rng_uniform(&rng) - 0.5;
        vv += v[i] * v[i];
        q->b[i] = 2.0 * gn_rng_uniform(&rng) - 1.0;
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double s = 0.0;
            for (int k = 0; k < n; k++) {
                double qik = (i == k) - 2.0 * v[i] * v[k] / vv;
                double qjk = (j == k) - 2.0 * v[j] * v[k] / vv;
                s += qik * eig[k] * qjk;
            }
            q->a[i][j] = s;
        }
}

typedef struct rosen {
    int calls;
} rosen;

static double rosen_f(const float *x, float *g, void *ud, gn_error *err) {
    (void)err;
    ((rosen *)ud)->calls++;
    double a = x[0], b = x[1];
    g[0] = (float)(-2.0 * (1.0 - a) - 400.0 * a * (b - a * a));
    g[1] = (float)(200.0 * (b - a * a));
    return (1.0 - a) * (1.0 - a) + 100.0 * (b - a * a) * (b - a * a);
}

static gn_lbfgs_params defaults(void) {
    gn_lbfgs_params p;
    gn_lbfgs_defaults(&p);
    return p;
}

static gn_lbfgs_result minimize(float *x, int64_t n, gn_lbfgs_fn f, void *ud,
                                const gn_lbfgs_params *p) {
    gn_lbfgs_result res = {.struct_size = sizeof res};
    gn_error err = {0};
    gn_status st = gn_lbfgs_minimize(x, n, f, ud, p, &res, NULL, &err);
    cr_assert_eq(st, GN_OK, "%s", err.msg);
    return res;
}

/* ---- defaults -------------------------------------------------------------- */

Test(lbfgs, defaults) {
    gn_lbfgs_params p;
    memset(&p, 0x5a, sizeof p);
    gn_lbfgs_defaults(&p);
    cr_expect_eq(p.struct_size, sizeof p);
    cr_expect_eq(p.history, 10);
    cr_expect_eq(p.max_iter, 100);
    cr_expect_eq(p.max_eval, 0);
    cr_expect_eq(p.lr, 1.0);
    cr_expect_eq(p.tolerance_grad, 1e-7);
    cr_expect_eq(p.tolerance_change, 1e-9);
    cr_expect_eq(p.line_search, GN_LBFGS_STRONG_WOLFE);
    cr_expect_eq(p.c1, 1e-4);
    cr_expect_eq(p.c2, 0.9);
    cr_expect_eq(p.max_ls, 25);
    cr_expect_str_eq(gn_lbfgs_stop_name(GN_LBFGS_STOP_GRAD), "grad");
    cr_expect_str_eq(gn_lbfgs_stop_name(GN_LBFGS_STOP_CALLBACK), "callback");
    cr_expect_str_eq(gn_lbfgs_stop_name(99), "unknown");
}

/* ---- convergence ----------------------------------------------------------- */

Test(lbfgs, quadratic_exact_in_n_plus_1_iterations) {
    const int n = 4;
    double eig[] = {1.0, 2.0, 3.0, 5.0};
    quad q;
    make_quad(&q, n, eig, 11);
    double want[MAXN];
    solve_spd(n, q.a, q.b, want);
    float x[MAXN] = {0};
    gn_lbfgs_params p = defaults();
    p.max_iter = n + 1;
    p.max_eval = 1000;
    p.c1 = 1e-5, p.c2 = 1e-4;
    gn_lbfgs_result res = minimize(x, n, quad_f, &q, &p);
    cr_expect_leq(res.iterations, n + 1);
    cr_expect_eq(res.evaluations, q.calls);
    for (int i = 0; i < n; i++)
        cr_expect(fabs(x[i] - want[i]) <= 1e-5,
                  "x[%d] = %.9g, expected %.9g (%lld iterations, "
                  "stop %s)",
                  i, x[i], want[i], (long long)res.iterations, gn_lbfgs_stop_name(res.stop));
    double fmin = 0.0;
    for (int i = 0; i < n; i++)
        fmin -= 0.5 * q.b[i] * want[i];
    cr_expect(fabs(res.loss - fmin) <= 1e-6, "loss %.9g, minimum %.9g", res.loss, fmin);
}

Test(lbfgs, rosenbrock) {
    float x[2] = {-1.2f, 1.0f};
    rosen r = {0};
    gn_lbfgs_result res = minimize(x, 2, rosen_f, &r, NULL);
    cr_expect(fabs(x[0] - 1.0) <= 1e-4 && fabs(x[1] - 1.0) <= 1e-4,
              "x = (%.9g, %.9g) after %lld iterations (stop %s)", x[0], x[1],
              (long long)res.iterations, gn_lbfgs_stop_name(res.stop));
    cr_expect_lt(res.iterations, 100);
    /* torch.optim.LBFGS(history_size=10, line_search_fn="strong_wolfe") takes
     * 44 evaluations here (in float32 and float64); so do we, give or take
     * rounding */
    cr_expect_leq(res.evaluations, 50);
    cr_expect(res.converged, "stop %s", gn_lbfgs_stop_name(res.stop));
    cr_expect_eq(res.evaluations, r.calls);
    cr_expect_lt(res.loss, 1e-8);
    cr_log_info("rosenbrock: %lld iterations, %lld evaluations, loss %g, stop %s",
                (long long)res.iterations, (long long)res.evaluations, res.loss,
                gn_lbfgs_stop_name(res.stop));
}

Test(lbfgs, ill_conditioned_quadratic_10d) {
    const int n = 10;
    double eig[10];
    for (int i = 0; i < n; i++)
        eig[i] = pow(10.0, 3.0 * i / (n - 1)); /* 1 .. 1000 */
    quad q;
    make_quad(&q, n, eig, 5);
    double want[MAXN];
    solve_spd(n, q.a, q.b, want);
    float x[MAXN] = {0};
    gn_lbfgs_result res = minimize(x, n, quad_f, &q, NULL);
    double scale = 0.0, errmax = 0.0;
    for (int i = 0; i < n; i++) {
        scale = fmax(scale, fabs(want[i]));
        errmax = fmax(errmax, fabs(x[i] - want[i]));
    }
    cr_expect_leq(errmax, 1e-3 * scale,
                  "max error %g (solution scale %g), %lld iterations, "
                  "stop %s",
                  errmax, scale, (long long)res.iterations, gn_lbfgs_stop_name(res.stop));
    cr_expect_lt(res.iterations, 100);
    cr_log_info("ill-conditioned: %lld iterations, %lld evaluations, error %g, stop %s",
                (long long)res.iterations, (long long)res.evaluations, errmax,
                gn_lbfgs_stop_name(res.stop));
}

/* Linear regression y = X w + c + noise, loss = 1/(2m) ||X w + c - y||^2. */
#define LS_M 64
#define LS_D 3
typedef struct lsq {
    double x[LS_M][LS_D], y[LS_M];
} lsq;

static double lsq_f(const float *w, float *g, void *ud, gn_error *err) {
    (void)err;
    const lsq *d = ud;
    double gd[LS_D + 1] = {0}, f = 0.0;
    for (int i = 0; i < LS_M; i++) {
        double r = w[LS_D] - d->y[i];
        for (int j = 0; j < LS_D; j++)
            r += d->x[i][j] * w[j];
        f += 0.5 * r * r / LS_M;
        for (int j = 0; j < LS_D; j++)
            gd[j] += r * d->x[i][j] / LS_M;
        gd[LS_D] += r / LS_M;
    }
    for (int j = 0; j <= LS_D; j++)
        g[j] = (float)gd[j];
    return f;
}

Test(lbfgs, least_squares_matches_normal_equations) {
    lsq d;
    gn_rng rng;
    gn_rng_seed(&rng, 3);
    const double w_true[LS_D + 1] = {1.5, -2.0, 0.5, 0.25};
    for (int i = 0; i < LS_M; i++) {
        d.y[i] = w_true[LS_D] + 0.1 * gn_rng_normal(&rng);
        for (int j = 0; j < LS_D; j++) {
            d.x[i][j] = gn_rng_normal(&rng) * (j + 1);
            d.y[i] += w_true[j] * d.x[i][j];
        }
    }
    /* normal equations with the intercept column: (A'A) w = A'y */
    double ata[MAXN][MAXN] = {{0}}, aty[MAXN] = {0}, want[MAXN];
    for (int i = 0; i < LS_M; i++) {
        double row[LS_D + 1];
        for (int j = 0; j < LS_D; j++)
            row[j] = d.x[i][j];
        row[LS_D] = 1.0;
        for (int j = 0; j <= LS_D; j++) {
            aty[j] += row[j] * d.y[i];
            for (int k = 0; k <= LS_D; k++)
                ata[j][k] += row[j] * row[k];
        }
    }
    solve_spd(LS_D + 1, ata, aty, want);
    float w[LS_D + 1] = {0};
    gn_lbfgs_result res = minimize(w, LS_D + 1, lsq_f, &d, NULL);
    for (int j = 0; j <= LS_D; j++)
        cr_expect(fabs(w[j] - want[j]) <= 1e-4, "w[%d] = %.9g, normal equations %.9g", j, w[j],
                  want[j]);
    cr_expect(res.converged, "stop %s", gn_lbfgs_stop_name(res.stop));
}

Test(lbfgs, fixed_step_converges_on_a_quadratic) {
    const int n = 4;
    double eig[] = {0.5, 1.0, 1.5, 2.0};
    quad q;
    make_quad(&q, n, eig, 2);
    double want[MAXN];
    solve_spd(n, q.a, q.b, want);
    float x[MAXN] = {0};
    gn_lbfgs_params p = defaults();
    p.line_search = GN_LBFGS_FIXED_STEP;
    p.max_eval = 1000;
    gn_lbfgs_result res = minimize(x, n, quad_f, &q, &p);
    for (int i = 0; i < n; i++)
        cr_expect(fabs(x[i] - want[i]) <= 1e-4, "x[%d] = %.9g, expected %.9g (stop %s)", i, x[i],
                  want[i], gn_lbfgs_stop_name(res.stop));
    /* one evaluation per iteration, plus the first */
    cr_expect_eq(res.evaluations, res.iterations + 1);
}

Test(lbfgs, already_optimal) {
    quad q;
    double eig[] = {1.0, 2.0};
    make_quad(&q, 2, eig, 1);
    double want[MAXN];
    solve_spd(2, q.a, q.b, want);
    /* start at a point whose float gradient is tiny: the minimum itself
     * would still have rounding error, so use b = A x for x exact */
    float x[2] = {0.5f, -0.25f};
    for (int i = 0; i < 2; i++)
        q.b[i] = q.a[i][0] * x[0] + q.a[i][1] * x[1];
    gn_lbfgs_result res = minimize(x, 2, quad_f, &q, NULL);
    cr_expect_eq(res.iterations, 0);
    cr_expect_eq(res.evaluations, 1);
    cr_expect_eq(res.stop, GN_LBFGS_STOP_GRAD);
    cr_expect(res.converged);
    cr_expect_eq(x[0], 0.5f);
    cr_expect_eq(x[1], -0.25f);
}

/* ---- stopping ---------------------------------------------------------------- */

typedef struct logger {
    rosen r;
    int64_t iters[128];
    double losses[128];
    int n, stop_at;
} logger;

static double logger_f(const float *x, float *g, void *ud, gn_error *err) {
    return rosen_f(x, g, &((logger *)ud)->r, err);
}

static int logger_cb(int64_t iter, double loss, void *ud) {
    logger *l = ud;
    if (l->n < 128) {
        l->iters[l->n] = iter;
        l->losses[l->n] = loss;
    }
    l->n++;
    return l->stop_at && iter >= l->stop_at;
}

Test(lbfgs, callback_logs_every_iteration) {
    logger l = {0};
    float x[2] = {-1.2f, 1.0f};
    gn_lbfgs_result res = {.struct_size = sizeof res};
    gn_error err = {0};
    cr_assert_eq(gn_lbfgs_minimize(x, 2, logger_f, &l, NULL, &res, logger_cb, &err), GN_OK, "%s",
                 err.msg);
    cr_expect_eq(l.n, res.iterations);
    for (int i = 0; i < l.n && i < 128; i++) {
        cr_expect_eq(l.iters[i], i + 1);
        if (i) /* the strong-Wolfe search never accepts an increase */
            cr_expect_leq(l.losses[i], l.losses[i - 1], "loss rose at iteration %d", i + 1);
    }
    cr_expect_eq(l.losses[l.n - 1], res.loss);
}

Test(lbfgs, callback_stops) {
    logger l = {.stop_at = 3};
    float x[2] = {-1.2f, 1.0f};
    gn_lbfgs_result res = {.struct_size = sizeof res};
    gn_error err = {0};
    cr_assert_eq(gn_lbfgs_minimize(x, 2, logger_f, &l, NULL, &res, logger_cb, &err), GN_OK, "%s",
                 err.msg);
    cr_expect_eq(res.iterations, 3);
    cr_expect_eq(l.n, 3);
    cr_expect_eq(res.stop, GN_LBFGS_STOP_CALLBACK);
    cr_expect(!res.converged);
    /* x is the point the callback saw */
    float g[2];
    rosen r = {0};
    cr_expect_eq(rosen_f(x, g, &r, NULL), res.loss);
}

Test(lbfgs, max_iter_and_max_eval) {
    float x[2] = {-1.2f, 1.0f};
    rosen r = {0};
    gn_lbfgs_params p = defaults();
    p.max_iter = 5;
    p.max_eval = 1000; /* the default, max_iter * 5 / 4, would stop first */
    gn_lbfgs_result res = minimize(x, 2, rosen_f, &r, &p);
    cr_expect_eq(res.iterations, 5);
    cr_expect_eq(res.stop, GN_LBFGS_STOP_MAX_ITER);
    cr_expect(!res.converged);

    float y[2] = {-1.2f, 1.0f};
    r.calls = 0;
    p = defaults();
    p.max_eval = 10;
    res = minimize(y, 2, rosen_f, &r, &p);
    cr_expect_eq(res.stop, GN_LBFGS_STOP_MAX_EVAL);
    cr_expect_geq(res.evaluations, 10);
    cr_expect_lt(res.evaluations, 10 + 25 + 1, "one line search past the budget at most");
}

/* ---- failures ------------------------------------------------------------------ */

typedef struct failing {
    int calls, nan_at, inf_grad_at;
    gn_status fail_status;
} failing;

static double failing_f(const float *x, float *g, void *ud, gn_error *err) {
    failing *s = ud;
    s->calls++;
    if (s->fail_status && s->calls == s->nan_at) {
        gn_error_set(err, s->fail_status, "disk gone");
        return NAN;
    }
    if (s->calls == s->nan_at) return NAN;
    double f = 0.0;
    for (int i = 0; i < 3; i++) {
        f += (x[i] - i) * (x[i] - i);
        g[i] = 2.0f * (x[i] - (float)i);
    }
    if (s->calls == s->inf_grad_at) g[1] = INFINITY;
    return f;
}

Test(lbfgs, nan_loss_is_an_error) {
    failing s = {.nan_at = 3};
    float x[3] = {5, 5, 5};
    gn_lbfgs_result res = {.struct_size = sizeof res};
    gn_error err = {0};
    gn_status st = gn_lbfgs_minimize(x, 3, failing_f, &s, NULL, &res, NULL, &err);
    cr_expect_eq(st, GN_ERR_NUMERIC, "%s", err.msg);
    cr_expect(strstr(err.msg, "lbfgs: the objective returned nan at evaluation 3"), "%s", err.msg);
    cr_expect_eq(res.stop, GN_LBFGS_STOP_ERROR);
    cr_expect_eq(res.evaluations, 3);
    /* x is the last accepted point, finite, with its loss */
    for (int i = 0; i < 3; i++)
        cr_expect(isfinite(x[i]));
    cr_expect(isfinite(res.loss));
}

Test(lbfgs, objective_error_is_passed_on) {
    failing s = {.nan_at = 1, .fail_status = GN_ERR_IO};
    float x[3] = {5, 5, 5};
    gn_error err = {0};
    gn_status st = gn_lbfgs_minimize(x, 3, failing_f, &s, NULL, NULL, NULL, &err);
    cr_expect_eq(st, GN_ERR_IO);
    cr_expect_str_eq(err.msg, "lbfgs: evaluation 1 (iteration 0): disk gone");
    cr_expect_eq(x[0], 5.0f, "x changed although nothing was accepted");
    /* a NULL err still reports the status */
    s.calls = 0;
    cr_expect_eq(gn_lbfgs_minimize(x, 3, failing_f, &s, NULL, NULL, NULL, NULL), GN_ERR_IO);
}

Test(lbfgs, infinite_gradient_is_an_error) {
    failing s = {.inf_grad_at = 2};
    float x[3] = {5, 5, 5};
    gn_error err = {0};
    gn_status st = gn_lbfgs_minimize(x, 3, failing_f, &s, NULL, NULL, NULL, &err);
    cr_expect_eq(st, GN_ERR_NUMERIC);
    cr_expect(strstr(err.msg, "gradient[1] is inf at evaluation 2"), "%s", err.msg);
}

/* ---- invalid arguments ------------------------------------------------------------ */

static void expect_rejected(const gn_lbfgs_params *p, const char *want) {
    rosen r = {0};
    float x[2] = {-1.2f, 1.0f};
    gn_error err = {0};
    gn_status st = gn_lbfgs_minimize(x, 2, rosen_f, &r, p, NULL, NULL, &err);
    cr_expect_eq(st, GN_ERR_INVALID, "accepted (want \"%s\")", want);
    cr_expect(strstr(err.msg, want) != NULL, "message \"%s\" lacks \"%s\"", err.msg, want);
    cr_expect_eq(r.calls, 0, "f called despite invalid parameters");
    cr_expect_eq(x[0], -1.2f);
}

Test(lbfgs, invalid_params_rejected) {
    gn_lbfgs_params p;
    p = defaults(), p.history = 0;
    expect_rejected(&p, "history must be >= 1");
    p = defaults(), p.max_iter = 0;
    expect_rejected(&p, "max_iter must be >= 1");
    p = defaults(), p.max_eval = -1;
    expect_rejected(&p, "max_eval must be >= 0");
    p = defaults(), p.lr = 0.0;
    expect_rejected(&p, "lr must be finite and > 0");
    p = defaults(), p.lr = INFINITY;
    expect_rejected(&p, "lr must be finite and > 0");
    p = defaults(), p.tolerance_grad = NAN;
    expect_rejected(&p, "tolerance_grad");
    p = defaults(), p.tolerance_change = -1.0;
    expect_rejected(&p, "tolerance_change");
    p = defaults(), p.c1 = 0.9, p.c2 = 0.5;
    expect_rejected(&p, "0 < c1 < c2 < 1");
    p = defaults(), p.c2 = 1.0;
    expect_rejected(&p, "0 < c1 < c2 < 1");
    p = defaults(), p.max_ls = 0;
    expect_rejected(&p, "max_ls must be >= 1");
    p = defaults(), p.line_search = 7;
    expect_rejected(&p, "line_search");
    p = defaults(), p.struct_size = 8;
    expect_rejected(&p, "params.struct_size is 8");
}

Test(lbfgs, invalid_arguments_rejected) {
    rosen r = {0};
    float x[2] = {-1.2f, 1.0f};
    gn_error err = {0};
    cr_expect_eq(gn_lbfgs_minimize(NULL, 2, rosen_f, &r, NULL, NULL, NULL, &err), GN_ERR_INVALID);
    cr_expect(strstr(err.msg, "x is NULL"), "%s", err.msg);
    cr_expect_eq(gn_lbfgs_minimize(x, 2, NULL, &r, NULL, NULL, NULL, &err), GN_ERR_INVALID);
    cr_expect(strstr(err.msg, "f is NULL"), "%s", err.msg);
    cr_expect_eq(gn_lbfgs_minimize(x, 0, rosen_f, &r, NULL, NULL, NULL, &err), GN_ERR_INVALID);
    cr_expect(strstr(err.msg, "n must be >= 1"), "%s", err.msg);
    gn_lbfgs_result res = {0};
    cr_expect_eq(gn_lbfgs_minimize(x, 2, rosen_f, &r, NULL, &res, NULL, &err), GN_ERR_INVALID);
    cr_expect(strstr(err.msg, "result.struct_size is 0"), "%s", err.msg);
    cr_expect_eq(r.calls, 0);
    /* errors after the struct check still fill the result */
    res.struct_size = sizeof res;
    res.iterations = 42;
    cr_expect_eq(gn_lbfgs_minimize(x, -1, rosen_f, &r, NULL, &res, NULL, &err), GN_ERR_INVALID);
    cr_expect_eq(res.iterations, 0);
    cr_expect_eq(res.stop, GN_LBFGS_STOP_NONE);
}
