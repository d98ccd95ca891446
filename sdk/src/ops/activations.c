/* Elementwise activations. Each op is a pair f(x) / df(x, y) (y = f(x));
 * the infer/forward/backward loops are written once and instantiated per op
 * by GN_UNARY_OP, so the compiler can inline f and df into each loop. */
#include <math.h>
#include "core/parallel.h"
#include "core/simd.h"
#include "ops/fastmath.h"
#include "ops/ops_internal.h"

typedef float (*gn_unary_f)(float x, const gn_op_attrs *a);
typedef float (*gn_unary_df)(float x, float y, const gn_op_attrs *a);

/* Long loops are split over the SDK's threads (core/parallel.h); each
 * element is independent, so any split gives the same numbers. */
#define GN_UNARY_CHUNK 8192

typedef struct unary_job {
    gn_op_attrs attrs;
    const float *x, *y, *dy;
    float *out; /* y in the forward pass, dx in the backward */
} unary_job;

static gn_status unary_infer(gn_node *n, gn_error *err) {
    return gn_ops_copy_shape(n, gn_in_value(n, 0), err);
}

/* The attributes are copied: through a pointer the stores to y might alias
 * them, and the compiler would then not vectorise the loops. */
static inline void forward_loop(void *ctx, int64_t lo, int64_t hi, gn_unary_f f) {
    const unary_job *j = ctx;
    const gn_op_attrs attrs = j->attrs, *a = &attrs;
    const float *restrict x = j->x;
    float *restrict y = j->out;
    for (int64_t i = lo; i < hi; i++)
        y[i] = f(x[i], a);
}

static inline void backward_loop(void *ctx, int64_t lo, int64_t hi, gn_unary_df df) {
    const unary_job *j = ctx;
    const gn_op_attrs attrs = j->attrs, *a = &attrs;
    const float *restrict x = j->x, *restrict y = j->y, *restrict dy = j->dy;
    float *restrict dx = j->out;
    for (int64_t i = lo; i < hi; i++)
        dx[i] += dy[i] * df(x[i], y[i], a);
}

static gn_status unary_forward(gn_node *n, void (*range)(void *, int64_t, int64_t)) {
    gn_tensor *y = gn_node_value(n);
    unary_job j = {*gn_node_attrs(n), gn_tensor_cdata(gn_in_value(n, 0)), NULL, NULL,
                   gn_tensor_data(y)};
    gn_parallel_range(gn_tensor_numel(y), GN_UNARY_CHUNK, range, &j);
    return GN_OK;
}

static gn_status unary_backward(gn_node *n, void (*range)(void *, int64_t, int64_t)) {
    gn_tensor *dx = gn_in_grad(n, 0);
    if (!dx) return GN_OK;
    unary_job j = {*gn_node_attrs(n), gn_tensor_cdata(gn_in_value(n, 0)),
                   gn_tensor_cdata(gn_node_value(n)), gn_tensor_cdata(gn_node_grad(n)),
                   gn_tensor_data(dx)};
    gn_parallel_range(gn_tensor_numel(dx), GN_UNARY_CHUNK, range, &j);
    return GN_OK;
}

#define GN_UNARY_OP(NAME, DOC)                                                                     \
    GN_SIMD_CLONES static void NAME##_forward_range(void *ctx, int64_t lo, int64_t hi) {           \
        forward_loop(ctx, lo, hi, NAME##_f);                                                       \
    }                                                                                              \
    GN_SIMD_CLONES static void NAME##_backward_range(void *ctx, int64_t lo, int64_t hi) {          \
        backward_loop(ctx, lo, hi, NAME##_df);                                                     \
    }                                                                                              \
    static gn_status NAME##_forward(gn_node *n, gn_error *err) {                                   \
        (void)err;                                                                                 \
        return unary_forward(n, NAME##_forward_range);                                             \
    }                                                                                              \
    static gn_status NAME##_backward(gn_node *n, gn_error *err) {                                  \
        (void)err;                                                                                 \
        return unary_backward(n, NAME##_backward_range);                                           \
    }                                                                                              \
    const gn_op_vtable gn_op_##NAME = {                                                            \
        .struct_size = sizeof(gn_op_vtable),                                                       \
        .name = #NAME,                                                                             \
        .doc = DOC,                                                                                \
        .n_inputs = 1,                                                                             \
        .infer = unary_infer,                                                                      \
        .forward = NAME##_forward,                                                                 \
        .backward = NAME##_backward,                                                               \
    };

/* Stable sigmoid, branch-free so the loops vectorise (ops/fastmath.h). */
static inline float sigm(float x) {
    return gn_sigmoid_fast(x);
}

/* Stable softplus: max(x, 0) + log1p(e^-|x|). */
static inline float splus(float x) {
    return fmaxf(x, 0.0f) + log1pf(expf(-fabsf(x)));
}

static inline float relu_f(float x, const gn_op_attrs *a) {
    (void)a;
    return x > 0.0f ? x : 0.0f;
}
static inline float relu_df(float x, float y, const gn_op_attrs *a) {
    (void)y, (void)a;
    return x > 0.0f ? 1.0f : 0.0f;
}
GN_UNARY_OP(relu, "y = max(x, 0)")

static inline float leaky_relu_f(float x, const gn_op_attrs *a) {
    return x > 0.0f ? x : a->f[0] * x;
}
static inline float leaky_relu_df(float x, float y, const gn_op_attrs *a) {
    (void)y;
    return x > 0.0f ? 1.0f : a->f[0];
}
GN_UNARY_OP(leaky_relu, "y = x > 0 ? x : f[0] x (f[0] = slope)")

static inline float elu_f(float x, const gn_op_attrs *a) {
    return x > 0.0f ? x : a->f[0] * expm1f(x);
}
static inline float elu_df(float x, float y, const gn_op_attrs *a) {
    (void)y;
    return x > 0.0f ? 1.0f : a->f[0] * expf(x);
}
GN_UNARY_OP(elu, "y = x > 0 ? x : f[0] (e^x - 1) (f[0] = alpha)")

/* Klambauer et al. 2017 constants. */
#define GN_SELU_LAMBDA 1.0507009873554804934f
#define GN_SELU_ALPHA 1.6732632423543772848f
static inline float selu_f(float x, const gn_op_attrs *a) {
    (void)a;
    return GN_SELU_LAMBDA * (x > 0.0f ? x : GN_SELU_ALPHA * expm1f(x));
}
static inline float selu_df(float x, float y, const gn_op_attrs *a) {
    (void)y, (void)a;
    return GN_SELU_LAMBDA * (x > 0.0f ? 1.0f : GN_SELU_ALPHA * expf(x));
}
GN_UNARY_OP(selu, "y = 1.0507 (x > 0 ? x : 1.67326 (e^x - 1))")

static inline float tanh_f(float x, const gn_op_attrs *a) {
    (void)a;
    return gn_tanh_fast(x);
}
static inline float tanh_df(float x, float y, const gn_op_attrs *a) {
    (void)x, (void)a;
    return 1.0f - y * y;
}
GN_UNARY_OP(tanh, "y = tanh(x)")

static inline float sigmoid_f(float x, const gn_op_attrs *a) {
    (void)a;
    return sigm(x);
}
static inline float sigmoid_df(float x, float y, const gn_op_attrs *a) {
    (void)x, (void)a;
    return y * (1.0f - y);
}
GN_UNARY_OP(sigmoid, "y = 1 / (1 + e^-x)")

/* LeCun et al. 1998, "Efficient BackProp". */
static inline float lecun_tanh_f(float x, const gn_op_attrs *a) {
    (void)a;
    return 1.7159f * gn_tanh_fast(x * (2.0f / 3.0f)) + 0.01f * x;
}
static inline float lecun_tanh_df(float x, float y, const gn_op_attrs *a) {
    (void)y, (void)a;
    float t = gn_tanh_fast(x * (2.0f / 3.0f));
    return 1.7159f * (2.0f / 3.0f) * (1.0f - t * t) + 0.01f;
}
GN_UNARY_OP(lecun_tanh, "y = 1.7159 tanh(2x/3) + 0.01 x")

static inline float mish_f(float x, const gn_op_attrs *a) {
    (void)a;
    return x * tanhf(splus(x));
}
/* d/dx x tanh(sp(x)) = tanh(sp) + x sech^2(sp) sigmoid(x); all terms bounded. */
static inline float mish_df(float x, float y, const gn_op_attrs *a) {
    (void)y, (void)a;
    float t = tanhf(splus(x));
    return t + x * (1.0f - t * t) * sigm(x);
}
GN_UNARY_OP(mish, "y = x tanh(softplus(x))")

#define GN_SQRT1_2 0.70710678118654752440f
#define GN_INV_SQRT_2PI 0.39894228040143267794f
static inline float gelu_f(float x, const gn_op_attrs *a) {
    (void)a;
    return 0.5f * x * (1.0f + erff(x * GN_SQRT1_2));
}
static inline float gelu_df(float x, float y, const gn_op_attrs *a) {
    (void)y, (void)a;
    return 0.5f * (1.0f + erff(x * GN_SQRT1_2)) + x * GN_INV_SQRT_2PI * expf(-0.5f * x * x);
}
GN_UNARY_OP(gelu, "y = x Phi(x) = x (1 + erf(x / sqrt 2)) / 2")

static inline float softplus_f(float x, const gn_op_attrs *a) {
    (void)a;
    return splus(x);
}
static inline float softplus_df(float x, float y, const gn_op_attrs *a) {
    (void)y, (void)a;
    return sigm(x);
}
GN_UNARY_OP(softplus, "y = log(1 + e^x)")

static inline float swish_f(float x, const gn_op_attrs *a) {
    (void)a;
    return x * sigm(x);
}
static inline float swish_df(float x, float y, const gn_op_attrs *a) {
    (void)y, (void)a;
    float s = sigm(x);
    return s * (1.0f + x * (1.0f - s));
}
GN_UNARY_OP(swish, "y = x sigmoid(x)")
