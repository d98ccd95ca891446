/* Autoencoders plugin: declarations of the plain and stacked autoencoders. */
#ifndef GN_AUTOENCODERS_H
#define GN_AUTOENCODERS_H

#include <ganglion/ganglion.h>

/* Registers the autoencoder trainers, evaluators and commands. */
gn_status gn_ae_register(gn_plugin_ctx *ctx, gn_error *err);

#endif
