/* Helpers shared by the SDK suites (one test binary): graphs with inputs
 * holding data, op application and passes that fail the test on error, and
 * a model fixture with sections built from "key=value" strings. */
#ifndef GN_SDK_TEST_H
#define GN_SDK_TEST_H

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <criterion/criterion.h>
#include <ganglion/model.h>
#include <ganglion/ops.h>
#include <ganglion/registry.h>

#define expect_close(actual, expected, tol, ...)                                                   \
    do {                                                                                           \
        double a_ = (actual), e_ = (expected);                                                     \
        cr_expect(fabs(a_ - e_) <= (tol) * (1.0 + fabs(e_)), __VA_ARGS__);                         \
    } while (0)

static inline gn_graph *graph(void) {
    gn_error err = {0};
    gn_graph *g = gn_graph_new(&err);
    cr_assert_not_null(g, "%s", err.msg);
    return g;
}

/* An input holding data (batch = dims[0]). */
static inline gn_node *input(gn_graph *g, const char *name, int ndim, const int64_t *dims, int grad,
                             const float *data) {
    gn_error err = {0};
    gn_node *n = gn_graph_input(g, name, ndim, dims, grad, &err);
    cr_assert_not_null(n, "%s", err.msg);
    if (data) cr_assert_eq(gn_graph_feed(n, data, dims[0], &err), GN_OK, "%s", err.msg);
    return n;
}

static inline gn_node *apply(gn_graph *g, const gn_op_vtable *op, gn_node *const *in, int n,
                             const gn_op_attrs *attrs) {
    gn_error err = {0};
    gn_node *y = gn_graph_apply(g, op, in, n, attrs, &err);
    cr_assert_not_null(y, "%s: %s", op->name, err.msg);
    return y;
}

static inline void forward(gn_graph *g, gn_node *y) {
    gn_error err = {0};
    cr_assert_eq(gn_graph_forward(g, y, &err), GN_OK, "%s", err.msg);
}

static inline void backward(gn_graph *g, gn_node *y) {
    gn_error err = {0};
    cr_assert_eq(gn_graph_backward(g, y, &err), GN_OK, "%s", err.msg);
}

static inline void fill_uniform(float *x, int64_t n, float lo, float hi, uint64_t seed) {
    gn_rng r;
    gn_rng_seed(&r, seed);
    for (int64_t i = 0; i < n; i++)
        x[i] = lo + (hi - lo) * (float)gn_rng_uniform(&r);
}

typedef struct fixture {
    gn_registry *reg;
    gn_rng rng;
    gn_model *m;
} fixture;

/* In place: the model borrows &f->rng. */
static inline void setup(fixture *f) {
    gn_error err = {0};
    f->reg = gn_registry_new(&err);
    cr_assert_not_null(f->reg, "%s", err.msg);
    gn_rng_seed(&f->rng, 1234);
    f->m = gn_model_new("m", f->reg, &f->rng, &err);
    cr_assert_not_null(f->m, "%s", err.msg);
}

static inline void teardown(fixture *f) {
    gn_model_free(f->m);
    gn_registry_free(f->reg);
}

/* A section from "key=value" pairs, NULL-terminated, each "on line 7". */
static inline gn_section *section(const char *name, const char *const *kv) {
    gn_section *s = gn_section_new(name, "test.ini");
    cr_assert_not_null(s);
    gn_error err = {0};
    for (int i = 0; kv && kv[i]; i++) {
        char key[64];
        const char *eq = strchr(kv[i], '=');
        cr_assert_not_null(eq, "%s", kv[i]);
        snprintf(key, sizeof key, "%.*s", (int)(eq - kv[i]), kv[i]);
        cr_assert_eq(gn_section_set(s, key, eq + 1, 7, &err), GN_OK, "%s", err.msg);
    }
    return s;
}

#endif
