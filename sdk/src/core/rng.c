/* xoshiro256** seeded through splitmix64: fast, and identical on every
 * platform, so a seed reproduces a run bit for bit. */
#include <math.h>
#include <ganglion/rng.h>

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void gn_rng_seed(gn_rng *r, uint64_t seed) {
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t next(uint64_t *s) {
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t gn_rng_u64(gn_rng *r) {
    return next(r->s);
}

void gn_rng_fill_u64(gn_rng *r, uint64_t *out, int64_t n) {
    uint64_t s[4] = {r->s[0], r->s[1], r->s[2], r->s[3]}; /* in registers */
    for (int64_t i = 0; i < n; i++)
        out[i] = next(s);
    for (int k = 0; k < 4; k++)
        r->s[k] = s[k];
}

double gn_rng_uniform(gn_rng *r) {
    return (double)(gn_rng_u64(r) >> 11) * 0x1.0p-53;
}

float gn_rng_normal(gn_rng *r) {
    /* Box-Muller; one value per call keeps the stream simple to reason about. */
    double u1 = gn_rng_uniform(r), u2 = gn_rng_uniform(r);
    if (u1 < 1e-300) u1 = 1e-300;
    return (float)(sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2));
}

void gn_rng_normal_fill(gn_rng *r, float *out, int64_t n) {
    for (int64_t i = 0; i < n; i += 2) {
        double u1 = gn_rng_uniform(r), u2 = gn_rng_uniform(r);
        if (u1 < 1e-300) u1 = 1e-300;
        const double rad = sqrt(-2.0 * log(u1)), a = 6.283185307179586 * u2;
        out[i] = (float)(rad * cos(a));
        if (i + 1 < n) out[i + 1] = (float)(rad * sin(a));
    }
}

uint64_t gn_rng_below(gn_rng *r, uint64_t n) {
    if (n == 0) return 0;
    uint64_t limit = UINT64_MAX - UINT64_MAX % n; /* reject the biased tail */
    uint64_t x;
    do
        x = gn_rng_u64(r);
    while (x >= limit);
    return x % n;
}

void gn_rng_shuffle_i64(gn_rng *r, int64_t *a, int64_t n) {
    for (int64_t i = n - 1; i > 0; i--) {
        int64_t j = (int64_t)gn_rng_below(r, (uint64_t)i + 1);
        int64_t t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}
