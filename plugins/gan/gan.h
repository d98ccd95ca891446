/* GAN plugin: declarations shared by its files. */
#ifndef GN_GAN_H
#define GN_GAN_H

#include <ganglion/ganglion.h>

extern const gn_trainer_vtable gn_gan_trainer;
extern const gn_trainer_vtable gn_gan_sample_trainer;
extern const gn_command_vtable gn_gan_cmd_sample;
extern const gn_param_schema gn_gan_schema[];

typedef enum { GN_GAN_NONSATURATING, GN_GAN_MINIMAX } gn_gan_gloss;
typedef enum { GN_GAN_NOISE_NORMAL, GN_GAN_NOISE_UNIFORM } gn_gan_noise;
typedef enum { GN_GAN_SCORER_STANDARD, GN_GAN_SCORER_SCALE, GN_GAN_SCORER_SYMMETRIC } gn_gan_snorm;

/* [train] of the gan trainer, read once (schema in gan_options.c). */
typedef struct gn_gan_opts {
    int epochs, d_steps, noise_dim, shuffle;
    int64_t batch, limit; /* limit: real samples per epoch (0 = all) */
    gn_gan_gloss gloss;
    gn_gan_noise noise;
    double real_label; /* 1 - label_smoothing (one-sided: fakes stay 0) */
    int grid_rows, grid_cols, grid_scale, progression_cols, checkpoint_every;
    const char *resume_from, *init_generator, *init_discriminator; /* NULL = none */
    const char *scorer_checkpoint, *scorer_conf, *sample_from;     /* NULL = none */
    gn_gan_snorm scorer_norm;
    int64_t score_samples, epoch_score_samples;
    double ema;           /* decay of the generator's weight average (0 = off) */
    int lr_decay_start;   /* epoch after which both learning rates fall linearly (0 = off) */
    int noise_categories; /* one-hot latent code appended to the noise (0 = none) */
} gn_gan_opts;

/* The generator's input width: the noise, then the one-hot code. */
static inline int gn_gan_z_dim(const gn_gan_opts *o) {
    return o->noise_dim + o->noise_categories;
}

gn_status gn_gan_opts_read(const gn_section *p, int quick, gn_gan_opts *o, gn_error *err);

/* Both models, checked against the data (gan_models.c). */
typedef struct gn_gan_models {
    gn_model *g, *d;
    gn_node *z, *fake;      /* generator input and output */
    gn_node *x, *logit;     /* discriminator input and logits (B, 1) */
    gn_node *target, *loss; /* BCE-with-logits loss on the logits */
    int ndim;               /* data sample dims */
    int64_t dims[GN_MAX_DIMS], sample;
} gn_gan_models;

/* need_d = 0 builds the generator only (sampling). */
gn_status gn_gan_models_build(const gn_run_ctx *ctx, const gn_gan_opts *o, gn_data *data,
                              int need_d, gn_gan_models *m, gn_error *err);
void gn_gan_models_free(gn_gan_models *m);
/* Makes m->d's input differentiable and adds the target input and the loss
 * on m->logit (m->d, m->x and m->logit set). */
gn_status gn_gan_attach_loss(gn_gan_models *m, gn_error *err);
/* Fills rows x gn_gan_z_dim(o) generator inputs from rng: noise_dim values of the
 * noise distribution, then a one-hot of a uniformly drawn category when
 * noise_categories > 0. */
void gn_gan_noise_fill(float *z, int64_t rows, const gn_gan_opts *o, gn_rng *rng);
/* The generator's loss on the discriminator's logits for a fake batch:
 * non-saturating BCE(x, 1) = -log D(G(z)), or minimax -BCE(x, 0) =
 * log(1 - D(G(z))) (its gradient: the BCE's, seeded with -1). Runs D's
 * forward and backward; *value is the loss. */
gn_status gn_gan_g_loss(gn_gan_models *m, gn_gan_gloss kind, const float *fake, int64_t n,
                        const float *targets, double *value, gn_error *err);
/* Generator outputs for n noise rows (eval mode), into out (n x sample). */
gn_status gn_gan_generate(gn_gan_models *m, const float *z, int64_t n, float *out, gn_error *err);

/* gan_checkpoints.c */
gn_status gn_gan_save(const gn_run_ctx *ctx, gn_gan_models *m, const char *suffix, int epoch,
                      gn_error *err);
gn_status gn_gan_save_generator(const gn_run_ctx *ctx, gn_gan_models *m, const char *name,
                                int epoch, gn_error *err);
/* Loads resume_from / init_* keys; *epoch is the epoch training resumes after. */
gn_status gn_gan_load_initial(const gn_run_ctx *ctx, const gn_gan_opts *o, gn_gan_models *m,
                              int *epoch, gn_error *err);
gn_status gn_gan_load(gn_model *model, const char *path, const char *what, gn_error *err);

/* gan_pictures.c */
gn_status gn_gan_grid_png(const gn_run_ctx *ctx, const char *name, const char *title,
                          const float *images, int n, int rows, int cols, const gn_gan_models *m,
                          int scale, gn_error *err);
/* progression.png: one row per kept epoch (tiles: cols images each). */
gn_status gn_gan_progression_png(const gn_run_ctx *ctx, const float *tiles, const int *epochs,
                                 int n_epochs, int cols, const gn_gan_models *m, gn_error *err);
/* losses.svg: d_loss and g_loss against (fractional) epochs. */
gn_status gn_gan_losses_svg(const gn_run_ctx *ctx, const double *x, const double *d,
                            const double *g, int64_t n, gn_error *err);

/* gan_score.c: the classifier-based inception score. */
/* exp(mean_i KL(p(y|x_i) || p(y))) over n rows of c probabilities; counts
 * (c, may be NULL) receives the histogram of argmax classes. */
double gn_gan_inception_score(const float *probs, int64_t n, int c, int64_t *counts);
/* Softmax of n rows of c logits, in place. */
void gn_gan_softmax_rows(float *x, int64_t n, int c);
/* The scorer ([model.scorer] with scorer_checkpoint's weights), checked
 * before training so a missing file fails early; *out NULL = no score. */
typedef struct gn_gan_scorer gn_gan_scorer;
/* shape: a split giving the image shape; train: the split whose moments map
 * images for scorer_normalize = standard (NULL: check only, no moments). */
gn_status gn_gan_scorer_open(const gn_run_ctx *ctx, const gn_gan_opts *o, gn_data *shape,
                             gn_data *train, gn_gan_scorer **out, gn_error *err);
/* `ganglion check` / `summary`: builds the models run would build (the host
 * prints their summaries) and loads the checkpoints it would load. */
gn_status gn_gan_check(const gn_run_ctx *ctx, int need_d, gn_error *err);
void gn_gan_scorer_free(gn_gan_scorer *s);
/* Inception score of n images generated from noise of a fixed seed (the
 * same images' noise every epoch; the run's rng is not touched). */
gn_status gn_gan_score_epoch(const gn_gan_opts *o, gn_gan_scorer *s, gn_gan_models *m, int64_t n,
                             double *score, gn_error *err);
/* Scores real test images and generated ones; results, class_histogram.*. */
gn_status gn_gan_score(const gn_run_ctx *ctx, const gn_gan_opts *o, gn_gan_scorer *s,
                       gn_gan_models *m, gn_data *test, gn_error *err);

#endif
