/* Host: one experiment from an INI file: validation, plugin loading, data,
 * the trainer, and the run folder. The CLI's run, check and summary
 * commands are thin wrappers over this. */
#ifndef GN_HOST_RUN_H
#define GN_HOST_RUN_H

#include <stdio.h>
#include <ganglion/host_api.h>

typedef enum gn_run_mode {
    GN_RUN_TRAIN = 0, /* ganglion run */
    GN_RUN_CHECK,     /* ganglion check: validate only */
    GN_RUN_SUMMARY,   /* ganglion summary: print the model table */
} gn_run_mode;

typedef struct gn_run_opts {
    const char *config;      /* INI path */
    const char *out_dir;     /* --out, or NULL for runs/NAME-TIMESTAMP */
    const char *plugin_path; /* --plugin-path, or NULL */
    const char *const *sets; /* --set SECTION.KEY=VALUE */
    int n_sets;
    int quick;
    gn_run_mode mode;
    FILE *out;    /* progress and tables */
    int in_sweep; /* a run of a sweep: its [sweep] section is ignored */
} gn_run_opts;

/* What a finished run reports back (for sweeps). */
typedef struct gn_run_report {
    int64_t params;
    double wall_seconds;
    struct gn_results *results; /* caller owns: gn_results_free */
    char status[16];            /* completed, cancelled, failed */
} gn_run_report;

/* Runs an experiment. GN_ERR_CONFIG and GN_ERR_INVALID mean the config or
 * the command line was wrong (exit 2), GN_ERR_CANCELLED a Ctrl-C (exit 130);
 * anything else is a runtime failure (exit 1). */
gn_status gn_run_experiment(const gn_run_opts *opts, gn_error *err);
/* The same, filling report (which may be NULL). */
gn_status gn_run_experiment_report(const gn_run_opts *opts, gn_run_report *report, gn_error *err);

/* Set from a signal handler to stop after the current batch. */
void gn_run_request_cancel(void);

#endif
