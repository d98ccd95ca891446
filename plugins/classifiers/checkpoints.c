/* Checkpoints of the supervised trainer: safetensors files in the run folder. */
#include <stdio.h>
#include "trainer.h"

gn_status gn_trainer_checkpoint(trainer *t, const char *name, int epoch, gn_error *err) {
    char path[4400], ep[32], best[64];
    gn_status st = t->ctx->host->artifact_path(t->ctx->run, name, path, sizeof path, err);
    if (st) return st;
    snprintf(ep, sizeof ep, "%d", epoch);
    snprintf(best, sizeof best, "%.9g", t->best_value);
    const char *keys[] = {"epoch", "monitor", "best"}, *values[] = {ep, t->o.monitor, best};
    gn_checkpoint_meta meta = {sizeof meta, t->best_epoch ? 3 : 1, keys, values};
    return gn_checkpoint_save(t->model, path, &meta, err);
}

gn_status gn_trainer_init_from(trainer *t, gn_error *err) {
    gn_status st = gn_checkpoint_load(t->model, t->o.init_from, 1, err);
    if (st) { /* a bad file is a data error (exit 1), not a config error */
        if (st == GN_ERR_INVALID || st == GN_ERR_CONFIG) err->status = GN_ERR_FORMAT;
        return gn_error_prefix(err, "[train] init_from");
    }
    char msg[512];
    snprintf(msg, sizeof msg, "initialised from %s", t->o.init_from);
    t->ctx->host->log(t->ctx->run, GN_LOG_INFO, msg);
    return GN_OK;
}
