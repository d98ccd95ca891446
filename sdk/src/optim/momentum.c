/* Heavy-ball and Nesterov momentum, PyTorch SGD semantics (no dampening):
 * v = mu*v + g; momentum: x -= lr*v; nesterov: x -= lr*(g + mu*v). */
#include "optim_impl.h"

static const char *const names[] = {"velocity"};

/* One loop for both: x -= lr*(cg*g + cv*v) with (cg, cv) = (0, 1) for
 * momentum and (1, mu) for nesterov, so there is no branch per element and
 * the momentum case stays exact (0*g + 1*v == v). */
static void run(gn_optim *o, float *restrict x, const float *restrict g, float cg, float cv) {
    const float lr = (float)o->hp.lr, mu = (float)o->hp.momentum;
    const float wd = (float)o->hp.weight_decay;
    float *restrict v = o->state[0];
    const int64_t n = o->n;
    for (int64_t i = 0; i < n; i++) {
        const float gi = g[i] + wd * x[i];
        const float vi = mu * v[i] + gi;
        v[i] = vi;
        x[i] -= lr * (cg * gi + cv * vi);
    }
}

static void momentum_step(gn_optim *o, float *restrict x, const float *restrict g) {
    run(o, x, g, 0.0f, 1.0f);
}

static void nesterov_step(gn_optim *o, float *restrict x, const float *restrict g) {
    run(o, x, g, 1.0f, (float)o->hp.momentum);
}

const gn_optim_algo gn_optim_momentum = {
    .name = "momentum",
    .uses = GN_HP_MOMENTUM,
    .n_stored = 1,
    .n_states = 1,
    .state_names = names,
    .step = momentum_step,
};

const gn_optim_algo gn_optim_nesterov = {
    .name = "nesterov",
    .uses = GN_HP_MOMENTUM,
    .n_stored = 1,
    .n_states = 1,
    .state_names = names,
    .step = nesterov_step,
};
