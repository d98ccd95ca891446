/* conv2d and conv2d_transpose: y = act(conv(x, W) + b) on (N, C, H, W)
 * images, weights in PyTorch's layouts (Conv2d (O, C, k, k),
 * ConvTranspose2d (C, O, k, k)). padding is "valid", "same" (TensorFlow's:
 * with strides > 1 the odd pixel goes to the bottom/right) or a
 * non-negative integer (PyTorch's symmetric padding). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <ganglion/ops.h>
#include "layers/layers_internal.h"

static const gn_param_schema conv2d_schema[] = {
    GN_PARAM_INT("filters", NULL, 1, GN_INF, "number of output channels"),
    GN_PARAM_INT("kernel_size", NULL, 1, GN_INF, "square kernel side"),
    GN_PARAM_INT("strides", "1", 1, GN_INF, "step between windows (both axes)"),
    GN_PARAM_STRING("padding", "valid",
                    "valid (none), same (output = ceil(input / strides)) or an integer"),
    GN_PARAM_BOOL("use_bias", "true", "add a learned bias per output channel"),
    GN_PARAM_CHOICE("kernel_initializer", "glorot_uniform", GN_INIT_CHOICES,
                    "weight initializer (Keras default)"),
    GN_PARAM_CHOICE("bias_initializer", "zeros", GN_INIT_CHOICES, "bias initializer"),
    GN_PARAM_STRING("activation", "", "op applied to the output (\"\" = none), e.g. relu"),
    GN_LAYERS_SPECTRAL_NORM_PARAM,
    GN_PARAM_END,
};

static const gn_param_schema conv2d_transpose_schema[] = {
    GN_PARAM_INT("filters", NULL, 1, GN_INF, "number of output channels"),
    GN_PARAM_INT("kernel_size", NULL, 1, GN_INF, "square kernel side"),
    GN_PARAM_INT("strides", "1", 1, GN_INF, "upsampling step (both axes)"),
    GN_PARAM_STRING("padding", "valid",
                    "valid (output (in - 1) strides + kernel), same (output in * strides) or an "
                    "integer p (PyTorch: output (in - 1) strides + kernel - 2 p)"),
    GN_PARAM_INT("output_padding", "0", 0, GN_INF,
                 "extra rows/columns at the bottom/right, < strides"),
    GN_PARAM_BOOL("use_bias", "true", "add a learned bias per output channel"),
    GN_PARAM_CHOICE("kernel_initializer", "glorot_uniform", GN_INIT_CHOICES,
                    "weight initializer (Keras default)"),
    GN_PARAM_CHOICE("bias_initializer", "zeros", GN_INIT_CHOICES, "bias initializer"),
    GN_PARAM_STRING("activation", "", "op applied to the output (\"\" = none), e.g. relu"),
    GN_PARAM_END,
};

static const char *const conv_positional[] = {"filters", "kernel_size", NULL};

/* padding: "valid" -> 0, "same" -> *same = 1, or a non-negative integer. */
static gn_status parse_padding(const gn_section *p, const char *type, const char *lname,
                               int64_t *pad, int *same, gn_error *err) {
    const char *s = gn_section_str(p, "padding");
    *pad = 0;
    *same = 0;
    if (!s || !strcmp(s, "valid")) return GN_OK;
    if (!strcmp(s, "same")) {
        *same = 1;
        return GN_OK;
    }
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end != s && !*end && !errno && v >= 0 && v <= 1 << 20) {
        *pad = v;
        return GN_OK;
    }
    int line = gn_section_line(p, "padding");
    if (line > 0)
        return gn_error_set(err, GN_ERR_CONFIG,
                            "%s:%d: %s '%s': padding \"%s\" must be valid, same or a "
                            "non-negative integer",
                            gn_section_file(p), line, type, lname, s);
    return gn_error_set(err, GN_ERR_CONFIG,
                        "%s '%s': padding \"%s\" must be valid, same or a non-negative integer",
                        type, lname, s);
}

/* The input must be an image batch; points flat inputs at reshape. */
static gn_status need_image(const char *type, const char *lname, gn_node *in, gn_error *err) {
    gn_tensor *x = gn_node_value(in);
    if (gn_tensor_ndim(x) == 4) return GN_OK;
    char s[64];
    gn_tensor_shape_str(x, 1, s, sizeof s);
    return gn_error_set(err, GN_ERR_CONFIG,
                        "%s '%s': input has shape %s but %s needs (batch, channels, height, "
                        "width); add e.g. reshape(shape=\"1 28 28\") before it",
                        type, lname, s, type);
}

/* Applies the optional activation as dense does (same attribute defaults). */
static gn_status apply_activation(gn_build *b, const gn_section *params, const char *type,
                                  gn_node **y, gn_error *err) {
    const char *lname = gn_build_layer_name(b), *act = gn_section_str(params, "activation");
    if (!act || !*act) return GN_OK;
    const gn_op_vtable *op = gn_registry_find(gn_build_registry(b), GN_KIND_OP, act, err);
    if (!op) {
        gn_error_prefix(err, "%s '%s': activation", type, lname);
        return gn_layers_status(err);
    }
    if (op->n_inputs != 1)
        return gn_error_set(err, GN_ERR_CONFIG, "%s '%s': activation '%s' takes %d inputs, not 1",
                            type, lname, act, op->n_inputs);
    gn_op_attrs attrs;
    gn_layers_activation_attrs(op, &attrs);
    gn_node *z = gn_build_op(b, act, y, 1, &attrs, err);
    if (!z) {
        gn_error_prefix(err, "%s '%s'", type, lname);
        return gn_layers_status(err);
    }
    *y = z;
    return GN_OK;
}

/* Shared by both layers: transpose selects the op and weight layout. */
static gn_status conv_build(gn_build *b, const gn_section *params, gn_node *const *inputs,
                            int n_inputs, gn_node **out, int transpose, gn_error *err) {
    const char *type = transpose ? "conv2d_transpose" : "conv2d";
    const char *lname = gn_build_layer_name(b);
    gn_status st = gn_layers_check_inputs(b, type, n_inputs, 1, inputs, err);
    if (st || (st = need_image(type, lname, inputs[0], err))) return st;
    int64_t in_c = gn_tensor_dim(gn_node_value(inputs[0]), 1);
    int64_t filters = gn_section_int(params, "filters"), k = gn_section_int(params, "kernel_size");
    int64_t s = gn_section_int(params, "strides"), pad;
    int same;
    if ((st = parse_padding(params, type, lname, &pad, &same, err))) return st;
    if (filters < 1 || k < 1 || s < 1)
        return gn_error_set(err, GN_ERR_CONFIG,
                            "%s '%s': filters, kernel_size and strides must be >= 1", type, lname);
    gn_init_kind kinit, binit;
    if ((st = gn_init_parse(gn_section_str(params, "kernel_initializer"), &kinit, err)) ||
        (st = gn_init_parse(gn_section_str(params, "bias_initializer"), &binit, err))) {
        gn_error_prefix(err, "%s '%s'", type, lname);
        return st;
    }
    gn_op_attrs attrs = {{0}, {k, k, s, s, pad, pad, same, 0}};
    if (transpose) {
        int64_t op = gn_section_int(params, "output_padding");
        if (op >= s)
            return gn_error_set(err, GN_ERR_CONFIG,
                                "%s '%s': output_padding %lld must be smaller than strides %lld",
                                type, lname, (long long)op, (long long)s);
        if (same) { /* out = in * s: the adjoint of a "same" conv2d of stride s */
            pad = k > s ? (k - s) / 2 : 0;
            op += s - k + 2 * pad;
        }
        attrs = (gn_op_attrs){{0}, {k, k, s, s, pad, pad, op, op}};
    }
    /* PyTorch layouts; fans as PyTorch and Keras count them for either. */
    int64_t wdims[4] = {transpose ? in_c : filters, transpose ? filters : in_c, k, k};
    int64_t fan_in = (transpose ? filters : in_c) * k * k;
    int64_t fan_out = (transpose ? in_c : filters) * k * k;
    gn_node *w = transpose
                     ? gn_build_param(b, "weight", 4, wdims, kinit, fan_in, fan_out, err)
                     : gn_layers_weight(b, params, type, 4, wdims, kinit, fan_in, fan_out, err);
    if (!w) return gn_layers_status(err);
    gn_node *ins[3] = {inputs[0], w, NULL};
    int n_in = 2;
    if (gn_section_bool(params, "use_bias")) {
        ins[2] = gn_build_param(b, "bias", 1, &filters, binit, fan_in, fan_out, err);
        if (!ins[2]) return gn_layers_status(err);
        n_in = 3;
    }
    const gn_op_vtable *op =
        transpose ? (n_in == 3 ? &gn_op_conv_transpose2d : &gn_op_conv_transpose2d_nobias)
                  : (n_in == 3 ? &gn_op_conv2d : &gn_op_conv2d_nobias);
    /* conv2d + relu is fused into one op (same maths, two fewer passes over
     * the activations); other activations are applied as dense does. */
    int fused = 0;
    const char *act = gn_section_str(params, "activation");
    if (!transpose && act && !strcmp(act, "relu")) {
        gn_error ignore = {0};
        fused = gn_registry_find(gn_build_registry(b), GN_KIND_OP, act, &ignore) == &gn_op_relu;
        attrs.i[7] = fused;
    }
    gn_node *y = gn_graph_apply(gn_build_graph(b), op, ins, n_in, &attrs, err);
    if (!y) {
        gn_error_prefix(err, "%s '%s'", type, lname);
        return gn_layers_status(err);
    }
    if (!fused && (st = apply_activation(b, params, type, &y, err))) return st;
    *out = y;
    return GN_OK;
}

static gn_status conv2d_build(gn_build *b, const gn_section *params, gn_node *const *inputs,
                              int n_inputs, gn_node **out, gn_error *err) {
    return conv_build(b, params, inputs, n_inputs, out, 0, err);
}

static gn_status conv2d_transpose_build(gn_build *b, const gn_section *params,
                                        gn_node *const *inputs, int n_inputs, gn_node **out,
                                        gn_error *err) {
    return conv_build(b, params, inputs, n_inputs, out, 1, err);
}

const gn_layer_vtable gn_layer_conv2d = {
    .struct_size = sizeof(gn_layer_vtable),
    .name = "conv2d",
    .doc = "2-D convolution: y = act(W (*) x + b), W (filters, in_channels, k, k)",
    .schema = conv2d_schema,
    .positional = conv_positional,
    .build = conv2d_build,
};

const gn_layer_vtable gn_layer_conv2d_transpose = {
    .struct_size = sizeof(gn_layer_vtable),
    .name = "conv2d_transpose",
    .doc = "transposed 2-D convolution (adjoint of conv2d), W (in_channels, filters, k, k)",
    .schema = conv2d_transpose_schema,
    .positional = conv_positional,
    .build = conv2d_transpose_build,
};
