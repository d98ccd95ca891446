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
 * bce: p are probabilities in (0, 1), t the same shape; clamped by 1e-7.
 * bce_logits: p are logits (the sigmoid fused in, stable for any value),
 *   t the same shape (added in 1.1).
 * mse and bce_logits: i[0] = 1 sums over each sample's elements and
 *   averages over the batch instead (a VAE's loss per image); the two
 *   inputs then need only the same batch and element count (added in 1.1). */
GN_EXPORT extern const gn_op_vtable gn_op_mse;
GN_EXPORT extern const gn_op_vtable gn_op_cross_entropy;
GN_EXPORT extern const gn_op_vtable gn_op_bce;
GN_EXPORT extern const gn_op_vtable gn_op_bce_logits;

/* Convolutional ops (added in 1.0). Images are (N, C, H, W).
 * conv2d: x (N, C, H, W), W (O, C, kh, kw) (PyTorch layout), b (O);
 *   i[0], i[1] kernel (0 = from the weight), i[2], i[3] strides (0 = 1),
 *   i[4], i[5] symmetric padding, i[6] != 0: TensorFlow "same" padding
 *   (out = ceil(in / stride), the odd pixel at the bottom/right); i[7] = 1
 *   fuses a relu (y = max(conv + b, 0); the conv2d layer uses it for
 *   activation=relu).
 * conv_transpose2d: the adjoint of conv2d; x (N, Ci, H, W),
 *   W (Ci, Co, kh, kw) (PyTorch ConvTranspose2d layout), b (Co); i[0..5] as
 *   conv2d, i[6], i[7] output padding (may be negative to trim);
 *   OH = (H - 1) i[2] - 2 i[4] + kh + i[6].
 * maxpool2d, avgpool2d: i[0], i[1] window, i[2], i[3] strides (0 = the
 *   window), i[4], i[5] padding (at most half the window), i[6] != 0: "same";
 *   padded positions are ignored (the average divides by in-bounds count).
 * global_avg_pool2d: (N, C, H, W) -> (N, C).
 * upsample2d: nearest neighbour, i[0], i[1] integer scales (>= 1).
 * batchnorm: inputs x (N, C) or (N, C, H, W), gamma, beta, running_mean,
 *   running_var (each (C)); f[0] momentum (PyTorch convention, 0.1),
 *   f[1] eps; i[0] != 0 no gamma, i[1] != 0 no beta (those inputs are then
 *   ignored and may be any node). Training mode normalises with batch
 *   statistics and updates the running ones in place. */
GN_EXPORT extern const gn_op_vtable gn_op_conv2d;
GN_EXPORT extern const gn_op_vtable gn_op_conv2d_nobias;
GN_EXPORT extern const gn_op_vtable gn_op_conv_transpose2d;
GN_EXPORT extern const gn_op_vtable gn_op_conv_transpose2d_nobias;
GN_EXPORT extern const gn_op_vtable gn_op_maxpool2d;
GN_EXPORT extern const gn_op_vtable gn_op_avgpool2d;
GN_EXPORT extern const gn_op_vtable gn_op_global_avg_pool2d;
GN_EXPORT extern const gn_op_vtable gn_op_upsample2d;
GN_EXPORT extern const gn_op_vtable gn_op_batchnorm;

/* spectral_norm: W / sigma(W) for a weight W viewed as (dim 0, rest) and u
 * (dim 0 elements, a buffer holding the left singular vector estimate).
 * i[0] power iterations per training forward (1 is usual), which update u;
 * eval mode keeps u. The gradient treats u as a constant (PyTorch's
 * spectral_norm). Added in 1.4. */
GN_EXPORT extern const gn_op_vtable gn_op_spectral_norm;

#endif
