/* Internal: the core layers and helpers they share. */
#ifndef GN_LAYERS_INTERNAL_H
#define GN_LAYERS_INTERNAL_H

#include <ganglion/layer.h>

extern const gn_layer_vtable gn_layer_dense, gn_layer_flatten, gn_layer_reshape, gn_layer_dropout;

/* The activation layers, NULL-terminated. */
extern const gn_layer_vtable *const gn_layers_activations[];

/* Fills attrs with the defaults of the activation layer for op (leaky_relu
 * slope 0.01, elu alpha 1); zeros for any other op. */
void gn_layers_activation_attrs(const gn_op_vtable *op, gn_op_attrs *attrs);

/* Checks that a layer got exactly `want` inputs. */
gn_status gn_layers_check_inputs(gn_build *b, const char *type, int n_inputs, int want,
                                 gn_node *const *inputs, gn_error *err);

/* Schema entry of the layers whose weight may be spectrally normalised. */
#define GN_LAYERS_SPECTRAL_NORM_PARAM                                                              \
    GN_PARAM_BOOL("spectral_norm", "false",                                                        \
                  "divide the weight by its largest singular value (power iteration, as "          \
                  "PyTorch's spectral_norm; for GAN discriminators)")

/* The layer's "weight" parameter; with spectral_norm = true in params, the
 * node returned is W / sigma(W) and the layer gets a buffer "sn_u". */
gn_node *gn_layers_weight(gn_build *b, const gn_section *params, const char *type, int ndim,
                          const int64_t *dims, gn_init_kind init, int64_t fan_in, int64_t fan_out,
                          gn_error *err);

/* The status of a failure already recorded in err (err may be NULL). */
static inline gn_status gn_layers_status(const gn_error *err) {
    return err && err->status != GN_OK ? err->status : GN_ERR_INVALID;
}

#endif
