/* Pooling and upsampling layers on (N, C, H, W): maxpool2d, avgpool2d,
 * global_avg_pool2d (-> (N, C)) and upsampling2d (nearest neighbour). */
#include <ganglion/ops.h>
#include "layers/layers_internal.h"

static const gn_param_schema pool_schema[] = {
    GN_PARAM_INT("pool_size", "2", 1, GN_INF, "square window side"),
    GN_PARAM_INT("strides", "", 1, GN_INF, "step between windows (default: pool_size)"),
    GN_PARAM_CHOICE("padding", "valid", "valid|same",
                    "valid (whole windows only) or same (output = ceil(input / strides))"),
    GN_PARAM_END,
};
static const char *const pool_positional[] = {"pool_size", NULL};

static const gn_param_schema gap_schema[] = {GN_PARAM_END};

static const gn_param_schema upsampling_schema[] = {
    GN_PARAM_INT("size", "2", 1, GN_INF, "integer scale of both height and width"),
    GN_PARAM_END,
};
static const char *const upsampling_positional[] = {"size", NULL};

/* Applies op to the single input, prefixing errors with the layer. */
static gn_status apply1(gn_build *b, const char *type, const gn_op_vtable *op,
                        gn_node *const *inputs, int n_inputs, const gn_op_attrs *attrs,
                        gn_node **out, gn_error *err) {
    const char *lname = gn_build_layer_name(b);
    gn_status st = gn_layers_check_inputs(b, type, n_inputs, 1, inputs, err);
    if (st) return st;
    gn_tensor *x = gn_node_value(inputs[0]);
    if (gn_tensor_ndim(x) != 4) {
        char s[64];
        gn_tensor_shape_str(x, 1, s, sizeof s);
        return gn_error_set(err, GN_ERR_CONFIG,
                            "%s '%s': input has shape %s but %s needs (batch, channels, height, "
                            "width)",
                            type, lname, s, type);
    }
    gn_node *y = gn_graph_apply(gn_build_graph(b), op, inputs, 1, attrs, err);
    if (!y) {
        gn_error_prefix(err, "%s '%s'", type, lname);
        return gn_layers_status(err);
    }
    *out = y;
    return GN_OK;
}

static void pool_attrs(const gn_section *p, gn_op_attrs *a) {
    int64_t k = gn_section_int(p, "pool_size");
    int64_t s = gn_section_has(p, "strides") ? gn_section_int(p, "strides") : k;
    const char *pad = gn_section_str(p, "padding");
    *a = (gn_op_attrs){{0}, {k, k, s, s, 0, 0, pad && pad[0] == 's', 0}};
}

static gn_status maxpool_build(gn_build *b, const gn_section *params, gn_node *const *inputs,
                               int n_inputs, gn_node **out, gn_error *err) {
    gn_op_attrs a;
    pool_attrs(params, &a);
    return apply1(b, "maxpool2d", &gn_op_maxpool2d, inputs, n_inputs, &a, out, err);
}

static gn_status avgpool_build(gn_build *b, const gn_section *params, gn_node *const *inputs,
                               int n_inputs, gn_node **out, gn_error *err) {
    gn_op_attrs a;
    pool_attrs(params, &a);
    return apply1(b, "avgpool2d", &gn_op_avgpool2d, inputs, n_inputs, &a, out, err);
}

static gn_status gap_build(gn_build *b, const gn_section *params, gn_node *const *inputs,
                           int n_inputs, gn_node **out, gn_error *err) {
    (void)params;
    return apply1(b, "global_avg_pool2d", &gn_op_global_avg_pool2d, inputs, n_inputs, NULL, out,
                  err);
}

static gn_status upsampling_build(gn_build *b, const gn_section *params, gn_node *const *inputs,
                                  int n_inputs, gn_node **out, gn_error *err) {
    int64_t s = gn_section_int(params, "size");
    gn_op_attrs a = {{0}, {s, s}};
    return apply1(b, "upsampling2d", &gn_op_upsample2d, inputs, n_inputs, &a, out, err);
}

const gn_layer_vtable gn_layer_maxpool2d = {
    .struct_size = sizeof(gn_layer_vtable),
    .name = "maxpool2d",
    .doc = "max over pool_size x pool_size windows, step strides",
    .schema = pool_schema,
    .positional = pool_positional,
    .build = maxpool_build,
};

const gn_layer_vtable gn_layer_avgpool2d = {
    .struct_size = sizeof(gn_layer_vtable),
    .name = "avgpool2d",
    .doc = "mean over pool_size x pool_size windows (in-bounds elements), step strides",
    .schema = pool_schema,
    .positional = pool_positional,
    .build = avgpool_build,
};

const gn_layer_vtable gn_layer_global_avg_pool2d = {
    .struct_size = sizeof(gn_layer_vtable),
    .name = "global_avg_pool2d",
    .doc = "mean over height and width: (batch, C, H, W) -> (batch, C)",
    .schema = gap_schema,
    .positional = NULL,
    .build = gap_build,
};

const gn_layer_vtable gn_layer_upsampling2d = {
    .struct_size = sizeof(gn_layer_vtable),
    .name = "upsampling2d",
    .doc = "nearest-neighbour upsampling: (batch, C, H, W) -> (batch, C, H size, W size)",
    .schema = upsampling_schema,
    .positional = upsampling_positional,
    .build = upsampling_build,
};
