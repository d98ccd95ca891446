/* Two-variable objectives: quadratic bowl, Rosenbrock, Beale, Himmelblau
 * and the saddle x^2 - y^2. */
#include <math.h>
#include "toyproblems.h"

static double quadratic(const gn_toy_fn *f, double x, double y, double *g) {
    g[0] = f->curvature[0] * x;
    g[1] = f->curvature[1] * y;
    return 0.5 * (f->curvature[0] * x * x + f->curvature[1] * y * y);
}

/* (1 - x)^2 + 100 (y - x^2)^2: minimum 0 at (1, 1) in a curved valley. */
static double rosenbrock(double x, double y, double *g) {
    double a = 1 - x, b = y - x * x;
    g[0] = -2 * a - 400 * x * b;
    g[1] = 200 * b;
    return a * a + 100 * b * b;
}

/* Sum of (c_k - x + x y^k)^2, k = 1..3: minimum 0 at (3, 0.5). */
static double beale(double x, double y, double *g) {
    static const double c[3] = {1.5, 2.25, 2.625};
    double v = 0, yk = 1;
    g[0] = g[1] = 0;
    for (int k = 1; k <= 3; k++) {
        double ykm1 = yk; /* y^(k-1) */
        yk *= y;
        double t = c[k - 1] - x + x * yk;
        v += t * t;
        g[0] += 2 * t * (yk - 1);
        g[1] += 2 * t * x * k * ykm1;
    }
    return v;
}

/* (x^2 + y - 11)^2 + (x + y^2 - 7)^2: four minima of 0, one at (3, 2). */
static double himmelblau(double x, double y, double *g) {
    double a = x * x + y - 11, b = x + y * y - 7;
    g[0] = 4 * x * a + 2 * b;
    g[1] = 2 * a + 4 * y * b;
    return a * a + b * b;
}

double gn_toy_eval_2d(const gn_toy_fn *f, double u, double v, double *g) {
    double d[2] = {0, 0}, r;
    switch (f->kind) {
    case GN_TOY_QUADRATIC:
        r = quadratic(f, u, v, d);
        break;
    case GN_TOY_ROSENBROCK:
        r = rosenbrock(u, v, d);
        break;
    case GN_TOY_BEALE:
        r = beale(u, v, d);
        break;
    case GN_TOY_HIMMELBLAU:
        r = himmelblau(u, v, d);
        break;
    case GN_TOY_SADDLE:
        d[0] = 2 * u;
        d[1] = -2 * v;
        r = u * u - v * v;
        break;
    default:
        r = d[0] = d[1] = NAN;
    }
    if (g) g[0] = d[0], g[1] = d[1];
    return r;
}
