/* Objectives: values at known points, analytic gradients against central
 * finite differences, piecewise-linear end slopes and kinks, and the
 * FILE:LINE errors of bad function settings. */
#include <math.h>
#include <stdio.h>
#include "toy_test.h"

/* Analytic gradient of f at p against (f(p + h e) - f(p - h e)) / 2h. */
static void check_gradient(const gn_toy_fn *f, const double *p) {
    double g[2], q[2] = {0, 0};
    gn_toy_eval(f, p, g);
    for (int d = 0; d < f->dim; d++) {
        double h = 1e-6 * fmax(1, fabs(p[d]));
        memcpy(q, p, (size_t)f->dim * sizeof *q);
        q[d] = p[d] + h;
        double up = gn_toy_eval(f, q, NULL);
        q[d] = p[d] - h;
        double fd = (up - gn_toy_eval(f, q, NULL)) / (2 * h);
        cr_assert(fabs(fd - g[d]) <= 1e-6 * fmax(1, fabs(fd)),
                  "%s at (%g, %g), coordinate %d: analytic %.10g, finite difference %.10g",
                  gn_toy_kind_name(f->kind), p[0], p[1], d, g[d], fd);
    }
}

/* Points away from kinks where every smooth function is checked. */
static const double pts1[] = {-2.3, -0.7, 0.31, 1.9, 3.2};
static const double pts2[][2] = {{-1.5, 2}, {0.3, -0.4}, {1.1, 1.3}, {2.5, 0.7}, {-3, -1.2}};

static void check_1d(const char *function, const char *extra_key, const char *extra) {
    const char *kv[] = {function, "start=0.5", extra_key ? extra : NULL, NULL};
    gn_toy_problem pb = toy_problem(kv);
    cr_assert_eq(pb.f.dim, 1);
    for (size_t i = 0; i < sizeof pts1 / sizeof *pts1; i++)
        check_gradient(&pb.f, &pts1[i]);
}

static void check_2d(const char *function, const char *extra) {
    const char *kv[] = {function, "start=0.5 0.5", extra, NULL};
    gn_toy_problem pb = toy_problem(kv);
    cr_assert_eq(pb.f.dim, 2);
    for (size_t i = 0; i < sizeof pts2 / sizeof *pts2; i++)
        check_gradient(&pb.f, pts2[i]);
}

Test(objectives, gradients_match_finite_differences) {
    check_1d("function=quadratic", "curvature", "curvature=2.5");
    check_1d("function=abs", NULL, NULL);
    check_1d("function=relu", NULL, NULL);
    check_1d("function=sigmoid", NULL, NULL);
    check_1d("function=tanh", NULL, NULL);
    check_1d("function=piecewise", "points", "points=-1:2, 0:0.5, 1.5:1, 2.5:-1");
    check_1d("function=gaussians", "wells", "wells=-1:1:0.5, 1.5:2:0.8");
    check_2d("function=quadratic", "curvature=1 10");
    check_2d("function=rosenbrock", NULL);
    check_2d("function=beale", NULL);
    check_2d("function=himmelblau", NULL);
    check_2d("function=saddle", NULL);
    check_2d("function=gaussians", "wells=0:0:1:0.7, 1.5:1:2:0.5");
    check_2d("function=quadratic", "center=1 -2");
}

/* Values where the functions are known exactly. */
Test(objectives, known_values) {
    struct {
        const char *function, *start;
        double p[2], value;
    } cases[] = {
        {"function=rosenbrock", "start=0 0", {1, 1}, 0},
        {"function=rosenbrock", "start=0 0", {0, 0}, 1},
        {"function=beale", "start=0 0", {3, 0.5}, 0},
        {"function=beale", "start=0 0", {0, 0}, 1.5 * 1.5 + 2.25 * 2.25 + 2.625 * 2.625},
        {"function=himmelblau", "start=0 0", {3, 2}, 0},
        {"function=himmelblau", "start=0 0", {-2.805118, 3.131312}, 0},
        {"function=himmelblau", "start=0 0", {0, 0}, 170},
        {"function=saddle", "start=0 0", {2, 3}, -5},
        {"function=sigmoid", "start=0", {0, 0}, 0.5},
        {"function=tanh", "start=0", {0.5, 0}, 0.46211715726000974},
        {"function=relu", "start=0", {-3, 0}, 0},
        {"function=abs", "start=0", {-3, 0}, 3},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *kv[] = {cases[i].function, cases[i].start, NULL};
        gn_toy_problem pb = toy_problem(kv);
        double v = gn_toy_eval(&pb.f, cases[i].p, NULL);
        cr_assert(fabs(v - cases[i].value) < 1e-9 + 1e-5 * (cases[i].value == 0),
                  "%s at (%g, %g): %.12g, want %.12g", cases[i].function, cases[i].p[0],
                  cases[i].p[1], v, cases[i].value);
    }
    /* gradients where the exact value is known */
    const char *kv[] = {"function=rosenbrock", "start=0 0", NULL};
    gn_toy_problem pb = toy_problem(kv);
    double g[2], p[2] = {-1.5, 2};
    gn_toy_eval(&pb.f, p, g);
    cr_assert_float_eq(g[0], -2 * 2.5 - 400 * -1.5 * (2 - 2.25), 1e-12);
    cr_assert_float_eq(g[1], 200 * (2 - 2.25), 1e-12);
}

Test(objectives, piecewise_slopes_ends_and_kinks) {
    const char *kv[] = {"function=piecewise", "points=0:1, 1:0, 1.5:0.5, 3:-1", "start=0", NULL};
    gn_toy_problem pb = toy_problem(kv);
    struct {
        double x, value, slope;
    } cases[] = {
        {-2, 3, -1},     /* before the first point: the first slope goes on */
        {0, 1, -1},      /* a breakpoint takes the slope on its right */
        {0.5, 0.5, -1},  /* on a piece: its slope */
        {1, 0, 1},       /* the local minimum: the uphill slope to the right */
        {1.25, 0.25, 1}, /* the barrier */
        {1.5, 0.5, -1},  /* its top */
        {3, -1, -1},     /* the last point: the last slope */
        {5, -3, -1},     /* beyond the end: the last slope goes on */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        double g;
        double v = gn_toy_eval(&pb.f, &cases[i].x, &g);
        cr_assert_float_eq(v, cases[i].value, 1e-12, "f(%g)", cases[i].x);
        cr_assert_float_eq(g, cases[i].slope, 1e-12, "f'(%g)", cases[i].x);
    }
    /* kinks of |x| and relu: 0, as PyTorch */
    const char *a[] = {"function=abs", "start=0", NULL}, *r[] = {"function=relu", "start=0", NULL};
    double zero = 0, g = 7;
    gn_toy_problem pa = toy_problem(a), pr = toy_problem(r);
    gn_toy_eval(&pa.f, &zero, &g);
    cr_assert_eq(g, 0);
    g = 7;
    gn_toy_eval(&pr.f, &zero, &g);
    cr_assert_eq(g, 0);
}

Test(objectives, scale_and_center) {
    const char *kv[] = {"function=abs", "start=0", "scale=3", "center=2", NULL};
    gn_toy_problem pb = toy_problem(kv);
    double x = 0.5, g;
    cr_assert_float_eq(gn_toy_eval(&pb.f, &x, &g), 4.5, 1e-12);
    cr_assert_float_eq(g, -3, 1e-12);
}

/* A section that validates but whose function settings are wrong: the
 * message names toy.ini, the key's line and the key. */
static void bad(const char *const *kv, const char *want) {
    gn_error err = {0};
    gn_section *s = toy_section(kv, gn_toy_optimize_schema, &err);
    cr_assert_not_null(s, "%s", err.msg);
    gn_toy_problem pb;
    cr_assert_eq(gn_toy_problem_parse(s, NULL, &pb, &err), GN_ERR_CONFIG, "accepted: %s", want);
    cr_assert(strstr(err.msg, want), "want '%s' in '%s'", want, err.msg);
    gn_section_free(s);
}

Test(objectives, bad_settings_name_file_line_and_key) {
    bad((const char *const[]){"function=piecewise", "points=0:1, 0:2", "start=0", NULL},
        "toy.ini:3: [train] points: x must increase");
    bad((const char *const[]){"function=piecewise", "points=0:1, 1", "start=0", NULL},
        "toy.ini:3: [train] points: point 2 '1' is not X:Y");
    bad((const char *const[]){"function=piecewise", "points=0:1", "start=0", NULL},
        "toy.ini:3: [train] points: needs at least two points");
    bad((const char *const[]){"function=piecewise", "start=0", NULL},
        "toy.ini: [train] points: needs at least two points");
    bad((const char *const[]){"function=relu", "start=1 2", NULL},
        "toy.ini:3: [train] start: relu is a function of one variable");
    bad((const char *const[]){"function=rosenbrock", "start=1", NULL},
        "toy.ini:3: [train] start: rosenbrock is a function of two variables");
    bad((const char *const[]){"function=abs", "start=abc", NULL},
        "toy.ini:3: [train] start: 'abc' is not a number");
    bad((const char *const[]){"function=abs", "start=1", "points=0:1, 1:0", NULL},
        "toy.ini:4: [train] points: only function = piecewise reads it");
    bad((const char *const[]){"function=gaussians", "start=1", "wells=0:1:0", NULL},
        "toy.ini:4: [train] wells: well 1 has width 0");
    bad((const char *const[]){"function=gaussians", "start=1 1", "wells=0:1:1", NULL},
        "toy.ini:4: [train] wells: well 1 '0:1:1' is not X:Y:DEPTH:WIDTH");
    bad((const char *const[]){"function=quadratic", "start=1", "curvature=1 2", NULL},
        "toy.ini:4: [train] curvature: expected at most 1 number");
    /* the schema itself: an unknown function */
    gn_error err = {0};
    cr_assert_null(toy_section((const char *const[]){"function=booth", "start=0", NULL},
                               gn_toy_optimize_schema, &err));
    cr_assert(strstr(err.msg, "toy.ini:2: [train] function: 'booth' is not one of"), "%s", err.msg);
}

Test(objectives, symbol_substitution) {
    gn_error err = {0};
    gn_section *s =
        toy_section((const char *const[]){"function=piecewise", "points=0:1, 1:0, 1.5:h, 3:-h",
                                          "start=0", NULL},
                    gn_toy_optimize_schema, &err);
    cr_assert_not_null(s, "%s", err.msg);
    gn_toy_subst sub = {"h", 0.25};
    gn_toy_problem pb;
    cr_assert_eq(gn_toy_problem_parse(s, &sub, &pb, &err), GN_OK, "%s", err.msg);
    cr_assert_float_eq(pb.f.pw.y[2], 0.25, 0);
    cr_assert_float_eq(pb.f.pw.y[3], -0.25, 0);
    cr_assert_eq(gn_toy_problem_parse(s, NULL, &pb, &err), GN_ERR_CONFIG, "h is unknown");
    cr_assert(strstr(err.msg, "point 3 '1.5:h'"), "%s", err.msg);
    gn_section_free(s);
}
