/* Ganglion SDK: optimizers over flat parameter vectors.
 *
 * Every optimizer works on (x, g) arrays of length n, so training and the
 * toy-problem plugin drive the very same code. Defaults follow PyTorch. */
#ifndef GANGLION_OPTIM_H
#define GANGLION_OPTIM_H

#include <stdint.h>
#include <ganglion/error.h>
#include <ganglion/schema.h>

typedef struct gn_optim gn_optim;

/* Hyper-parameters (append-only). gn_optim_defaults fills PyTorch's values. */
typedef struct gn_optim_hparams {
    uint32_t struct_size;
    double lr;                  /* sgd 0.01, adam 1e-3, adadelta 1.0, adagrad 0.01, rmsprop 0.01 */
    double momentum;            /* momentum, nesterov: 0.9 */
    double beta1, beta2;        /* adam, adamw: 0.9, 0.999 */
    double eps;                 /* adam 1e-8, rmsprop 1e-8, adagrad 1e-10, adadelta 1e-6 */
    double rho;                 /* rmsprop alpha 0.99, adadelta rho 0.9 */
    double weight_decay;        /* L2 added to the gradient; adamw: decoupled, default 0.01 */
    double initial_accumulator; /* adagrad: 0 */
    double reserved[8];
} gn_optim_hparams;

/* "sgd|momentum|nesterov|adam|adamw|rmsprop|adagrad|adadelta" */
#define GN_OPTIM_CHOICES "sgd|momentum|nesterov|adam|adamw|rmsprop|adagrad|adadelta"

GN_EXPORT gn_status gn_optim_defaults(const char *name, gn_optim_hparams *hp, gn_error *err);

/* The hyper-parameters by the names INI files use: key i ("lr", "momentum",
 * "beta1", "beta2", "eps", "rho", "weight_decay"; NULL past the end) and a
 * pointer to its field in hp, so configs map keys without a table of their own. */
GN_EXPORT const char *gn_optim_hparam_key(int i);
GN_EXPORT double *gn_optim_hparam_field(gn_optim_hparams *hp, int i);

/* The keys of a trainer section that choose and tune an optimizer, as
 * schema entries: optimizer (default def), lr, momentum, beta1, beta2, eps,
 * rho, weight_decay (empty = the optimizer's PyTorch default). Put it in a
 * schema array: { GN_OPTIM_SCHEMA("adam"), GN_PARAM_INT(...), ... }. Added
 * in 1.1. */
#define GN_OPTIM_SCHEMA(def)                                                                       \
    GN_PARAM_CHOICE("optimizer", def, GN_OPTIM_CHOICES, "update rule"),                            \
        GN_PARAM_FLOAT("lr", "", 0, 1e3,                                                           \
                       "learning rate (default: the optimizer's PyTorch default)"),                \
        GN_PARAM_FLOAT("momentum", "", 0, 0.999999, "momentum, nesterov (default 0.9)"),           \
        GN_PARAM_FLOAT("beta1", "", 0, 0.999999, "adam, adamw (default 0.9)"),                     \
        GN_PARAM_FLOAT("beta2", "", 0, 0.999999, "adam, adamw (default 0.999)"),                   \
        GN_PARAM_FLOAT("eps", "", 1e-30, 1, "numerical guard (default per optimizer)"),            \
        GN_PARAM_FLOAT("rho", "", 0, 0.999999, "rmsprop alpha, adadelta rho"),                     \
        GN_PARAM_FLOAT("weight_decay", "", 0, 10, "L2 on the gradient (adamw: decoupled)")

/* Fills hp for the optimizer named by key "PREFIXoptimizer" of a validated
 * section (or name, when not NULL), starting from its PyTorch defaults;
 * each hyper-parameter is read from "PREFIXkey" when set, else from "key"
 * when set (a GAN's g_lr and d_lr beside a shared beta1). prefix may be
 * NULL. *name_out (may be NULL) receives the optimizer's name (borrowed
 * from s). Added in 1.1. */
GN_EXPORT gn_status gn_optim_hparams_from_section(const gn_section *s, const char *prefix,
                                                  gn_optim_hparams *hp, const char **name_out,
                                                  gn_error *err);
/* gn_optim_new with gn_optim_hparams_from_section's choice. Caller owns.
 * Added in 1.1. */
GN_EXPORT gn_optim *gn_optim_from_section(const gn_section *s, const char *prefix, int64_t n,
                                          gn_error *err);

/* Caller owns; n parameters. hp NULL = defaults. */
GN_EXPORT gn_optim *gn_optim_new(const char *name, int64_t n, const gn_optim_hparams *hp,
                                 gn_error *err);
GN_EXPORT void gn_optim_free(gn_optim *o);

/* One update of x (length n) from gradient g. */
GN_EXPORT gn_status gn_optim_step(gn_optim *o, float *x, const float *g, gn_error *err);

GN_EXPORT const char *gn_optim_name(const gn_optim *o);
GN_EXPORT int64_t gn_optim_steps(const gn_optim *o); /* updates done so far */
GN_EXPORT void gn_optim_set_lr(gn_optim *o, double lr);
GN_EXPORT double gn_optim_lr(const gn_optim *o);

/* Optimizer state by its usual name, for traces and checkpoints:
 * momentum/nesterov "velocity"; adam/adamw "m", "v", "m_hat", "v_hat";
 * rmsprop "square_avg"; adagrad "sum"; adadelta "square_avg", "acc_delta".
 * gn_optim_state copies coordinate i of state k (bias-corrected values are
 * computed on the fly). */
GN_EXPORT int gn_optim_n_states(const gn_optim *o);
GN_EXPORT const char *gn_optim_state_name(const gn_optim *o, int k);
GN_EXPORT double gn_optim_state(const gn_optim *o, int k, int64_t i);

#endif
