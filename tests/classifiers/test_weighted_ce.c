/* The classifiers plugin's class-weighted cross-entropy op: value against a
 * hand computation and gradient by finite differences. */
#include <criterion/criterion.h>
#include <math.h>
#include "../../plugins/classifiers/op_weighted_ce.c"

Test(weighted_ce, value_and_gradient) {
    gn_error err = {0};
    gn_graph *g = gn_graph_new(&err);
    int64_t zd[2] = {3, 4}, td[1] = {3}, wd[1] = {4};
    gn_node *z = gn_graph_input(g, "z", 2, zd, 1, &err);
    gn_node *t = gn_graph_input(g, "t", 1, td, 0, &err);
    gn_tensor *w = gn_tensor_new(NULL, 1, wd, &err);
    cr_assert(z && t && w, "%s", err.msg);
    const float logits[12] = {0.5f, -1, 2, 0.1f, 1, 1, -0.5f, 0.3f, -2, 0.7f, 0.2f, 1.5f};
    const float ids[3] = {2, 0, 3}, weights[4] = {1, 0.5f, 2, 3};
    memcpy(gn_tensor_data(w), weights, sizeof weights);
    cr_assert_eq(gn_graph_feed(z, logits, 3, &err), GN_OK, "%s", err.msg);
    cr_assert_eq(gn_graph_feed(t, ids, 3, &err), GN_OK, "%s", err.msg);
    gn_node *wn = gn_graph_param(g, "w", w, NULL, &err);
    gn_node *in[3] = {z, t, wn};
    gn_node *loss = gn_graph_apply(g, &gn_classifiers_weighted_ce, in, 3, NULL, &err);
    cr_assert_not_null(loss, "%s", err.msg);
    cr_assert_eq(gn_graph_forward(g, loss, &err), GN_OK, "%s", err.msg);
    /* reference: sum_i w[y_i] (logsumexp(z_i) - z_i[y_i]) / sum_i w[y_i] */
    double num = 0, den = 0;
    for (int i = 0; i < 3; i++) {
        double s = 0;
        for (int j = 0; j < 4; j++)
            s += exp(logits[i * 4 + j]);
        int y = (int)ids[i];
        num += weights[y] * (log(s) - logits[i * 4 + y]);
        den += weights[y];
    }
    cr_assert_float_eq(gn_tensor_cdata(gn_node_value(loss))[0], num / den, 1e-5);
    gn_gradcheck_result r;
    cr_assert_eq(gn_gradcheck(g, loss, z, 1e-3f, &r, &err), GN_OK, "%s", err.msg);
    cr_assert_lt(r.max_rel_err, 5e-3, "rel %g abs %g", r.max_rel_err, r.max_abs_err);
    gn_graph_free(g);
    gn_tensor_free(w);
}

Test(weighted_ce, rejects_bad_class_ids_and_shapes) {
    gn_error err = {0};
    gn_graph *g = gn_graph_new(&err);
    int64_t zd[2] = {2, 3}, td[1] = {2}, wd[1] = {2};
    gn_node *z = gn_graph_input(g, "z", 2, zd, 1, &err);
    gn_node *t = gn_graph_input(g, "t", 1, td, 0, &err);
    gn_tensor *w = gn_tensor_new(NULL, 1, wd, &err);
    gn_node *in[3] = {z, t, gn_graph_param(g, "w", w, NULL, &err)};
    cr_assert_null(gn_graph_apply(g, &gn_classifiers_weighted_ce, in, 3, NULL, &err));
    cr_assert(strstr(err.msg, "weights (C)"), "%s", err.msg);
    gn_graph_free(g);
    gn_tensor_free(w);
}
