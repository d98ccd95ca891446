/* The VAE's fused op and its per-image losses (the SDK's bce_logits and
 * mse with reduction 1): values against hand computations, gradients by
 * finite differences, shape errors. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>
#include "../../plugins/autoencoders/vae_ops.c"

static gn_node *vae_input(gn_graph *g, const char *name, int64_t b, int64_t w, const float *x,
                          int grad) {
    gn_error err = {0};
    int64_t dims[2] = {b, w};
    gn_node *n = gn_graph_input(g, name, 2, dims, grad, &err);
    cr_assert_not_null(n, "%s", err.msg);
    cr_assert_eq(gn_graph_feed(n, x, b, &err), GN_OK, "%s", err.msg);
    return n;
}

static gn_node *vae_apply(gn_graph *g, const gn_op_vtable *op, gn_node *a, gn_node *b) {
    gn_error err = {0};
    gn_node *in[2] = {a, b};
    /* The reconstruction losses are the SDK's, summed per image. */
    const gn_op_attrs per_image = {.i = {1}};
    gn_node *y = gn_graph_apply(g, op, in, 2, op == &gn_vae_op_sample ? NULL : &per_image, &err);
    cr_assert_not_null(y, "%s", err.msg);
    cr_assert_eq(gn_graph_forward(g, y, &err), GN_OK, "%s", err.msg);
    return y;
}

static void vae_gradcheck(gn_graph *g, gn_node *y, gn_node *wrt, const char *what) {
    gn_error err = {0};
    gn_gradcheck_result r;
    cr_assert_eq(gn_gradcheck(g, y, wrt, 1e-2f, &r, &err), GN_OK, "%s", err.msg);
    cr_expect_gt(r.checked, 0);
    cr_expect_lt(r.max_rel_err, 5e-3, "%s: rel %g abs %g", what, r.max_rel_err, r.max_abs_err);
}

Test(vae_ops, sample_value_is_z_and_kl_by_hand) {
    gn_error err = {0};
    gn_graph *g = gn_graph_new(&err);
    /* one sample, latent 2: mu = (1, -0.5), logvar = (0, log 4) */
    const float h[4] = {1.0f, -0.5f, 0.0f, logf(4.0f)}, e[2] = {0.5f, -1.0f};
    gn_node *y = vae_apply(g, &gn_vae_op_sample, vae_input(g, "h", 1, 4, h, 0),
                           vae_input(g, "eps", 1, 2, e, 0));
    const float *v = gn_tensor_cdata(gn_node_value(y));
    cr_assert_eq(gn_tensor_dim(gn_node_value(y), 1), 3);
    cr_expect_float_eq(v[0], 1.0f + 1.0f * 0.5f, 1e-6);   /* mu + sigma eps, sigma = 1 */
    cr_expect_float_eq(v[1], -0.5f + 2.0f * -1.0f, 1e-6); /* sigma = 2 */
    /* KL = 1/2 [(1 + 1 - 1 - 0) + (0.25 + 4 - 1 - log 4)] = 1/2 (4.25 - 1.386294) */
    cr_expect_float_eq(v[2], 0.5 * (1.0 + 3.25 - log(4.0)), 1e-5, "%g", v[2]);
    gn_graph_free(g);
}

Test(vae_ops, sample_gradients_by_finite_differences) {
    gn_error err = {0};
    gn_graph *g = gn_graph_new(&err);
    const float h[12] = {0.3f, -1.2f, 0.8f,  -0.4f, 0.2f,  0.5f,
                         1.1f, 0.1f,  -0.7f, 0.6f,  -0.9f, 0.05f};
    const float e[6] = {0.5f, -1.5f, 0.2f, 1.0f, -0.3f, 0.8f};
    gn_node *hn = vae_input(g, "h", 2, 6, h, 1), *en = vae_input(g, "eps", 2, 3, e, 1);
    gn_node *y = vae_apply(g, &gn_vae_op_sample, hn, en);
    vae_gradcheck(g, y, hn, "d/dh");
    vae_gradcheck(g, y, en, "d/deps");
    gn_graph_free(g);
}

Test(vae_ops, sample_rejects_odd_encoder_output) {
    gn_error err = {0};
    gn_graph *g = gn_graph_new(&err);
    const float h[3] = {0}, e[1] = {0};
    gn_node *in[2] = {vae_input(g, "h", 1, 3, h, 0), vae_input(g, "eps", 1, 1, e, 0)};
    cr_assert_null(gn_graph_apply(g, &gn_vae_op_sample, in, 2, NULL, &err));
    cr_expect(strstr(err.msg, "2 * latent"), "%s", err.msg);
    gn_graph_free(g);
}

Test(vae_ops, bce_logits_is_summed_per_image_and_stable) {
    gn_error err = {0};
    gn_graph *g = gn_graph_new(&err);
    /* 2 images of 3 pixels; logits up to +-100 must not overflow */
    const float l[6] = {0.0f, 2.0f, -1.0f, 100.0f, -100.0f, 0.5f};
    const float t[6] = {0.5f, 1.0f, 0.0f, 1.0f, 0.0f, 0.25f};
    gn_node *y = vae_apply(g, &gn_op_bce_logits, vae_input(g, "l", 2, 3, l, 1),
                           vae_input(g, "t", 2, 3, t, 0));
    double want = 0;
    for (int i = 0; i < 6; i++) /* softplus(l) - t l, in double */
        want += (l[i] > 0 ? l[i] + log1p(exp(-l[i])) : log1p(exp(l[i]))) - t[i] * l[i];
    want /= 2; /* per image */
    /* by hand: image 1 = log 2 + (log(1+e^-2)) + log(1+e^-1) = 0.693147 + 0.126928 + 0.313262 */
    cr_expect_float_eq(want, (0.693147 + 0.126928 + 0.313262 + 0 + 0 + 0.974077 - 0.125) / 2, 1e-5);
    cr_expect_float_eq(gn_tensor_cdata(gn_node_value(y))[0], want, 1e-5, "%g vs %g",
                       gn_tensor_cdata(gn_node_value(y))[0], want);
    gn_graph_free(g);
}

Test(vae_ops, bce_logits_matches_libm_over_a_wide_range) {
    gn_error err = {0};
    gn_graph *g = gn_graph_new(&err);
    float l[200], t[200];
    for (int i = 0; i < 200; i++)
        l[i] = -30.0f + 0.3f * (float)i, t[i] = (float)(i % 5) / 4.0f;
    gn_node *y = vae_apply(g, &gn_op_bce_logits, vae_input(g, "l", 1, 200, l, 0),
                           vae_input(g, "t", 1, 200, t, 0));
    double want = 0;
    for (int i = 0; i < 200; i++)
        want += fmax(l[i], 0) - t[i] * l[i] + log1p(exp(-fabs(l[i])));
    cr_expect_float_eq(gn_tensor_cdata(gn_node_value(y))[0], want, 2e-6 * want, "%g vs %g",
                       gn_tensor_cdata(gn_node_value(y))[0], want);
    gn_graph_free(g);
}

Test(vae_ops, bce_logits_gradients_by_finite_differences) {
    gn_error err = {0};
    gn_graph *g = gn_graph_new(&err);
    const float l[8] = {0.1f, -2.0f, 3.0f, -0.5f, 1.5f, 0.0f, -4.0f, 0.7f};
    const float t[8] = {0.2f, 0.0f, 1.0f, 0.6f, 0.9f, 0.5f, 0.1f, 1.0f};
    gn_node *ln = vae_input(g, "l", 2, 4, l, 1), *tn = vae_input(g, "t", 2, 4, t, 1);
    gn_node *y = vae_apply(g, &gn_op_bce_logits, ln, tn);
    vae_gradcheck(g, y, ln, "d/dlogits");
    vae_gradcheck(g, y, tn, "d/dtarget");
    gn_graph_free(g);
}

Test(vae_ops, sse_value_and_gradients) {
    gn_error err = {0};
    gn_graph *g = gn_graph_new(&err);
    const float p[6] = {0.5f, 1.0f, -1.0f, 2.0f, 0.0f, 0.25f};
    const float t[6] = {0.0f, 1.0f, 1.0f, 1.0f, 0.5f, 0.0f};
    gn_node *pn = vae_input(g, "p", 2, 3, p, 1), *tn = vae_input(g, "t", 2, 3, t, 1);
    gn_node *y = vae_apply(g, &gn_op_mse, pn, tn);
    /* (0.25 + 0 + 4 + 1 + 0.25 + 0.0625) / 2 images */
    cr_expect_float_eq(gn_tensor_cdata(gn_node_value(y))[0], 5.5625 / 2, 1e-6);
    vae_gradcheck(g, y, pn, "d/dp");
    vae_gradcheck(g, y, tn, "d/dt");
    gn_graph_free(g);
}

Test(vae_ops, losses_reject_mismatched_images) {
    gn_error err = {0};
    gn_graph *g = gn_graph_new(&err);
    const float a[6] = {0}, b[4] = {0};
    gn_node *in[2] = {vae_input(g, "a", 2, 3, a, 0), vae_input(g, "b", 2, 2, b, 0)};
    cr_assert_null(gn_graph_apply(g, &gn_op_bce_logits, in, 2, NULL, &err));
    cr_expect(strstr(err.msg, "bce_logits") && strstr(err.msg, "differ"), "%s", err.msg);
    gn_graph_free(g);
}
