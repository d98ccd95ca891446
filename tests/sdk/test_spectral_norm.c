/* spectral_norm: the op's value against a reference power iteration, u
 * updated only in training, its errors, the layer option on dense and
 * conv2d (buffer, gradcheck through a layer), and parameter-derived
 * gradients switched off with the parameters. (The op's own finite-
 * difference check is a case of ops_grad in test_ops.c.) */
#include <math.h>
#include <string.h>
#include <criterion/criterion.h>
#include <ganglion/gradcheck.h>
#include <ganglion/ops.h>
#include "model_test.h"

enum { R = 4, C = 6 };

/* Largest singular value of w (R x C) by 500 power iterations in double. */
static double ref_sigma(const float *w) {
    double v[C], u[R], s = 0;
    for (int j = 0; j < C; j++)
        v[j] = 1.0 + 0.1 * j;
    for (int it = 0; it < 500; it++) {
        double nu = 0, nv = 0;
        for (int r = 0; r < R; r++) {
            u[r] = 0;
            for (int j = 0; j < C; j++)
                u[r] += w[r * C + j] * v[j];
            nu += u[r] * u[r];
        }
        for (int j = 0; j < C; j++) {
            v[j] = 0;
            for (int r = 0; r < R; r++)
                v[j] += w[r * C + j] * u[r] / sqrt(nu);
            nv += v[j] * v[j];
        }
        s = sqrt(nv);
        for (int j = 0; j < C; j++)
            v[j] /= s;
    }
    return s;
}

/* spectral_norm (one iteration) of inputs w (R x C) and u (R) in g. */
static gn_node *sn_op(gn_graph *g, const float *w, const float *u, gn_node **in) {
    int64_t wd[2] = {R, C}, ud[1] = {R};
    in[0] = input(g, "w", 2, wd, 0, w);
    in[1] = input(g, "u", 1, ud, 0, u);
    return apply(g, &gn_op_spectral_norm, in, 2, &(gn_op_attrs){.i = {1}});
}

Test(spectral_norm, converges_to_w_over_sigma_and_eval_keeps_u) {
    float w[R * C], u[R] = {1, 1, 1, 1};
    fill_uniform(w, R * C, -1, 1, 3);
    const double sigma = ref_sigma(w);
    gn_graph *g = graph();
    gn_node *in[2], *y = sn_op(g, w, u, in);
    gn_graph_set_training(g, 1);
    for (int k = 0; k < 60; k++)
        forward(g, y);
    const float *yd = gn_tensor_cdata(gn_node_value(y));
    for (int i = 0; i < R * C; i++)
        expect_close(yd[i], w[i] / sigma, 1e-4, "y[%d] = %g, want %g", i, yd[i], w[i] / sigma);
    /* u is now the top left singular vector: unit length. */
    float ut[R];
    memcpy(ut, gn_tensor_cdata(gn_node_value(in[1])), sizeof ut);
    double n2 = 0;
    for (int r = 0; r < R; r++)
        n2 += (double)ut[r] * ut[r];
    expect_close(n2, 1.0, 1e-5, "|u|^2 = %g", n2);
    /* Eval mode reads u without changing it. */
    gn_graph_set_training(g, 0);
    forward(g, y);
    cr_expect(memcmp(ut, gn_tensor_cdata(gn_node_value(in[1])), sizeof ut) == 0);
    gn_graph_free(g);
}

Test(spectral_norm, one_training_pass_moves_u) {
    float w[R * C], u[R] = {1, 1, 1, 1};
    fill_uniform(w, R * C, -1, 1, 4);
    gn_graph *g = graph();
    gn_node *in[2], *y = sn_op(g, w, u, in);
    gn_graph_set_training(g, 1);
    forward(g, y);
    const float *ut = gn_tensor_cdata(gn_node_value(in[1]));
    cr_expect(ut[0] != 1.0f || ut[1] != 1.0f, "u was not updated");
    gn_graph_free(g);
}

Test(spectral_norm, errors) {
    gn_graph *g = graph();
    gn_error err = {0};
    int64_t wd[2] = {R, C}, ud[1] = {R + 1}, vd[1] = {C};
    float z[R * C] = {0}, u[R + 1] = {1, 1, 1, 1, 1};
    gn_node *w = input(g, "w", 2, wd, 0, z), *bad = input(g, "u", 1, ud, 0, u);
    gn_node *in[2] = {w, bad};
    cr_expect_null(gn_graph_apply(g, &gn_op_spectral_norm, in, 2, &(gn_op_attrs){.i = {1}}, &err));
    cr_expect(strstr(err.msg, "u has 5 elements, the weight 4 rows"), "%s", err.msg);
    gn_node *vec = input(g, "v", 1, vd, 0, z);
    gn_node *in2[2] = {vec, vec};
    cr_expect_null(gn_graph_apply(g, &gn_op_spectral_norm, in2, 2, &(gn_op_attrs){.i = {1}}, &err));
    cr_expect(strstr(err.msg, "2 or more"), "%s", err.msg);
    /* An all-zero weight has no direction to normalise: an error, not NaN. */
    int64_t ud4[1] = {R};
    gn_node *in3[2] = {w, input(g, "u4", 1, ud4, 0, u)};
    gn_node *y = apply(g, &gn_op_spectral_norm, in3, 2, &(gn_op_attrs){.i = {1}});
    gn_graph_set_training(g, 1);
    cr_expect_eq(gn_graph_forward(g, y, &err), GN_ERR_NUMERIC);
    cr_expect(strstr(err.msg, "spectral norm is 0"), "%s", err.msg);
    gn_graph_free(g);
}

/* conv2d(spectral_norm) -> flatten -> dense(spectral_norm): buffers named
 * after the layers, parameter gradients by finite differences, and the
 * normalised weights' gradients off while the parameters' are. */
Test(spectral_norm, layers_buffers_gradcheck_and_params_off) {
    fixture f;
    setup(&f);
    gn_error err = {0};
    int64_t xd[3] = {2, 5, 5};
    gn_node *x = gn_model_add_input(f.m, "x", 3, xd, &err);
    cr_assert_not_null(x, "%s", err.msg);
    gn_node *h = add(&f, "conv", "conv2d", x,
                     (const char *const[]){"filters=3", "kernel_size=3", "strides=2", "padding=1",
                                           "spectral_norm=true", NULL});
    h = add(&f, "flat", "flatten", h, NULL);
    gn_node *y =
        add(&f, "out", "dense", h, (const char *const[]){"units=2", "spectral_norm=true", NULL});
    cr_assert_eq(gn_model_finalize(f.m, y, &err), GN_OK, "%s", err.msg);
    cr_expect_eq(gn_model_n_buffers(f.m), 2);
    cr_expect_str_eq(gn_model_buffer_name(f.m, 0), "conv.sn_u");
    cr_expect_eq(gn_tensor_numel(gn_model_buffer(f.m, 0)), 3);
    cr_expect_str_eq(gn_model_buffer_name(f.m, 1), "out.sn_u");
    /* The weights stay the parameters; their normalised copies are ops. */
    gn_node *wconv = gn_node_input(gn_node_input(gn_node_input(y, 0), 0), 1);
    cr_assert_eq(gn_node_op(wconv), &gn_op_spectral_norm);
    gn_node *wparam = gn_node_input(wconv, 0);
    cr_expect_null(gn_node_op(wparam));

    gn_graph *g = gn_model_graph(f.m);
    float data[2 * 2 * 25];
    fill_uniform(data, 2 * 2 * 25, -1, 1, 5);
    cr_assert_eq(gn_graph_feed(x, data, 2, &err), GN_OK, "%s", err.msg);
    gn_graph_set_training(g, 0); /* u fixed: the gradient is exact */
    gn_gradcheck_result res;
    cr_assert_eq(gn_gradcheck(g, y, wparam, 1e-2f, &res, &err), GN_OK, "%s", err.msg);
    cr_expect(res.checked == 3 * 2 * 9 && res.max_rel_err < 5e-3, "max_rel_err %g",
              res.max_rel_err);

    cr_expect_not_null(gn_node_grad(wconv));
    gn_graph_params_grad_enabled(g, 0);
    cr_expect_null(gn_node_grad(wparam));
    cr_expect_null(gn_node_grad(wconv), "the normalised weight's gradient stays on");
    cr_expect_not_null(gn_node_grad(y));
    gn_graph_params_grad_enabled(g, 1);
    cr_expect_not_null(gn_node_grad(wparam));
    cr_expect_not_null(gn_node_grad(wconv));
    teardown(&f);
}
