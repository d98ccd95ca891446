/* Adadelta, PyTorch semantics: sq = rho*sq + (1-rho)*g^2;
 * d = sqrt(acc + eps)/sqrt(sq + eps) * g; acc = rho*acc + (1-rho)*d^2; x -= lr*d. */
#include <math.h>
#include "optim_impl.h"

static const char *const names[] = {"square_avg", "acc_delta"};

static void adadelta_step(gn_optim *o, float *restrict x, const float *restrict g) {
    const float lr = (float)o->hp.lr, wd = (float)o->hp.weight_decay;
    const float rho = (float)o->hp.rho, c = (float)(1.0 - o->hp.rho), eps = (float)o->hp.eps;
    float *restrict sq = o->state[0], *restrict acc = o->state[1];
    const int64_t n = o->n;
    for (int64_t i = 0; i < n; i++) {
        const float gi = g[i] + wd * x[i];
        const float si = rho * sq[i] + c * gi * gi;
        const float di = sqrtf(acc[i] + eps) / sqrtf(si + eps) * gi;
        sq[i] = si;
        acc[i] = rho * acc[i] + c * di * di;
        x[i] -= lr * di;
    }
}

static void adadelta_defaults(gn_optim_hparams *hp) {
    hp->lr = 1.0;
    hp->eps = 1e-6;
    hp->rho = 0.9;
}

const gn_optim_algo gn_optim_adadelta = {
    .name = "adadelta",
    .uses = GN_HP_EPS | GN_HP_RHO,
    .n_stored = 2,
    .n_states = 2,
    .state_names = names,
    .defaults = adadelta_defaults,
    .step = adadelta_step,
};
