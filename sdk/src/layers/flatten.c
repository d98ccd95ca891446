/* flatten: (B, d1, ..., dk) -> (B, d1 * ... * dk). */
#include <ganglion/ops.h>
#include "layers/layers_internal.h"

static const gn_param_schema flatten_schema[] = {GN_PARAM_END};

static gn_status flatten_build(gn_build *b, const gn_section *params, gn_node *const *inputs,
                               int n_inputs, gn_node **out, gn_error *err) {
    (void)params;
    gn_status st = gn_layers_check_inputs(b, "flatten", n_inputs, 1, inputs, err);
    if (st) return st;
    gn_node *y = gn_graph_apply(gn_build_graph(b), &gn_op_flatten, inputs, 1, NULL, err);
    if (!y) {
        gn_error_prefix(err, "flatten '%s'", gn_build_layer_name(b));
        return gn_layers_status(err);
    }
    *out = y;
    return GN_OK;
}

const gn_layer_vtable gn_layer_flatten = {
    .struct_size = sizeof(gn_layer_vtable),
    .name = "flatten",
    .doc = "(batch, d1, ..., dk) -> (batch, d1 * ... * dk)",
    .schema = flatten_schema,
    .positional = NULL,
    .build = flatten_build,
};
