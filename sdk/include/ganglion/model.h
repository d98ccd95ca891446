/* Ganglion SDK: models. A model owns its graph, its named parameters and
 * their gradients, collated into two flat vectors so that any optimizer
 * updates it with one gn_optim_step(x, g). */
#ifndef GANGLION_MODEL_H
#define GANGLION_MODEL_H

#include <ganglion/layer.h>

typedef struct gn_model gn_model;

typedef struct gn_layer_info {
    uint32_t struct_size;
    const char *name; /* instance name, "dense_1" */
    const char *type; /* layer name, "dense" */
    gn_node *output;
    int64_t n_params;
    /* Per-layer weight penalties from the layer's "l1 =" / "l2 =" keys;
     * negative when the layer does not set them (the trainer's global
     * values then apply). Added in 1.0. */
    double l1, l2;
} gn_layer_info;

/* Caller owns. reg and rng are borrowed for the model's lifetime. */
GN_EXPORT gn_model *gn_model_new(const char *name, const gn_registry *reg, gn_rng *rng,
                                 gn_error *err);
GN_EXPORT void gn_model_free(gn_model *m);
GN_EXPORT const char *gn_model_name(const gn_model *m);

/* An input whose samples have sample_dims (the batch dimension is added). */
GN_EXPORT gn_node *gn_model_add_input(gn_model *m, const char *name, int ndim,
                                      const int64_t *sample_dims, gn_error *err);

/* Builds layer `type` (a registered layer name) as instance `name` on the
 * given inputs. params NULL means the layer's defaults. */
GN_EXPORT gn_status gn_model_add_layer(gn_model *m, const char *name, const char *type,
                                       const gn_section *params, gn_node *const *inputs,
                                       int n_inputs, gn_node **out, gn_error *err);

/* Declares the output and collates parameters into flat vectors. No layer
 * can be added afterwards. */
GN_EXPORT gn_status gn_model_finalize(gn_model *m, gn_node *output, gn_error *err);

GN_EXPORT gn_graph *gn_model_graph(gn_model *m);
GN_EXPORT gn_node *gn_model_output(gn_model *m);
GN_EXPORT int gn_model_n_inputs(const gn_model *m);
GN_EXPORT gn_node *gn_model_input(gn_model *m, int i);

/* Flat vectors (valid after finalize; borrowed, owned by the model). */
GN_EXPORT int64_t gn_model_n_params(const gn_model *m);
GN_EXPORT float *gn_model_params(gn_model *m);
GN_EXPORT float *gn_model_grads(gn_model *m);
GN_EXPORT void gn_model_zero_grad(gn_model *m);

/* Named parameter tensors ("dense_1.weight"), views into the flat vectors. */
GN_EXPORT int gn_model_n_tensors(const gn_model *m);
GN_EXPORT const char *gn_model_tensor_name(const gn_model *m, int i);
GN_EXPORT gn_tensor *gn_model_tensor(gn_model *m, int i);
GN_EXPORT gn_tensor *gn_model_tensor_grad(gn_model *m, int i);

/* Named non-trainable buffers (batch-norm running statistics), model-owned. */
GN_EXPORT int gn_model_n_buffers(const gn_model *m);
GN_EXPORT const char *gn_model_buffer_name(const gn_model *m, int i);
GN_EXPORT gn_tensor *gn_model_buffer(gn_model *m, int i);

/* Layers in build order, for summaries. */
GN_EXPORT int gn_model_n_layers(const gn_model *m);
GN_EXPORT gn_status gn_model_layer_info(gn_model *m, int i, gn_layer_info *out, gn_error *err);

#endif
