/* Registration of the plain and stacked autoencoders. */
#include "autoencoders.h"

gn_status gn_ae_register(gn_plugin_ctx *ctx, gn_error *err) {
    gn_status st;
    if ((st = gn_plugin_register(ctx, GN_KIND_TRAINER, "autoencoder", &gn_ae_trainer, err)) ||
        (st = gn_plugin_register(ctx, GN_KIND_TRAINER, "stacked_autoencoder",
                                 &gn_ae_stacked_trainer, err)))
        return st;
    return GN_OK;
}
