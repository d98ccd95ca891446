/* Adam and AdamW, PyTorch semantics with bias correction:
 * m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2;
 * x -= lr * (m/(1-b1^t)) / (sqrt(v/(1-b2^t)) + eps).
 * Adam adds wd*x to g; AdamW first decays x -= lr*wd*x and leaves g alone. */
#include <math.h>
#include "core/simd.h"
#include "optim_impl.h"

static const char *const names[] = {"m", "v", "m_hat", "v_hat"};

/* Shared loop: xi = x*decay; g' = g + l2*xi. Adam passes (1, wd), AdamW
 * (1 - lr*wd, 0); multiplying by 1 and adding 0*x are exact, so one loop
 * serves both without a branch per element. */
GN_SIMD_CLONES static void run(gn_optim *o, float *restrict x, const float *restrict g,
                               double decay, double l2) {
    const gn_optim_hparams *hp = &o->hp;
    const double t = (double)o->t;
    const double bc1 = 1.0 - pow(hp->beta1, t), bc2 = 1.0 - pow(hp->beta2, t);
    const float b1 = (float)hp->beta1, c1 = (float)(1.0 - hp->beta1);
    const float b2 = (float)hp->beta2, c2 = (float)(1.0 - hp->beta2);
    const float step = (float)(hp->lr / bc1), inv_sqrt_bc2 = (float)(1.0 / sqrt(bc2));
    const float eps = (float)hp->eps, dec = (float)decay, wd = (float)l2;
    float *restrict m = o->state[0], *restrict v = o->state[1];
    const int64_t n = o->n;
    for (int64_t i = 0; i < n; i++) {
        const float xi = x[i] * dec;
        const float gi = g[i] + wd * xi;
        const float mi = b1 * m[i] + c1 * gi;
        const float vi = b2 * v[i] + c2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        x[i] = xi - step * mi / (sqrtf(vi) * inv_sqrt_bc2 + eps);
    }
}

static void adam_step(gn_optim *o, float *restrict x, const float *restrict g) {
    run(o, x, g, 1.0, o->hp.weight_decay);
}

static void adamw_step(gn_optim *o, float *restrict x, const float *restrict g) {
    run(o, x, g, 1.0 - o->hp.lr * o->hp.weight_decay, 0.0);
}

/* m_hat (k = 2) and v_hat (k = 3); before the first step both are 0. */
static double adam_derived(const gn_optim *o, int k, int64_t i) {
    if (o->t == 0) return 0.0;
    const double beta = k == 2 ? o->hp.beta1 : o->hp.beta2;
    return (double)o->state[k - 2][i] / (1.0 - pow(beta, (double)o->t));
}

static void adamw_defaults(gn_optim_hparams *hp) {
    hp->lr = 1e-3;
    hp->weight_decay = 0.01;
}

static void adam_defaults(gn_optim_hparams *hp) {
    hp->lr = 1e-3;
}

const gn_optim_algo gn_optim_adam = {
    .name = "adam",
    .uses = GN_HP_BETAS | GN_HP_EPS,
    .n_stored = 2,
    .n_states = 4,
    .state_names = names,
    .defaults = adam_defaults,
    .step = adam_step,
    .derived = adam_derived,
};

const gn_optim_algo gn_optim_adamw = {
    .name = "adamw",
    .uses = GN_HP_BETAS | GN_HP_EPS,
    .n_stored = 2,
    .n_states = 4,
    .state_names = names,
    .defaults = adamw_defaults,
    .step = adamw_step,
    .derived = adam_derived,
};
