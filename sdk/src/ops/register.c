/* Registers the core ops under plugin "core". */
#include "core_register.h"
#include "ops/ops_internal.h"

static const gn_op_vtable *const core_ops[] = {
    &gn_op_linear,
    &gn_op_linear_nobias,
    &gn_op_add,
    &gn_op_relu,
    &gn_op_leaky_relu,
    &gn_op_elu,
    &gn_op_selu,
    &gn_op_tanh,
    &gn_op_sigmoid,
    &gn_op_softmax,
    &gn_op_lecun_tanh,
    &gn_op_mish,
    &gn_op_gelu,
    &gn_op_softplus,
    &gn_op_swish,
    &gn_op_reshape,
    &gn_op_flatten,
    &gn_op_dropout,
    &gn_op_mse,
    &gn_op_cross_entropy,
    &gn_op_bce,
    &gn_op_bce_logits,
    &gn_op_conv2d,
    &gn_op_conv2d_nobias,
    &gn_op_conv_transpose2d,
    &gn_op_conv_transpose2d_nobias,
    &gn_op_maxpool2d,
    &gn_op_avgpool2d,
    &gn_op_global_avg_pool2d,
    &gn_op_upsample2d,
    &gn_op_batchnorm,
    &gn_op_spectral_norm,
};

gn_status gn_ops_register_core(gn_registry *r, gn_error *err) {
    for (size_t i = 0; i < sizeof core_ops / sizeof core_ops[0]; i++) {
        gn_status st = gn_registry_add(r, GN_KIND_OP, "core", core_ops[i]->name, core_ops[i], err);
        if (st != GN_OK) return st;
    }
    return GN_OK;
}
