/* Toy-problems plugin: internal declarations shared by its files. */
#ifndef GN_TOYPROBLEMS_H
#define GN_TOYPROBLEMS_H

#include <stdio.h>
#include <ganglion/ganglion.h>
#include <ganglion/plot.h>

#define GN_TOY_MAX_POINTS 64 /* breakpoints of a piecewise-linear function */
#define GN_TOY_MAX_WELLS 16
#define GN_TOY_MAX_OPTS 8
#define GN_TOY_MAX_STATES 4

/* ---- objectives (objective.c, objective_1d.c, objective_2d.c,
 * piecewise.c, wells.c) ---- */

typedef enum gn_toy_kind {
    GN_TOY_PIECEWISE = 1,
    GN_TOY_QUADRATIC,
    GN_TOY_ABS,
    GN_TOY_RELU,
    GN_TOY_SIGMOID,
    GN_TOY_TANH,
    GN_TOY_ROSENBROCK,
    GN_TOY_BEALE,
    GN_TOY_HIMMELBLAU,
    GN_TOY_SADDLE,
    GN_TOY_GAUSSIANS,
} gn_toy_kind;

#define GN_TOY_FUNCTIONS                                                                           \
    "piecewise|quadratic|abs|relu|sigmoid|tanh|rosenbrock|beale|himmelblau|saddle|gaussians"

typedef struct gn_toy_piecewise {
    int n;
    double x[GN_TOY_MAX_POINTS], y[GN_TOY_MAX_POINTS]; /* x strictly increasing */
} gn_toy_piecewise;

typedef struct gn_toy_wells {
    int n;
    double c[GN_TOY_MAX_WELLS][2], depth[GN_TOY_MAX_WELLS], width[GN_TOY_MAX_WELLS];
} gn_toy_wells;

/* f(p) = scale * base(p - center). */
typedef struct gn_toy_fn {
    gn_toy_kind kind;
    int dim; /* 1 or 2 */
    double scale, center[2], curvature[2];
    gn_toy_piecewise pw;
    gn_toy_wells wells;
} gn_toy_fn;

/* Value at p (dim coordinates) and, when grad is not NULL, the analytic
 * gradient. At a kink the gradient is the right-hand one (a breakpoint takes
 * the slope of the piece to its right); |x| and relu use 0 at 0, as PyTorch. */
double gn_toy_eval(const gn_toy_fn *f, const double *p, double *grad);
double gn_toy_eval_1d(const gn_toy_fn *f, double u, double *g);           /* objective_1d.c */
double gn_toy_eval_2d(const gn_toy_fn *f, double u, double v, double *g); /* objective_2d.c */
double gn_toy_piecewise_eval(const gn_toy_piecewise *pw, double x, double *g);
double gn_toy_wells_eval(const gn_toy_wells *w, int dim, const double *u, double *g);
const char *gn_toy_kind_name(gn_toy_kind k);
/* Dimensions a kind accepts: bit 1 = 1-D, bit 2 = 2-D. */
int gn_toy_kind_dims(gn_toy_kind k);

/* ---- INI values (parse.c) ---- */

/* The searched symbol of a threshold search and its current value; name
 * NULL when numbers are plain. */
typedef struct gn_toy_subst {
    const char *name;
    double value;
} gn_toy_subst;

/* A configuration error about key of section s, as the schema reports them:
 * "FILE:LINE: [train] key: message". Returns GN_ERR_CONFIG. */
gn_status gn_toy_config_error(const gn_section *s, const char *key, gn_error *err, const char *fmt,
                              ...) GN_PRINTF(4, 5);
/* One number, or the searched symbol (optionally with a leading '-'). The
 * token is [tok, tok + len). *ok = 0 when it is neither. */
double gn_toy_number(const char *tok, size_t len, const gn_toy_subst *sub, int *ok);
/* A list of 1..max numbers separated by commas or spaces. */
gn_status gn_toy_numbers(const gn_section *s, const char *key, const gn_toy_subst *sub, double *out,
                         int max, int *n, gn_error *err);
/* "x0:y0, x1:y1, ..." (piecewise.c) and the wells (wells.c). */
gn_status gn_toy_piecewise_parse(const gn_section *s, const char *key, const gn_toy_subst *sub,
                                 gn_toy_piecewise *out, gn_error *err);
gn_status gn_toy_wells_parse(const gn_section *s, const char *key, const gn_toy_subst *sub, int dim,
                             gn_toy_wells *out, gn_error *err);

/* The objective and start point of [train] (objective.c). */
typedef struct gn_toy_problem {
    gn_toy_fn f;
    double start[2];
} gn_toy_problem;

gn_status gn_toy_problem_parse(const gn_section *s, const gn_toy_subst *sub, gn_toy_problem *out,
                               gn_error *err);

/* ---- optimizers (optimizers.c) ---- */

typedef struct gn_toy_opt {
    char name[16];
    gn_optim_hparams hp;
} gn_toy_opt;

/* `optimizers` with their hyper-parameters: OPT_KEY beats KEY beats the
 * optimizer's PyTorch default. */
gn_status gn_toy_opts_parse(const gn_section *s, gn_toy_opt *out, int *n, gn_error *err);
/* "lr=0.3 beta1=0.9 ..." for the keys the optimizer uses. */
void gn_toy_opt_describe(const gn_toy_opt *o, char *buf, size_t n);

/* ---- runs and traces (runner.c, trace_csv.c, table.c) ---- */

/* Row t is the state after t updates: the point, its loss and gradient (the
 * one the next update consumes) and the optimizer's state. */
typedef struct gn_toy_trace {
    int dim, n_states;
    char state_names[GN_TOY_MAX_STATES][24];
    int64_t rows, cap;
    double *p, *loss, *grad, *state; /* rows x dim; rows; rows x dim; rows x n_states x dim */
    int diverged;                    /* stopped at a non-finite point or loss */
    double final_p[2], final_loss;
} gn_toy_trace;

/* Runs o from start for `steps` updates with gn_optim_step, the code
 * training uses. keep = 0 records only the final point. Free with
 * gn_toy_trace_free. */
gn_status gn_toy_run(const gn_toy_fn *f, const double *start, const gn_toy_opt *o, int64_t steps,
                     int keep, gn_toy_trace *out, gn_error *err);
void gn_toy_trace_free(gn_toy_trace *t);
/* CSV: step,x[,y],loss,grad[_x,grad_y],<state>[_x,_y]... (caller frees *buf). */
gn_status gn_toy_trace_csv(const gn_toy_trace *t, char **buf, size_t *len, gn_error *err);
/* Console table; at most max_rows rows (first, last and evenly spaced ones). */
void gn_toy_table_print(FILE *out, const char *title, const gn_toy_trace *t, int max_rows);

/* ---- plots (toy_plot.c) ---- */

typedef struct gn_toy_view {
    int fixed_x, fixed_y;
    double x[2], y[2];
    int contours; /* GN_PLOT_CONTOUR_LINEAR or _LOG */
} gn_toy_view;

gn_status gn_toy_view_parse(const gn_section *s, const gn_toy_fn *f, gn_toy_view *out,
                            gn_error *err);
/* The landscape with the paths on it: the loss curve (1-D) or contours (2-D). */
gn_status gn_toy_plot_landscape(const gn_toy_fn *f, const gn_toy_view *v, const char *title,
                                const gn_toy_trace *const *traces, const char *const *labels, int n,
                                char **svg, size_t *len, gn_error *err);
/* Loss per step of each trace (log scale when every loss is > 0 and they
 * span two decades). */
gn_status gn_toy_plot_loss(const char *title, const gn_toy_trace *const *traces,
                           const char *const *labels, int n, char **svg, size_t *len,
                           gn_error *err);

/* ---- threshold search (bisect.c) ---- */

typedef struct gn_toy_search {
    const char *symbol;
    double lo, hi, tol;
    /* trapped: the final point nearer trap than escape, or without escape
     * within radius of trap */
    double trap[2], escape[2], radius;
    int has_escape;
    int64_t steps;
} gn_toy_search;

#define GN_TOY_MAX_EVALS 80

typedef struct gn_toy_eval_row {
    double value;
    int trapped;
    double p[2], loss;
} gn_toy_eval_row;

typedef struct gn_toy_bisection {
    gn_toy_eval_row rows[GN_TOY_MAX_EVALS];
    int n;
    double escapes_at, trapped_at; /* the final bracket */
} gn_toy_bisection;

gn_status gn_toy_bisect(const gn_section *s, const gn_toy_search *q, const gn_toy_opt *o,
                        gn_toy_bisection *out, gn_error *err);

/* ---- trainers (schema.c, trainer_optimize.c, trainer_threshold.c) ---- */

extern const gn_param_schema gn_toy_optimize_schema[];
extern const gn_param_schema gn_toy_threshold_schema[];
extern const gn_trainer_vtable gn_toy_optimize;
extern const gn_trainer_vtable gn_toy_threshold;

/* Writes text through host->artifact and frees it (common.c). */
gn_status gn_toy_write(const gn_run_ctx *ctx, const char *name, char *text, size_t len,
                       gn_error *err);
/* Updates per run: steps, or quick_steps under --quick. */
int64_t gn_toy_steps(const gn_run_ctx *ctx);
/* One-line summary of a run's end, for the console and the log. */
void gn_toy_final_line(const char *name, const gn_toy_trace *t, char *buf, size_t n);

#endif
