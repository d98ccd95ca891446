/* Core ops: forward against straightforward references, every backward by
 * finite differences (gn_gradcheck), dropout statistics, loss values and
 * shape errors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <ganglion/gemm.h>
#include <ganglion/gradcheck.h>
#include <ganglion/ops.h>
#include <ganglion/registry.h>
#include "sdk_test.h"

/* ---- registration ------------------------------------------------------ */

static const gn_op_vtable *const all_ops[] = {
    &gn_op_linear,     &gn_op_add,           &gn_op_relu,          &gn_op_leaky_relu,
    &gn_op_elu,        &gn_op_selu,          &gn_op_tanh,          &gn_op_sigmoid,
    &gn_op_softmax,    &gn_op_lecun_tanh,    &gn_op_mish,          &gn_op_gelu,
    &gn_op_softplus,   &gn_op_swish,         &gn_op_reshape,       &gn_op_flatten,
    &gn_op_dropout,    &gn_op_mse,           &gn_op_cross_entropy, &gn_op_bce,
    &gn_op_bce_logits, &gn_op_spectral_norm,
};

Test(ops, registered_under_core) {
    gn_error err = {0};
    gn_registry *r = gn_registry_new(&err);
    cr_assert_not_null(r, "%s", err.msg);
    for (size_t i = 0; i < sizeof all_ops / sizeof all_ops[0]; i++) {
        const gn_op_vtable *op = all_ops[i];
        cr_expect_eq(op->struct_size, sizeof(gn_op_vtable), "%s", op->name);
        cr_expect(op->doc && *op->doc, "%s has no doc", op->name);
        cr_expect(op->n_inputs >= 1 && op->n_inputs <= 3, "%s", op->name);
        cr_expect(op->infer && op->forward && op->backward, "%s", op->name);
        cr_expect_eq(gn_registry_find(r, GN_KIND_OP, op->name, &err), op, "%s: %s", op->name,
                     err.msg);
        char full[64];
        snprintf(full, sizeof full, "core.%s", op->name);
        cr_expect_eq(gn_registry_find(r, GN_KIND_OP, full, &err), op, "%s", full);
    }
    gn_registry_free(r);
}

/* ---- linear ------------------------------------------------------------ */

Test(ops, linear_forward_matches_gemm_ref) {
    enum { B = 5, IN = 7, OUT = 4 };
    float x[B * IN], w[OUT * IN], bias[OUT], want[B * OUT];
    fill_uniform(x, B * IN, -1, 1, 1);
    fill_uniform(w, OUT * IN, -1, 1, 2);
    fill_uniform(bias, OUT, -1, 1, 3);
    gn_gemm_ref(0, 1, B, OUT, IN, 1.0f, x, IN, w, IN, 0.0f, want, OUT);
    for (int r = 0; r < B; r++)
        for (int j = 0; j < OUT; j++)
            want[r * OUT + j] += bias[j];

    gn_graph *g = graph();
    int64_t xd[2] = {B, IN}, wd[2] = {OUT, IN}, bd[1] = {OUT};
    gn_node *in[3] = {input(g, "x", 2, xd, 0, x), input(g, "w", 2, wd, 0, w),
                      input(g, "b", 1, bd, 0, bias)};
    gn_node *y = apply(g, &gn_op_linear, in, 3, NULL);
    forward(g, y);
    cr_assert_eq(gn_tensor_ndim(gn_node_value(y)), 2);
    cr_assert_eq(gn_tensor_dim(gn_node_value(y), 0), B);
    cr_assert_eq(gn_tensor_dim(gn_node_value(y), 1), OUT);
    const float *yd = gn_tensor_cdata(gn_node_value(y));
    for (int i = 0; i < B * OUT; i++)
        expect_close(yd[i], want[i], 1e-5, "y[%d] = %g, want %g", i, yd[i], want[i]);

    /* A smaller batch afterwards re-infers the shape. */
    gn_error err = {0};
    cr_assert_eq(gn_graph_feed(in[0], x + IN, 2, &err), GN_OK, "%s", err.msg);
    forward(g, y);
    cr_expect_eq(gn_tensor_dim(gn_node_value(y), 0), 2);
    yd = gn_tensor_cdata(gn_node_value(y));
    for (int i = 0; i < 2 * OUT; i++)
        expect_close(yd[i], want[OUT + i], 1e-5, "row shift %d", i);
    gn_graph_free(g);
}

Test(ops, linear_with_params_accumulates_grads) {
    enum { B = 3, IN = 4, OUT = 2 };
    gn_error err = {0};
    int64_t wd[2] = {OUT, IN}, bd[1] = {OUT}, xd[2] = {B, IN};
    gn_tensor *w = gn_tensor_new(NULL, 2, wd, &err), *dw = gn_tensor_new(NULL, 2, wd, &err);
    gn_tensor *b = gn_tensor_new(NULL, 1, bd, &err), *db = gn_tensor_new(NULL, 1, bd, &err);
    cr_assert(w && dw && b && db, "%s", err.msg);
    fill_uniform(gn_tensor_data(w), OUT * IN, -1, 1, 4);
    float x[B * IN];
    fill_uniform(x, B * IN, -1, 1, 5);
    gn_graph *g = graph();
    gn_node *in[3] = {input(g, "x", 2, xd, 0, x), gn_graph_param(g, "w", w, dw, &err),
                      gn_graph_param(g, "b", b, db, &err)};
    gn_node *y = apply(g, &gn_op_linear, in, 3, NULL);
    forward(g, y);
    backward(g, y);
    backward(g, y); /* parameter gradients accumulate */
    /* dL/db = 2 * B per output (seed of ones); dL/dW[j][k] = 2 * sum_r x[r][k]. */
    for (int j = 0; j < OUT; j++)
        expect_close(gn_tensor_cdata(db)[j], 2.0 * B, 1e-6, "db");
    for (int j = 0; j < OUT; j++)
        for (int k = 0; k < IN; k++) {
            double s = 0;
            for (int r = 0; r < B; r++)
                s += x[r * IN + k];
            expect_close(gn_tensor_cdata(dw)[j * IN + k], 2 * s, 1e-5, "dw[%d][%d]", j, k);
        }
    gn_graph_free(g);
    gn_tensor_free(w);
    gn_tensor_free(dw);
    gn_tensor_free(b);
    gn_tensor_free(db);
}

/* Expects gn_graph_apply(op, in) to fail with a message containing want. */
static void expect_apply_error(gn_graph *g, const gn_op_vtable *op, gn_node *const *in, int n,
                               const gn_op_attrs *attrs, const char *want) {
    gn_error err = {0};
    gn_node *y = gn_graph_apply(g, op, in, n, attrs, &err);
    cr_expect_null(y, "%s accepted bad shapes", op->name);
    cr_expect_eq(err.status, GN_ERR_INVALID, "%s: status %d", op->name, err.status);
    cr_expect(strstr(err.msg, want) != NULL, "message \"%s\" lacks \"%s\"", err.msg, want);
}

Test(ops, shape_errors_are_explained) {
    gn_graph *g = graph();
    int64_t xd[2] = {2, 300}, wd[2] = {10, 784}, bd[1] = {10}, b9[1] = {9};
    gn_node *x = input(g, "x", 2, xd, 0, NULL), *w = input(g, "w", 2, wd, 0, NULL);
    gn_node *b = input(g, "b", 1, bd, 0, NULL);
    gn_node *lin[3] = {x, w, b};
    expect_apply_error(g, &gn_op_linear, lin, 3, NULL,
                       "linear: input has 300 features, weight expects 784");

    int64_t xd2[2] = {2, 784};
    gn_node *x2 = input(g, "x2", 2, xd2, 0, NULL), *b2 = input(g, "b9", 1, b9, 0, NULL);
    gn_node *lin2[3] = {x2, w, b2};
    expect_apply_error(g, &gn_op_linear, lin2, 3, NULL, "bias has 9 elements");

    int64_t img[4] = {2, 1, 28, 28};
    gn_node *im = input(g, "img", 4, img, 0, NULL);
    gn_node *lin3[3] = {im, w, b};
    expect_apply_error(g, &gn_op_linear, lin3, 3, NULL, "must be 2-D");

    int64_t ad[2] = {2, 3}, cd[2] = {2, 4};
    gn_node *pa[2] = {input(g, "a", 2, ad, 0, NULL), input(g, "c", 2, cd, 0, NULL)};
    expect_apply_error(g, &gn_op_add, pa, 2, NULL, "add: shapes (2, 3) and (2, 4) differ");
    expect_apply_error(g, &gn_op_mse, pa, 2, NULL, "mse: shapes");
    expect_apply_error(g, &gn_op_bce, pa, 2, NULL, "bce: shapes");
    expect_apply_error(g, &gn_op_cross_entropy, pa, 2, NULL, "cross_entropy: target (2, 4)");

    int64_t td[1] = {3};
    gn_node *ce[2] = {pa[0], input(g, "t", 1, td, 0, NULL)};
    expect_apply_error(g, &gn_op_cross_entropy, ce, 2, NULL, "does not fit logits (2, 3)");

    gn_op_attrs ra = {.i = {2, 5, 5}};
    expect_apply_error(g, &gn_op_reshape, &im, 1, &ra,
                       "reshape: input (None, 1, 28, 28) has 784 values per sample, target "
                       "shape has 25");
    gn_op_attrs dr = {.f = {1.0f}};
    expect_apply_error(g, &gn_op_dropout, &x, 1, &dr, "dropout: rate 1 must be in [0, 1)");
    gn_graph_free(g);
}

/* ---- add --------------------------------------------------------------- */

Test(ops, add_forward) {
    float a[6] = {1, 2, 3, 4, 5, 6}, b[6] = {0.5f, -1, 2, 0, -5, 10};
    gn_graph *g = graph();
    int64_t d[2] = {2, 3};
    gn_node *in[2] = {input(g, "a", 2, d, 0, a), input(g, "b", 2, d, 0, b)};
    gn_node *y = apply(g, &gn_op_add, in, 2, NULL);
    forward(g, y);
    for (int i = 0; i < 6; i++)
        cr_expect_float_eq(gn_tensor_cdata(gn_node_value(y))[i], a[i] + b[i], 1e-7);
    gn_graph_free(g);
}

/* ---- activations ------------------------------------------------------- */

typedef double (*ref_fn)(double x, double a);
static double r_relu(double x, double a) {
    return (void)a, x > 0 ? x : 0;
}
static double r_leaky(double x, double a) {
    return x > 0 ? x : a * x;
}
static double r_elu(double x, double a) {
    return x > 0 ? x : a * (exp(x) - 1);
}
static double r_selu(double x, double a) {
    (void)a;
    return 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * (exp(x) - 1));
}
static double r_tanh(double x, double a) {
    return (void)a, tanh(x);
}
static double r_sigmoid(double x, double a) {
    return (void)a, 1 / (1 + exp(-x));
}
static double r_lecun(double x, double a) {
    return (void)a, 1.7159 * tanh(2 * x / 3) + 0.01 * x;
}
static double r_softplus(double x, double a) {
    return (void)a, log(1 + exp(x));
}
static double r_mish(double x, double a) {
    return x * tanh(r_softplus(x, a));
}
static double r_gelu(double x, double a) {
    return (void)a, 0.5 * x * (1 + erf(x / sqrt(2.0)));
}
static double r_swish(double x, double a) {
    return x * r_sigmoid(x, a);
}

typedef struct act_case {
    const gn_op_vtable *op;
    float attr;
    ref_fn ref;
} act_case;

static const act_case act_cases[] = {
    {&gn_op_relu, 0, r_relu},        {&gn_op_leaky_relu, 0.1f, r_leaky},
    {&gn_op_elu, 0.7f, r_elu},       {&gn_op_selu, 0, r_selu},
    {&gn_op_tanh, 0, r_tanh},        {&gn_op_sigmoid, 0, r_sigmoid},
    {&gn_op_lecun_tanh, 0, r_lecun}, {&gn_op_mish, 0, r_mish},
    {&gn_op_gelu, 0, r_gelu},        {&gn_op_softplus, 0, r_softplus},
    {&gn_op_swish, 0, r_swish},
};

Test(ops, activations_forward_match_reference) {
    enum { N = 41 };
    float x[N];
    for (int i = 0; i < N; i++)
        x[i] = -5.0f + 0.25f * (float)i; /* includes 0 */
    for (size_t c = 0; c < sizeof act_cases / sizeof act_cases[0]; c++) {
        const act_case *ac = &act_cases[c];
        gn_graph *g = graph();
        int64_t d[2] = {1, N};
        gn_node *in = input(g, "x", 2, d, 0, x);
        gn_op_attrs a = {.f = {ac->attr}};
        gn_node *y = apply(g, ac->op, &in, 1, &a);
        forward(g, y);
        const float *yd = gn_tensor_cdata(gn_node_value(y));
        for (int i = 0; i < N; i++) {
            double want = ac->ref(x[i], ac->attr);
            expect_close(yd[i], want, 2e-6, "%s(%g) = %.9g, want %.9g", ac->op->name, x[i], yd[i],
                         want);
        }
        gn_graph_free(g);
    }
}

/* Large |x| must give finite values and (for smooth ops) finite gradients. */
Test(ops, activations_stable_for_large_inputs) {
    float x[6] = {-1000, -100, -30, 30, 100, 1000};
    for (size_t c = 0; c < sizeof act_cases / sizeof act_cases[0]; c++) {
        const act_case *ac = &act_cases[c];
        gn_graph *g = graph();
        int64_t d[2] = {1, 6};
        gn_node *in = input(g, "x", 2, d, 1, x);
        gn_op_attrs a = {.f = {ac->attr}};
        gn_node *y = apply(g, ac->op, &in, 1, &a);
        forward(g, y);
        backward(g, y);
        for (int i = 0; i < 6; i++) {
            float v = gn_tensor_cdata(gn_node_value(y))[i];
            float dv = gn_tensor_cdata(gn_node_grad(in))[i];
            cr_expect(isfinite(v) && isfinite(dv), "%s(%g) = %g, grad %g", ac->op->name, x[i], v,
                      dv);
        }
        gn_graph_free(g);
    }
    /* Spot values where naive formulas overflow. */
    struct {
        const gn_op_vtable *op;
        float x, want;
    } spots[] = {
        {&gn_op_softplus, 1000, 1000}, {&gn_op_softplus, -1000, 0}, {&gn_op_sigmoid, -1000, 0},
        {&gn_op_sigmoid, 1000, 1},     {&gn_op_mish, 1000, 1000},   {&gn_op_mish, -1000, 0},
        {&gn_op_swish, -1000, 0},      {&gn_op_swish, 1000, 1000},  {&gn_op_gelu, -1000, 0},
    };
    for (size_t s = 0; s < sizeof spots / sizeof spots[0]; s++) {
        gn_graph *g = graph();
        int64_t d[2] = {1, 1};
        gn_node *in = input(g, "x", 2, d, 0, &spots[s].x);
        gn_node *y = apply(g, spots[s].op, &in, 1, NULL);
        forward(g, y);
        float v = gn_tensor_cdata(gn_node_value(y))[0];
        expect_close(v, spots[s].want, 1e-6, "%s(%g) = %g", spots[s].op->name, spots[s].x, v);
        gn_graph_free(g);
    }
}

/* ---- softmax ----------------------------------------------------------- */

Test(ops, softmax_forward_rows) {
    float x[6] = {1, 2, 3, 1000, 1001, 1002};
    gn_graph *g = graph();
    int64_t d[2] = {2, 3};
    gn_node *in = input(g, "x", 2, d, 0, x);
    gn_node *y = apply(g, &gn_op_softmax, &in, 1, NULL);
    forward(g, y);
    const float *yd = gn_tensor_cdata(gn_node_value(y));
    double den = exp(-2.0) + exp(-1.0) + 1.0;
    double want[3] = {exp(-2.0) / den, exp(-1.0) / den, 1.0 / den};
    for (int r = 0; r < 2; r++) /* shift invariance keeps the huge row finite */
        for (int j = 0; j < 3; j++)
            expect_close(yd[r * 3 + j], want[j], 1e-6, "y[%d][%d]", r, j);
    gn_graph_free(g);
}

/* ---- reshape / flatten ------------------------------------------------- */

Test(ops, reshape_and_flatten_shapes) {
    float x[2 * 12];
    for (int i = 0; i < 24; i++)
        x[i] = (float)i;
    gn_graph *g = graph();
    int64_t d[2] = {2, 12};
    gn_node *in = input(g, "x", 2, d, 0, x);
    gn_op_attrs a = {.i = {3, 3, -1, 2}};
    gn_node *r = apply(g, &gn_op_reshape, &in, 1, &a);
    gn_node *f = apply(g, &gn_op_flatten, &r, 1, NULL);
    forward(g, f);
    gn_tensor *rv = gn_node_value(r);
    cr_expect_eq(gn_tensor_ndim(rv), 4);
    cr_expect_eq(gn_tensor_dim(rv, 0), 2);
    cr_expect_eq(gn_tensor_dim(rv, 1), 3);
    cr_expect_eq(gn_tensor_dim(rv, 2), 2); /* the -1 */
    cr_expect_eq(gn_tensor_dim(rv, 3), 2);
    gn_tensor *fv = gn_node_value(f);
    cr_expect_eq(gn_tensor_ndim(fv), 2);
    cr_expect_eq(gn_tensor_dim(fv, 1), 12);
    for (int i = 0; i < 24; i++)
        cr_expect_eq(gn_tensor_cdata(fv)[i], x[i]);
    gn_graph_free(g);
}

/* ---- dropout ----------------------------------------------------------- */

Test(ops, dropout_training_statistics_and_eval_identity) {
    enum { N = 100000 };
    float *x = malloc(N * sizeof *x);
    cr_assert_not_null(x);
    for (int i = 0; i < N; i++)
        x[i] = 1.0f;
    gn_rng rng;
    gn_rng_seed(&rng, 42);
    gn_graph *g = graph();
    gn_graph_set_rng(g, &rng);
    int64_t d[2] = {100, N / 100};
    gn_node *in = input(g, "x", 2, d, 1, x);
    gn_op_attrs a = {.f = {0.3f}};
    gn_node *y = apply(g, &gn_op_dropout, &in, 1, &a);

    gn_graph_set_training(g, 1);
    forward(g, y);
    const float *yd = gn_tensor_cdata(gn_node_value(y));
    int zeros = 0;
    double sum = 0;
    for (int i = 0; i < N; i++) {
        if (yd[i] == 0.0f)
            zeros++;
        else
            expect_close(yd[i], 1.0 / 0.7, 1e-6, "kept value %g", yd[i]);
        sum += yd[i];
    }
    cr_expect(fabs(zeros / (double)N - 0.3) < 0.01, "dropped fraction %g", zeros / (double)N);
    cr_expect(fabs(sum / N - 1.0) < 0.02, "mean %g (inverted dropout keeps it 1)", sum / N);
    /* Gradient is the same mask. */
    backward(g, y);
    const float *dx = gn_tensor_cdata(gn_node_grad(in));
    for (int i = 0; i < N; i++)
        cr_assert_eq(dx[i], yd[i], "grad %d", i);

    /* A second pass draws a new mask. */
    float first[16];
    memcpy(first, yd, sizeof first);
    forward(g, y);
    cr_expect(memcmp(first, gn_tensor_cdata(gn_node_value(y)), sizeof first) != 0);

    gn_graph_set_training(g, 0);
    forward(g, y);
    backward(g, y);
    for (int i = 0; i < N; i++) {
        cr_assert_eq(gn_tensor_cdata(gn_node_value(y))[i], 1.0f, "eval output %d", i);
        cr_assert_eq(gn_tensor_cdata(gn_node_grad(in))[i], 1.0f, "eval grad %d", i);
    }
    gn_graph_free(g);
    free(x);
}

Test(ops, dropout_without_rng_in_training_fails_cleanly) {
    float x[4] = {1, 2, 3, 4};
    gn_graph *g = graph();
    int64_t d[2] = {1, 4};
    gn_node *in = input(g, "x", 2, d, 0, x);
    gn_op_attrs a = {.f = {0.5f}};
    gn_node *y = apply(g, &gn_op_dropout, &in, 1, &a);
    gn_graph_set_training(g, 1);
    gn_error err = {0};
    cr_expect_eq(gn_graph_forward(g, y, &err), GN_ERR_INVALID);
    cr_expect(strstr(err.msg, "rng") != NULL, "%s", err.msg);
    gn_graph_free(g);
}

/* ---- losses ------------------------------------------------------------ */

static float loss_of(const gn_op_vtable *op, int ndim_p, const int64_t *dp, const float *p,
                     int ndim_t, const int64_t *dt, const float *t) {
    gn_graph *g = graph();
    gn_node *in[2] = {input(g, "p", ndim_p, dp, 0, p), input(g, "t", ndim_t, dt, 0, t)};
    gn_node *y = apply(g, op, in, 2, NULL);
    forward(g, y);
    cr_assert_eq(gn_tensor_numel(gn_node_value(y)), 1);
    float v = gn_tensor_cdata(gn_node_value(y))[0];
    gn_graph_free(g);
    return v;
}

Test(ops, mse_value) {
    float p[4] = {1, 2, 3, 4}, t[4] = {0, 2, 5, 3};
    int64_t d[2] = {2, 2};
    /* (1 + 0 + 4 + 1) / 4 */
    expect_close(loss_of(&gn_op_mse, 2, d, p, 2, d, t), 1.5, 1e-7, "mse");
}

/* Reference: softplus(z) - t z in double. */
static double bce_logit_ref(double z, double t) {
    return (z > 0 ? z + log1p(exp(-z)) : log1p(exp(z))) - t * z;
}

Test(ops, bce_logits_values_and_reductions) {
    /* Two samples of 3; extreme logits stay finite and exact. */
    float z[6] = {0.0f, 2.5f, -1.0f, 40.0f, -40.0f, 0.3f}, t[6] = {1, 0, 0.25f, 1, 1, 0.5f};
    int64_t d[2] = {2, 3};
    double sum = 0;
    for (int i = 0; i < 6; i++)
        sum += bce_logit_ref(z[i], t[i]);
    cr_assert(fabs(bce_logit_ref(40, 1)) < 1e-12 && fabs(bce_logit_ref(-40, 1) - 40) < 1e-12);
    expect_close(loss_of(&gn_op_bce_logits, 2, d, z, 2, d, t), sum / 6, 2e-6, "mean");
    gn_graph *g = graph();
    gn_node *in[2] = {input(g, "z", 2, d, 1, z), input(g, "t", 2, d, 0, t)};
    gn_op_attrs a = {.i = {1}};
    gn_node *y = apply(g, &gn_op_bce_logits, in, 2, &a);
    forward(g, y);
    expect_close(gn_tensor_cdata(gn_node_value(y))[0], sum / 2, 1e-5, "per sample");
    backward(g, y);
    for (int i = 0; i < 6; i++) { /* (sigmoid(z) - t) / batch */
        double want = (1.0 / (1.0 + exp(-(double)z[i])) - t[i]) / 2;
        expect_close(gn_tensor_cdata(gn_node_grad(in[0]))[i], want, 1e-6, "dz[%d]", i);
    }
    gn_graph_free(g);
    /* The reduction attribute is validated. */
    g = graph();
    gn_node *in2[2] = {input(g, "z", 2, d, 0, z), input(g, "t", 2, d, 0, t)};
    gn_op_attrs bad = {.i = {2}};
    expect_apply_error(g, &gn_op_bce_logits, in2, 2, &bad, "bce_logits: reduction 2");
    expect_apply_error(g, &gn_op_mse, in2, 2, &bad, "mse: reduction 2");
    gn_graph_free(g);
}

Test(ops, mse_per_sample_sums_each_sample) {
    float p[4] = {1, 2, 3, 4}, t[4] = {0, 2, 5, 3};
    int64_t d[2] = {2, 2};
    gn_graph *g = graph();
    gn_node *in[2] = {input(g, "p", 2, d, 0, p), input(g, "t", 2, d, 0, t)};
    gn_op_attrs a = {.i = {1}};
    gn_node *y = apply(g, &gn_op_mse, in, 2, &a);
    forward(g, y);
    /* (1 + 0 + 4 + 1) / 2 samples */
    expect_close(gn_tensor_cdata(gn_node_value(y))[0], 3.0, 1e-7, "mse per sample");
    gn_graph_free(g);
}

Test(ops, cross_entropy_values) {
    float z[3] = {1, 2, 3}, id[1] = {2};
    int64_t dz[2] = {1, 3}, dt[1] = {1};
    expect_close(loss_of(&gn_op_cross_entropy, 2, dz, z, 1, dt, id), 0.40760596, 1e-6,
                 "ce class 2");
    /* Batch mean: class 0 of the same logits is 2.40760596. */
    float z2[6] = {1, 2, 3, 1, 2, 3}, ids[2] = {2, 0};
    int64_t dz2[2] = {2, 3}, dt2[1] = {2};
    expect_close(loss_of(&gn_op_cross_entropy, 2, dz2, z2, 1, dt2, ids), 1.40760596, 1e-6,
                 "ce mean");
    /* (B, 1) ids are accepted too. */
    int64_t dt3[2] = {2, 1};
    expect_close(loss_of(&gn_op_cross_entropy, 2, dz2, z2, 2, dt3, ids), 1.40760596, 1e-6,
                 "ce (B,1)");
    /* Probabilities: one-hot equals the id form; a soft target mixes. */
    float oh[3] = {0, 0, 1}, soft[3] = {0.25f, 0.25f, 0.5f};
    expect_close(loss_of(&gn_op_cross_entropy, 2, dz, z, 2, dz, oh), 0.40760596, 1e-6, "onehot");
    double lse = 3.40760596;
    double want = 0.25 * (lse - 1) + 0.25 * (lse - 2) + 0.5 * (lse - 3);
    expect_close(loss_of(&gn_op_cross_entropy, 2, dz, z, 2, dz, soft), want, 1e-6, "soft");
    /* Huge logits stay finite: -log softmax = 1000 for the losing class. */
    float big[2] = {1000, 0}, one[1] = {1};
    int64_t db[2] = {1, 2};
    expect_close(loss_of(&gn_op_cross_entropy, 2, db, big, 1, dt, one), 1000, 1e-6, "big");
}

Test(ops, cross_entropy_rejects_bad_class_ids) {
    float z[6] = {1, 2, 3, 1, 2, 3}, ids[2] = {1, 3};
    gn_graph *g = graph();
    int64_t dz[2] = {2, 3}, dt[1] = {2};
    gn_node *in[2] = {input(g, "z", 2, dz, 0, z), input(g, "t", 1, dt, 0, ids)};
    gn_node *y = apply(g, &gn_op_cross_entropy, in, 2, NULL);
    gn_error err = {0};
    cr_expect_eq(gn_graph_forward(g, y, &err), GN_ERR_INVALID);
    cr_expect(strstr(err.msg, "target 3 in row 1 is not a class id in [0, 3)") != NULL, "%s",
              err.msg);
    gn_graph_free(g);
}

Test(ops, cross_entropy_class_ids_get_no_gradient) {
    float z[6] = {1, 2, 3, 3, 2, 1}, ids[2] = {2, 0};
    gn_graph *g = graph();
    int64_t dz[2] = {2, 3}, dt[1] = {2};
    gn_node *in[2] = {input(g, "z", 2, dz, 1, z), input(g, "t", 1, dt, 1, ids)};
    gn_node *y = apply(g, &gn_op_cross_entropy, in, 2, NULL);
    forward(g, y);
    backward(g, y);
    for (int i = 0; i < 2; i++)
        cr_expect_eq(gn_tensor_cdata(gn_node_grad(in[1]))[i], 0.0f);
    /* (softmax - onehot) / B */
    double den = exp(-2.0) + exp(-1.0) + 1.0;
    double sm[3] = {exp(-2.0) / den, exp(-1.0) / den, 1.0 / den};
    const float *dzd = gn_tensor_cdata(gn_node_grad(in[0]));
    for (int j = 0; j < 3; j++) {
        expect_close(dzd[j], (sm[j] - (j == 2)) / 2, 1e-6, "row 0, %d", j);
        expect_close(dzd[3 + j], (sm[2 - j] - (j == 0)) / 2, 1e-6, "row 1, %d", j);
    }
    gn_graph_free(g);
}

Test(ops, bce_value_and_clamp) {
    float p[4] = {0.9f, 0.2f, 0.6f, 0.5f}, t[4] = {1, 0, 1, 0};
    int64_t d[2] = {2, 2};
    double want = -(log(0.9) + log(0.8) + log(0.6) + log(0.5)) / 4;
    expect_close(loss_of(&gn_op_bce, 2, d, p, 2, d, t), want, 1e-6, "bce");
    /* p = 0 with t = 1 is clamped to 1e-7: -log(1e-7) / 1. */
    float p0[1] = {0}, t1[1] = {1};
    int64_t d1[2] = {1, 1};
    expect_close(loss_of(&gn_op_bce, 2, d1, p0, 2, d1, t1), -log(1e-7), 1e-5, "clamped");
}

/* ---- gradients by finite differences ----------------------------------- */

typedef enum { D_SYM, D_P01, D_IDS, D_ROWPROB } data_kind;

typedef struct in_spec {
    int ndim;
    int64_t dims[4];
    data_kind kind;
    int grad;
} in_spec;

typedef struct grad_case {
    const char *label;
    const gn_op_vtable *op;
    int n_in;
    in_spec in[3];
    gn_op_attrs attrs;
    int training;
    float eps; /* 0 = 1e-2; smaller where the curvature is high */
} grad_case;

#define SYM(...)                                                                                   \
    { .ndim = 2, .dims = {__VA_ARGS__}, .kind = D_SYM, .grad = 1 }
#define UNARY(name, o, a)                                                                          \
    {                                                                                              \
        .label = name, .op = o, .n_in = 1, .in = {SYM(3, 5)}, .attrs = {.f = {a} }                 \
    }

/* The parameters are indices: Criterion copies parameters into the test
 * process, where pointers inside them need not stay valid. */
static const grad_case grad_cases[] = {
    UNARY("relu", &gn_op_relu, 0),
    UNARY("leaky_relu", &gn_op_leaky_relu, 0.1f),
    UNARY("elu", &gn_op_elu, 0.8f),
    UNARY("selu", &gn_op_selu, 0),
    UNARY("tanh", &gn_op_tanh, 0),
    UNARY("sigmoid", &gn_op_sigmoid, 0),
    UNARY("softmax", &gn_op_softmax, 0),
    UNARY("lecun_tanh", &gn_op_lecun_tanh, 0),
    UNARY("mish", &gn_op_mish, 0),
    UNARY("gelu", &gn_op_gelu, 0),
    UNARY("softplus", &gn_op_softplus, 0),
    UNARY("swish", &gn_op_swish, 0),
    UNARY("dropout_eval", &gn_op_dropout, 0.4f),
    {.label = "dropout_train",
     .op = &gn_op_dropout,
     .n_in = 1,
     .in = {SYM(4, 6)},
     .attrs = {.f = {0.4f}},
     .training = 1},
    {.label = "flatten", .op = &gn_op_flatten, .n_in = 1, .in = {{3, {2, 3, 4}, D_SYM, 1}}},
    {.label = "reshape",
     .op = &gn_op_reshape,
     .n_in = 1,
     .in = {SYM(2, 12)},
     .attrs = {.i = {3, 2, 3, 2}}},
    {.label = "linear",
     .op = &gn_op_linear,
     .n_in = 3,
     .in = {SYM(4, 6), SYM(3, 6), {1, {3}, D_SYM, 1}}},
    {.label = "add", .op = &gn_op_add, .n_in = 2, .in = {SYM(3, 4), SYM(3, 4)}},
    {.label = "mse", .op = &gn_op_mse, .n_in = 2, .in = {SYM(3, 4), SYM(3, 4)}},
    {.label = "cross_entropy_ids",
     .op = &gn_op_cross_entropy,
     .n_in = 2,
     .in = {SYM(4, 5), {1, {4}, D_IDS, 0}}},
    {.label = "cross_entropy_probs",
     .op = &gn_op_cross_entropy,
     .n_in = 2,
     .in = {SYM(4, 5), {2, {4, 5}, D_ROWPROB, 1}}},
    {.label = "mse_per_sample",
     .op = &gn_op_mse,
     .n_in = 2,
     .in = {SYM(3, 4), SYM(3, 4)},
     .attrs = {.i = {1}}},
    {.label = "bce_logits", .op = &gn_op_bce_logits, .n_in = 2, .in = {SYM(3, 4), SYM(3, 4)}},
    {.label = "bce_logits_per_sample", /* small sums: float rounding stays below the check */
     .op = &gn_op_bce_logits,
     .n_in = 2,
     .in = {SYM(4, 2), {2, {4, 2}, D_P01, 1}},
     .attrs = {.i = {1}}},
    {.label = "bce",
     .op = &gn_op_bce,
     .n_in = 2,
     .in = {{2, {3, 4}, D_P01, 1}, {2, {3, 4}, D_P01, 1}},
     .eps = 2e-3f},
    /* eval mode: u fixed, so sigma = |W^T u| and the gradient is exact */
    {.label = "spectral_norm",
     .op = &gn_op_spectral_norm,
     .n_in = 2,
     .in = {{3, {3, 2, 2}, D_SYM, 1}, {1, {3}, D_SYM, 0}},
     .attrs = {.i = {1}}},
};
#define N_GRAD_CASES (sizeof grad_cases / sizeof grad_cases[0])

ParameterizedTestParameters(ops_grad, gradcheck) {
    static int idx[N_GRAD_CASES];
    for (size_t i = 0; i < N_GRAD_CASES; i++)
        idx[i] = (int)i;
    return cr_make_param_array(int, idx, N_GRAD_CASES);
}

static void fill_input(float *x, const in_spec *s, int64_t n, int64_t classes, uint64_t seed) {
    gn_rng r;
    gn_rng_seed(&r, seed);
    for (int64_t i = 0; i < n; i++) {
        float u = (float)gn_rng_uniform(&r);
        switch (s->kind) {
        case D_SYM: /* keep clear of the kinks of relu, leaky_relu, elu at 0 */
            x[i] = -2.0f + 4.0f * u;
            if (fabsf(x[i]) < 0.15f) x[i] = x[i] < 0 ? -0.15f - x[i] : 0.15f + x[i];
            break;
        case D_P01:
            x[i] = 0.2f + 0.6f * u; /* away from the clamp and the steep ends */
            break;
        case D_IDS:
            x[i] = (float)gn_rng_below(&r, (uint64_t)classes);
            break;
        case D_ROWPROB:
            x[i] = 0.1f + u;
            break;
        }
    }
    if (s->kind == D_ROWPROB) {
        int64_t c = s->dims[s->ndim - 1];
        for (int64_t r0 = 0; r0 < n; r0 += c) {
            float sum = 0;
            for (int64_t j = 0; j < c; j++)
                sum += x[r0 + j];
            for (int64_t j = 0; j < c; j++)
                x[r0 + j] /= sum;
        }
    }
}

ParameterizedTest(int *ci, ops_grad, gradcheck) {
    const grad_case *gc = &grad_cases[*ci];
    gn_error err = {0};
    gn_graph *g = graph();
    gn_rng rng;
    gn_rng_seed(&rng, 7);
    gn_graph_set_rng(g, &rng);
    gn_graph_set_training(g, gc->training);
    gn_node *in[3];
    for (int k = 0; k < gc->n_in; k++) {
        const in_spec *s = &gc->in[k];
        int64_t n = 1;
        for (int d = 0; d < s->ndim; d++)
            n *= s->dims[d];
        float buf[64];
        cr_assert(n <= 64);
        fill_input(buf, s, n, gc->in[0].dims[1], 100 + (uint64_t)k);
        in[k] = input(g, "in", s->ndim, s->dims, s->grad, buf);
    }
    gn_node *y = apply(g, gc->op, in, gc->n_in, &gc->attrs);
    int checked = 0;
    for (int k = 0; k < gc->n_in; k++) {
        if (!gc->in[k].grad) continue;
        gn_gradcheck_result res;
        cr_assert_eq(gn_gradcheck(g, y, in[k], gc->eps > 0 ? gc->eps : 1e-2f, &res, &err), GN_OK,
                     "%s: %s", gc->label, err.msg);
        cr_expect(res.checked > 0);
        cr_log_info("%s: d/d(input %d) max_rel_err %g max_abs_err %g", gc->label, k,
                    res.max_rel_err, res.max_abs_err);
        cr_expect(res.max_rel_err < 5e-3, "%s: d/d(input %d) max_rel_err %g (abs %g)", gc->label, k,
                  res.max_rel_err, res.max_abs_err);
        checked++;
    }
    cr_expect(checked > 0, "%s: nothing checked", gc->label);
    gn_graph_free(g);
}

/* Dropout in training: the gradcheck above must have seen real zeros. */
Test(ops_grad, dropout_train_mask_is_fixed_per_pass) {
    gn_rng rng;
    gn_rng_seed(&rng, 7);
    gn_graph *g = graph();
    gn_graph_set_rng(g, &rng);
    gn_graph_set_training(g, 1);
    float x[24];
    fill_uniform(x, 24, 0.5f, 1.5f, 9);
    int64_t d[2] = {4, 6};
    gn_node *in = input(g, "x", 2, d, 1, x);
    gn_op_attrs a = {.f = {0.4f}};
    gn_node *y = apply(g, &gn_op_dropout, &in, 1, &a);
    gn_gradcheck_result res;
    gn_error err = {0};
    cr_assert_eq(gn_gradcheck(g, y, in, 1e-2f, &res, &err), GN_OK, "%s", err.msg);
    cr_expect(res.max_rel_err < 1e-2);
    int zeros = 0;
    for (int i = 0; i < 24; i++)
        zeros += gn_tensor_cdata(gn_node_value(y))[i] == 0.0f;
    cr_expect(zeros > 0 && zeros < 24, "%d of 24 dropped", zeros);
    gn_graph_free(g);
}
