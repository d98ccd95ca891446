/* Ganglion SDK: the core ops. Each is also registered by name under plugin
 * "core"; the symbols let C code apply them without a registry lookup.
 * Shapes: batch first. Attributes in gn_op_attrs as noted. */
#ifndef GANGLION_OPS_H
#define GANGLION_OPS_H

#include <ganglion/graph.h>

/* y = x W^T + b. x (B, in), W (out, in) (PyTorch layout), b (out). */
GN_EXPORT extern const gn_op_vtable gn_op_linear;
/* y = x W^T (no bias). */
GN_EXPORT extern const gn_op_vtable gn_op_linear_nobias;
/* y = a + b, same shapes. */
GN_EXPORT extern const gn_op_vtable gn_op_add;

/* Activations, elementwise unless noted. */
GN_EXPORT extern const gn_op_vtable gn_op_relu;       /* max(x, 0) */
GN_EXPORT extern const gn_op_vtable gn_op_leaky_relu; /* x > 0 ? x : f[0] x */
GN_EXPORT extern const gn_op_vtable gn_op_elu;        /* x > 0 ? x : f[0] (e^x - 1) */
GN_EXPORT extern const gn_op_vtable gn_op_selu;       /* l (x > 0 ? x : a (e^x - 1)) */
GN_EXPORT extern const gn_op_vtable gn_op_tanh;
GN_EXPORT extern const gn_op_vtable gn_op_sigmoid;    /* 1 / (1 + e^-x) */
GN_EXPORT extern const gn_op_vtable gn_op_softmax;    /* over the last axis */
GN_EXPORT extern const gn_op_vtable gn_op_lecun_tanh; /* 1.7159 tanh(2x/3) + 0.01 x */
GN_EXPORT extern const gn_op_vtable gn_op_mish;       /* x tanh(softplus(x)) */
GN_EXPORT extern const gn_op_vtable gn_op_gelu;       /* x Phi(x), exact (erf) */
GN_EXPORT extern const gn_op_vtable gn_op_softplus;   /* log(1 + e^x) */
GN_EXPORT extern const gn_op_vtable gn_op_swish;      /* x sigmoid(x) */

/* Shape ops. reshape: i[0] = number of per-sample dims, i[1..] = those
 * dims (batch kept). flatten: (B, ...) -> (B, prod). */
GN_EXPORT extern const gn_op_vtable gn_op_reshape;
GN_EXPORT extern const gn_op_vtable gn_op_flatten;
/* Inverted dropout with rate f[0] in training mode; identity otherwise. */
GN_EXPORT extern const gn_op_vtable gn_op_dropout;

/* Losses: scalar output (mean over the batch). Inputs (prediction, target).
 * mse: mean of (p - t)^2 over all elements.
 * cross_entropy: softmax fused in; p are logits (B, C); t is class ids (B)
 *   or probabilities (B, C).
 * bce: p are probabilities in (0, 1), t the same shape; clamped by 1e-7. */
GN_EXPORT extern const gn_op_vtable gn_op_mse;
GN_EXPORT extern const gn_op_vtable gn_op_cross_entropy;
GN_EXPORT extern const gn_op_vtable gn_op_bce;

#endif
