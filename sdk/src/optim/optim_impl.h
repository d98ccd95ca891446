/* Internal: optimizer vtable and state shared by optim.c and the algorithms. */
#ifndef GN_OPTIM_IMPL_H
#define GN_OPTIM_IMPL_H

#include <stdint.h>
#include <ganglion/optim.h>

#define GN_OPTIM_MAX_STATES 4

/* Hyper-parameters an algorithm reads; gn_optim_new validates only these so
 * an unused field never rejects a config. lr and weight_decay always count. */
enum {
    GN_HP_MOMENTUM = 1u << 0,
    GN_HP_BETAS = 1u << 1,
    GN_HP_EPS = 1u << 2,
    GN_HP_RHO = 1u << 3,
    GN_HP_INIT_ACC = 1u << 4,
};

typedef struct gn_optim_algo {
    const char *name;
    unsigned uses; /* GN_HP_* */
    int n_stored;  /* float vectors of length n allocated (zeroed) */
    int n_states;  /* names exposed, >= n_stored; the rest are derived */
    const char *const *state_names;
    /* Overrides the common defaults (lr 0.01, momentum 0.9, betas 0.9/0.999,
     * eps 1e-8, rho 0.99, weight_decay 0, initial_accumulator 0). */
    void (*defaults)(gn_optim_hparams *hp);
    void (*init)(gn_optim *o); /* optional: non-zero initial state */
    /* o->t already counts this update. x and g never alias the state. */
    void (*step)(gn_optim *o, float *restrict x, const float *restrict g);
    /* optional: value of a derived state k >= n_stored */
    double (*derived)(const gn_optim *o, int k, int64_t i);
} gn_optim_algo;

struct gn_optim {
    const gn_optim_algo *algo;
    int64_t n;
    int64_t t; /* updates done */
    gn_optim_hparams hp;
    float *state[GN_OPTIM_MAX_STATES];
};

extern const gn_optim_algo gn_optim_sgd;
extern const gn_optim_algo gn_optim_momentum;
extern const gn_optim_algo gn_optim_nesterov;
extern const gn_optim_algo gn_optim_adam;
extern const gn_optim_algo gn_optim_adamw;
extern const gn_optim_algo gn_optim_rmsprop;
extern const gn_optim_algo gn_optim_adagrad;
extern const gn_optim_algo gn_optim_adadelta;

#endif
