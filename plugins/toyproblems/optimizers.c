/* The optimizers a toy run compares and their hyper-parameters:
 * OPT_KEY (adam_lr) beats KEY (lr) beats the optimizer's PyTorch default. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "toyproblems.h"

/* The hyper-parameter keys are the SDK's (gn_optim_hparam_key); weight_decay is last. */
static size_t n_hps(void) {
    size_t k = 0;
    while (gn_optim_hparam_key((int)k))
        k++;
    return k;
}
#define N_HPS n_hps()

/* What each optimizer reads, for descriptions (weight decay when set). */
static const struct {
    const char *name, *uses;
} reads[] = {
    {"sgd", "lr"},
    {"momentum", "lr momentum"},
    {"nesterov", "lr momentum"},
    {"adam", "lr beta1 beta2 eps"},
    {"adamw", "lr beta1 beta2 eps weight_decay"},
    {"rmsprop", "lr rho eps"},
    {"adagrad", "lr eps"},
    {"adadelta", "lr rho eps"},
};
#define N_OPTS (sizeof reads / sizeof *reads)

static double *field(gn_optim_hparams *hp, size_t k) {
    return gn_optim_hparam_field(hp, (int)k);
}

/* Per-optimizer keys name a listed optimizer: adam_lr without adam in
 * `optimizers` is a mistake worth reporting. */
static gn_status check_unused(const gn_section *s, const gn_toy_opt *opts, int n, gn_error *err) {
    for (int i = 0; i < gn_section_count(s); i++) {
        const char *key = gn_section_key_at(s, i);
        for (size_t o = 0; o < N_OPTS; o++) {
            size_t len = strlen(reads[o].name);
            if (strncmp(key, reads[o].name, len) || key[len] != '_') continue;
            int used = 0;
            for (size_t k = 0; k < N_HPS; k++)
                used |= !strcmp(key + len + 1, gn_optim_hparam_key((int)k));
            for (int j = 0; used && j < n; j++)
                if (!strcmp(opts[j].name, reads[o].name)) used = 0;
            if (used)
                return gn_toy_config_error(s, key, err, "%s is not in optimizers (%s)",
                                           reads[o].name, gn_section_str(s, "optimizers"));
        }
    }
    return GN_OK;
}

gn_status gn_toy_opts_parse(const gn_section *s, gn_toy_opt *out, int *n, gn_error *err) {
    const char *text = gn_section_str(s, "optimizers"), *p = text ? text : "";
    *n = 0;
    while (*p) {
        p += strspn(p, ", \t");
        size_t len = strcspn(p, ", \t");
        if (!len) break;
        char name[32];
        snprintf(name, sizeof name, "%.*s", (int)(len < 31 ? len : 31), p);
        gn_toy_opt *o = &out[*n];
        gn_error e = {0};
        if (len > 15 || gn_optim_defaults(name, &o->hp, &e))
            return gn_toy_config_error(s, "optimizers", err, "'%.*s' is not one of %s", (int)len, p,
                                       GN_OPTIM_CHOICES);
        for (int j = 0; j < *n; j++)
            if (!strcmp(out[j].name, name))
                return gn_toy_config_error(s, "optimizers", err, "%s is listed twice", name);
        if (*n == GN_TOY_MAX_OPTS)
            return gn_toy_config_error(s, "optimizers", err, "at most %d optimizers",
                                       GN_TOY_MAX_OPTS);
        memcpy(o->name, name, len + 1); /* len <= 15 checked above */
        for (size_t k = 0; k < N_HPS; k++) {
            char own[64];
            snprintf(own, sizeof own, "%s_%s", name, gn_optim_hparam_key((int)k));
            if (gn_section_has(s, own))
                *field(&o->hp, k) = gn_section_float(s, own);
            else if (gn_section_has(s, gn_optim_hparam_key((int)k)))
                *field(&o->hp, k) = gn_section_float(s, gn_optim_hparam_key((int)k));
        }
        /* gn_optim_new checks the values the optimizer reads */
        gn_optim *probe = gn_optim_new(name, 1, &o->hp, &e);
        if (!probe) return gn_toy_config_error(s, "optimizers", err, "%s", e.msg);
        gn_optim_free(probe);
        (*n)++;
        p += len;
    }
    if (*n == 0)
        return gn_toy_config_error(s, "optimizers", err, "names no optimizer (one or more of %s)",
                                   GN_OPTIM_CHOICES);
    return check_unused(s, out, *n, err);
}

void gn_toy_opt_describe(const gn_toy_opt *o, char *buf, size_t n) {
    const char *uses = "lr";
    for (size_t i = 0; i < N_OPTS; i++)
        if (!strcmp(reads[i].name, o->name)) uses = reads[i].uses;
    size_t off = (size_t)snprintf(buf, n, "%s", o->name);
    gn_optim_hparams hp = o->hp;
    for (size_t k = 0; k < N_HPS && off < n; k++) {
        const char *key = gn_optim_hparam_key((int)k), *at = strstr(uses, key);
        size_t len = strlen(key);
        int listed = at && (at == uses || at[-1] == ' ') && (at[len] == ' ' || !at[len]);
        if (!listed && !(k == N_HPS - 1 && hp.weight_decay > 0)) continue;
        off += (size_t)snprintf(buf + off, n - off, " %s=%g",
                                !strcmp(key, "rho") && !strcmp(o->name, "rmsprop") ? "alpha" : key,
                                *field(&hp, k));
    }
}
