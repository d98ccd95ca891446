/* GAN plugin: descriptor and registration. */
#include "gan.h"

static gn_status gan_init(gn_plugin_ctx *ctx, gn_error *err) {
    gn_status st;
    if ((st = gn_plugin_register(ctx, GN_KIND_TRAINER, "gan", &gn_gan_trainer, err)) ||
        (st =
             gn_plugin_register(ctx, GN_KIND_TRAINER, "gan_sample", &gn_gan_sample_trainer, err)) ||
        (st = gn_plugin_register(ctx, GN_KIND_COMMAND, "gan-sample", &gn_gan_cmd_sample, err)))
        return st;
    return GN_OK;
}

static const gn_plugin_desc gan_desc = {
    GN_PLUGIN_HEADER,
    .name = "gan",
    .version = GN_VERSION,
    .description = "generative adversarial networks (MLP, DCGAN): trainer, sample grids, "
                   "classifier-based inception score",
    .license = "MIT",
    .init = gan_init,
};

GN_PLUGIN_DEFINE(gan_desc)
