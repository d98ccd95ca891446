/* Test helpers: [train] sections as the host would hand them over. */
#ifndef GN_TOY_TEST_H
#define GN_TOY_TEST_H

#include <string.h>
#include <criterion/criterion.h>
#include "toyproblems.h"

/* A [train] section of "toy.ini" from "key=value" pairs (NULL-terminated),
 * pair i on line i + 2, validated against schema; NULL when validation
 * fails, with the message in err. Caller frees. */
static inline gn_section *toy_section(const char *const *kv, const gn_param_schema *schema,
                                      gn_error *err) {
    gn_section *s = gn_section_new("train", "toy.ini");
    cr_assert_not_null(s);
    for (int i = 0; kv[i]; i++) {
        const char *eq = strchr(kv[i], '=');
        cr_assert_not_null(eq, "%s", kv[i]);
        char key[64];
        snprintf(key, sizeof key, "%.*s", (int)(eq - kv[i]), kv[i]);
        cr_assert_eq(gn_section_set(s, key, eq + 1, i + 2, err), GN_OK);
    }
    if (gn_section_validate(s, schema, NULL, err)) {
        gn_section_free(s);
        return NULL;
    }
    return s;
}

/* The problem of a section that must parse. */
static inline gn_toy_problem toy_problem(const char *const *kv) {
    gn_error err = {0};
    gn_section *s = toy_section(kv, gn_toy_optimize_schema, &err);
    cr_assert_not_null(s, "%s", err.msg);
    gn_toy_problem pb;
    cr_assert_eq(gn_toy_problem_parse(s, NULL, &pb, &err), GN_OK, "%s", err.msg);
    gn_section_free(s);
    return pb;
}

#endif
