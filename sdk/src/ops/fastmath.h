/* Internal: exp and log1p as arithmetic only, so that -O3 vectorises the
 * per-pixel loss loops that call them (libm's expf / log1pf are calls the
 * compiler cannot vectorise). Float precision (relative error ~2e-7). */
#ifndef GN_FASTMATH_H
#define GN_FASTMATH_H

#include <math.h>
#include <stdint.h>
#include <string.h>

/* e^x for x <= 0 (a Cephes-style polynomial), held at e^-87 below -87
 * where floats underflow. The clamp is max(x, -87) written with fabsf: a
 * conditional stops GCC from vectorising the caller. */
static inline float gn_exp_neg(float x) {
    x = 0.5f * (x - 87.0f + fabsf(x + 87.0f));
    float t = x * 1.44269504f + 12582912.0f; /* round to nearest via 1.5 * 2^23 */
    float k = t - 12582912.0f;
    float r = x - k * 0.693359375f + k * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    int32_t bits = ((int32_t)k + 127) << 23; /* 2^k, k in -126..0 */
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

/* log(1 + e) for e in [0, 1]: 2 atanh(s), s = e / (2 + e) <= 1/3, so seven
 * odd terms reach float precision and tiny e keeps full relative accuracy. */
static inline float gn_log1p_unit(float e) {
    float s = e / (2.0f + e), s2 = s * s;
    float p = 1.0f / 13;
    p = p * s2 + 1.0f / 11;
    p = p * s2 + 1.0f / 9;
    p = p * s2 + 1.0f / 7;
    p = p * s2 + 1.0f / 5;
    p = p * s2 + 1.0f / 3;
    p = p * s2 + 1.0f;
    return 2.0f * s * p;
}

/* softplus(x) - t x = max(x, 0) - t x + log(1 + e^-|x|): binary
 * cross-entropy of sigmoid(x) against t, never taking log(0). */
static inline float gn_bce_logit_term(float x, float t) {
    float a = fabsf(x);
    return 0.5f * (x + a) - t * x + gn_log1p_unit(gn_exp_neg(-a));
}

/* sigmoid(x) = 1/2 + sign(x) (sigmoid(|x|) - 1/2), without a branch. */
static inline float gn_sigmoid_fast(float x) {
    return 0.5f + copysignf(1.0f / (1.0f + gn_exp_neg(-fabsf(x))) - 0.5f, x);
}

#endif
