/* Autoencoders plugin: declarations of the variational autoencoder. */
#ifndef GN_VAE_H
#define GN_VAE_H

#include <ganglion/ganglion.h>

/* Registers the VAE trainer and its evaluators and commands. */
gn_status gn_vae_register(gn_plugin_ctx *ctx, gn_error *err);

#endif
