/* Autoencoders plugin: descriptor and registration. The plain and stacked
 * autoencoders (ae_*.c) and the variational autoencoder (vae_*.c) each
 * register their own items. */
#include "autoencoders.h"
#include "vae.h"

static gn_status autoencoders_init(gn_plugin_ctx *ctx, gn_error *err) {
    gn_status st;
    if ((st = gn_ae_register(ctx, err)) || (st = gn_vae_register(ctx, err))) return st;
    return GN_OK;
}

static const gn_plugin_desc autoencoders_desc = {
    GN_PLUGIN_HEADER,
    .name = "autoencoders",
    .version = GN_VERSION,
    .description = "dense, stacked and convolutional autoencoders; the variational autoencoder",
    .license = "MIT",
    .init = autoencoders_init,
};

GN_PLUGIN_DEFINE(autoencoders_desc)
