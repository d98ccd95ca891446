/* Registers the core layers under plugin "core". */
#include "core_register.h"
#include "layers/layers_internal.h"

/* Convolutional layers (layers/conv2d.c, pool.c, batchnorm.c). */
extern const gn_layer_vtable gn_layer_conv2d, gn_layer_conv2d_transpose, gn_layer_maxpool2d,
    gn_layer_avgpool2d, gn_layer_global_avg_pool2d, gn_layer_upsampling2d, gn_layer_batchnorm;

gn_status gn_layers_check_inputs(gn_build *b, const char *type, int n_inputs, int want,
                                 gn_node *const *inputs, gn_error *err) {
    if (n_inputs != want)
        return gn_error_set(err, GN_ERR_CONFIG, "%s '%s': takes %d input%s, given %d", type,
                            gn_build_layer_name(b), want, want == 1 ? "" : "s", n_inputs);
    for (int i = 0; i < n_inputs; i++)
        if (!inputs || !inputs[i])
            return gn_error_set(err, GN_ERR_INVALID, "%s '%s': input %d is NULL", type,
                                gn_build_layer_name(b), i);
    return GN_OK;
}

gn_status gn_layers_register_core(gn_registry *r, gn_error *err) {
    const gn_layer_vtable *const fixed[] = {
        &gn_layer_dense,        &gn_layer_flatten,   &gn_layer_reshape,
        &gn_layer_dropout,      &gn_layer_conv2d,    &gn_layer_conv2d_transpose,
        &gn_layer_maxpool2d,    &gn_layer_avgpool2d, &gn_layer_global_avg_pool2d,
        &gn_layer_upsampling2d, &gn_layer_batchnorm};
    gn_status st;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if ((st = gn_registry_add(r, GN_KIND_LAYER, "core", fixed[i]->name, fixed[i], err)))
            return st;
    for (const gn_layer_vtable *const *p = gn_layers_activations; *p; p++)
        if ((st = gn_registry_add(r, GN_KIND_LAYER, "core", (*p)->name, *p, err))) return st;
    return GN_OK;
}
