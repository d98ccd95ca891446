/* The gan trainer's [train] keys. Names follow the PyTorch DCGAN example
 * where it has one (lr 2e-4, beta1 0.5); g_ and d_ keys set each model. */
#include <stdio.h>
#include <string.h>
#include "gan.h"

const gn_param_schema gn_gan_schema[] = {
    GN_PARAM_INT("epochs", "20", 1, 1e6, "passes over the real training images"),
    GN_PARAM_INT("batch_size", "64", 1, 1 << 20, "real (and fake) images per step"),
    GN_PARAM_INT("noise_dim", "100", 1, 1 << 16, "length of the generator's noise vector z"),
    GN_PARAM_CHOICE("noise", "normal", "normal|uniform", "z ~ N(0, 1) or U(-1, 1)"),
    GN_PARAM_INT("noise_categories", "0", 0, 1 << 12,
                 "a one-hot code of this many uniformly drawn categories appended to z (InfoGAN's "
                 "categorical code, without its mutual-information loss); 0 = none"),
    GN_PARAM_CHOICE("generator_loss", "non_saturating", "non_saturating|minimax",
                    "non_saturating: -log D(G(z)); minimax: log(1 - D(G(z))) (Goodfellow 2014)"),
    GN_PARAM_INT("d_steps", "1", 1, 100, "discriminator steps per generator step (k)"),
    GN_PARAM_FLOAT("label_smoothing", "0", 0, 0.5,
                   "one-sided: real images get target 1 - s, fakes keep 0"),
    GN_PARAM_CHOICE("g_optimizer", "adam", GN_OPTIM_CHOICES, "the generator's optimizer"),
    GN_PARAM_CHOICE("d_optimizer", "adam", GN_OPTIM_CHOICES, "the discriminator's optimizer"),
    GN_PARAM_FLOAT("g_lr", "0.0002", 0, 1e3, "the generator's learning rate"),
    GN_PARAM_FLOAT("d_lr", "0.0002", 0, 1e3, "the discriminator's learning rate"),
    GN_PARAM_FLOAT("beta1", "0.5", 0, 0.999999, "adam, adamw: both models (DCGAN: 0.5)"),
    GN_PARAM_FLOAT("beta2", "0.999", 0, 0.999999, "adam, adamw: both models"),
    GN_PARAM_FLOAT("momentum", "", 0, 0.999999, "momentum, nesterov: both models"),
    GN_PARAM_FLOAT("weight_decay", "", 0, 10, "both models"),
    GN_PARAM_FLOAT("ema", "0", 0, 0.99999,
                   "decay of a moving average of the generator's weights used for grids, scores "
                   "and generator_ema.safetensors (0 = off; 0.999 is usual; warm-up "
                   "min(decay, (1 + n) / (10 + n)) after n steps)"),
    GN_PARAM_INT("lr_decay_start", "0", 0, 1e6,
                 "after this epoch both learning rates fall linearly, to lr / (epochs - start "
                 "+ 1) in the last one (CycleGAN's schedule; 0 = constant)"),
    GN_PARAM_BOOL("shuffle", "true", "new order of the real images every epoch"),
    GN_PARAM_INT("samples", "0", 0, 1e9, "real images per epoch (0 = all)"),
    GN_PARAM_INT("quick_epochs", "1", 1, 1e6, "epochs under --quick"),
    GN_PARAM_INT("quick_samples", "0", 0, 1e9, "real images per epoch under --quick (0 = all)"),
    GN_PARAM_INT("grid_rows", "8", 1, 64, "rows of the per-epoch sample grid (fixed noise)"),
    GN_PARAM_INT("grid_cols", "8", 1, 64, "columns of the per-epoch sample grid"),
    GN_PARAM_INT("grid_scale", "2", 1, 16, "pixel size of the grids"),
    GN_PARAM_INT("progression_cols", "10", 1, 64, "samples per epoch row in progression.png"),
    GN_PARAM_INT("checkpoint_every", "0", 0, 1e6,
                 "also keep generator-epoch-N.safetensors every N epochs (0 = only the last)"),
    GN_PARAM_STRING("resume_from", "",
                    "run folder with generator.safetensors and discriminator.safetensors: "
                    "continue after its epoch up to epochs (optimizer state starts afresh)"),
    GN_PARAM_STRING("init_generator", "", "start the generator from this safetensors file"),
    GN_PARAM_STRING("init_discriminator", "", "start the discriminator from this file"),
    GN_PARAM_STRING("scorer_checkpoint", "",
                    "classifier weights for [model.scorer] (inception score; empty = no score)"),
    GN_PARAM_STRING("scorer_conf", "", "the classifiers conf that trains the scorer (for hints)"),
    GN_PARAM_CHOICE("scorer_normalize", "standard", "standard|scale|symmetric",
                    "the scorer's [data] normalize; GAN images in [-1, 1] are mapped to it"),
    GN_PARAM_INT("score_samples", "10000", 0, 1e7,
                 "generated (and real test) images scored at the end; 0 = no score"),
    GN_PARAM_INT("quick_score_samples", "2000", 0, 1e7, "score_samples under --quick"),
    GN_PARAM_INT("epoch_score_samples", "2000", 0, 1e7,
                 "generated images scored after every epoch (the inception_score column of "
                 "metrics.csv, same noise every epoch); 0 = only the final score"),
    GN_PARAM_STRING("sample_from", "",
                    "gan_sample trainer: the generator checkpoint to draw samples.png from"),
    GN_PARAM_END,
};

static const char *opt_str(const gn_section *p, const char *key) {
    const char *s = gn_section_str(p, key);
    return s && *s ? s : NULL;
}

gn_status gn_gan_opts_read(const gn_section *p, int quick, gn_gan_opts *o, gn_error *err) {
    memset(o, 0, sizeof *o);
    o->epochs = (int)gn_section_int(p, quick ? "quick_epochs" : "epochs");
    o->batch = gn_section_int(p, "batch_size");
    o->limit = gn_section_int(p, quick ? "quick_samples" : "samples");
    o->noise_dim = (int)gn_section_int(p, "noise_dim");
    o->noise_categories = (int)gn_section_int(p, "noise_categories");
    o->noise =
        strcmp(gn_section_str(p, "noise"), "uniform") ? GN_GAN_NOISE_NORMAL : GN_GAN_NOISE_UNIFORM;
    o->gloss = strcmp(gn_section_str(p, "generator_loss"), "minimax") ? GN_GAN_NONSATURATING
                                                                      : GN_GAN_MINIMAX;
    o->d_steps = (int)gn_section_int(p, "d_steps");
    o->real_label = 1.0 - gn_section_float(p, "label_smoothing");
    o->shuffle = gn_section_bool(p, "shuffle");
    o->grid_rows = (int)gn_section_int(p, "grid_rows");
    o->grid_cols = (int)gn_section_int(p, "grid_cols");
    o->grid_scale = (int)gn_section_int(p, "grid_scale");
    o->progression_cols = (int)gn_section_int(p, "progression_cols");
    o->checkpoint_every = (int)gn_section_int(p, "checkpoint_every");
    o->resume_from = opt_str(p, "resume_from");
    o->init_generator = opt_str(p, "init_generator");
    o->init_discriminator = opt_str(p, "init_discriminator");
    o->scorer_checkpoint = opt_str(p, "scorer_checkpoint");
    o->scorer_conf = opt_str(p, "scorer_conf");
    o->sample_from = opt_str(p, "sample_from");
    const char *sn = gn_section_str(p, "scorer_normalize");
    o->scorer_norm = !strcmp(sn, "scale")       ? GN_GAN_SCORER_SCALE
                     : !strcmp(sn, "symmetric") ? GN_GAN_SCORER_SYMMETRIC
                                                : GN_GAN_SCORER_STANDARD;
    o->ema = gn_section_float(p, "ema");
    o->lr_decay_start = (int)gn_section_int(p, "lr_decay_start");
    o->score_samples = gn_section_int(p, quick ? "quick_score_samples" : "score_samples");
    o->epoch_score_samples = gn_section_int(p, "epoch_score_samples");
    if (quick && o->epoch_score_samples > o->score_samples)
        o->epoch_score_samples = o->score_samples;
    if (o->resume_from && (o->init_generator || o->init_discriminator))
        return gn_error_set(err, GN_ERR_CONFIG,
                            "[train] resume_from: give either resume_from or init_generator/"
                            "init_discriminator, not both");
    return GN_OK;
}
