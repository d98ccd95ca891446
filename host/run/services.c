/* The host service table: what plugins may ask of the host during a run. */
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include "config/model_build.h"
#include "run/run_impl.h"

static volatile sig_atomic_t cancel_requested;

void gn_run_request_cancel(void) {
    cancel_requested = 1;
}

static void svc_log(gn_run *run, gn_log_level level, const char *msg) {
    static const char *const names[] = {"debug", "info", "warning", "error"};
    const char *lv = (unsigned)level <= GN_LOG_ERROR ? names[level] : "info";
    gn_buf_printf(&run->log, "[%8.2f] %s: %s\n", gn_now() - run->t0, lv, msg);
    if (level >= GN_LOG_WARN) fprintf(stderr, "ganglion: %s: %s\n", lv, msg);
}

static const gn_section *svc_section(gn_run *run, const char *name) {
    return gn_ini_find(run->ini, name);
}

static gn_status svc_model_build(gn_run *run, const char *name, const gn_data_info *info,
                                 gn_model **out, gn_error *err) {
    gn_status st = gn_config_build_model(run->ini, name, run->reg, &run->rng, info->ndim,
                                         info->dims, out, err);
    /* Trainers with several models (GAN, VAE) report their total. */
    if (!st) run->params += gn_model_n_params(*out);
    /* `ganglion summary` of such a trainer: one table per model it builds. */
    if (!st && run->opts->mode == GN_RUN_SUMMARY && run->trainer && run->trainer->check)
        gn_run_print_summary(*out, run->opts->out);
    return st;
}

static gn_status svc_data_open(gn_run *run, const char *split, gn_data **out, gn_error *err) {
    if (!strcmp(split, "train"))
        /* check / summary load only the test split: it has the same shapes. */
        *out = run->opts->mode == GN_RUN_TRAIN ? run->train : run->test;
    else if (!strcmp(split, "val"))
        *out = run->val;
    else if (!strcmp(split, "test"))
        *out = run->test;
    else
        return gn_error_set(err, GN_ERR_INVALID, "no data split '%s' (train, val, test)", split);
    if (!*out && strcmp(split, "val"))
        return gn_error_set(err, GN_ERR_CONFIG,
                            "the trainer needs the %s split: add a [data] section with a dataset",
                            split);
    return GN_OK;
}

static void svc_data_info(gn_data *d, gn_data_info *out) {
    uint32_t size = out->struct_size; /* a plugin built against a smaller struct */
    gn_data_info full = {.struct_size = sizeof full};
    gn_data_view_info(d, &full);
    full.class_names = (const char *const *)d->ds->class_names;
    memcpy(out, &full, size && size < sizeof full ? size : sizeof full);
    out->struct_size = size ? size : (uint32_t)sizeof full;
}
static void svc_data_shuffle(gn_data *d, gn_rng *rng) {
    gn_data_view_shuffle(d, rng);
}
static gn_status svc_data_batch(gn_data *d, int64_t start, int64_t count, gn_batch *out,
                                gn_error *err) {
    return gn_data_view_batch(d, start, count, out, err);
}

static void svc_epoch_begin(gn_run *run, int epoch, int epochs, int64_t steps) {
    gn_progress_epoch_begin(&run->progress, epoch, epochs, steps);
}

static void svc_step_end(gn_run *run, int64_t step, const gn_metric *m, int n) {
    gn_progress_step(&run->progress, step, m, n);
}

static void svc_epoch_end(gn_run *run, int epoch, const gn_metric *m, int n) {
    gn_progress_epoch_end(&run->progress, m, n);
    gn_buf_printf(&run->log, "[%8.2f] epoch %d:", gn_now() - run->t0, epoch);
    for (int i = 0; i < n; i++)
        gn_buf_printf(&run->log, " %s=%.6g", m[i].name, m[i].value);
    gn_buf_printf(&run->log, "\n");
    gn_error err = {0};
    /* Reports are rewritten after every epoch, so a crash loses one epoch at most. */
    /* Wall time since the start, for curves against time (train split). */
    gn_metric wall = {"wall_seconds", gn_now() - run->t0};
    if (gn_results_epoch(run->results, epoch, m, n, &err) ||
        gn_results_epoch(run->results, epoch, &wall, 1, &err) ||
        gn_run_write_reports(run, "running", &err))
        fprintf(stderr, "ganglion: warning: %s\n", err.msg);
}

static void svc_result(gn_run *run, const char *split, const char *name, double value) {
    gn_error err = {0};
    if (gn_results_final(run->results, split, name, value, &err))
        fprintf(stderr, "ganglion: warning: %s\n", err.msg);
}

/* A plain relative name: no "..", no absolute path, no empty parts. */
static int safe_relpath(const char *p) {
    if (!*p || *p == '/' || strlen(p) > 255) return 0;
    for (const char *s = p; *s;) {
        const char *slash = strchr(s, '/');
        size_t len = slash ? (size_t)(slash - s) : strlen(s);
        if (len == 0 || (len == 2 && !strncmp(s, "..", 2)) || (len == 1 && *s == '.')) return 0;
        if (!slash) break;
        s = slash + 1;
    }
    return strchr(p, '/') == NULL; /* sub-folders are not needed yet: keep it flat */
}

static gn_status svc_artifact(gn_run *run, const char *relpath, const void *data, size_t size,
                              gn_error *err) {
    if (!safe_relpath(relpath))
        return gn_error_set(err, GN_ERR_INVALID, "artifact name '%s' is not a plain file name",
                            relpath);
    if (!run->dir[0]) return GN_OK; /* check/summary: nothing is written */
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", run->dir, relpath);
    return gn_write_atomic(path, data, size, err);
}

static gn_status svc_artifact_path(gn_run *run, const char *relpath, char *out, size_t size,
                                   gn_error *err) {
    if (!safe_relpath(relpath))
        return gn_error_set(err, GN_ERR_INVALID, "artifact name '%s' is not a plain file name",
                            relpath);
    if (!run->dir[0]) return gn_error_set(err, GN_ERR_INVALID, "this command has no run folder");
    int n = snprintf(out, size, "%s/%s", run->dir, relpath);
    if (n < 0 || (size_t)n >= size) return gn_error_set(err, GN_ERR_INVALID, "path too long");
    return GN_OK;
}

static gn_status svc_evaluate(gn_run *run, const gn_eval_input *in, gn_error *err) {
    for (int i = 0; i < run->n_evals; i++) {
        gn_eval_ctx ctx = {sizeof ctx, &gn_host_services, run, run->evals[i].params, {0}};
        gn_status st = run->evals[i].vt->evaluate(&ctx, in, err);
        if (st) return gn_error_prefix(err, "evaluator '%s'", run->evals[i].vt->name);
    }
    return GN_OK;
}

static int svc_cancelled(gn_run *run) {
    (void)run;
    return cancel_requested != 0;
}

const gn_host_api gn_host_services = {
    .struct_size = sizeof(gn_host_api),
    .version = 1,
    .log = svc_log,
    .section = svc_section,
    .model_build = svc_model_build,
    .data_open = svc_data_open,
    .data_info = svc_data_info,
    .data_shuffle = svc_data_shuffle,
    .data_batch = svc_data_batch,
    .epoch_begin = svc_epoch_begin,
    .step_end = svc_step_end,
    .epoch_end = svc_epoch_end,
    .result = svc_result,
    .artifact = svc_artifact,
    .evaluate = svc_evaluate,
    .cancelled = svc_cancelled,
    .artifact_path = svc_artifact_path,
};
