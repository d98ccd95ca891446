/* dense: y = act(x W^T + b), W (units, in) as PyTorch lays it out. */
#include <string.h>
#include <ganglion/ops.h>
#include "layers/layers_internal.h"
#include "ops/ops_internal.h"

static const gn_param_schema dense_schema[] = {
    GN_PARAM_INT("units", NULL, 1, GN_INF, "number of outputs"),
    GN_PARAM_BOOL("use_bias", "true", "add a learned bias"),
    GN_PARAM_CHOICE("kernel_initializer", "glorot_uniform", GN_INIT_CHOICES,
                    "weight initializer (Keras default)"),
    GN_PARAM_CHOICE("bias_initializer", "zeros", GN_INIT_CHOICES, "bias initializer"),
    GN_PARAM_STRING("activation", "", "op applied to the output (\"\" = none), e.g. relu"),
    GN_LAYERS_SPECTRAL_NORM_PARAM,
    GN_PARAM_END,
};

static const char *const dense_positional[] = {"units", NULL};

static gn_status dense_build(gn_build *b, const gn_section *params, gn_node *const *inputs,
                             int n_inputs, gn_node **out, gn_error *err) {
    const char *lname = gn_build_layer_name(b);
    gn_status st = gn_layers_check_inputs(b, "dense", n_inputs, 1, inputs, err);
    if (st) return st;
    gn_tensor *x = gn_node_value(inputs[0]);
    if (gn_tensor_ndim(x) != 2) {
        char s[64];
        gn_tensor_shape_str(x, 1, s, sizeof s);
        return gn_error_set(err, GN_ERR_CONFIG,
                            "dense '%s': input has shape %s but dense needs (batch, features); "
                            "add a flatten layer before it",
                            lname, s);
    }
    int64_t in = gn_tensor_dim(x, 1), units = gn_section_int(params, "units");
    if (units < 1) return gn_error_set(err, GN_ERR_CONFIG, "dense '%s': units must be >= 1", lname);
    gn_init_kind kinit, binit;
    if ((st = gn_init_parse(gn_section_str(params, "kernel_initializer"), &kinit, err)) ||
        (st = gn_init_parse(gn_section_str(params, "bias_initializer"), &binit, err))) {
        gn_error_prefix(err, "dense '%s'", lname);
        return st;
    }

    int64_t wdims[2] = {units, in};
    gn_node *w = gn_layers_weight(b, params, "dense", 2, wdims, kinit, in, units, err);
    if (!w) return gn_layers_status(err);
    gn_node *y;
    if (gn_section_bool(params, "use_bias")) {
        gn_node *bias = gn_build_param(b, "bias", 1, &units, binit, in, units, err);
        if (!bias) return gn_layers_status(err);
        gn_node *ins[3] = {inputs[0], w, bias};
        y = gn_graph_apply(gn_build_graph(b), &gn_op_linear, ins, 3, NULL, err);
    } else {
        gn_node *ins[2] = {inputs[0], w};
        y = gn_graph_apply(gn_build_graph(b), &gn_op_linear_nobias, ins, 2, NULL, err);
    }
    if (!y) {
        gn_error_prefix(err, "dense '%s'", lname);
        return gn_layers_status(err);
    }

    const char *act = gn_section_str(params, "activation");
    if (act && *act) {
        const gn_op_vtable *op = gn_registry_find(gn_build_registry(b), GN_KIND_OP, act, err);
        if (!op) {
            gn_error_prefix(err, "dense '%s': activation", lname);
            return gn_layers_status(err);
        }
        if (op->n_inputs != 1)
            return gn_error_set(err, GN_ERR_CONFIG,
                                "dense '%s': activation '%s' takes %d inputs, not 1", lname, act,
                                op->n_inputs);
        /* Same defaults as the activation layer of that name (elu alpha 1...). */
        gn_op_attrs attrs;
        gn_layers_activation_attrs(op, &attrs);
        y = gn_build_op(b, act, &y, 1, &attrs, err);
        if (!y) {
            gn_error_prefix(err, "dense '%s'", lname);
            return gn_layers_status(err);
        }
    }
    *out = y;
    return GN_OK;
}

const gn_layer_vtable gn_layer_dense = {
    .struct_size = sizeof(gn_layer_vtable),
    .name = "dense",
    .doc = "fully connected: y = act(x W^T + b), W (units, in)",
    .schema = dense_schema,
    .positional = dense_positional,
    .build = dense_build,
};
