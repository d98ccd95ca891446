/* Optimizers chosen and tuned by a config section's keys, so that every
 * trainer reads them the same way. */
#include <stdio.h>
#include <ganglion/optim.h>

/* "PREFIXkey" when set, else "key" when set, else NULL. */
static const char *pick(const gn_section *s, const char *prefix, const char *key, char *buf,
                        size_t size) {
    if (prefix && *prefix) {
        snprintf(buf, size, "%s%s", prefix, key);
        if (gn_section_has(s, buf)) return buf;
    }
    return gn_section_has(s, key) ? key : NULL;
}

gn_status gn_optim_hparams_from_section(const gn_section *s, const char *prefix,
                                        gn_optim_hparams *hp, const char **name_out,
                                        gn_error *err) {
    char buf[96];
    const char *k = pick(s, prefix, "optimizer", buf, sizeof buf);
    const char *name = k ? gn_section_str(s, k) : "adam";
    gn_status st = gn_optim_defaults(name, hp, err);
    if (st) return st;
    for (int i = 0; gn_optim_hparam_key(i); i++)
        if ((k = pick(s, prefix, gn_optim_hparam_key(i), buf, sizeof buf)))
            *gn_optim_hparam_field(hp, i) = gn_section_float(s, k);
    if (name_out) *name_out = name;
    return GN_OK;
}

gn_optim *gn_optim_from_section(const gn_section *s, const char *prefix, int64_t n, gn_error *err) {
    gn_optim_hparams hp;
    const char *name;
    if (gn_optim_hparams_from_section(s, prefix, &hp, &name, err)) return NULL;
    return gn_optim_new(name, n, &hp, err);
}
