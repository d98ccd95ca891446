/* Autoencoders plugin: declarations of the plain and stacked autoencoders. */
#ifndef GN_AUTOENCODERS_H
#define GN_AUTOENCODERS_H

#include <ganglion/ganglion.h>

/* Registers the autoencoder trainers, evaluators and commands. */
gn_status gn_ae_register(gn_plugin_ctx *ctx, gn_error *err);

extern const gn_trainer_vtable gn_ae_trainer;         /* "autoencoder" */
extern const gn_trainer_vtable gn_ae_stacked_trainer; /* "stacked_autoencoder" */

/* ---- ae_options.c: [train] keys shared by both trainers ---- */

typedef struct gn_ae_opts {
    int epochs;                       /* autoencoder: epochs; stacked: per pre-training layer */
    int clf_epochs, ft_epochs;        /* stacked: classifier and fine-tuning epochs */
    int64_t batch, eval_batch, limit; /* limit: training samples per epoch (0 = all) */
    int shuffle;
    int bce;        /* reconstruction loss: binary cross-entropy, else mse */
    int grid;       /* test images in reconstructions.png */
    int class_mean; /* write class_means.png */
} gn_ae_opts;

extern const gn_param_schema gn_ae_schema[];
extern const gn_param_schema gn_ae_stacked_schema[];

gn_status gn_ae_opts_read(const gn_run_ctx *ctx, int stacked, gn_ae_opts *o, gn_error *err);

/* A configuration error about key of section p, "FILE:LINE: [train] key: what"
 * (the line when the key is in the file). Returns GN_ERR_CONFIG. */
gn_status gn_ae_bad_key(const gn_section *p, const char *key, gn_error *err, const char *what);

/* An optimizer over n parameters from [train] (optimizer, lr, beta1, ...);
 * lr > 0 overrides the configured rate. Caller owns. */
gn_optim *gn_ae_optimizer(const gn_section *p, int64_t n, double lr, gn_error *err);

/* ---- ae_common.c: helpers for both trainers ---- */

/* The reconstruction loss of pred against a new target input shaped like
 * pred: the SDK's bce_logits on the sigmoid's input when bce (the decoder
 * must end in sigmoid; the fused loss stays finite and keeps the gradient of
 * saturated pixels), else mse. *target receives the target input. */
gn_status gn_ae_loss(const gn_section *p, gn_graph *g, gn_node *pred, int bce, const char *who,
                     gn_node **target, gn_node **loss, gn_error *err);

/* BCE needs targets in [0, 1] (normalize = scale). */
gn_status gn_ae_check_range(const gn_section *p, const float *x, int64_t n, gn_error *err);

/* Shape of a node's value per sample as "(None, 1, 28, 28)". */
void gn_ae_shape(gn_node *n, char *buf, size_t size);

/* Values per sample of a node's current value. */
int64_t gn_ae_per_sample(gn_node *n);

/* Writes a PNG grid as a run artifact and frees it. */
gn_status gn_ae_grid_save(const gn_run_ctx *ctx, gn_image_grid *g, const char *name, gn_error *err);

/* ---- ae_trainer.c / ae_pictures.c: the autoencoder trainer ---- */

/* An encoder chained into a decoder: two graphs, the decoder's input asks
 * for its gradient, which seeds the encoder's backward pass. */
typedef struct gn_ae {
    const gn_run_ctx *ctx;
    gn_ae_opts o;
    gn_data_info info;
    gn_model *enc, *dec;
    gn_node *x, *code, *z, *pred, *target, *loss;
    gn_optim *opt_enc, *opt_dec;
    int64_t sample, latent; /* values per input sample and per code */
} gn_ae;

/* Encodes and decodes a batch of n samples (forward up to the loss). */
gn_status gn_ae_forward(gn_ae *a, const float *x, int64_t n, gn_error *err);
/* Decodes n codes (forward of the decoder only, to pred). */
gn_status gn_ae_decode(gn_ae *a, const float *codes, int64_t n, gn_error *err);

/* reconstructions.png and class_means.png of the test split. */
gn_status gn_ae_pictures(gn_ae *a, gn_data *test, gn_error *err);

/* ---- ae_stacked_report.c ---- */

#define GN_AE_MAX_PHASES 8

typedef struct gn_ae_phase {
    char name[48];              /* "pretrain layer 1 (256)" */
    int first, n;               /* global epoch of its first epoch, epochs run */
    double loss[256];           /* training loss per epoch (first 256) */
    double val[256];            /* validation loss per epoch, NaN without val */
    double test_loss, test_acc; /* NaN when it has none */
} gn_ae_phase;

/* stacked_loss.svg (loss across the phases) and stacked_phases.csv. */
gn_status gn_ae_stacked_report(const gn_run_ctx *ctx, const gn_ae_phase *ph, int n, gn_error *err);

/* ---- ae_stacked_*.c: the stacked autoencoder ---- */

#define GN_STK_MAX_LEVELS 8

/* One level of the stack: a dense layer of [model.encoder] with the layers
 * that follow it, and the decoder that pre-trains it. */
typedef struct gn_stk_level {
    gn_node *out;   /* the level's output node in the encoder graph */
    int64_t units;  /* values per code */
    int64_t off, n; /* its slice of the encoder's flat parameters */
    gn_model *dec;  /* code -> reconstruction of the level's input */
    gn_node *z, *target, *loss;
} gn_stk_level;

typedef struct gn_stk {
    const gn_run_ctx *ctx;
    gn_ae_opts o;
    gn_data_info info;
    int64_t sample;
    gn_model *enc;
    gn_node *x;
    gn_stk_level lv[GN_STK_MAX_LEVELS];
    int n_lv;
    gn_model *head; /* top code -> class logits */
    gn_node *hz, *logits, *labels, *ce;
    gn_ae_phase ph[GN_AE_MAX_PHASES];
    int n_ph, epoch, total_epochs; /* epochs count across the phases */
} gn_stk;

/* Builds the encoder, one decoder per level and the head. */
gn_status gn_stk_build(gn_stk *s, gn_data *train, gn_error *err);
void gn_stk_free(gn_stk *s);

#endif
