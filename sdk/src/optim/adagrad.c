/* Adagrad, PyTorch semantics (no lr decay): sum += g^2; x -= lr*g/(sqrt(sum) + eps). */
#include <math.h>
#include "optim_impl.h"

static const char *const names[] = {"sum"};

static void adagrad_init(gn_optim *o) {
    const float a = (float)o->hp.initial_accumulator;
    for (int64_t i = 0; i < o->n; i++)
        o->state[0][i] = a;
}

static void adagrad_step(gn_optim *o, float *restrict x, const float *restrict g) {
    const float lr = (float)o->hp.lr, wd = (float)o->hp.weight_decay, eps = (float)o->hp.eps;
    float *restrict sum = o->state[0];
    const int64_t n = o->n;
    for (int64_t i = 0; i < n; i++) {
        const float gi = g[i] + wd * x[i];
        const float si = sum[i] + gi * gi;
        sum[i] = si;
        x[i] -= lr * gi / (sqrtf(si) + eps);
    }
}

static void adagrad_defaults(gn_optim_hparams *hp) {
    hp->lr = 0.01;
    hp->eps = 1e-10;
    hp->initial_accumulator = 0.0;
}

const gn_optim_algo gn_optim_adagrad = {
    .name = "adagrad",
    .uses = GN_HP_EPS | GN_HP_INIT_ACC,
    .n_stored = 1,
    .n_states = 1,
    .state_names = names,
    .defaults = adagrad_defaults,
    .init = adagrad_init,
    .step = adagrad_step,
};
