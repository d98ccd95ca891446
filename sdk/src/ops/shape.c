/* Shape ops: reshape and flatten keep the batch dimension and copy data
 * (every node owns its value buffer). */
#include <string.h>
#include "ops/ops_internal.h"

static gn_status copy_forward(gn_node *n, gn_error *err) {
    (void)err;
    gn_tensor *x = gn_in_value(n, 0);
    memcpy(gn_tensor_data(gn_node_value(n)), gn_tensor_cdata(x),
           (size_t)gn_tensor_numel(x) * sizeof(float));
    return GN_OK;
}

static gn_status copy_backward(gn_node *n, gn_error *err) {
    (void)err;
    gn_tensor *dx = gn_in_grad(n, 0);
    if (!dx) return GN_OK;
    const float *dy = gn_tensor_cdata(gn_node_grad(n));
    float *dxd = gn_tensor_data(dx);
    int64_t len = gn_tensor_numel(dx);
    for (int64_t i = 0; i < len; i++)
        dxd[i] += dy[i];
    return GN_OK;
}

/* i[0] = number of per-sample dims, i[1..] = the dims; one may be -1 and is
 * then inferred from the input's per-sample size. */
static gn_status reshape_infer(gn_node *n, gn_error *err) {
    gn_tensor *x = gn_in_value(n, 0);
    const gn_op_attrs *a = gn_node_attrs(n);
    int64_t nd = a->i[0];
    if (nd < 1 || nd > GN_MAX_DIMS - 1)
        return gn_error_set(err, GN_ERR_INVALID,
                            "reshape: %lld per-sample dims requested, must be 1 to %d",
                            (long long)nd, GN_MAX_DIMS - 1);
    if (gn_tensor_ndim(x) < 1)
        return gn_error_set(err, GN_ERR_INVALID, "reshape: input has no batch dimension");
    int64_t batch = gn_tensor_dim(x, 0);
    int64_t per = 1;
    for (int i = 1; i < gn_tensor_ndim(x); i++)
        per *= gn_tensor_dim(x, i);
    int64_t dims[GN_MAX_DIMS];
    int64_t known = 1;
    int wild = -1;
    dims[0] = batch;
    for (int i = 0; i < nd; i++) {
        int64_t d = a->i[1 + i];
        if (d == -1 && wild < 0) {
            wild = i;
        } else if (d < 1) {
            return gn_error_set(err, GN_ERR_INVALID, "reshape: dim %d is %lld, must be >= 1%s",
                                i + 1, (long long)d, d == -1 ? " (only one may be -1)" : "");
        } else {
            known *= d;
        }
        dims[1 + i] = d;
    }
    if (wild >= 0) {
        if (per % known != 0)
            return gn_error_set(err, GN_ERR_INVALID,
                                "reshape: cannot infer the -1 dim: %lld values per sample are not "
                                "a multiple of %lld",
                                (long long)per, (long long)known);
        dims[1 + wild] = per / known;
        known = per;
    }
    if (known != per) {
        char s[64];
        gn_tensor_shape_str(x, 1, s, sizeof s);
        return gn_error_set(err, GN_ERR_INVALID,
                            "reshape: input %s has %lld values per sample, target shape has %lld",
                            s, (long long)per, (long long)known);
    }
    return gn_node_set_shape(n, (int)nd + 1, dims, err);
}

static gn_status flatten_infer(gn_node *n, gn_error *err) {
    gn_tensor *x = gn_in_value(n, 0);
    if (gn_tensor_ndim(x) < 1)
        return gn_error_set(err, GN_ERR_INVALID, "flatten: input has no batch dimension");
    int64_t dims[2] = {gn_tensor_dim(x, 0), 1};
    for (int i = 1; i < gn_tensor_ndim(x); i++)
        dims[1] *= gn_tensor_dim(x, i);
    return gn_node_set_shape(n, 2, dims, err);
}

const gn_op_vtable gn_op_reshape = {
    .struct_size = sizeof(gn_op_vtable),
    .name = "reshape",
    .doc = "(B, ...) -> (B, i[1], ..., i[i[0]]); one dim may be -1",
    .n_inputs = 1,
    .infer = reshape_infer,
    .forward = copy_forward,
    .backward = copy_backward,
};

const gn_op_vtable gn_op_flatten = {
    .struct_size = sizeof(gn_op_vtable),
    .name = "flatten",
    .doc = "(B, d1, ..., dk) -> (B, d1 * ... * dk)",
    .n_inputs = 1,
    .infer = flatten_infer,
    .forward = copy_forward,
    .backward = copy_backward,
};
