/* dropout: inverted dropout while training, identity in evaluation. */
#include <ganglion/ops.h>
#include "layers/layers_internal.h"

static const gn_param_schema dropout_schema[] = {
    GN_PARAM_FLOAT("rate", NULL, 0, 1, "fraction of inputs zeroed while training, in [0, 1)"),
    GN_PARAM_END,
};
static const char *const dropout_positional[] = {"rate", NULL};

static gn_status dropout_build(gn_build *b, const gn_section *params, gn_node *const *inputs,
                               int n_inputs, gn_node **out, gn_error *err) {
    const char *lname = gn_build_layer_name(b);
    gn_status st = gn_layers_check_inputs(b, "dropout", n_inputs, 1, inputs, err);
    if (st) return st;
    double rate = gn_section_float(params, "rate");
    /* The schema range is inclusive; 1 would drop everything. */
    if (!(rate >= 0.0 && rate < 1.0))
        return gn_error_set(err, GN_ERR_CONFIG, "dropout '%s': rate %g must be in [0, 1)", lname,
                            rate);
    gn_op_attrs attrs = {{(float)rate}, {0}};
    gn_node *y = gn_graph_apply(gn_build_graph(b), &gn_op_dropout, inputs, 1, &attrs, err);
    if (!y) {
        gn_error_prefix(err, "dropout '%s'", lname);
        return gn_layers_status(err);
    }
    *out = y;
    return GN_OK;
}

const gn_layer_vtable gn_layer_dropout = {
    .struct_size = sizeof(gn_layer_vtable),
    .name = "dropout",
    .doc = "inverted dropout: y = x m / (1 - rate) while training, y = x in evaluation",
    .schema = dropout_schema,
    .positional = dropout_positional,
    .build = dropout_build,
};
