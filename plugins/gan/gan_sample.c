/* The gan_sample trainer: loads a generator checkpoint and writes a grid of
 * samples (samples.png), and the quality score when a scorer is configured:
 *   ganglion run CONF --set experiment.trainer=gan_sample \
 *       --set train.sample_from=RUN/generator.safetensors --out DIR
 * A trainer rather than a command because building [model.generator] from
 * CONF needs the host's model builder, which commands cannot reach. */
#include <stdio.h>
#include <stdlib.h>
#include "gan.h"

static gn_status run_sample(const gn_run_ctx *ctx, gn_error *err) {
    const gn_host_api *h = ctx->host;
    gn_gan_opts o;
    gn_gan_models m = {0};
    gn_data *train = NULL, *test = NULL;
    gn_status st = gn_gan_opts_read(ctx->params, ctx->quick, &o, err);
    if (!st && !o.sample_from)
        st = gn_error_set(err, GN_ERR_CONFIG,
                          "gan_sample: set [train] sample_from = RUN/generator.safetensors (a "
                          "generator checkpoint written by the gan trainer)");
    if (!st) st = h->data_open(ctx->run, "test", &test, err);
    if (!st) st = h->data_open(ctx->run, "train", &train, err);
    if (!st) st = gn_gan_models_build(ctx, &o, test, 0, &m, err);
    if (!st) st = gn_gan_load(m.g, o.sample_from, "[train] sample_from:", err);
    int n = o.grid_rows * o.grid_cols;
    float *z = NULL, *x = NULL;
    if (!st) {
        z = malloc((size_t)n * (size_t)gn_gan_z_dim(&o) * sizeof *z);
        x = malloc((size_t)n * (size_t)m.sample * sizeof *x);
        if (!z || !x) st = gn_error_set(err, GN_ERR_NOMEM, "gan_sample: out of memory");
    }
    if (!st) {
        gn_gan_noise_fill(z, n, &o, ctx->rng);
        st = gn_gan_generate(&m, z, n, x, err);
    }
    char ep[32] = "?", title[96];
    gn_error merr = {0};
    if (!st) gn_checkpoint_read_meta(o.sample_from, "epoch", ep, sizeof ep, &merr);
    snprintf(title, sizeof title, "Samples after epoch %s", ep);
    if (!st)
        st = gn_gan_grid_png(ctx, "samples.png", title, x, n, o.grid_rows, o.grid_cols, &m,
                             o.grid_scale, err);
    if (!st) {
        char msg[600];
        snprintf(msg, sizeof msg, "wrote samples.png: %d samples from %s", n, o.sample_from);
        h->log(ctx->run, GN_LOG_INFO, msg);
        printf("%s\n", msg);
        gn_gan_scorer *sc = NULL;
        st = gn_gan_scorer_open(ctx, &o, train, train, &sc, err);
        if (!st) st = gn_gan_score(ctx, &o, sc, &m, test, err);
        gn_gan_scorer_free(sc);
    }
    free(z);
    free(x);
    gn_gan_models_free(&m);
    return st;
}

static gn_status check_sample(const gn_run_ctx *ctx, gn_error *err) {
    return gn_gan_check(ctx, 0, err);
}

const gn_trainer_vtable gn_gan_sample_trainer = {
    .struct_size = sizeof(gn_trainer_vtable),
    .name = "gan_sample",
    .doc = "samples.png from a generator checkpoint ([train] sample_from), and its quality score",
    .schema = gn_gan_schema,
    .run = run_sample,
    .check = check_sample,
};
