/* Registration of the variational autoencoder: its trainer and fused sampling op. */
#include "vae.h"

gn_status gn_vae_register(gn_plugin_ctx *ctx, gn_error *err) {
    gn_status st;
    if ((st = gn_plugin_register(ctx, GN_KIND_TRAINER, "vae", &gn_vae_trainer, err)) ||
        (st = gn_plugin_register(ctx, GN_KIND_OP, "vae_sample", &gn_vae_op_sample, err)))
        return st;
    return GN_OK;
}
