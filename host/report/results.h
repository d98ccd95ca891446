/* Host: the numbers a run reports: per-epoch metrics (metrics.csv) and
 * final results (summary.json). */
#ifndef GN_HOST_RESULTS_H
#define GN_HOST_RESULTS_H

#include <ganglion/host_api.h>

typedef struct gn_results gn_results;

gn_results *gn_results_new(void); /* caller owns */
void gn_results_free(gn_results *r);

/* Keras names: "loss" is the train split, "val_loss" the val split. */
gn_status gn_results_epoch(gn_results *r, int epoch, const gn_metric *m, int n, gn_error *err);
gn_status gn_results_final(gn_results *r, const char *split, const char *name, double value,
                           gn_error *err);

/* The per-epoch values of one metric of one split ("train"/"val"), in
 * epoch order, into x (epochs) and y; returns how many (at most max). */
int gn_results_series(const gn_results *r, const char *split, const char *name, double *x,
                      double *y, int max);

/* The final results of a split: up to max names (borrowed) and values. */
int gn_results_finals(const gn_results *r, const char *split, const char **names, double *values,
                      int max);

/* Every final result: splits, names (borrowed) and values; returns the count. */
int gn_results_final_rows(const gn_results *r, const char **splits, const char **names,
                          double *values, int max);

/* epoch,split,<metric>,... one row per epoch and split. */
gn_status gn_results_write_csv(const gn_results *r, const char *path, gn_error *err);
/* {"name", "params", "wall_seconds", "epochs", "<split>": {"<metric>": v}} */
gn_status gn_results_write_summary(const gn_results *r, const char *path, const char *name,
                                   int64_t params, double wall_seconds, const char *status,
                                   gn_error *err);

#endif
