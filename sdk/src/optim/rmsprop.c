/* RMSprop, PyTorch semantics (alpha = rho; momentum and centered are not
 * used): sq = rho*sq + (1-rho)*g^2; x -= lr*g/(sqrt(sq) + eps). */
#include <math.h>
#include "optim_impl.h"

static const char *const names[] = {"square_avg"};

static void rmsprop_step(gn_optim *o, float *restrict x, const float *restrict g) {
    const float lr = (float)o->hp.lr, wd = (float)o->hp.weight_decay;
    const float rho = (float)o->hp.rho, c = (float)(1.0 - o->hp.rho), eps = (float)o->hp.eps;
    float *restrict sq = o->state[0];
    const int64_t n = o->n;
    for (int64_t i = 0; i < n; i++) {
        const float gi = g[i] + wd * x[i];
        const float si = rho * sq[i] + c * gi * gi;
        sq[i] = si;
        x[i] -= lr * gi / (sqrtf(si) + eps);
    }
}

static void rmsprop_defaults(gn_optim_hparams *hp) {
    hp->lr = 0.01;
    hp->eps = 1e-8;
    hp->rho = 0.99;
}

const gn_optim_algo gn_optim_rmsprop = {
    .name = "rmsprop",
    .uses = GN_HP_EPS | GN_HP_RHO,
    .n_stored = 1,
    .n_states = 1,
    .state_names = names,
    .defaults = rmsprop_defaults,
    .step = rmsprop_step,
};
