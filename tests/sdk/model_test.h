/* Layer-test helpers over the sdk_test.h fixture: add a layer (or expect
 * it to fail), the model input, finalize, and parameter lookup by name. */
#ifndef GN_MODEL_TEST_H
#define GN_MODEL_TEST_H

#include "sdk_test.h"

/* Adds layer `type` named `name` (NULL = automatic) with params kv. */
static inline gn_node *add(fixture *f, const char *name, const char *type, gn_node *in,
                           const char *const *kv) {
    gn_section *s = kv ? section(name ? name : type, kv) : NULL;
    gn_error err = {0};
    gn_node *out = NULL;
    gn_status st = gn_model_add_layer(f->m, name, type, s, &in, 1, &out, &err);
    gn_section_free(s);
    cr_assert_eq(st, GN_OK, "%s %s: %s", type, name ? name : "", err.msg);
    return out;
}

/* Expects adding the layer to fail with a message containing want. */
static inline void add_fails(fixture *f, const char *name, const char *type, gn_node *in,
                             const char *const *kv, const char *want) {
    gn_section *s = kv ? section(name, kv) : NULL;
    gn_error err = {0};
    gn_node *out = NULL;
    gn_status st = gn_model_add_layer(f->m, name, type, s, &in, 1, &out, &err);
    gn_section_free(s);
    cr_expect_neq(st, GN_OK, "%s %s was accepted", type, name);
    cr_expect(strstr(err.msg, want) != NULL, "message \"%s\" lacks \"%s\"", err.msg, want);
}

static inline gn_node *model_input(fixture *f, int ndim, const int64_t *dims) {
    gn_error err = {0};
    gn_node *x = gn_model_add_input(f->m, "x", ndim, dims, &err);
    cr_assert_not_null(x, "%s", err.msg);
    return x;
}

static inline void finalize(fixture *f, gn_node *out) {
    gn_error err = {0};
    cr_assert_eq(gn_model_finalize(f->m, out, &err), GN_OK, "%s", err.msg);
}

static inline int tensor_index(fixture *f, const char *name) {
    for (int i = 0; i < gn_model_n_tensors(f->m); i++)
        if (strcmp(gn_model_tensor_name(f->m, i), name) == 0) return i;
    return -1;
}

#endif
