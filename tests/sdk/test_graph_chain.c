/* Chaining two graphs (a GAN's generator into its discriminator): an input
 * made differentiable after the fact, then a seeded backward, must give the
 * same parameter gradients as one graph holding both parts. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>
#include <ganglion/ganglion.h>

typedef struct part {
    gn_graph *g;
    gn_tensor *w, *gw;
    gn_node *x, *y;
} part;

/* y = tanh(x W^T), x (B, 3), W (3, 3). */
static void part_new(part *p, const float *w, gn_error *err) {
    int64_t xd[2] = {2, 3}, wd[2] = {3, 3};
    p->g = gn_graph_new(err);
    p->w = gn_tensor_new(NULL, 2, wd, err);
    p->gw = gn_tensor_new(NULL, 2, wd, err);
    memcpy(gn_tensor_data(p->w), w, 9 * sizeof(float));
    p->x = gn_graph_input(p->g, "x", 2, xd, 0, err);
    gn_node *wn = gn_graph_param(p->g, "w", p->w, p->gw, err);
    gn_node *in[2] = {p->x, wn};
    gn_node *l = gn_graph_apply(p->g, &gn_op_linear_nobias, in, 2, NULL, err);
    p->y = gn_graph_apply(p->g, &gn_op_tanh, &l, 1, NULL, err);
    cr_assert(p->y, "%s", err->msg);
}

Test(graph_chain, seeded_backward_across_graphs_matches_one_graph) {
    gn_error err = {0};
    const float wa[9] = {0.5f, -0.2f, 0.1f, 0.3f, 0.8f, -0.4f, -0.6f, 0.2f, 0.7f};
    const float wb[9] = {0.1f, 0.9f, -0.3f, -0.5f, 0.4f, 0.2f, 0.3f, -0.7f, 0.6f};
    const float x[6] = {1.0f, -2.0f, 0.5f, 0.3f, 0.7f, -1.1f};
    part a, b;
    part_new(&a, wa, &err);
    part_new(&b, wb, &err);
    /* b's input is made differentiable after b was built. */
    cr_assert_eq(gn_graph_input_require_grad(b.x, &err), GN_OK, "%s", err.msg);
    cr_assert_not_null(gn_node_grad(b.y));
    cr_assert_eq(gn_graph_feed(a.x, x, 2, &err), GN_OK);
    cr_assert_eq(gn_graph_forward(a.g, a.y, &err), GN_OK);
    cr_assert_eq(gn_graph_feed(b.x, gn_tensor_data(gn_node_value(a.y)), 2, &err), GN_OK);
    cr_assert_eq(gn_graph_forward(b.g, b.y, &err), GN_OK);
    gn_tensor_zero(a.gw);
    gn_tensor_zero(b.gw);
    cr_assert_eq(gn_graph_backward(b.g, b.y, &err), GN_OK, "%s", err.msg);
    cr_assert_eq(gn_graph_backward_seeded(a.g, a.y, gn_tensor_data(gn_node_grad(b.x)), &err), GN_OK,
                 "%s", err.msg);

    /* Reference: finite differences of sum(b(a(x))) in wa. */
    for (int k = 0; k < 9; k++) {
        double f[2];
        for (int s = 0; s < 2; s++) {
            float w2[9];
            memcpy(w2, wa, sizeof w2);
            w2[k] += s ? -1e-3f : 1e-3f;
            part c, d;
            part_new(&c, w2, &err);
            part_new(&d, wb, &err);
            gn_graph_feed(c.x, x, 2, &err);
            gn_graph_forward(c.g, c.y, &err);
            gn_graph_feed(d.x, gn_tensor_data(gn_node_value(c.y)), 2, &err);
            gn_graph_forward(d.g, d.y, &err);
            double sum = 0;
            for (int i = 0; i < 6; i++)
                sum += gn_tensor_data(gn_node_value(d.y))[i];
            f[s] = sum;
            gn_graph_free(c.g), gn_graph_free(d.g);
            gn_tensor_free(c.w), gn_tensor_free(c.gw), gn_tensor_free(d.w), gn_tensor_free(d.gw);
        }
        double fd = (f[0] - f[1]) / 2e-3;
        cr_assert(fabs(fd - gn_tensor_data(a.gw)[k]) < 2e-3, "dW[%d]: %g vs %g", k,
                  gn_tensor_data(a.gw)[k], fd);
    }
    gn_graph_free(a.g), gn_graph_free(b.g);
    gn_tensor_free(a.w), gn_tensor_free(a.gw), gn_tensor_free(b.w), gn_tensor_free(b.gw);
}

Test(graph_chain, require_grad_refuses_non_inputs) {
    gn_error err = {0};
    const float w[9] = {0};
    part a;
    part_new(&a, w, &err);
    cr_assert_eq(gn_graph_input_require_grad(a.y, &err), GN_ERR_INVALID);
    cr_assert(strstr(err.msg, "not an input"), "%s", err.msg);
    gn_graph_free(a.g), gn_tensor_free(a.w), gn_tensor_free(a.gw);
}

/* A part with a differentiable input after one forward and backward pass. */
static void part_backward_once(part *a, gn_error *err) {
    const float w[9] = {0.5f, -0.2f, 0.1f, 0.3f, 0.8f, -0.4f, -0.6f, 0.2f, 0.7f};
    const float x[6] = {1.0f, -2.0f, 0.5f, 0.3f, 0.7f, -1.1f};
    part_new(a, w, err);
    cr_assert_eq(gn_graph_input_require_grad(a->x, err), GN_OK);
    gn_graph_feed(a->x, x, 2, err);
    gn_graph_forward(a->g, a->y, err);
    gn_tensor_zero(a->gw);
    cr_assert_eq(gn_graph_backward(a->g, a->y, err), GN_OK);
}

Test(graph_chain, input_gradient_switches_off_and_on) {
    gn_error err = {0};
    part a;
    part_backward_once(&a, &err);
    float gw_on[9], gx[6];
    memcpy(gw_on, gn_tensor_cdata(a.gw), sizeof gw_on);
    memcpy(gx, gn_tensor_cdata(gn_node_grad(a.x)), sizeof gx);
    /* Off: no input gradient, the same parameter gradient. */
    cr_assert_eq(gn_graph_input_grad_enabled(a.x, 0, &err), GN_OK);
    cr_assert_null(gn_node_grad(a.x));
    gn_tensor_zero(a.gw);
    cr_assert_eq(gn_graph_backward(a.g, a.y, &err), GN_OK, "%s", err.msg);
    cr_expect_eq(memcmp(gw_on, gn_tensor_cdata(a.gw), sizeof gw_on), 0);
    /* On again: the input gradient is back, same values. */
    cr_assert_eq(gn_graph_input_grad_enabled(a.x, 1, &err), GN_OK);
    cr_assert_eq(gn_graph_backward(a.g, a.y, &err), GN_OK);
    cr_expect_eq(memcmp(gx, gn_tensor_cdata(gn_node_grad(a.x)), sizeof gx), 0);
    cr_expect_eq(gn_graph_input_grad_enabled(a.y, 0, &err), GN_ERR_INVALID);
    gn_graph_free(a.g), gn_tensor_free(a.w), gn_tensor_free(a.gw);
}

Test(graph_chain, parameter_gradients_switch_off_and_keep_their_values) {
    gn_error err = {0};
    part a;
    part_backward_once(&a, &err);
    float gx[6];
    memcpy(gx, gn_tensor_cdata(gn_node_grad(a.x)), sizeof gx);
    /* Off: the parameter gradient is left alone (here: a marker value),
     * the input gradient is the same. */
    gn_tensor_fill(a.gw, 7.0f);
    gn_graph_params_grad_enabled(a.g, 0);
    cr_assert_eq(gn_graph_backward(a.g, a.y, &err), GN_OK, "%s", err.msg);
    for (int i = 0; i < 9; i++)
        cr_assert_eq(gn_tensor_cdata(a.gw)[i], 7.0f);
    cr_expect_eq(memcmp(gx, gn_tensor_cdata(gn_node_grad(a.x)), sizeof gx), 0);
    /* On again: accumulated into the same tensor as before. */
    gn_graph_params_grad_enabled(a.g, 1);
    gn_graph_params_grad_enabled(a.g, 1); /* twice is harmless */
    gn_tensor_zero(a.gw);
    cr_assert_eq(gn_graph_backward(a.g, a.y, &err), GN_OK);
    cr_expect_neq(gn_tensor_cdata(a.gw)[0], 0.0f);
    gn_graph_free(a.g), gn_tensor_free(a.w), gn_tensor_free(a.gw);
}
