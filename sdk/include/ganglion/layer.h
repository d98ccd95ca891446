/* Ganglion SDK: layers. A layer is a registered vtable whose build function
 * adds parameters to the model and op nodes to its graph. Layers from any
 * plugin can be mixed in one model: models name them, never link them. */
#ifndef GANGLION_LAYER_H
#define GANGLION_LAYER_H

#include <ganglion/graph.h>
#include <ganglion/init.h>
#include <ganglion/registry.h>
#include <ganglion/schema.h>

typedef struct gn_build gn_build; /* build context, owned by the model */

typedef struct gn_layer_vtable {
    uint32_t struct_size; /* sizeof(gn_layer_vtable) */
    const char *name;     /* "dense" */
    const char *doc;      /* one line */
    const gn_param_schema *schema;
    /* Keys that positional arguments in a sequential spec bind to, in
     * order: dense(200) sets "units". NULL-terminated; may be NULL. */
    const char *const *positional;
    /* Adds the layer to the graph. params is validated. Sets *out. */
    gn_status (*build)(gn_build *b, const gn_section *params, gn_node *const *inputs, int n_inputs,
                       gn_node **out, gn_error *err);
    void *reserved[8];
} gn_layer_vtable;

/* A parameter of the layer being built, named "<layer>.<pname>" in the
 * model (and in checkpoints), initialised with init. */
GN_EXPORT gn_node *gn_build_param(gn_build *b, const char *pname, int ndim, const int64_t *dims,
                                  gn_init_kind init, int64_t fan_in, int64_t fan_out,
                                  gn_error *err);
/* A named, non-trainable state tensor of the layer being built ("<layer>.<name>"),
 * such as batch-norm running statistics: saved in checkpoints, never touched by
 * optimizers. Returns a graph node without gradient whose value ops may update
 * during a training forward pass. Added in 1.0. */
GN_EXPORT gn_node *gn_build_buffer(gn_build *b, const char *name, int ndim, const int64_t *dims,
                                   gn_init_kind init, gn_error *err);
/* Applies a registered op by name ("relu", "core.matmul"). */
GN_EXPORT gn_node *gn_build_op(gn_build *b, const char *op, gn_node *const *inputs, int n_inputs,
                               const gn_op_attrs *attrs, gn_error *err);
GN_EXPORT gn_graph *gn_build_graph(gn_build *b);
GN_EXPORT gn_rng *gn_build_rng(gn_build *b);
GN_EXPORT const gn_registry *gn_build_registry(gn_build *b);
GN_EXPORT const char *gn_build_layer_name(gn_build *b);

#endif
