/* The VAE trainer's [train] keys: training as the supervised trainer names
 * them, the loss, and what the pictures show. */
#include <string.h>
#include "vae.h"

const gn_param_schema gn_vae_schema[] = {
    GN_PARAM_INT("epochs", "10", 1, 1e6, "passes over the training split"),
    GN_PARAM_INT("batch_size", "128", 1, 1 << 20, "samples per step"),
    GN_OPTIM_SCHEMA("adam"), /* both models */
    GN_PARAM_CHOICE("loss", "bce", "bce|mse",
                    "reconstruction term per image: bce (the decoder outputs logits; pixels in "
                    "[0, 1], normalize = scale) or mse (summed squared error)"),
    GN_PARAM_FLOAT("beta", "1", 0, 1e6, "weight of the KL term (1: the ELBO; beta-VAE otherwise)"),
    GN_PARAM_INT("latent", "0", 0, 1 << 20,
                 "latent units; the encoder ends in dense(2 * latent) (0: half its output)"),
    GN_PARAM_BOOL("shuffle", "true", "new sample order every epoch"),
    GN_PARAM_INT("eval_batch_size", "1000", 1, 1 << 20, "samples per step when evaluating"),
    GN_PARAM_INT("samples", "0", 0, 1e9, "training samples used per epoch (0 = all)"),
    GN_PARAM_INT("quick_epochs", "1", 1, 1e6, "epochs under --quick"),
    GN_PARAM_INT("quick_samples", "0", 0, 1e9, "training samples under --quick (0 = all)"),
    GN_PARAM_INT("sample_grid", "10", 1, 50, "samples.png: side of the grid of prior samples"),
    GN_PARAM_INT("reconstructions", "16", 1, 200,
                 "reconstructions.png: test images shown above their reconstructions"),
    GN_PARAM_INT("interpolation_steps", "10", 2, 50, "interpolation.png: images per row"),
    GN_PARAM_INT("interpolation_pairs", "4", 1, 20,
                 "interpolation.png: rows within a class, and as many between classes"),
    GN_PARAM_INT("manifold_size", "20", 2, 60, "manifold.png (latent = 2): side of the grid"),
    GN_PARAM_FLOAT("manifold_range", "2", 0.1, 10,
                   "manifold.png: z1 and z2 run from -range to +range"),
    GN_PARAM_INT("scatter_samples", "5000", 0, 1e6,
                 "latent_scatter.svg (latent = 2): test codes drawn (0 = all)"),
    GN_PARAM_END,
};

gn_status gn_vae_opts_read(const gn_section *p, int quick, gn_vae_opts *o, gn_error *err) {
    (void)err;
    memset(o, 0, sizeof *o);
    o->epochs = (int)gn_section_int(p, quick ? "quick_epochs" : "epochs");
    o->batch = gn_section_int(p, "batch_size");
    o->eval_batch = gn_section_int(p, "eval_batch_size");
    o->limit = gn_section_int(p, quick ? "quick_samples" : "samples");
    o->shuffle = gn_section_bool(p, "shuffle");
    o->bce = !strcmp(gn_section_str(p, "loss"), "bce");
    o->beta = gn_section_float(p, "beta");
    o->latent = (int)gn_section_int(p, "latent");
    o->grid = (int)gn_section_int(p, "sample_grid");
    o->recon = (int)gn_section_int(p, "reconstructions");
    o->interp_steps = (int)gn_section_int(p, "interpolation_steps");
    o->interp_pairs = (int)gn_section_int(p, "interpolation_pairs");
    o->manifold = (int)gn_section_int(p, "manifold_size");
    o->manifold_range = gn_section_float(p, "manifold_range");
    o->scatter = (int)gn_section_int(p, "scatter_samples");
    return GN_OK;
}
