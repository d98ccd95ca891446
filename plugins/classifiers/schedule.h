/* Classifiers plugin: learning-rate schedules, stepped once per epoch as
 * PyTorch's StepLR, ExponentialLR and CosineAnnealingLR are. */
#ifndef GN_CLASSIFIERS_SCHEDULE_H
#define GN_CLASSIFIERS_SCHEDULE_H

typedef enum { GN_SCHED_NONE, GN_SCHED_STEP, GN_SCHED_EXP, GN_SCHED_COSINE } gn_sched_kind;

typedef struct gn_schedule {
    gn_sched_kind kind;
    double lr0;    /* initial rate */
    int step_size; /* step: epochs between decays */
    double gamma;  /* step, exponential: decay factor */
    double lr_min; /* cosine: final rate */
    int epochs;    /* cosine: period */
} gn_schedule;

/* The rate for epoch e (counting from 1). */
double gn_schedule_lr(const gn_schedule *s, int epoch);

#endif
