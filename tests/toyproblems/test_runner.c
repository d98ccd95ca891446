/* Runs and traces: rows against hand-computed Adam and momentum steps, the
 * state columns of every optimizer, the CSV, the console table, and the
 * threshold bisection on a landscape whose threshold is known. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "toy_test.h"

static gn_toy_opt opt(const char *name, double lr) {
    gn_toy_opt o;
    memset(&o, 0, sizeof o);
    snprintf(o.name, sizeof o.name, "%s", name);
    gn_error err = {0};
    cr_assert_eq(gn_optim_defaults(name, &o.hp, &err), GN_OK, "%s", err.msg);
    o.hp.lr = lr;
    return o;
}

static double state(const gn_toy_trace *t, int64_t row, int k) {
    return t->state[(row * t->n_states + k) * t->dim];
}

/* Adam from x = 0 on a slope of -1 (lr 0.3, betas 0.9, 0.999):
 * m1 = 0.1 * -1, v1 = 0.001 * 1, m_hat = -1, v_hat = 1, x1 = 0.3; then
 * m2 = 0.9 m1 - 0.1 = -0.19, v2 = 0.999 v1 + 0.001 = 0.001999, the same
 * corrected values and x2 = 0.6. */
Test(runner, adam_rows_by_hand) {
    const char *kv[] = {"function=piecewise", "points=0:1, 1:0, 1.5:0.5, 3:-1", "start=0", NULL};
    gn_toy_problem pb = toy_problem(kv);
    gn_toy_opt o = opt("adam", 0.3);
    gn_toy_trace t;
    gn_error err = {0};
    cr_assert_eq(gn_toy_run(&pb.f, pb.start, &o, 2, 1, &t, &err), GN_OK, "%s", err.msg);
    cr_assert_eq(t.rows, 3);
    cr_assert_eq(t.n_states, 4);
    cr_assert_str_eq(t.state_names[0], "m");
    cr_assert_str_eq(t.state_names[1], "v");
    cr_assert_str_eq(t.state_names[2], "m_hat");
    cr_assert_str_eq(t.state_names[3], "v_hat");
    /* row 0: the start, no update yet */
    cr_assert_eq(t.p[0], 0);
    cr_assert_eq(t.loss[0], 1);
    cr_assert_eq(t.grad[0], -1);
    for (int k = 0; k < 4; k++)
        cr_assert_eq(state(&t, 0, k), 0);
    const double want[2][7] = {
        /* x, loss, grad, m, v, m_hat, v_hat */
        {0.3, 0.7, -1, -0.1, 0.001, -1, 1},
        {0.6, 0.4, -1, -0.19, 0.001999, -1, 1},
    };
    for (int r = 1; r <= 2; r++) {
        const double *w = want[r - 1];
        double got[7] = {t.p[r],          t.loss[r],       t.grad[r],      state(&t, r, 0),
                         state(&t, r, 1), state(&t, r, 2), state(&t, r, 3)};
        for (int c = 0; c < 7; c++) /* float state: 1e-6 relative */
            cr_assert(fabs(got[c] - w[c]) <= 1e-6 * fmax(1e-3, fabs(w[c])),
                      "row %d column %d: %.9g, want %.9g", r, c, got[c], w[c]);
    }
    gn_toy_trace_free(&t);
}

/* A non-unit gradient: f = x^2 (curvature 2) from x = 1: g0 = 2,
 * m1 = 0.2, v1 = 0.004, m_hat = 2, v_hat = 4, x1 = 1 - 0.3 = 0.7; g1 = 1.4,
 * m2 = 0.32, v2 = 0.005956, m_hat = 0.32/0.19, v_hat = 0.005956/0.001999,
 * x2 = 0.7 - 0.3 m_hat / (sqrt(v_hat) + 1e-8). */
Test(runner, adam_second_step_by_hand) {
    const char *kv[] = {"function=quadratic", "curvature=2", "start=1", NULL};
    gn_toy_problem pb = toy_problem(kv);
    gn_toy_opt o = opt("adam", 0.3);
    gn_toy_trace t;
    gn_error err = {0};
    cr_assert_eq(gn_toy_run(&pb.f, pb.start, &o, 2, 1, &t, &err), GN_OK, "%s", err.msg);
    cr_assert_float_eq(t.p[1], 0.7, 1e-6);
    cr_assert_float_eq(state(&t, 1, 2), 2, 1e-6);
    cr_assert_float_eq(state(&t, 1, 3), 4, 1e-5);
    double m_hat = 0.32 / 0.19, v_hat = 0.005956 / 0.001999;
    cr_assert_float_eq(state(&t, 2, 0), 0.32, 1e-6);
    cr_assert_float_eq(state(&t, 2, 1), 0.005956, 1e-8);
    cr_assert_float_eq(state(&t, 2, 2), m_hat, 1e-5);
    cr_assert_float_eq(state(&t, 2, 3), v_hat, 1e-5);
    cr_assert_float_eq(t.p[2], 0.7 - 0.3 * m_hat / (sqrt(v_hat) + 1e-8), 1e-6);
    cr_assert_float_eq(t.grad[2], 2 * t.p[2], 1e-12);
    gn_toy_trace_free(&t);
}

/* Heavy ball from x = 0 on a slope of -1, lr 0.1, momentum 0.9:
 * v1 = -1, x1 = 0.1; v2 = -1.9, x2 = 0.29. */
Test(runner, momentum_rows_by_hand) {
    const char *kv[] = {"function=piecewise", "points=0:1, 1:0, 2:1", "start=0", NULL};
    gn_toy_problem pb = toy_problem(kv);
    gn_toy_opt o = opt("momentum", 0.1);
    gn_toy_trace t;
    gn_error err = {0};
    cr_assert_eq(gn_toy_run(&pb.f, pb.start, &o, 2, 1, &t, &err), GN_OK, "%s", err.msg);
    cr_assert_eq(t.n_states, 1);
    cr_assert_str_eq(t.state_names[0], "velocity");
    cr_assert_float_eq(state(&t, 1, 0), -1, 1e-7);
    cr_assert_float_eq(t.p[1], 0.1, 1e-7);
    cr_assert_float_eq(state(&t, 2, 0), -1.9, 1e-6);
    cr_assert_float_eq(t.p[2], 0.29, 1e-6);
    gn_toy_trace_free(&t);
}

/* The CSV header of an optimizer in 1-D or 2-D. */
static char *csv_of(const char *optimizer, const char *start, int64_t steps) {
    const char *kv[] = {"function=quadratic", start, NULL};
    gn_toy_problem pb = toy_problem(kv);
    gn_toy_opt o = opt(optimizer, 0.1);
    gn_toy_trace t;
    gn_error err = {0};
    cr_assert_eq(gn_toy_run(&pb.f, pb.start, &o, steps, 1, &t, &err), GN_OK, "%s", err.msg);
    char *csv;
    size_t len;
    cr_assert_eq(gn_toy_trace_csv(&t, &csv, &len, &err), GN_OK);
    cr_assert_eq(strlen(csv), len);
    gn_toy_trace_free(&t);
    return csv;
}

Test(runner, csv_columns_name_each_optimizers_state) {
    static const char *const want[][2] = {
        {"sgd", "step,x,loss,grad\n"},
        {"momentum", "step,x,loss,grad,velocity\n"},
        {"nesterov", "step,x,loss,grad,velocity\n"},
        {"adam", "step,x,loss,grad,m,v,m_hat,v_hat\n"},
        {"adamw", "step,x,loss,grad,m,v,m_hat,v_hat\n"},
        {"rmsprop", "step,x,loss,grad,square_avg\n"},
        {"adagrad", "step,x,loss,grad,sum\n"},
        {"adadelta", "step,x,loss,grad,square_avg,acc_delta\n"},
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        char *csv = csv_of(want[i][0], "start=1", 3);
        cr_assert(!strncmp(csv, want[i][1], strlen(want[i][1])), "%s: %s", want[i][0], csv);
        int lines = 0;
        for (char *p = csv; *p; p++)
            lines += *p == '\n';
        cr_assert_eq(lines, 5, "header + steps 0..3: %s", csv);
        free(csv);
    }
    char *csv = csv_of("rmsprop", "start=1 -2", 1);
    const char *head = "step,x,y,loss,grad_x,grad_y,square_avg_x,square_avg_y\n";
    cr_assert(!strncmp(csv, head, strlen(head)), "%s", csv);
    /* rmsprop, lr 0.1, alpha 0.99 on x^2/2 from (1, -2): g = (1, -2),
     * square_avg = 0.01 g^2, so the first step is 0.1 g / (0.1 |g|) = sign(g) */
    const char *row1 = strstr(csv, "\n1,");
    double x, y;
    cr_assert(row1 && sscanf(row1, "\n1,%lf,%lf,", &x, &y) == 2, "%s", csv);
    cr_assert(fabs(x) < 1e-6 && fabs(y + 1) < 1e-6, "one step of 1 in each coordinate: %s", csv);
    free(csv);
}

Test(runner, at_least_six_significant_digits) {
    char *csv = csv_of("adam", "start=0.123456789", 1);
    cr_assert(strstr(csv, "\n0,0.123456791,"), "float point printed in full: %s", csv);
    free(csv);
}

Test(runner, divergence_stops_the_trace) {
    /* SGD with lr 2 on x^2 (curvature 2): x -> -3x, overflow within 100 steps */
    const char *kv[] = {"function=quadratic", "curvature=2", "start=1", NULL};
    gn_toy_problem pb = toy_problem(kv);
    gn_toy_opt o = opt("sgd", 2);
    gn_toy_trace t;
    gn_error err = {0};
    cr_assert_eq(gn_toy_run(&pb.f, pb.start, &o, 1000, 1, &t, &err), GN_OK);
    cr_assert(t.diverged);
    cr_assert_lt(t.rows, 100);
    cr_assert(!isfinite(t.loss[t.rows - 1]));
    cr_assert_float_eq(t.p[1], -3, 0);
    gn_toy_trace_free(&t);
}

Test(runner, table_shows_first_last_and_spaced_rows) {
    const char *kv[] = {"function=quadratic", "start=1", NULL};
    gn_toy_problem pb = toy_problem(kv);
    gn_toy_opt o = opt("momentum", 0.1);
    gn_toy_trace t;
    gn_error err = {0};
    cr_assert_eq(gn_toy_run(&pb.f, pb.start, &o, 100, 1, &t, &err), GN_OK);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    gn_toy_table_print(f, "momentum", &t, 11);
    fclose(f);
    int lines = 0;
    for (char *p = buf; *p; p++)
        lines += *p == '\n';
    /* blank, title, header, rows 0, 10, ..., 90 and 100 */
    cr_assert_eq(lines, 3 + 11, "%s", buf);
    cr_assert(strstr(buf, "velocity") && strstr(buf, "\n      0 ") && strstr(buf, "\n    100 "),
              "%s", buf);
    cr_assert(strstr(buf, "every 10 steps"), "%s", buf);
    free(buf);
    gn_toy_trace_free(&t);
}

/* SGD (lr 0.3) from 0 down a slope of -1 visits 0.3, 0.6, 0.9, 1.2. The
 * barrier after the local minimum at x = 1 rises to height 0 at x = p, then
 * the loss falls to the global minimum at x = 3; left of 0 it is flat.
 * If p <= 1.2, x = 1.2 is past the top and SGD rolls on to 3. If
 * 1.2 < p < 1.25, the barrier's slope 1/(p - 1) > 4 throws it back by
 * 0.3/(p - 1) > 1.2 onto the flat part, where it stays. So the threshold in
 * p over [1.05, 1.24] is 1.2 (as float, 0.9f + 0.3f = 1.20000005). */
Test(runner, bisection_finds_the_derived_threshold) {
    gn_error err = {0};
    gn_section *s = toy_section(
        (const char *const[]){"function=piecewise", "points=-5:0, 0:0, 1:-1, p:0, 3:-2, 4:0",
                              "start=0", "optimizers=sgd", "lr=0.3", "steps=60", "search=p",
                              "search_lo=1.05", "search_hi=1.24", "tolerance=1e-5", "trap=1",
                              "escape=3", NULL},
        gn_toy_threshold_schema, &err);
    cr_assert_not_null(s, "%s", err.msg);
    gn_toy_search q = {"p", 1.05, 1.24, 1e-5, {1, 0}, {3, 0}, 0.5, 1, 60};
    gn_toy_opt o = opt("sgd", 0.3);
    gn_toy_bisection b;
    cr_assert_eq(gn_toy_bisect(s, &q, &o, &b, &err), GN_OK, "%s", err.msg);
    cr_assert_lt(b.escapes_at, b.trapped_at, "escapes below, trapped above");
    cr_assert_leq(b.trapped_at - b.escapes_at, 1e-5);
    cr_assert(b.escapes_at <= 1.2000001 && b.trapped_at >= 1.2000000,
              "bracket [%.9g, %.9g] holds 1.2", b.escapes_at, b.trapped_at);
    cr_assert_eq(b.n, 2 + (int)ceil(log2(0.19 / 1e-5)), "%d runs", b.n);
    cr_assert(!b.rows[0].trapped && b.rows[1].trapped);
    cr_assert_float_eq(b.rows[0].p[0], 3, 0.61, "escaped to the global minimum");
    cr_assert_lt(b.rows[1].p[0], 0, "thrown back onto the flat part");

    /* the same outcome at both ends is a configuration error on search_lo */
    q.lo = 1.22;
    cr_assert_eq(gn_toy_bisect(s, &q, &o, &b, &err), GN_ERR_CONFIG);
    cr_assert(strstr(err.msg, "toy.ini:9: [train] search_lo: sgd is trapped at both ends"), "%s",
              err.msg);
    gn_section_free(s);
}

Test(runner, optimizer_keys) {
    gn_error err = {0};
    gn_section *s = toy_section(
        (const char *const[]){"function=abs", "start=1", "optimizers=sgd, momentum adam", "lr=0.05",
                              "adam_lr=0.3", "momentum=0.5", "adam_beta2=0.99", NULL},
        gn_toy_optimize_schema, &err);
    cr_assert_not_null(s, "%s", err.msg);
    gn_toy_opt o[GN_TOY_MAX_OPTS];
    int n;
    cr_assert_eq(gn_toy_opts_parse(s, o, &n, &err), GN_OK, "%s", err.msg);
    cr_assert_eq(n, 3);
    cr_assert_str_eq(o[0].name, "sgd");
    cr_assert_float_eq(o[0].hp.lr, 0.05, 0);
    cr_assert_float_eq(o[1].hp.lr, 0.05, 0);
    cr_assert_float_eq(o[1].hp.momentum, 0.5, 0);
    cr_assert_float_eq(o[2].hp.lr, 0.3, 0, "adam_lr beats lr");
    cr_assert_float_eq(o[2].hp.beta1, 0.9, 0, "PyTorch default");
    cr_assert_float_eq(o[2].hp.beta2, 0.99, 0);
    char d[200];
    gn_toy_opt_describe(&o[2], d, sizeof d);
    cr_assert_str_eq(d, "adam lr=0.3 beta1=0.9 beta2=0.99 eps=1e-08");
    gn_section_free(s);

    static const char *const cases[][3] = {
        {"optimizers=adam lbfgs", "", "toy.ini:4: [train] optimizers: 'lbfgs' is not one of"},
        {"optimizers=adam adam", "", "toy.ini:4: [train] optimizers: adam is listed twice"},
        {"optimizers=adam", "sgd_lr=0.1", "toy.ini:5: [train] sgd_lr: sgd is not in optimizers"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *kv[] = {"function=abs", "start=1", cases[i][0],
                            cases[i][1][0] ? cases[i][1] : NULL, NULL};
        s = toy_section(kv, gn_toy_optimize_schema, &err);
        cr_assert_not_null(s, "%s", err.msg);
        cr_assert_eq(gn_toy_opts_parse(s, o, &n, &err), GN_ERR_CONFIG, "%s", cases[i][0]);
        cr_assert(strstr(err.msg, cases[i][2]), "want '%s' in '%s'", cases[i][2], err.msg);
        gn_section_free(s);
    }
}
