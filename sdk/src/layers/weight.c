/* The weight of dense and conv2d, optionally spectrally normalised. */
#include <ganglion/ops.h>
#include "layers/layers_internal.h"

gn_node *gn_layers_weight(gn_build *b, const gn_section *params, const char *type, int ndim,
                          const int64_t *dims, gn_init_kind init, int64_t fan_in, int64_t fan_out,
                          gn_error *err) {
    gn_node *w = gn_build_param(b, "weight", ndim, dims, init, fan_in, fan_out, err);
    if (!w || !gn_section_bool(params, "spectral_norm")) return w;
    /* u starts as ones: deterministic, and never orthogonal to a trained
     * weight's top singular vector in practice; one iteration per training
     * step refines it (Miyato et al.). */
    gn_node *u = gn_build_buffer(b, "sn_u", 1, dims, GN_INIT_ONES, err);
    if (!u) return NULL;
    gn_node *ins[2] = {w, u};
    gn_op_attrs a = {{0}, {1}};
    gn_node *y = gn_graph_apply(gn_build_graph(b), &gn_op_spectral_norm, ins, 2, &a, err);
    if (!y) gn_error_prefix(err, "%s '%s': spectral_norm", type, gn_build_layer_name(b));
    return y;
}
