/* format = function: synthetic regression data, a well-known function of
 * two inputs sampled at uniform random points or on a regular grid. No file
 * is read; the manifest's seed alone fixes the points, so every machine
 * gets the same data. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ganglion/rng.h>

#include "data/formats.h"

/* Franke (1979), the classic test of 2-D scattered-data interpolation. */
static double franke(double x, double y) {
    double a = 9 * x, b = 9 * y;
    return 0.75 * exp(-((a - 2) * (a - 2) + (b - 2) * (b - 2)) / 4) +
           0.75 * exp(-(a + 1) * (a + 1) / 49 - (b + 1) / 10) +
           0.5 * exp(-((a - 7) * (a - 7) + (b - 3) * (b - 3)) / 4) -
           0.2 * exp(-(a - 4) * (a - 4) - (b - 7) * (b - 7));
}

/* MATLAB's peaks: two maxima, a minimum and a ridge. */
static double peaks(double x, double y) {
    return 3 * (1 - x) * (1 - x) * exp(-x * x - (y + 1) * (y + 1)) -
           10 * (x / 5 - x * x * x - pow(y, 5)) * exp(-x * x - y * y) -
           exp(-(x + 1) * (x + 1) - y * y) / 3;
}

static double saddle(double x, double y) {
    return x * x - y * y;
}

/* The "sombrero" sin(r)/r, 1 at the origin. */
static double sinc(double x, double y) {
    double r = sqrt(x * x + y * y);
    return r == 0 ? 1.0 : sin(r) / r;
}

static const struct {
    const char *name;
    double (*f)(double, double);
    double range[4]; /* default x0 x1 y0 y1 */
} fns[] = {
    {"franke", franke, {0, 1, 0, 1}},
    {"peaks", peaks, {-3, 3, -3, 3}},
    {"saddle", saddle, {-1, 1, -1, 1}},
    {"sinc", sinc, {-10, 10, -10, 10}},
};

#define N_FNS ((int)(sizeof fns / sizeof *fns))

int gn_function_find(const char *name, double range[4]) {
    for (int i = 0; i < N_FNS; i++)
        if (strcmp(name, fns[i].name) == 0) {
            if (range) memcpy(range, fns[i].range, sizeof fns[i].range);
            return i;
        }
    return -1;
}

const char *gn_function_name(int f) {
    return f >= 0 && f < N_FNS ? fns[f].name : "?";
}

double gn_function_value(int f, double x, double y) {
    return f >= 0 && f < N_FNS ? fns[f].f(x, y) : NAN;
}

/* One RNG stream per (seed, split, purpose): the points of a split do not
 * depend on its noise, nor on the other splits. FNV-1a over the three. */
static void stream(gn_rng *r, uint64_t seed, const char *split, const char *purpose) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (int i = 0; i < 8; i++)
        h = (h ^ ((seed >> (8 * i)) & 0xff)) * 0x100000001b3ull;
    for (const char *s = split; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    h = (h ^ '/') * 0x100000001b3ull;
    for (const char *s = purpose; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    gn_rng_seed(r, h);
}

/* t in [0, 1] to [lo, hi], exactly lo and hi at the ends. */
static double lerp(double lo, double hi, double t) {
    return lo * (1 - t) + hi * t;
}

gn_status gn_function_load(gn_dataset *ds, const gn_manifest *m, const gn_manifest_split *s,
                           gn_error *err) {
    int64_t n = s->grid ? (int64_t)s->grid * s->grid : s->samples;
    if (n < 1 || m->function < 0 || m->function >= N_FNS)
        return gn_error_set(err, GN_ERR_INVALID, "%s: no samples to make", ds->name);
    ds->values = malloc((size_t)n * 2 * sizeof *ds->values);
    ds->targets = malloc((size_t)n * sizeof *ds->targets);
    if (!ds->values || !ds->targets)
        return gn_error_set(err, GN_ERR_NOMEM, "%s: out of memory for %lld samples", ds->name,
                            (long long)n);
    const double *r = m->range;
    gn_rng rng;
    stream(&rng, m->seed, s->name, "points");
    for (int64_t k = 0; k < n; k++) {
        double x, y;
        if (s->grid) { /* row-major: x varies fastest, as gn_plot_contour's values */
            x = lerp(r[0], r[1], (double)(k % s->grid) / (s->grid - 1));
            y = lerp(r[2], r[3], (double)(k / s->grid) / (s->grid - 1));
        } else {
            x = lerp(r[0], r[1], gn_rng_uniform(&rng));
            y = lerp(r[2], r[3], gn_rng_uniform(&rng));
        }
        float fx = (float)x, fy = (float)y;
        ds->values[2 * k] = fx;
        ds->values[2 * k + 1] = fy;
        /* the target of the point as stored, so that it is exact for the sample */
        ds->targets[k] = (float)fns[m->function].f(fx, fy);
    }
    int noisy = m->noise > 0 && strcmp(s->name, "train") == 0;
    if (noisy) {
        stream(&rng, m->seed, s->name, "noise");
        for (int64_t k = 0; k < n; k++)
            ds->targets[k] += (float)(m->noise * gn_rng_normal(&rng));
    }
    ds->n = n;
    ds->ndim = 1;
    ds->dims[0] = 2;
    ds->sample_size = 2;
    ds->target_dim = 1;
    ds->n_classes = 0;
    char how[64], noise[48] = "";
    if (s->grid)
        snprintf(how, sizeof how, "a %d x %d grid", s->grid, s->grid);
    else
        snprintf(how, sizeof how, "%lld uniform random points", (long long)n);
    if (noisy) snprintf(noise, sizeof noise, ", Gaussian noise of std %g", m->noise);
    gn_dataset_note(ds, "%s: function %s on [%g, %g] x [%g, %g], %s (seed %llu)%s", ds->name,
                    fns[m->function].name, r[0], r[1], r[2], r[3], how, (unsigned long long)m->seed,
                    noise);
    return GN_OK;
}
