/* Core layers: schemas, parameter counts and names, shapes, errors and a
 * gradient check through a dense + activation stack. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <criterion/criterion.h>
#include <ganglion/gradcheck.h>
#include <ganglion/model.h>
#include <ganglion/ops.h>
#include "model_test.h"

/* ---- registration ------------------------------------------------------ */

Test(layers, registered_with_schemas) {
    static const char *const names[] = {
        "dense", "flatten", "reshape", "dropout",    "relu", "leaky_relu", "elu",      "selu",
        "tanh",  "sigmoid", "softmax", "lecun_tanh", "mish", "gelu",       "softplus", "swish",
    };
    fixture f;
    setup(&f);
    gn_error err = {0};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const gn_layer_vtable *vt = gn_registry_find(f.reg, GN_KIND_LAYER, names[i], &err);
        cr_assert_not_null(vt, "%s: %s", names[i], err.msg);
        cr_expect_eq(vt->struct_size, sizeof(gn_layer_vtable));
        cr_expect_str_eq(vt->name, names[i]);
        cr_expect(vt->doc && *vt->doc && vt->schema && vt->build, "%s", names[i]);
        /* Activation layers share the op's name. */
        if (i >= 4)
            cr_expect_not_null(gn_registry_find(f.reg, GN_KIND_OP, names[i], &err), "%s", names[i]);
    }
    const gn_layer_vtable *d = gn_registry_find(f.reg, GN_KIND_LAYER, "dense", &err);
    cr_expect_str_eq(d->positional[0], "units");
    cr_expect_null(d->positional[1]);
    const gn_layer_vtable *lr = gn_registry_find(f.reg, GN_KIND_LAYER, "leaky_relu", &err);
    cr_expect_str_eq(lr->positional[0], "slope");
    cr_expect_str_eq(lr->schema[0].def, "0.01");
    const gn_layer_vtable *dr = gn_registry_find(f.reg, GN_KIND_LAYER, "dropout", &err);
    cr_expect_str_eq(dr->positional[0], "rate");
    cr_expect_null(dr->schema[0].def, "rate is required");
    teardown(&f);
}

/* ---- dense ------------------------------------------------------------- */

Test(layers, dense_param_count_and_names) {
    fixture f;
    setup(&f);
    int64_t in = 784;
    gn_node *x = model_input(&f, 1, &in);
    gn_node *h = add(&f, "dense_1", "dense", x, (const char *const[]){"units=200", NULL});
    gn_node *y =
        add(&f, "dense_2", "dense", h, (const char *const[]){"units=10", "use_bias=false", NULL});
    finalize(&f, y);
    cr_expect_eq(gn_model_n_params(f.m), 157000 + 2000);
    cr_expect_eq(gn_model_n_tensors(f.m), 3);
    int w = tensor_index(&f, "dense_1.weight"), b = tensor_index(&f, "dense_1.bias");
    cr_assert(w >= 0 && b >= 0);
    cr_expect_eq(tensor_index(&f, "dense_2.weight"), 2);
    cr_expect_eq(tensor_index(&f, "dense_2.bias"), -1, "use_bias=false has no bias");
    gn_tensor *wt = gn_model_tensor(f.m, w), *bt = gn_model_tensor(f.m, b);
    cr_expect_eq(gn_tensor_ndim(wt), 2);
    cr_expect_eq(gn_tensor_dim(wt, 0), 200);
    cr_expect_eq(gn_tensor_dim(wt, 1), 784);
    cr_expect_eq(gn_tensor_numel(bt), 200);
    /* glorot_uniform: |w| <= sqrt(6 / (784 + 200)), not all zero; bias zeros. */
    double a = sqrt(6.0 / 984.0), maxabs = 0;
    for (int64_t i = 0; i < gn_tensor_numel(wt); i++)
        maxabs = fmax(maxabs, fabs(gn_tensor_cdata(wt)[i]));
    cr_expect(maxabs > 0.5 * a && maxabs <= a, "max |w| %g, limit %g", maxabs, a);
    for (int64_t i = 0; i < 200; i++)
        cr_assert_eq(gn_tensor_cdata(bt)[i], 0.0f);

    gn_layer_info info;
    gn_error err = {0};
    cr_assert_eq(gn_model_layer_info(f.m, 0, &info, &err), GN_OK, "%s", err.msg);
    cr_expect_eq(info.n_params, 157000);
    cr_expect_str_eq(info.type, "dense");
    teardown(&f);
}

Test(layers, dense_forward_with_activation) {
    fixture f;
    setup(&f);
    int64_t in = 3;
    gn_node *x = model_input(&f, 1, &in);
    gn_node *y = add(&f, "d", "dense", x,
                     (const char *const[]){"units=2", "kernel_initializer=ones",
                                           "bias_initializer=ones", "activation=leaky_relu", NULL});
    finalize(&f, y);
    float data[6] = {1, 2, 3, -4, -5, -6};
    gn_error err = {0};
    cr_assert_eq(gn_graph_feed(x, data, 2, &err), GN_OK, "%s", err.msg);
    cr_assert_eq(gn_graph_forward(gn_model_graph(f.m), y, &err), GN_OK, "%s", err.msg);
    const float *yd = gn_tensor_cdata(gn_node_value(y));
    /* Row 0: 1+2+3+1 = 7; row 1: -14, through leaky_relu's default slope 0.01. */
    cr_expect_float_eq(yd[0], 7.0f, 1e-6);
    cr_expect_float_eq(yd[1], 7.0f, 1e-6);
    cr_expect_float_eq(yd[2], -0.14f, 1e-6);
    cr_expect_float_eq(yd[3], -0.14f, 1e-6);
    teardown(&f);
}

Test(layers, dense_errors) {
    fixture f;
    setup(&f);
    int64_t img[3] = {1, 28, 28};
    gn_node *x = model_input(&f, 3, img);
    add_fails(&f, "d1", "dense", x, (const char *const[]){"units=10", NULL}, "add a flatten");
    gn_node *flat = add(&f, "flat", "flatten", x, NULL);
    add_fails(&f, "d2", "dense", flat, NULL, "units"); /* required */
    add_fails(&f, "d3", "dense", flat, (const char *const[]){"units=0", NULL}, "units");
    add_fails(&f, "d4", "dense", flat,
              (const char *const[]){"units=4", "activation=no_such_op", NULL}, "no_such_op");
    add_fails(&f, "d5", "dense", flat,
              (const char *const[]){"units=4", "kernel_initializer=bogus", NULL},
              "kernel_initializer");
    add_fails(&f, "d6", "dense", flat, (const char *const[]){"units=4", "activation=add", NULL},
              "takes 2 inputs");
    teardown(&f);
}

/* ---- activation layers ------------------------------------------------- */

static float act_out(const char *type, const char *const *kv, float x) {
    fixture f;
    setup(&f);
    int64_t in = 1;
    gn_node *xn = model_input(&f, 1, &in);
    gn_node *y = add(&f, "a", type, xn, kv);
    finalize(&f, y);
    gn_error err = {0};
    cr_assert_eq(gn_graph_feed(xn, &x, 1, &err), GN_OK, "%s", err.msg);
    cr_assert_eq(gn_graph_forward(gn_model_graph(f.m), y, &err), GN_OK, "%s", err.msg);
    cr_assert_eq(gn_node_op(y), gn_registry_find(f.reg, GN_KIND_OP, type, &err), "%s", type);
    float v = gn_tensor_cdata(gn_node_value(y))[0];
    teardown(&f);
    return v;
}

Test(layers, activation_layers_apply_their_op) {
    cr_expect_float_eq(act_out("relu", NULL, -2), 0.0f, 1e-7);
    cr_expect_float_eq(act_out("leaky_relu", NULL, -2), -0.02f, 1e-7);
    cr_expect_float_eq(act_out("leaky_relu", (const char *const[]){"slope=0.3", NULL}, -2), -0.6f,
                       1e-6);
    cr_expect_float_eq(act_out("elu", NULL, -1), (float)expm1(-1.0), 1e-6);
    cr_expect_float_eq(act_out("elu", (const char *const[]){"alpha=2", NULL}, -1),
                       (float)(2 * expm1(-1.0)), 1e-6);
    cr_expect_float_eq(act_out("selu", NULL, 1), 1.0507009873554805f, 1e-6);
    cr_expect_float_eq(act_out("tanh", NULL, 0.5f), (float)tanh(0.5), 1e-6);
    cr_expect_float_eq(act_out("sigmoid", NULL, 0), 0.5f, 1e-7);
    cr_expect_float_eq(act_out("softmax", NULL, 3), 1.0f, 1e-7);
    cr_expect_float_eq(act_out("lecun_tanh", NULL, 1.5f), (float)(1.7159 * tanh(1.0) + 0.015),
                       1e-6);
    cr_expect_float_eq(act_out("mish", NULL, 1), (float)tanh(log1p(exp(1.0))), 1e-6);
    cr_expect_float_eq(act_out("gelu", NULL, 1), (float)(0.5 * (1 + erf(1 / sqrt(2.0)))), 1e-6);
    cr_expect_float_eq(act_out("softplus", NULL, 0), (float)log(2.0), 1e-6);
    cr_expect_float_eq(act_out("swish", NULL, 2), (float)(2 / (1 + exp(-2.0))), 1e-6);
}

/* ---- shape layers ------------------------------------------------------ */

Test(layers, reshape_and_flatten) {
    fixture f;
    setup(&f);
    int64_t in = 784;
    gn_node *x = model_input(&f, 1, &in);
    gn_node *r = add(&f, "r", "reshape", x, (const char *const[]){"shape=1 28 28", NULL});
    gn_tensor *rv = gn_node_value(r);
    cr_expect_eq(gn_tensor_ndim(rv), 4);
    cr_expect_eq(gn_tensor_dim(rv, 1), 1);
    cr_expect_eq(gn_tensor_dim(rv, 2), 28);
    cr_expect_eq(gn_tensor_dim(rv, 3), 28);
    gn_node *fl = add(&f, "f", "flatten", r, NULL);
    cr_expect_eq(gn_tensor_dim(gn_node_value(fl), 1), 784);
    gn_node *r2 = add(&f, "r2", "reshape", fl, (const char *const[]){"shape=7,7,16", NULL});
    cr_expect_eq(gn_tensor_dim(gn_node_value(r2), 3), 16);
    gn_node *r3 = add(&f, "r3", "reshape", fl, (const char *const[]){"shape=(4, -1)", NULL});
    cr_expect_eq(gn_tensor_dim(gn_node_value(r3), 2), 196);

    add_fails(&f, "bad1", "reshape", fl, (const char *const[]){"shape=7 7 4", NULL},
              "has 784 values per sample, target shape has 196");
    add_fails(&f, "bad2", "reshape", fl, (const char *const[]){"shape=28 x 28", NULL},
              "positive integers");
    add_fails(&f, "bad3", "reshape", fl, (const char *const[]){"shape=", NULL}, "empty");
    add_fails(&f, "bad4", "reshape", fl, (const char *const[]){"shape=2 2 2 98", NULL},
              "more than 3 dims");
    add_fails(&f, "bad5", "reshape", fl, NULL, "shape");
    finalize(&f, r3);
    cr_expect_eq(gn_model_n_params(f.m), 0);
    teardown(&f);
}

/* ---- dropout ----------------------------------------------------------- */

Test(layers, dropout_rate_and_modes) {
    fixture f;
    setup(&f);
    int64_t in = 1000;
    gn_node *x = model_input(&f, 1, &in);
    add_fails(&f, "d0", "dropout", x, NULL, "rate");
    add_fails(&f, "d1", "dropout", x, (const char *const[]){"rate=1", NULL}, "[0, 1)");
    add_fails(&f, "d2", "dropout", x, (const char *const[]){"rate=-0.1", NULL}, "rate");
    gn_node *y = add(&f, "drop", "dropout", x, (const char *const[]){"rate=0.5", NULL});
    finalize(&f, y);
    float data[1000];
    for (int i = 0; i < 1000; i++)
        data[i] = 1.0f;
    gn_error err = {0};
    gn_graph *g = gn_model_graph(f.m);
    cr_assert_eq(gn_graph_feed(x, data, 1, &err), GN_OK, "%s", err.msg);
    gn_graph_set_training(g, 0);
    cr_assert_eq(gn_graph_forward(g, y, &err), GN_OK, "%s", err.msg);
    for (int i = 0; i < 1000; i++)
        cr_assert_eq(gn_tensor_cdata(gn_node_value(y))[i], 1.0f);
    gn_graph_set_training(g, 1);
    cr_assert_eq(gn_graph_forward(g, y, &err), GN_OK, "%s", err.msg);
    int zeros = 0;
    for (int i = 0; i < 1000; i++)
        zeros += gn_tensor_cdata(gn_node_value(y))[i] == 0.0f;
    cr_expect(zeros > 400 && zeros < 600, "%d of 1000 dropped at rate 0.5", zeros);
    teardown(&f);
}

/* ---- gradients through a stack ----------------------------------------- */

Test(layers, gradcheck_dense_stack) {
    fixture f;
    setup(&f);
    gn_error err = {0};
    gn_graph *g = gn_model_graph(f.m);
    /* An input that requires grad (model inputs do not), as attacks use. */
    int64_t dims[2] = {3, 5};
    gn_node *x = gn_graph_input(g, "x", 2, dims, 1, &err);
    cr_assert_not_null(x, "%s", err.msg);
    gn_node *h =
        add(&f, "dense_1", "dense", x, (const char *const[]){"units=4", "activation=tanh", NULL});
    gn_node *h2 = add(&f, "act", "gelu", h, NULL);
    gn_node *y = add(&f, "dense_2", "dense", h2, (const char *const[]){"units=3", NULL});
    finalize(&f, y);
    float data[15], ids[3] = {0, 2, 1};
    for (int i = 0; i < 15; i++)
        data[i] = (float)sin(1.7 * i);
    cr_assert_eq(gn_graph_feed(x, data, 3, &err), GN_OK, "%s", err.msg);
    int64_t td[1] = {3};
    gn_node *t = gn_graph_input(g, "t", 1, td, 0, &err);
    cr_assert_not_null(t, "%s", err.msg);
    cr_assert_eq(gn_graph_feed(t, ids, 3, &err), GN_OK, "%s", err.msg);
    gn_node *ins[2] = {y, t};
    gn_node *loss = gn_graph_apply(g, &gn_op_cross_entropy, ins, 2, NULL, &err);
    cr_assert_not_null(loss, "%s", err.msg);

    /* The dense_1 weight node is the second input of its linear op. */
    gn_node *lin = gn_node_input(h, 0);
    cr_assert_eq(gn_node_op(lin), &gn_op_linear);
    gn_node *w = gn_node_input(lin, 1), *b2 = gn_node_input(y, 2);
    cr_expect_str_eq(gn_node_name(w), "dense_1.weight");
    cr_expect_str_eq(gn_node_name(b2), "dense_2.bias");

    gn_node *wrt[3] = {x, w, b2};
    for (int k = 0; k < 3; k++) {
        gn_gradcheck_result res;
        cr_assert_eq(gn_gradcheck(g, loss, wrt[k], 1e-2f, &res, &err), GN_OK, "%s", err.msg);
        cr_expect_eq(res.checked, gn_tensor_numel(gn_node_value(wrt[k])));
        cr_expect(res.max_rel_err < 5e-3, "d/d(%s): max_rel_err %g (abs %g)", gn_node_name(wrt[k]),
                  res.max_rel_err, res.max_abs_err);
    }
    teardown(&f);
}
