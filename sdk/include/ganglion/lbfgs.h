/* Ganglion SDK: L-BFGS for small, full-batch problems.
 *
 * Unlike the gn_optim step optimizers, L-BFGS re-evaluates the objective
 * during its line search, so it drives the loop itself: it calls f as often
 * as it needs and returns when done. The algorithm follows PyTorch's
 * torch.optim.LBFGS(line_search_fn="strong_wolfe") (same first step, same
 * bracketing/zoom line search with cubic interpolation, same stopping
 * tests), with the two-loop recursion and history kept in double. Two
 * deliberate differences: the zoom stops on the caller's tolerance_change
 * (PyTorch always uses 1e-9 there), and the fixed-step mode also evaluates
 * after its last step so the reported loss belongs to the returned x.
 * Added in 1.0. */
#ifndef GANGLION_LBFGS_H
#define GANGLION_LBFGS_H

#include <stdint.h>
#include <ganglion/error.h>

/* The objective: returns f(x) and writes its gradient to g (n floats). x and
 * g are borrowed for the call; x is not to be modified. On failure return NaN
 * and (optionally) fill err; minimisation then stops with that error. A
 * non-finite loss or gradient is an error as well. */
typedef double (*gn_lbfgs_fn)(const float *x, float *g, void *ud, gn_error *err);

/* Called after every iteration with the 1-based iteration number and the
 * loss at the new point; non-zero stops the minimisation (GN_OK, stop =
 * GN_LBFGS_STOP_CALLBACK), e.g. for cancellation. */
typedef int (*gn_lbfgs_callback)(int64_t iter, double loss, void *ud);

typedef enum gn_lbfgs_line_search {
    GN_LBFGS_STRONG_WOLFE = 0, /* bracketing + zoom, cubic interpolation */
    GN_LBFGS_FIXED_STEP,       /* line_search_fn=None: step lr, one evaluation per iteration */
} gn_lbfgs_line_search;

/* Parameters (append-only). gn_lbfgs_defaults fills them. */
typedef struct gn_lbfgs_params {
    uint32_t struct_size;    /* sizeof(gn_lbfgs_params) */
    int history;             /* m, curvature pairs kept: 10 (PyTorch: 100) */
    int max_iter;            /* 100 */
    int max_eval;            /* function evaluations; 0 = max_iter * 5 / 4 as PyTorch */
    double lr;               /* step scale: 1 */
    double tolerance_grad;   /* stop when max |g_i| <= this: 1e-7 */
    double tolerance_change; /* stop when the loss or max |step| changes less: 1e-9 */
    int line_search;         /* gn_lbfgs_line_search: GN_LBFGS_STRONG_WOLFE */
    double c1, c2;           /* strong Wolfe constants, 0 < c1 < c2 < 1: 1e-4, 0.9 */
    int max_ls;              /* evaluations per line search: 25 */
    double reserved[8];
} gn_lbfgs_params;

typedef enum gn_lbfgs_stop {
    GN_LBFGS_STOP_NONE = 0, /* not run (error before the first evaluation) */
    GN_LBFGS_STOP_GRAD,     /* max |g_i| <= tolerance_grad */
    GN_LBFGS_STOP_CHANGE,   /* loss, step or directional derivative below tolerance_change */
    GN_LBFGS_STOP_MAX_ITER, /* max_iter iterations done */
    GN_LBFGS_STOP_MAX_EVAL, /* max_eval evaluations done */
    GN_LBFGS_STOP_CALLBACK, /* the callback returned non-zero */
    GN_LBFGS_STOP_ERROR,    /* f failed; see the status and err */
} gn_lbfgs_stop;

/* Outcome. The caller sets struct_size (sizeof(gn_lbfgs_result)); the rest
 * is filled in, also when an error is returned. */
typedef struct gn_lbfgs_result {
    uint32_t struct_size;
    int64_t iterations;  /* iterations that ran a line search */
    int64_t evaluations; /* calls of f */
    double loss;         /* at the returned x */
    double grad_max;     /* max |g_i| at the returned x */
    int converged;       /* stop is GN_LBFGS_STOP_GRAD or GN_LBFGS_STOP_CHANGE */
    int stop;            /* gn_lbfgs_stop */
} gn_lbfgs_result;

GN_EXPORT void gn_lbfgs_defaults(gn_lbfgs_params *p);

/* Static name of a stop reason ("grad", "change", "max_iter", ...). */
GN_EXPORT const char *gn_lbfgs_stop_name(int stop);

/* Minimises f from x (n floats, updated in place; on return x holds the best
 * accepted point, also after an error). ud is passed to f and cb. p NULL
 * means the defaults; res and cb may be NULL. Memory: about 2 * history * n
 * doubles, freed before returning. Errors: GN_ERR_INVALID for bad arguments
 * or parameters, GN_ERR_NUMERIC (or f's own status) when f fails or returns
 * NaN/Inf, GN_ERR_NOMEM. */
GN_EXPORT gn_status gn_lbfgs_minimize(float *x, int64_t n, gn_lbfgs_fn f, void *ud,
                                      const gn_lbfgs_params *p, gn_lbfgs_result *res,
                                      gn_lbfgs_callback cb, gn_error *err);

#endif
