/* Optimizer front end: name lookup, hyper-parameter checks, state storage. */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "core/parallel.h"
#include "optim_impl.h"

static const gn_optim_algo *const algos[] = {
    &gn_optim_sgd,   &gn_optim_momentum, &gn_optim_nesterov, &gn_optim_adam,
    &gn_optim_adamw, &gn_optim_rmsprop,  &gn_optim_adagrad,  &gn_optim_adadelta,
};

/* Size of the hparams struct in ABI 1.0: fields are only appended after
 * reserved, so an older caller's struct is never smaller than this. */
#define GN_HPARAMS_V1_SIZE                                                                         \
    (offsetof(gn_optim_hparams, reserved) + sizeof(((gn_optim_hparams *)0)->reserved))

static gn_status find_algo(const char *name, const gn_optim_algo **out, gn_error *err) {
    *out = NULL;
    if (!name) return gn_error_set(err, GN_ERR_INVALID, "optimizer name is NULL");
    for (size_t k = 0; k < sizeof algos / sizeof algos[0]; k++) {
        if (strcmp(algos[k]->name, name) == 0) {
            *out = algos[k];
            return GN_OK;
        }
    }
    return gn_error_set(err, GN_ERR_NOT_FOUND, "unknown optimizer '%s' (expected %s)", name,
                        GN_OPTIM_CHOICES);
}

static void fill_defaults(const gn_optim_algo *a, gn_optim_hparams *hp) {
    memset(hp, 0, sizeof *hp);
    hp->struct_size = (uint32_t)sizeof *hp;
    hp->lr = 0.01;
    hp->momentum = 0.9;
    hp->beta1 = 0.9;
    hp->beta2 = 0.999;
    hp->eps = 1e-8;
    hp->rho = 0.99;
    hp->weight_decay = 0.0;
    hp->initial_accumulator = 0.0;
    if (a->defaults) a->defaults(hp);
}

gn_status gn_optim_defaults(const char *name, gn_optim_hparams *hp, gn_error *err) {
    const gn_optim_algo *a;
    gn_status st = find_algo(name, &a, err);
    if (st != GN_OK) return st;
    if (!hp) return gn_error_set(err, GN_ERR_INVALID, "%s: hparams is NULL", name);
    fill_defaults(a, hp);
    return GN_OK;
}

/* [0, 1): a coefficient of 1 would freeze an average at its initial value. */
static int unit_coef(double v) {
    return v >= 0.0 && v < 1.0;
}

static gn_status check_hparams(const gn_optim_algo *a, const gn_optim_hparams *hp, gn_error *err) {
    const char *nm = a->name;
    /* !(v >= 0) also rejects NaN */
    if (!(hp->lr >= 0.0) || isinf(hp->lr))
        return gn_error_set(err, GN_ERR_INVALID, "%s: lr must be finite and >= 0 (got %g)", nm,
                            hp->lr);
    if (!(hp->weight_decay >= 0.0) || isinf(hp->weight_decay))
        return gn_error_set(err, GN_ERR_INVALID,
                            "%s: weight_decay must be finite and >= 0 (got %g)", nm,
                            hp->weight_decay);
    if ((a->uses & GN_HP_MOMENTUM) && !unit_coef(hp->momentum))
        return gn_error_set(err, GN_ERR_INVALID, "%s: momentum must be in [0, 1) (got %g)", nm,
                            hp->momentum);
    if ((a->uses & GN_HP_BETAS) && !unit_coef(hp->beta1))
        return gn_error_set(err, GN_ERR_INVALID, "%s: beta1 must be in [0, 1) (got %g)", nm,
                            hp->beta1);
    if ((a->uses & GN_HP_BETAS) && !unit_coef(hp->beta2))
        return gn_error_set(err, GN_ERR_INVALID, "%s: beta2 must be in [0, 1) (got %g)", nm,
                            hp->beta2);
    /* eps > 0 keeps g / (sqrt(0) + eps) from being 0/0 on a zero gradient */
    if ((a->uses & GN_HP_EPS) && (!(hp->eps > 0.0) || isinf(hp->eps)))
        return gn_error_set(err, GN_ERR_INVALID, "%s: eps must be finite and > 0 (got %g)", nm,
                            hp->eps);
    if ((a->uses & GN_HP_RHO) && !unit_coef(hp->rho))
        return gn_error_set(err, GN_ERR_INVALID, "%s: rho must be in [0, 1) (got %g)", nm, hp->rho);
    if ((a->uses & GN_HP_INIT_ACC) &&
        (!(hp->initial_accumulator >= 0.0) || isinf(hp->initial_accumulator)))
        return gn_error_set(err, GN_ERR_INVALID,
                            "%s: initial_accumulator must be finite and >= 0 (got %g)", nm,
                            hp->initial_accumulator);
    return GN_OK;
}

gn_optim *gn_optim_new(const char *name, int64_t n, const gn_optim_hparams *hp, gn_error *err) {
    const gn_optim_algo *a;
    if (find_algo(name, &a, err) != GN_OK) return NULL;
    if (n <= 0) {
        gn_error_set(err, GN_ERR_INVALID, "%s: parameter count must be > 0 (got %lld)", name,
                     (long long)n);
        return NULL;
    }
    if ((uint64_t)n > SIZE_MAX / sizeof(float)) {
        gn_error_set(err, GN_ERR_NOMEM, "%s: %lld parameters do not fit in memory", name,
                     (long long)n);
        return NULL;
    }
    gn_optim_hparams p;
    fill_defaults(a, &p);
    if (hp) {
        if (hp->struct_size < GN_HPARAMS_V1_SIZE) {
            gn_error_set(err, GN_ERR_INVALID,
                         "%s: hparams.struct_size is %u, expected >= %zu (start from "
                         "gn_optim_defaults)",
                         name, (unsigned)hp->struct_size, (size_t)GN_HPARAMS_V1_SIZE);
            return NULL;
        }
        /* a newer caller's extra fields are ignored; an older one keeps our defaults */
        size_t sz = hp->struct_size < sizeof p ? hp->struct_size : sizeof p;
        memcpy(&p, hp, sz);
        p.struct_size = (uint32_t)sizeof p;
    }
    if (check_hparams(a, &p, err) != GN_OK) return NULL;

    gn_optim *o = calloc(1, sizeof *o);
    if (!o) {
        gn_error_set(err, GN_ERR_NOMEM, "%s: out of memory", name);
        return NULL;
    }
    o->algo = a;
    o->n = n;
    o->hp = p;
    for (int k = 0; k < a->n_stored; k++) {
        o->state[k] = calloc((size_t)n, sizeof(float));
        if (!o->state[k]) {
            gn_optim_free(o);
            gn_error_set(err, GN_ERR_NOMEM, "%s: out of memory for %lld-element state '%s'", name,
                         (long long)n, a->state_names[k]);
            return NULL;
        }
    }
    if (a->init) a->init(o);
    return o;
}

void gn_optim_free(gn_optim *o) {
    if (!o) return;
    for (int k = 0; k < GN_OPTIM_MAX_STATES; k++)
        free(o->state[k]);
    free(o);
}

typedef struct step_job {
    gn_optim *o;
    float *x;
    const float *g;
} step_job;

/* Every algorithm's step is elementwise: a range runs as an optimizer of
 * its own whose state vectors start at lo (the hyper-parameters and step
 * count are shared), so any thread count gives the same numbers. */
static void step_range(void *ctx, int64_t lo, int64_t hi) {
    const step_job *j = ctx;
    gn_optim part = *j->o;
    part.n = hi - lo;
    for (int k = 0; k < GN_OPTIM_MAX_STATES; k++)
        if (part.state[k]) part.state[k] += lo;
    j->o->algo->step(&part, j->x + lo, j->g + lo);
}

gn_status gn_optim_step(gn_optim *o, float *x, const float *g, gn_error *err) {
    if (!o) return gn_error_set(err, GN_ERR_INVALID, "optimizer is NULL");
    if (!x || !g)
        return gn_error_set(err, GN_ERR_INVALID, "%s: %s is NULL", o->algo->name,
                            !x ? "parameter vector" : "gradient vector");
    o->t++; /* bias corrections use the 1-based step number */
    step_job j = {o, x, g};
    gn_parallel_range(o->n, 1 << 14, step_range, &j);
    return GN_OK;
}

const char *gn_optim_name(const gn_optim *o) {
    return o ? o->algo->name : NULL;
}

int64_t gn_optim_steps(const gn_optim *o) {
    return o ? o->t : 0;
}

/* No error channel here: a negative or non-finite lr is ignored so a bad
 * schedule cannot turn descent into ascent. */
void gn_optim_set_lr(gn_optim *o, double lr) {
    if (o && lr >= 0.0 && !isinf(lr)) o->hp.lr = lr;
}

double gn_optim_lr(const gn_optim *o) {
    return o ? o->hp.lr : NAN;
}

int gn_optim_n_states(const gn_optim *o) {
    return o ? o->algo->n_states : 0;
}

const char *gn_optim_state_name(const gn_optim *o, int k) {
    if (!o || k < 0 || k >= o->algo->n_states) return NULL;
    return o->algo->state_names[k];
}

/* NaN for a bad optimizer, state index or coordinate. */
double gn_optim_state(const gn_optim *o, int k, int64_t i) {
    if (!o || k < 0 || k >= o->algo->n_states || i < 0 || i >= o->n) return NAN;
    if (k < o->algo->n_stored) return o->state[k][i];
    return o->algo->derived ? o->algo->derived(o, k, i) : NAN;
}

static const struct {
    const char *key;
    size_t off;
} hparam_keys[] = {
    {"lr", offsetof(gn_optim_hparams, lr)},
    {"momentum", offsetof(gn_optim_hparams, momentum)},
    {"beta1", offsetof(gn_optim_hparams, beta1)},
    {"beta2", offsetof(gn_optim_hparams, beta2)},
    {"eps", offsetof(gn_optim_hparams, eps)},
    {"rho", offsetof(gn_optim_hparams, rho)},
    {"weight_decay", offsetof(gn_optim_hparams, weight_decay)},
};

const char *gn_optim_hparam_key(int i) {
    return i >= 0 && i < (int)(sizeof hparam_keys / sizeof *hparam_keys) ? hparam_keys[i].key
                                                                         : NULL;
}

double *gn_optim_hparam_field(gn_optim_hparams *hp, int i) {
    if (!hp || !gn_optim_hparam_key(i)) return NULL;
    return (double *)((char *)hp + hparam_keys[i].off);
}
