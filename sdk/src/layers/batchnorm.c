/* batchnorm: per-channel normalisation of (N, C) or (N, C, H, W) inputs
 * with learned scale "weight" (gamma) and shift "bias" (beta), and running
 * statistics kept as model buffers. momentum follows PyTorch: running =
 * (1 - momentum) running + momentum batch, so Keras' momentum 0.99 is
 * 1 - 0.99 = 0.01 here. */
#include <ganglion/ops.h>
#include "layers/layers_internal.h"

static const gn_param_schema batchnorm_schema[] = {
    GN_PARAM_FLOAT("momentum", "0.1", 0, 1,
                   "running-statistics update weight, PyTorch convention (Keras 0.99 = 0.01 here)"),
    GN_PARAM_FLOAT("eps", "1e-5", 0, 1, "added to the variance"),
    GN_PARAM_BOOL("center", "true", "learn a shift beta (\"bias\")"),
    GN_PARAM_BOOL("scale", "true", "learn a scale gamma (\"weight\")"),
    GN_PARAM_END,
};

static gn_status batchnorm_build(gn_build *b, const gn_section *params, gn_node *const *inputs,
                                 int n_inputs, gn_node **out, gn_error *err) {
    const char *lname = gn_build_layer_name(b);
    gn_status st = gn_layers_check_inputs(b, "batchnorm", n_inputs, 1, inputs, err);
    if (st) return st;
    gn_tensor *x = gn_node_value(inputs[0]);
    if (gn_tensor_ndim(x) != 2 && gn_tensor_ndim(x) != 4) {
        char s[64];
        gn_tensor_shape_str(x, 1, s, sizeof s);
        return gn_error_set(err, GN_ERR_CONFIG,
                            "batchnorm '%s': input has shape %s but batchnorm needs (batch, "
                            "features) or (batch, channels, height, width)",
                            lname, s);
    }
    int64_t c = gn_tensor_dim(x, 1);
    int scale = gn_section_bool(params, "scale"), center = gn_section_bool(params, "center");
    gn_node *gamma = NULL, *beta = NULL, *rmean, *rvar;
    if (scale && !(gamma = gn_build_param(b, "weight", 1, &c, GN_INIT_ONES, c, c, err)))
        return gn_layers_status(err);
    if (center && !(beta = gn_build_param(b, "bias", 1, &c, GN_INIT_ZEROS, c, c, err)))
        return gn_layers_status(err);
    if (!(rmean = gn_build_buffer(b, "running_mean", 1, &c, GN_INIT_ZEROS, err)) ||
        !(rvar = gn_build_buffer(b, "running_var", 1, &c, GN_INIT_ONES, err)))
        return gn_layers_status(err);
    /* A disabled gamma or beta is flagged; its input slot holds a placeholder. */
    gn_node *ins[5] = {inputs[0], gamma ? gamma : rmean, beta ? beta : rmean, rmean, rvar};
    gn_op_attrs a = {
        {(float)gn_section_float(params, "momentum"), (float)gn_section_float(params, "eps")},
        {!scale, !center}};
    gn_node *y = gn_graph_apply(gn_build_graph(b), &gn_op_batchnorm, ins, 5, &a, err);
    if (!y) {
        gn_error_prefix(err, "batchnorm '%s'", lname);
        return gn_layers_status(err);
    }
    *out = y;
    return GN_OK;
}

const gn_layer_vtable gn_layer_batchnorm = {
    .struct_size = sizeof(gn_layer_vtable),
    .name = "batchnorm",
    .doc = "batch normalisation per channel (after dense or conv2d), running statistics as "
           "buffers",
    .schema = batchnorm_schema,
    .positional = NULL,
    .build = batchnorm_build,
};
