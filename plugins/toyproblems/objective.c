/* Objectives: the table of functions, scaling and shifting, and reading the
 * problem (function, its parameters, the start point) from [train]. */
#include <math.h>
#include <string.h>
#include "toyproblems.h"

static const struct {
    const char *name;
    gn_toy_kind kind;
    int dims; /* bit 1: 1-D, bit 2: 2-D */
} kinds[] = {
    {"piecewise", GN_TOY_PIECEWISE, 1},
    {"quadratic", GN_TOY_QUADRATIC, 3},
    {"abs", GN_TOY_ABS, 1},
    {"relu", GN_TOY_RELU, 1},
    {"sigmoid", GN_TOY_SIGMOID, 1},
    {"tanh", GN_TOY_TANH, 1},
    {"rosenbrock", GN_TOY_ROSENBROCK, 2},
    {"beale", GN_TOY_BEALE, 2},
    {"himmelblau", GN_TOY_HIMMELBLAU, 2},
    {"saddle", GN_TOY_SADDLE, 2},
    {"gaussians", GN_TOY_GAUSSIANS, 3},
};
#define N_KINDS (sizeof kinds / sizeof *kinds)

const char *gn_toy_kind_name(gn_toy_kind k) {
    for (size_t i = 0; i < N_KINDS; i++)
        if (kinds[i].kind == k) return kinds[i].name;
    return "?";
}

int gn_toy_kind_dims(gn_toy_kind k) {
    for (size_t i = 0; i < N_KINDS; i++)
        if (kinds[i].kind == k) return kinds[i].dims;
    return 0;
}

double gn_toy_eval(const gn_toy_fn *f, const double *p, double *grad) {
    double u[2] = {p[0] - f->center[0], f->dim > 1 ? p[1] - f->center[1] : 0}, g[2] = {0, 0}, v;
    if (f->kind == GN_TOY_PIECEWISE)
        v = gn_toy_piecewise_eval(&f->pw, u[0], g);
    else if (f->kind == GN_TOY_GAUSSIANS)
        v = gn_toy_wells_eval(&f->wells, f->dim, u, g);
    else if (f->dim == 1)
        v = gn_toy_eval_1d(f, u[0], g);
    else
        v = gn_toy_eval_2d(f, u[0], u[1], g);
    for (int d = 0; grad && d < f->dim; d++)
        grad[d] = f->scale * g[d];
    return f->scale * v;
}

/* A per-coordinate parameter: one number for every coordinate, or one each. */
static gn_status coords(const gn_section *s, const char *key, const gn_toy_subst *sub, int dim,
                        double def, double *out, gn_error *err) {
    out[0] = out[1] = def;
    const char *text = gn_section_str(s, key);
    if (!text || !text[0]) return GN_OK;
    double v[2];
    int n;
    gn_status st = gn_toy_numbers(s, key, sub, v, dim, &n, err);
    if (st) return st;
    out[0] = v[0];
    out[1] = n == 2 ? v[1] : v[0];
    return GN_OK;
}

/* A key that only some functions read must not be set for the others. */
static gn_status only_for(const gn_section *s, const char *key, gn_toy_kind kind,
                          gn_toy_kind used_by, gn_error *err) {
    const char *text = gn_section_str(s, key);
    if (kind == used_by || !text || !text[0]) return GN_OK;
    return gn_toy_config_error(s, key, err, "only function = %s reads it (function is %s)",
                               gn_toy_kind_name(used_by), gn_toy_kind_name(kind));
}

gn_status gn_toy_problem_parse(const gn_section *s, const gn_toy_subst *sub, gn_toy_problem *out,
                               gn_error *err) {
    memset(out, 0, sizeof *out);
    gn_toy_fn *f = &out->f;
    const char *name = gn_section_str(s, "function");
    for (size_t i = 0; i < N_KINDS; i++)
        if (name && !strcmp(name, kinds[i].name)) f->kind = kinds[i].kind;
    if (!f->kind)
        return gn_toy_config_error(s, "function", err, "'%s' is not one of %s", name ? name : "",
                                   GN_TOY_FUNCTIONS);
    int dims = gn_toy_kind_dims(f->kind);
    gn_status st = gn_toy_numbers(s, "start", sub, out->start, 2, &f->dim, err);
    if (st) return st;
    if (!(dims & f->dim))
        return gn_toy_config_error(s, "start", err,
                                   "%s is a function of %s, so start needs %s (got %d)", name,
                                   dims == 1 ? "one variable" : "two variables",
                                   dims == 1 ? "one number" : "two numbers: X Y", f->dim);
    f->scale = gn_section_float(s, "scale");
    if ((st = coords(s, "center", sub, f->dim, 0, f->center, err)) ||
        (st = coords(s, "curvature", sub, f->dim, 1, f->curvature, err)) ||
        (st = only_for(s, "curvature", f->kind, GN_TOY_QUADRATIC, err)) ||
        (st = only_for(s, "points", f->kind, GN_TOY_PIECEWISE, err)) ||
        (st = only_for(s, "wells", f->kind, GN_TOY_GAUSSIANS, err)))
        return st;
    if (f->kind == GN_TOY_PIECEWISE) return gn_toy_piecewise_parse(s, "points", sub, &f->pw, err);
    if (f->kind == GN_TOY_GAUSSIANS)
        return gn_toy_wells_parse(s, "wells", sub, f->dim, &f->wells, err);
    return GN_OK;
}
