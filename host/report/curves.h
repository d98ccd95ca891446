/* Host: learning curves (train and validation, per epoch) of one run or of
 * several runs compared, as one SVG with a chart per metric side by side. */
#ifndef GN_HOST_CURVES_H
#define GN_HOST_CURVES_H

#include "report/results.h"

/* Charts every metric named in metrics (e.g. {"loss", "accuracy"}) that the
 * runs recorded; labels[i] names run i in the legends (NULL for one run).
 * On success *svg is malloc'ed (caller frees); GN_ERR_NOT_FOUND when no
 * metric has data yet. */
gn_status gn_curves_svg(const gn_results *const *runs, const char *const *labels, int n_runs,
                        const char *const *metrics, int n_metrics, char **svg, size_t *len,
                        gn_error *err);

/* The same with another x axis: x_metric (e.g. "wall_seconds", recorded per
 * epoch in the train split) instead of the epoch number. */
gn_status gn_curves_svg_x(const gn_results *const *runs, const char *const *labels, int n_runs,
                          const char *const *metrics, int n_metrics, const char *x_metric,
                          char **svg, size_t *len, gn_error *err);

#endif
