/* Plain SGD: x -= lr * (g + wd*x). */
#include "optim_impl.h"

static void sgd_step(gn_optim *o, float *restrict x, const float *restrict g) {
    const float lr = (float)o->hp.lr, wd = (float)o->hp.weight_decay;
    const int64_t n = o->n;
    for (int64_t i = 0; i < n; i++)
        x[i] -= lr * (g[i] + wd * x[i]);
}

const gn_optim_algo gn_optim_sgd = {
    .name = "sgd",
    .step = sgd_step,
};
