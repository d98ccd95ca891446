/* Autoencoders plugin: declarations of the variational autoencoder. */
#ifndef GN_VAE_H
#define GN_VAE_H

#include <ganglion/ganglion.h>

/* Registers the VAE trainer and its ops. */
gn_status gn_vae_register(gn_plugin_ctx *ctx, gn_error *err);

/* vae_ops.c. Losses are per image (the SDK's bce_logits and mse with
 * reduction i[0] = 1): summed over pixels (or latent units),
 * averaged over the batch, as pytorch/examples' vae divides by N.
 * vae_sample: inputs h (B, 2L) = [mean | log-variance], eps (B, L);
 *   output (B, L + 1): z = mean + exp(logvar / 2) eps in columns 0..L-1,
 *   and the sample's KL(q(z|x) || N(0, I)) in column L, so one seeded
 *   backward through the encoder carries both the decoder's dL/dz and the
 *   KL term's gradient. */
extern const gn_op_vtable gn_vae_op_sample;

/* Options of the [train] section (vae_options.c). */
typedef struct gn_vae_opts {
    int epochs;
    int64_t batch, eval_batch, limit;
    int shuffle, bce, latent; /* latent 0: half the encoder's output */
    double beta;
    int grid, recon, interp_steps, interp_pairs, manifold, scatter;
    double manifold_range;
} gn_vae_opts;

extern const gn_param_schema gn_vae_schema[];
gn_status gn_vae_opts_read(const gn_section *p, int quick, gn_vae_opts *o, gn_error *err);

/* The trainer's state, shared by its files. */
typedef struct gn_vae {
    const gn_run_ctx *ctx;
    gn_vae_opts o;
    gn_model *enc, *dec;
    gn_node *x, *eps, *sample; /* encoder input, noise, vae_sample */
    gn_node *z, *out, *loss;   /* decoder input, output (logits for bce), loss */
    gn_optim *opt_enc, *opt_dec;
    int latent;
    int64_t d;                  /* values per image */
    gn_data_info info;          /* of the training split */
    float *zbuf, *noise, *seed; /* (cap, L), (cap, L), (cap, L + 1) */
    int64_t cap;                /* rows zbuf and seed hold */
} gn_vae;

/* vae_trainer.c: encodes rows of x (n <= cap) into zbuf; sample 0 uses
 * the means (eps = 0), else draws eps from the run's RNG. */
gn_status gn_vae_encode(gn_vae *v, const float *x, int64_t n, int sample, gn_error *err);
/* Decodes n codes (any number) into images in [0, 1] for bce (sigmoid of the
 * logits) or the decoder's output for mse; out holds n * d floats. */
gn_status gn_vae_decode(gn_vae *v, const float *z, int64_t n, float *out, gn_error *err);

extern const gn_trainer_vtable gn_vae_trainer;

/* vae_pictures.c: samples.png (decoded from the prior) and
 * reconstructions.png. vae_interpolate.c: interpolation.png.
 * vae_latent2.c, for a 2-D latent space: latent_scatter.svg (test means by
 * class, when the data has classes) and manifold.png (when images). */
gn_status gn_vae_pictures(gn_vae *v, gn_data *test, gn_error *err);
gn_status gn_vae_interpolation(gn_vae *v, gn_data *test, gn_error *err);
gn_status gn_vae_latent2(gn_vae *v, gn_data *test, int images, gn_error *err);
/* A grid of image tiles shaped like the data (scale applies to tiles of at
 * most 32 pixels), a tile drawn as the loss sees it, and a grid written as
 * an artifact (then freed). */
gn_image_grid *gn_vae_grid(gn_vae *v, int rows, int cols, int scale, int captions, gn_error *err);
gn_status gn_vae_tile(gn_vae *v, gn_image_grid *g, int row, int col, const float *img,
                      const char *caption, gn_error *err);
gn_status gn_vae_write_grid(gn_vae *v, gn_image_grid *g, const char *name, gn_error *err);

#endif
