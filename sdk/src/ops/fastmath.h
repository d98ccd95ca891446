/* Internal: exp, log1p and tanh as arithmetic only, so that -O3 vectorises the
 * per-pixel loss loops that call them (libm's expf / log1pf are calls the
 * compiler cannot vectorise). Float precision (relative error ~2e-7). */
#ifndef GN_FASTMATH_H
#define GN_FASTMATH_H

#include <math.h>
#include <stdint.h>
#include <string.h>

/* e^x for x <= 0 (a Cephes-style polynomial), held at e^-87 below -87
 * where floats underflow. The clamp is a select, which GCC vectorises
 * under -fno-trapping-math (fmaxf it would not). */
static inline float gn_exp_neg(float x) {
    x = x < -87.0f ? -87.0f : x;
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

/* sigmoid(x) = 1 / (1 + e) for x >= 0, e / (1 + e) below, e = e^-|x|:
 * full relative precision on both sides, and a select, not a branch. */
static inline float gn_sigmoid_fast(float x) {
    float e = gn_exp_neg(-fabsf(x)), r = 1.0f / (1.0f + e);
    return x >= 0.0f ? r : e * r;
}

/* tanh(x) with float precision (relative error ~3e-7): an odd Taylor
 * polynomial through x^15 for |x| < 0.55 (its first omitted term is below
 * 3e-8 there), (1 - e) / (1 + e) with e = e^-2|x| above, where 1 - e >=
 * 0.66 loses no digits. Both are computed and one is selected, so the
 * caller's loop stays branch-free. */
static inline float gn_tanh_fast(float x) {
    float a = fabsf(x), a2 = a * a;
    float p = 929569.0f / 638512875;
    p = p * a2 - 21844.0f / 6081075;
    p = p * a2 + 1382.0f / 155925;
    p = p * a2 - 62.0f / 2835;
    p = p * a2 + 17.0f / 315;
    p = p * a2 - 2.0f / 15;
    p = p * a2 + 1.0f / 3;
    p = a - a * a2 * p;
    float e = gn_exp_neg(-2.0f * a);
    float q = (1.0f - e) / (1.0f + e);
    return copysignf(a < 0.55f ? p : q, x);
}

#endif
