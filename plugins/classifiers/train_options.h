/* Classifiers plugin: the [train] section of the supervised trainer, read
 * once into a struct (schema in train_options.c). */
#ifndef GN_CLASSIFIERS_TRAIN_OPTIONS_H
#define GN_CLASSIFIERS_TRAIN_OPTIONS_H

#include "augment.h"
#include "schedule.h"

typedef enum { GN_CKPT_NONE, GN_CKPT_BEST, GN_CKPT_LAST, GN_CKPT_EVERY } gn_ckpt_mode;

typedef struct gn_train_opts {
    int epochs;
    int64_t batch, eval_batch, limit; /* limit: samples per epoch (0 = all) */
    int shuffle;
    double l1, l2;                /* global weight penalties */
    double clip_norm, clip_value; /* 0 = off */
    char class_weight[512];       /* "" | "balanced" | C numbers */
    gn_schedule sched;
    gn_augment aug;
    int early_stopping, patience, restore_best;
    char monitor[32];
    double min_delta;
    gn_ckpt_mode ckpt;
    int ckpt_every;
    const char *init_from;       /* borrowed from the section; NULL = none */
    int flow_epochs[16], n_flow; /* gradient-flow diagnostics after these epochs */
    int64_t flow_batch;
} gn_train_opts;

extern const gn_param_schema gn_supervised_schema[];

/* Reads the validated section; errors name the key. */
gn_status gn_train_opts_read(const gn_section *p, int quick, gn_train_opts *o, gn_error *err);

/* The monitored metric improves when it goes down (losses) or up (others). */
int gn_monitor_lower_is_better(const char *metric);

#endif
