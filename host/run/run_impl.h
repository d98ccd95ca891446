/* Internal: the state of one experiment run, shared by run.c and services.c. */
#ifndef GN_HOST_RUN_IMPL_H
#define GN_HOST_RUN_IMPL_H

#include "config/ini.h"
#include "data/dataset.h"
#include "data/split.h"
#include "loader/loader.h"
#include "report/atomic.h"
#include "report/progress.h"
#include "report/results.h"
#include "run/run.h"

#define GN_RUN_MAX_EVALUATORS 16

typedef struct gn_evaluator_use {
    const gn_evaluator_vtable *vt;
    gn_section *params; /* [evaluator.NAME], validated; owned */
} gn_evaluator_use;

struct gn_run {
    const gn_run_opts *opts;
    gn_ini *ini;
    gn_registry *reg;
    gn_loader *loader;
    gn_rng rng;
    char name[128];
    char dir[4096]; /* run folder; "" until created */
    gn_progress progress;
    gn_results *results;
    gn_buf log;
    double t0;
    int64_t params; /* of the last model built */
    int is_sweep;   /* the run was a sweep of runs */

    gn_dataset *train_set, *test_set;
    gn_data *train, *val, *test;

    const gn_trainer_vtable *trainer;
    gn_section *train_params; /* borrowed from ini */
    gn_evaluator_use evals[GN_RUN_MAX_EVALUATORS];
    int n_evals;
};

/* The host service table handed to plugins (services.c). */
extern const gn_host_api gn_host_services;

/* Writes metrics.csv, summary.json and log.txt into the run folder. */
gn_status gn_run_write_reports(gn_run *run, const char *status, gn_error *err);

/* Section schemas of the host's own sections (schemas.c). */
extern const gn_param_schema gn_schema_experiment[];
extern const gn_param_schema gn_schema_data[];
extern const gn_param_schema gn_schema_evaluate[];

/* Prints the Keras-style model table (summary.c). */
void gn_run_print_summary(gn_model *m, FILE *out);

#endif
