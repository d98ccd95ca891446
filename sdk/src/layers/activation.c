/* One layer per activation op, of the same name. A table row names the op
 * and the (at most one) schema key that becomes attrs.f[0]; one generic
 * build function serves them all. */
#include <stddef.h>
#include <ganglion/ops.h>
#include "layers/layers_internal.h"

typedef struct act_def {
    const gn_op_vtable *op;
    const char *key; /* schema key copied to attrs.f[0], or NULL */
    float def;       /* its default, for dense's activation= */
} act_def;

static gn_status act_build(const act_def *d, gn_build *b, const gn_section *params,
                           gn_node *const *inputs, int n_inputs, gn_node **out, gn_error *err) {
    gn_status st = gn_layers_check_inputs(b, d->op->name, n_inputs, 1, inputs, err);
    if (st) return st;
    gn_op_attrs attrs = {{0}, {0}};
    if (d->key) attrs.f[0] = params ? (float)gn_section_float(params, d->key) : d->def;
    gn_node *y = gn_graph_apply(gn_build_graph(b), d->op, inputs, 1, &attrs, err);
    if (!y) {
        gn_error_prefix(err, "%s '%s'", d->op->name, gn_build_layer_name(b));
        return gn_layers_status(err);
    }
    *out = y;
    return GN_OK;
}

static const gn_param_schema no_params[] = {GN_PARAM_END};

static const gn_param_schema leaky_relu_schema[] = {
    GN_PARAM_FLOAT("slope", "0.01", 0, GN_INF,
                   "negative slope (PyTorch's default 0.01; Keras' LeakyReLU uses 0.3)"),
    GN_PARAM_END,
};
static const char *const leaky_relu_pos[] = {"slope", NULL};

static const gn_param_schema elu_schema[] = {
    GN_PARAM_FLOAT("alpha", "1.0", 0, GN_INF, "saturation value for x -> -inf is -alpha"),
    GN_PARAM_END,
};
static const char *const elu_pos[] = {"alpha", NULL};

/* The op is applied directly by symbol: "relu" could be ambiguous by name
 * if a plugin registers its own. */
#define GN_ACT_LAYER(NAME, SCHEMA, POS, KEY, DEF, DOC)                                             \
    static const act_def NAME##_def = {&gn_op_##NAME, KEY, DEF};                                   \
    static gn_status NAME##_build(gn_build *b, const gn_section *params, gn_node *const *inputs,   \
                                  int n_inputs, gn_node **out, gn_error *err) {                    \
        return act_build(&NAME##_def, b, params, inputs, n_inputs, out, err);                      \
    }                                                                                              \
    static const gn_layer_vtable NAME##_layer = {                                                  \
        .struct_size = sizeof(gn_layer_vtable),                                                    \
        .name = #NAME,                                                                             \
        .doc = DOC,                                                                                \
        .schema = SCHEMA,                                                                          \
        .positional = POS,                                                                         \
        .build = NAME##_build,                                                                     \
    };

GN_ACT_LAYER(relu, no_params, NULL, NULL, 0.0f, "y = max(x, 0)")
GN_ACT_LAYER(leaky_relu, leaky_relu_schema, leaky_relu_pos, "slope", 0.01f,
             "y = x > 0 ? x : slope x (default slope 0.01 as PyTorch; Keras uses 0.3)")
GN_ACT_LAYER(elu, elu_schema, elu_pos, "alpha", 1.0f, "y = x > 0 ? x : alpha (e^x - 1)")
GN_ACT_LAYER(selu, no_params, NULL, NULL, 0.0f, "y = 1.0507 (x > 0 ? x : 1.67326 (e^x - 1))")
GN_ACT_LAYER(tanh, no_params, NULL, NULL, 0.0f, "y = tanh(x)")
GN_ACT_LAYER(sigmoid, no_params, NULL, NULL, 0.0f, "y = 1 / (1 + e^-x)")
GN_ACT_LAYER(softmax, no_params, NULL, NULL, 0.0f, "softmax over the last axis")
GN_ACT_LAYER(lecun_tanh, no_params, NULL, NULL, 0.0f, "y = 1.7159 tanh(2x/3) + 0.01 x")
GN_ACT_LAYER(mish, no_params, NULL, NULL, 0.0f, "y = x tanh(softplus(x))")
GN_ACT_LAYER(gelu, no_params, NULL, NULL, 0.0f, "y = x Phi(x) (exact, erf)")
GN_ACT_LAYER(softplus, no_params, NULL, NULL, 0.0f, "y = log(1 + e^x)")
GN_ACT_LAYER(swish, no_params, NULL, NULL, 0.0f, "y = x sigmoid(x)")

static const act_def *const act_defs[] = {
    &relu_def,    &leaky_relu_def, &elu_def,  &selu_def, &tanh_def,     &sigmoid_def,
    &softmax_def, &lecun_tanh_def, &mish_def, &gelu_def, &softplus_def, &swish_def,
};

const gn_layer_vtable *const gn_layers_activations[] = {
    &relu_layer,    &leaky_relu_layer, &elu_layer,  &selu_layer, &tanh_layer,     &sigmoid_layer,
    &softmax_layer, &lecun_tanh_layer, &mish_layer, &gelu_layer, &softplus_layer, &swish_layer,
    NULL,
};

void gn_layers_activation_attrs(const gn_op_vtable *op, gn_op_attrs *attrs) {
    *attrs = (gn_op_attrs){{0}, {0}};
    for (size_t i = 0; i < sizeof act_defs / sizeof act_defs[0]; i++)
        if (act_defs[i]->op == op && act_defs[i]->key) attrs->f[0] = act_defs[i]->def;
}
