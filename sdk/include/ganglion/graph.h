/* Ganglion SDK: computation graphs and reverse-mode autodiff.
 *
 * A graph holds nodes in creation order, which is a topological order
 * (inputs exist before the ops that use them). Three kinds of node: inputs
 * (fed per batch, optionally with gradients, which attacks need), parameters
 * (borrowed from a model) and op applications. Shapes are re-inferred on
 * every forward pass, so the batch size may change between calls. */
#ifndef GANGLION_GRAPH_H
#define GANGLION_GRAPH_H

#include <stdint.h>
#include <ganglion/error.h>
#include <ganglion/rng.h>
#include <ganglion/tensor.h>

typedef struct gn_graph gn_graph;
typedef struct gn_node gn_node;

/* Small fixed attribute block an op reads (slopes, axes, rates...). */
typedef struct gn_op_attrs {
    float f[8];
    int64_t i[8];
} gn_op_attrs;

/* An op: a registered vtable (append-only; starts with its size). */
typedef struct gn_op_vtable {
    uint32_t struct_size; /* sizeof(gn_op_vtable) */
    const char *name;     /* "relu" */
    const char *doc;      /* one line of maths: "y = max(x, 0)" */
    int n_inputs;
    /* Sets the output shape from the inputs' shapes (gn_node_set_shape). */
    gn_status (*infer)(gn_node *n, gn_error *err);
    /* Computes gn_node_value(n) from the inputs' values. */
    gn_status (*forward)(gn_node *n, gn_error *err);
    /* Adds dL/d(input) into gn_node_grad(input) for every input whose grad
     * is not NULL, given gn_node_grad(n). May be NULL for ops that are not
     * differentiable (the graph then refuses backward through them). */
    gn_status (*backward)(gn_node *n, gn_error *err);
    void *reserved[8];
    /* Appended in 1.3 (read only when struct_size covers it): GN_OP_* bits. */
    uint32_t flags;
} gn_op_vtable;

/* backward may be asked to overwrite its first input's gradient instead of
 * adding to it (gn_node_grad_assign(n, 0)); it then writes every element of
 * it. Spares the graph zeroing that gradient first, a whole pass over it.
 * Other inputs' gradients are always added to. 1.3. */
#define GN_OP_CAN_ASSIGN_DX 1u

/* Caller owns the graph. */
GN_EXPORT gn_graph *gn_graph_new(gn_error *err);
GN_EXPORT void gn_graph_free(gn_graph *g);

/* An input of the given per-batch shape: dims[0] is the batch size used
 * until the first feed. requires_grad asks for dL/d(input). */
GN_EXPORT gn_node *gn_graph_input(gn_graph *g, const char *name, int ndim, const int64_t *dims,
                                  int requires_grad, gn_error *err);

/* Makes an existing input ask for dL/d(input), and gives every op that
 * depends on it a gradient: a model's input becomes differentiable after the
 * model is built (a GAN's discriminator, a VAE's decoder, attacks). Added
 * in 1.1. */
GN_EXPORT gn_status gn_graph_input_require_grad(gn_node *input, gn_error *err);

/* Switches an input's gradient off (its op nodes keep theirs, so parameter
 * gradients still flow) and back on, without rebuilding anything: a GAN's
 * discriminator needs dL/d(input) only in the generator's step. Error for
 * a node that is not an input. Added in 1.1. */
GN_EXPORT gn_status gn_graph_input_grad_enabled(gn_node *input, int enabled, gn_error *err);

/* Switches the gradients of all of a graph's parameters off and back on:
 * ops then skip their weight-gradient work while the gradients of inputs
 * (enabled ones) still flow. A GAN's generator step needs dL/d(image) from
 * the discriminator but not the discriminator's own gradients (Keras's
 * discriminator.trainable = False); the parameter gradients keep their
 * values meanwhile. Added in 1.2. Since 1.4 it also switches the ops
 * computed from parameters and buffers alone (a spectrally normalised
 * weight). */
GN_EXPORT void gn_graph_params_grad_enabled(gn_graph *g, int enabled);

/* Copies batch rows of data into an input (its shape becomes
 * (batch, dims[1:])). */
GN_EXPORT gn_status gn_graph_feed(gn_node *input, const float *data, int64_t batch, gn_error *err);

/* A parameter node over a value and gradient the caller keeps (transfer
 * none: both must outlive the graph). grad may be NULL for a constant. */
GN_EXPORT gn_node *gn_graph_param(gn_graph *g, const char *name, gn_tensor *value, gn_tensor *grad,
                                  gn_error *err);

/* Applies op to inputs. attrs is copied (NULL = zeros). The output needs a
 * gradient when any input does. */
GN_EXPORT gn_node *gn_graph_apply(gn_graph *g, const gn_op_vtable *op, gn_node *const *inputs,
                                  int n_inputs, const gn_op_attrs *attrs, gn_error *err);

/* Runs shape inference and forward for every node target depends on. */
GN_EXPORT gn_status gn_graph_forward(gn_graph *g, gn_node *target, gn_error *err);

/* Back-propagates from loss (seeded with ones): clears the gradients of
 * inputs and op nodes first, but ACCUMULATES into parameter gradients
 * (zero them yourself, e.g. gn_model_zero_grad). Call after forward. */
GN_EXPORT gn_status gn_graph_backward(gn_graph *g, gn_node *loss, gn_error *err);
/* Back-propagates from any node, seeded with dL/d(node) = seed (numel of
 * the node's value; NULL = ones). Chains separate graphs: feed one model's
 * output into another's input (requires_grad), back-propagate there, and
 * seed this model with that input's gradient (GAN, VAE). Added in 1.1. */
GN_EXPORT gn_status gn_graph_backward_seeded(gn_graph *g, gn_node *node, const float *seed,
                                             gn_error *err);

/* Training mode (dropout active, batch norm uses batch statistics). */
GN_EXPORT void gn_graph_set_training(gn_graph *g, int training);
GN_EXPORT int gn_graph_training(const gn_graph *g);
/* RNG used by stochastic ops (transfer none). */
GN_EXPORT void gn_graph_set_rng(gn_graph *g, gn_rng *rng);
GN_EXPORT gn_rng *gn_graph_rng(gn_graph *g);
/* Step scratch: reset at the start of every forward pass. */
GN_EXPORT gn_arena *gn_graph_scratch(gn_graph *g);

/* --- node accessors (for op implementations and callers) --- */
GN_EXPORT gn_tensor *gn_node_value(gn_node *n);
GN_EXPORT gn_tensor *gn_node_grad(gn_node *n); /* NULL when not needed */
GN_EXPORT gn_node *gn_node_input(gn_node *n, int i);
GN_EXPORT int gn_node_n_inputs(const gn_node *n);
GN_EXPORT const gn_op_attrs *gn_node_attrs(const gn_node *n);
GN_EXPORT const gn_op_vtable *gn_node_op(const gn_node *n); /* NULL for inputs/params */
GN_EXPORT const char *gn_node_name(const gn_node *n);
GN_EXPORT gn_graph *gn_node_graph(gn_node *n);
/* In backward of an op with GN_OP_CAN_ASSIGN_DX: 1 when input i's
 * gradient has not been zeroed and must be overwritten (i = 0 and this op
 * is its only consumer), 0 when dL/d(input) is added to it as usual. 1.3. */
GN_EXPORT int gn_node_grad_assign(const gn_node *n, int i);
/* Sets the output shape during infer; grows the value (and grad) buffers. */
GN_EXPORT gn_status gn_node_set_shape(gn_node *n, int ndim, const int64_t *dims, gn_error *err);
/* Per-node buffer kept from forward to backward (masks, saved
 * probabilities). Slot 0..3; grows as needed; contents persist. */
GN_EXPORT float *gn_node_aux(gn_node *n, int slot, int64_t numel, gn_error *err);

#endif
