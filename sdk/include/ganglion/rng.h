/* Ganglion SDK: seeded random numbers (xoshiro256** seeded by splitmix64).
 * The run owns one; the same seed with one thread gives a bit-identical run. */
#ifndef GANGLION_RNG_H
#define GANGLION_RNG_H

#include <stdint.h>
#include <ganglion/abi.h>

typedef struct gn_rng {
    uint64_t s[4];
} gn_rng;

GN_EXPORT void gn_rng_seed(gn_rng *r, uint64_t seed);
GN_EXPORT uint64_t gn_rng_u64(gn_rng *r);
/* out[0 .. n) = the next n values of gn_rng_u64, in one call. 1.3. */
GN_EXPORT void gn_rng_fill_u64(gn_rng *r, uint64_t *out, int64_t n);
GN_EXPORT double gn_rng_uniform(gn_rng *r); /* [0, 1) */
GN_EXPORT float gn_rng_normal(gn_rng *r);   /* N(0, 1) */
/* out[0 .. n) ~ N(0, 1): both values of each Box-Muller pair, so half the
 * draws of n gn_rng_normal calls (another stream than theirs). ABI 1.2. */
GN_EXPORT void gn_rng_normal_fill(gn_rng *r, float *out, int64_t n);
GN_EXPORT uint64_t gn_rng_below(gn_rng *r, uint64_t n); /* [0, n), unbiased */
/* Fisher-Yates shuffle of an index array. */
GN_EXPORT void gn_rng_shuffle_i64(gn_rng *r, int64_t *a, int64_t n);

#endif
