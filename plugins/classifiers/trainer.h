/* Classifiers plugin: state shared by the supervised trainer's files. */
#ifndef GN_CLASSIFIERS_TRAINER_H
#define GN_CLASSIFIERS_TRAINER_H

#include "classifiers.h"
#include "train_options.h"

typedef struct gn_penalty { /* a weight tensor and its penalties */
    float *w, *g;
    int64_t n;
    double l1, l2;
} gn_penalty;

typedef struct trainer {
    const gn_run_ctx *ctx;
    gn_train_opts o;
    gn_model *model;
    gn_graph *g;
    gn_node *x, *y, *out, *loss, *cw_node;
    gn_tensor *cw; /* class weights (C), or NULL */
    gn_optim *opt; /* NULL for L-BFGS */
    int classes;   /* class labels, or 0 for regression */
    int tdim;      /* regression targets per sample, or 0 */
    int ndim;
    int64_t dims[GN_MAX_DIMS], sample;
    float *aug_x, *aug_tmp;
    gn_penalty *pen;
    int n_pen;
    float *best; /* weights of the best epoch (restore_best_weights) */
    double best_value;
    int best_epoch, stale;
    struct gn_flow_rec *flows; /* gradient-flow records (diagnostics.c) */
    int n_flows;
} trainer;

gn_status gn_forward_batch(trainer *t, const gn_batch *b, const float *x, gn_error *err);
/* Mean loss and accuracy (or MAE) over a split; scores/labels kept if non-NULL. */
gn_status gn_evaluate_split(trainer *t, gn_data *d, double *loss, double *score, float *scores,
                            int32_t *labels, gn_error *err);

/* penalty.c: L1/L2 on dense and conv weights. */
gn_status gn_penalty_setup(trainer *t, gn_error *err);
double gn_penalty_apply(trainer *t); /* adds to the gradients, returns the penalty */

/* diagnostics.c */
gn_status gn_gradient_flow(trainer *t, gn_data *train, int epoch, gn_error *err);
gn_status gn_count_classes(trainer *t, gn_data *d, float *counts, gn_error *err);

/* misclassified.c: a PNG grid of misclassified test images. */
gn_status gn_misclassified_png(trainer *t, gn_data *test, const float *scores,
                               const int32_t *labels, gn_error *err);

/* checkpoints.c */
gn_status gn_trainer_checkpoint(trainer *t, const char *name, int epoch, gn_error *err);
gn_status gn_trainer_init_from(trainer *t, gn_error *err);

/* trainer_lbfgs.c: full-batch L-BFGS instead of mini-batch epochs. */
gn_status gn_train_lbfgs(trainer *t, gn_data *train, gn_data *val, gn_error *err);

/* surfaces.c: contour maps of the test data, the prediction and the error
 * for a regression of 2 inputs to 1 target (nothing for other data). pred
 * holds the test split's predictions, in its order. */
gn_status gn_regression_surfaces(trainer *t, gn_data *test, const float *pred, gn_error *err);

#endif
