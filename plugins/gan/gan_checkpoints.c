/* Checkpoints of both models: generator.safetensors and
 * discriminator.safetensors in the run folder (epoch in the metadata), and
 * the three ways to start from them (resume_from, init_generator,
 * init_discriminator). */
#include <stdio.h>
#include <stdlib.h>
#include "gan.h"

static gn_status save_one(const gn_run_ctx *ctx, gn_model *model, const char *name, int epoch,
                          gn_error *err) {
    char path[4400], ep[32];
    gn_status st = ctx->host->artifact_path(ctx->run, name, path, sizeof path, err);
    if (st) return st;
    snprintf(ep, sizeof ep, "%d", epoch);
    const char *keys[] = {"epoch", "model"}, *values[] = {ep, gn_model_name(model)};
    gn_checkpoint_meta meta = {sizeof meta, 2, keys, values};
    return gn_checkpoint_save(model, path, &meta, err);
}

gn_status gn_gan_save_generator(const gn_run_ctx *ctx, gn_gan_models *m, const char *name,
                                int epoch, gn_error *err) {
    return save_one(ctx, m->g, name, epoch, err);
}

gn_status gn_gan_save(const gn_run_ctx *ctx, gn_gan_models *m, const char *suffix, int epoch,
                      gn_error *err) {
    char g[128], d[128];
    snprintf(g, sizeof g, "generator%s.safetensors", suffix);
    snprintf(d, sizeof d, "discriminator%s.safetensors", suffix);
    gn_status st = save_one(ctx, m->g, g, epoch, err);
    if (!st) st = save_one(ctx, m->d, d, epoch, err);
    return st;
}

gn_status gn_gan_load(gn_model *model, const char *path, const char *what, gn_error *err) {
    gn_status st = gn_checkpoint_load(model, path, 1, err);
    if (!st) return GN_OK;
    /* a bad file is a data error (exit 1), not a config error */
    if (st == GN_ERR_INVALID || st == GN_ERR_CONFIG) err->status = GN_ERR_FORMAT;
    return gn_error_prefix(err, "%s %s (does the [model.%s] section match the one that saved it?)",
                           what, path, gn_model_name(model));
}

gn_status gn_gan_load_initial(const gn_run_ctx *ctx, const gn_gan_opts *o, gn_gan_models *m,
                              int *epoch, gn_error *err) {
    *epoch = 0;
    char msg[600];
    gn_status st = GN_OK;
    if (o->resume_from) {
        char g[4200], d[4200], ep[32];
        snprintf(g, sizeof g, "%s/generator.safetensors", o->resume_from);
        snprintf(d, sizeof d, "%s/discriminator.safetensors", o->resume_from);
        if ((st = gn_gan_load(m->g, g, "[train] resume_from:", err)) ||
            (st = gn_gan_load(m->d, d, "[train] resume_from:", err)))
            return st;
        if (gn_checkpoint_read_meta(g, "epoch", ep, sizeof ep, err) == GN_OK) *epoch = atoi(ep);
        gn_error_clear(err);
        snprintf(msg, sizeof msg, "resumed both models from %s after epoch %d", o->resume_from,
                 *epoch);
        ctx->host->log(ctx->run, GN_LOG_INFO, msg);
        return GN_OK;
    }
    if (o->init_generator &&
        (st = gn_gan_load(m->g, o->init_generator, "[train] init_generator:", err)))
        return st;
    if (o->init_discriminator &&
        (st = gn_gan_load(m->d, o->init_discriminator, "[train] init_discriminator:", err)))
        return st;
    if (o->init_generator || o->init_discriminator) {
        snprintf(msg, sizeof msg, "initialised from%s%s%s%s", o->init_generator ? " " : "",
                 o->init_generator ? o->init_generator : "", o->init_discriminator ? " " : "",
                 o->init_discriminator ? o->init_discriminator : "");
        ctx->host->log(ctx->run, GN_LOG_INFO, msg);
    }
    return GN_OK;
}
