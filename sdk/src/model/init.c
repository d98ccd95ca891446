/* Weight initializers (Glorot, He, LeCun; uniform and normal; DCGAN's N(0, 0.02^2)). */
#include <math.h>
#include <string.h>
#include <ganglion/init.h>

static const char *const init_names[] = {
    "zeros",     "ones",          "glorot_uniform", "glorot_normal", "he_uniform",
    "he_normal", "lecun_uniform", "lecun_normal",   "dcgan_normal",
};
_Static_assert(sizeof init_names / sizeof init_names[0] == GN_INIT_COUNT,
               "init_names must follow gn_init_kind");

gn_status gn_init_parse(const char *name, gn_init_kind *out, gn_error *err) {
    for (int k = 0; k < GN_INIT_COUNT; k++)
        if (strcmp(name, init_names[k]) == 0) {
            *out = (gn_init_kind)k;
            return GN_OK;
        }
    return gn_error_set(err, GN_ERR_NOT_FOUND, "unknown initializer '%s' (one of %s)", name,
                        GN_INIT_CHOICES);
}

const char *gn_init_name(gn_init_kind k) {
    return (unsigned)k < GN_INIT_COUNT ? init_names[k] : "unknown";
}

gn_status gn_init_fill(float *w, int64_t n, gn_init_kind k, int64_t fan_in, int64_t fan_out,
                       gn_rng *rng, gn_error *err) {
    if (fan_in < 1) fan_in = 1;
    if (fan_out < 1) fan_out = 1;
    double var; /* target variance */
    int uniform = 0;
    switch (k) {
    case GN_INIT_ZEROS:
    case GN_INIT_ONES:
        for (int64_t i = 0; i < n; i++)
            w[i] = k == GN_INIT_ONES ? 1.0f : 0.0f;
        return GN_OK;
    case GN_INIT_GLOROT_UNIFORM:
        uniform = 1; /* fall through */
    case GN_INIT_GLOROT_NORMAL:
        var = 2.0 / (double)(fan_in + fan_out);
        break;
    case GN_INIT_HE_UNIFORM:
        uniform = 1; /* fall through */
    case GN_INIT_HE_NORMAL:
        var = 2.0 / (double)fan_in;
        break;
    case GN_INIT_LECUN_UNIFORM:
        uniform = 1; /* fall through */
    case GN_INIT_LECUN_NORMAL:
        var = 1.0 / (double)fan_in;
        break;
    case GN_INIT_DCGAN_NORMAL:
        var = 0.02 * 0.02;
        break;
    default:
        return gn_error_set(err, GN_ERR_INVALID, "unknown initializer %d", (int)k);
    }
    if (uniform) {
        double a = sqrt(3.0 * var); /* U(-a, a) has variance a^2 / 3 */
        for (int64_t i = 0; i < n; i++)
            w[i] = (float)((gn_rng_uniform(rng) * 2 - 1) * a);
    } else {
        float sd = (float)sqrt(var);
        for (int64_t i = 0; i < n; i++)
            w[i] = sd * gn_rng_normal(rng);
    }
    return GN_OK;
}
