/* The [train] keys of the optimize and threshold trainers. */
#include "toyproblems.h"

#define HP(k, lo, hi, doc) GN_PARAM_FLOAT(k, "", lo, hi, doc)
#define COEF 0.999999

/* The problem, the optimizers and the outputs: shared by both trainers. */
#define GN_TOY_COMMON_PARAMS                                                                       \
    GN_PARAM_CHOICE("function", NULL, GN_TOY_FUNCTIONS, "the objective"),                          \
        GN_PARAM_STRING("start", NULL, "start point: X (1-D) or X Y (2-D)"),                       \
        GN_PARAM_STRING("points", "", "piecewise: breakpoints X:Y, X:Y, ... (x increasing)"),      \
        GN_PARAM_STRING("wells", "", "gaussians: X:DEPTH:WIDTH, ... or X:Y:DEPTH:WIDTH, ..."),     \
        GN_PARAM_STRING("center", "", "shift: f(p) = scale * base(p - center); default 0"),        \
        GN_PARAM_STRING("curvature", "", "quadratic: k (or kx ky), f = k/2 x^2; default 1"),       \
        GN_PARAM_FLOAT("scale", "1", -1e6, 1e6, "factor on the function"),                         \
        GN_PARAM_STRING("optimizers", "adam", "optimizers to run, e.g. sgd momentum adam"),        \
        HP("lr", 0, 1e3, "learning rate of every optimizer (default: PyTorch's)"),                 \
        HP("momentum", 0, COEF, "momentum, nesterov (default 0.9)"),                               \
        HP("beta1", 0, COEF, "adam, adamw (default 0.9)"),                                         \
        HP("beta2", 0, COEF, "adam, adamw (default 0.999)"),                                       \
        HP("eps", 1e-30, 1, "numerical guard (default per optimizer)"),                            \
        HP("rho", 0, COEF, "rmsprop alpha, adadelta rho"),                                         \
        HP("weight_decay", 0, 10, "L2 on the gradient (adamw: decoupled)"),                        \
        HP("sgd_lr", 0, 1e3, "sgd only"), HP("momentum_lr", 0, 1e3, "momentum only"),              \
        HP("nesterov_lr", 0, 1e3, "nesterov only"), HP("adam_lr", 0, 1e3, "adam only"),            \
        HP("adamw_lr", 0, 1e3, "adamw only"), HP("rmsprop_lr", 0, 1e3, "rmsprop only"),            \
        HP("adagrad_lr", 0, 1e3, "adagrad only"), HP("adadelta_lr", 0, 1e3, "adadelta only"),      \
        HP("momentum_momentum", 0, COEF, "momentum only"),                                         \
        HP("nesterov_momentum", 0, COEF, "nesterov only"), HP("adam_beta1", 0, COEF, "adam only"), \
        HP("adam_beta2", 0, COEF, "adam only"), HP("adam_eps", 1e-30, 1, "adam only"),             \
        HP("adamw_beta1", 0, COEF, "adamw only"), HP("adamw_beta2", 0, COEF, "adamw only"),        \
        HP("adamw_eps", 1e-30, 1, "adamw only"), HP("adamw_weight_decay", 0, 10, "adamw only"),    \
        HP("rmsprop_rho", 0, COEF, "alpha"), HP("rmsprop_eps", 1e-30, 1, "rmsprop only"),          \
        HP("adagrad_eps", 1e-30, 1, "adagrad"), HP("adadelta_rho", 0, COEF, "adadelta only"),      \
        HP("adadelta_eps", 1e-30, 1, "adadelta only"),                                             \
        GN_PARAM_INT("steps", "100", 1, 1000000, "updates per run"),                               \
        GN_PARAM_INT("quick_steps", "0", 0, 1000000,                                               \
                     "updates under --quick (0: a fifth of steps, at least 1)"),                   \
        GN_PARAM_INT("print_rows", "21", 0, 1000000,                                               \
                     "console table rows per run (first, last, evenly spaced); 0: none"),          \
        GN_PARAM_BOOL("plot", "true", "write the SVG plots"),                                      \
        GN_PARAM_STRING("plot_x", "", "x range of the plots: LO HI (default: fit the paths)"),     \
        GN_PARAM_STRING("plot_y", "", "y range of the plots: LO HI (default: fit)"),               \
        GN_PARAM_CHOICE("contours", "auto", "auto|linear|log",                                     \
                        "2-D contour levels (auto: log for rosenbrock, beale, himmelblau)")

const gn_param_schema gn_toy_optimize_schema[] = {GN_TOY_COMMON_PARAMS, GN_PARAM_END};

const gn_param_schema gn_toy_threshold_schema[] = {
    GN_TOY_COMMON_PARAMS,
    GN_PARAM_STRING("search", NULL, "the symbol searched for, used in points, wells, start..."),
    GN_PARAM_FLOAT("search_lo", NULL, -1e9, 1e9, "one end of the search range"),
    GN_PARAM_FLOAT("search_hi", NULL, -1e9, 1e9, "the other end"),
    GN_PARAM_FLOAT("tolerance", "1e-3", 1e-12, 1e9, "stop when the bracket is this narrow"),
    GN_PARAM_FLOAT("quick_tolerance", "0", 0, 1e9, "tolerance under --quick (0: 10x tolerance)"),
    GN_PARAM_STRING("trap", NULL, "the local minimum: X (1-D) or X Y (2-D)"),
    GN_PARAM_STRING("escape", "",
                    "the minimum beyond the barrier: trapped = ends nearer trap than escape"),
    GN_PARAM_FLOAT("trap_radius", "0.5", 1e-12, 1e9,
                   "without escape: trapped = ends this close to trap"),
    GN_PARAM_END,
};
