/* add: y = a + b, same shapes. */
#include "ops/ops_internal.h"

static gn_status add_infer(gn_node *n, gn_error *err) {
    gn_tensor *a = gn_in_value(n, 0), *b = gn_in_value(n, 1);
    if (!gn_ops_same_shape(a, b)) return gn_ops_shape_mismatch(err, "add", a, b);
    return gn_ops_copy_shape(n, a, err);
}

static gn_status add_forward(gn_node *n, gn_error *err) {
    (void)err;
    const float *a = gn_tensor_cdata(gn_in_value(n, 0));
    const float *b = gn_tensor_cdata(gn_in_value(n, 1));
    gn_tensor *y = gn_node_value(n);
    float *yd = gn_tensor_data(y);
    int64_t len = gn_tensor_numel(y);
    for (int64_t i = 0; i < len; i++)
        yd[i] = a[i] + b[i];
    return GN_OK;
}

static gn_status add_backward(gn_node *n, gn_error *err) {
    (void)err;
    gn_tensor *g = gn_node_grad(n);
    const float *dy = gn_tensor_cdata(g);
    int64_t len = gn_tensor_numel(g);
    for (int k = 0; k < 2; k++) {
        gn_tensor *d = gn_in_grad(n, k);
        if (!d) continue;
        float *dd = gn_tensor_data(d);
        for (int64_t i = 0; i < len; i++)
            dd[i] += dy[i];
    }
    return GN_OK;
}

const gn_op_vtable gn_op_add = {
    .struct_size = sizeof(gn_op_vtable),
    .name = "add",
    .doc = "y = a + b (same shapes)",
    .n_inputs = 2,
    .infer = add_infer,
    .forward = add_forward,
    .backward = add_backward,
};
