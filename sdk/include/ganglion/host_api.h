/* Ganglion SDK: host services and the vtables of trainers, evaluators and
 * commands.
 *
 * Plugins reach the host only through gn_host_api, a size-prefixed,
 * append-only table of function pointers carried in every per-call context.
 * Check host->struct_size before using a member added after 1.0. */
#ifndef GANGLION_HOST_API_H
#define GANGLION_HOST_API_H

#include <stdio.h>
#include <ganglion/model.h>

typedef struct gn_run gn_run;   /* host's run handle (opaque) */
typedef struct gn_data gn_data; /* host's dataset split (opaque) */

typedef enum gn_log_level { GN_LOG_DEBUG = 0, GN_LOG_INFO, GN_LOG_WARN, GN_LOG_ERROR } gn_log_level;

/* What a split holds. */
typedef struct gn_data_info {
    uint32_t struct_size;
    int64_t n; /* samples */
    int ndim;  /* per-sample dims, e.g. 3: (1, 28, 28) */
    int64_t dims[GN_MAX_DIMS];
    int n_classes;                  /* > 0 for class labels */
    const char *name;               /* "fashion-mnist/train" */
    int target_dim;                 /* regression: floats per target (n_classes 0); 1.0 */
    const char *const *class_names; /* n_classes names, or NULL; borrowed; 1.0 */
} gn_data_info;

/* A batch (borrowed: valid until the next call on the same gn_data). */
typedef struct gn_batch {
    int64_t n;
    const float *x;        /* n x prod(dims), normalised */
    const int32_t *labels; /* n class ids */
    const float *y;        /* n labels as float, or n x target_dim regression targets */
} gn_batch;

typedef struct gn_metric {
    const char *name; /* "loss", "accuracy" */
    double value;
} gn_metric;

/* Scores of a split, handed to the configured evaluators. */
typedef struct gn_eval_input {
    uint32_t struct_size;
    const char *split; /* "test" */
    int64_t n;
    int n_classes;
    const float *scores;   /* n x n_classes (logits or probabilities) */
    const int32_t *labels; /* n */
    double loss;           /* mean loss over the split */
} gn_eval_input;

typedef struct gn_host_api {
    uint32_t struct_size; /* sizeof(gn_host_api) of the host */
    uint32_t version;     /* 1 */

    /* Logging: one line, without the newline. */
    void (*log)(gn_run *run, gn_log_level level, const char *msg);

    /* Configuration: a validated section of the experiment by name
     * ("train", "model.generator"), NULL when absent. Borrowed. */
    const gn_section *(*section)(gn_run *run, const char *name);

    /* Models: builds the model the experiment declares under `name`
     * ("model", or "generator" for [model.generator]) with inputs shaped
     * like the samples of info. Caller owns *out. */
    gn_status (*model_build)(gn_run *run, const char *name, const gn_data_info *info,
                             gn_model **out, gn_error *err);

    /* Data: a split ("train", "val", "test"). The host owns it for the run;
     * *out is NULL without error when the split is empty (no val). */
    gn_status (*data_open)(gn_run *run, const char *split, gn_data **out, gn_error *err);
    void (*data_info)(gn_data *d, gn_data_info *out);
    /* New random order (in place, from rng) for the next pass. */
    void (*data_shuffle)(gn_data *d, gn_rng *rng);
    /* Samples start .. start+count-1 of the current order. */
    gn_status (*data_batch)(gn_data *d, int64_t start, int64_t count, gn_batch *out, gn_error *err);

    /* Progress and metrics. epoch counts from 1. */
    void (*epoch_begin)(gn_run *run, int epoch, int epochs, int64_t steps);
    void (*step_end)(gn_run *run, int64_t step, const gn_metric *m, int n);
    /* End of an epoch: metrics as Keras names them ("loss", "val_loss");
     * written to the console and metrics.csv. */
    void (*epoch_end)(gn_run *run, int epoch, const gn_metric *m, int n);
    /* A final result for summary.json: result(run, "test", "accuracy", v). */
    void (*result)(gn_run *run, const char *split, const char *name, double value);
    /* Writes a file in the run folder atomically. relpath must be a plain
     * relative name (no "..", no leading '/'). */
    gn_status (*artifact)(gn_run *run, const char *relpath, const void *data, size_t size,
                          gn_error *err);
    /* Runs the evaluators the experiment lists on in. */
    gn_status (*evaluate)(gn_run *run, const gn_eval_input *in, gn_error *err);

    /* Cancellation: non-zero once the user asked to stop (Ctrl-C). */
    int (*cancelled)(gn_run *run);

    /* Full path of relpath in the run folder, for writers that need a path
     * (checkpoints); they must write atomically themselves. Error when the
     * run has no folder (check, summary). Added in 1.0. */
    gn_status (*artifact_path)(gn_run *run, const char *relpath, char *out, size_t size,
                               gn_error *err);

    void *reserved[16]; /* appended members go here */
} gn_host_api;

/* Per-call context of a trainer (append-only). */
typedef struct gn_run_ctx {
    uint32_t struct_size;
    const gn_host_api *host;
    gn_run *run;
    const gn_section *params; /* the trainer's validated section */
    gn_rng *rng;              /* the run's seeded RNG */
    const gn_registry *registry;
    int quick; /* --quick: use the short budget */
    int threads;
    void *reserved[8];
} gn_run_ctx;

typedef struct gn_trainer_vtable {
    uint32_t struct_size;
    const char *name;
    const char *doc;
    const gn_param_schema *schema;
    gn_status (*run)(const gn_run_ctx *ctx, gn_error *err);
    /* `ganglion check` / `ganglion summary` for trainers of several models
     * ([model.encoder], [model.generator] ...): builds them with
     * host->model_build as run would (the host prints each one's summary),
     * validates what run would validate, frees them and returns without
     * training. NULL: the host builds [model] on the data's shape. Added
     * in 1.1. */
    gn_status (*check)(const gn_run_ctx *ctx, gn_error *err);
    void *reserved[7];
} gn_trainer_vtable;

/* Per-call context of an evaluator. */
typedef struct gn_eval_ctx {
    uint32_t struct_size;
    const gn_host_api *host;
    gn_run *run;
    const gn_section *params; /* the evaluator's validated section */
    void *reserved[8];
} gn_eval_ctx;

typedef struct gn_evaluator_vtable {
    uint32_t struct_size;
    const char *name;
    const char *doc;
    const gn_param_schema *schema;
    /* Reports through ctx->host->result / artifact. */
    gn_status (*evaluate)(const gn_eval_ctx *ctx, const gn_eval_input *in, gn_error *err);
    void *reserved[8];
} gn_evaluator_vtable;

/* A command: `ganglion NAME ARGS...`. Prints results to out; returns
 * GN_ERR_INVALID for usage errors (exit 2), others exit 1. */
typedef struct gn_command_vtable {
    uint32_t struct_size;
    const char *name;
    const char *usage; /* "conv-output N K P S" */
    const char *doc;
    gn_status (*run)(int argc, char **argv, FILE *out, gn_error *err);
    void *reserved[8];
} gn_command_vtable;

#endif
