/* Ganglion SDK: finite-difference gradient checker (central differences in
 * double accumulation). Used by the tests of every op and layer. */
#ifndef GANGLION_GRADCHECK_H
#define GANGLION_GRADCHECK_H

#include <ganglion/graph.h>

typedef struct gn_gradcheck_result {
    double max_abs_err; /* max |analytic - numeric| */
    double max_rel_err; /* max |a - n| / max(1e-3, |a| + |n|) */
    int64_t checked;    /* number of coordinates compared */
} gn_gradcheck_result;

/* Checks d(sum(w * out))/d(wrt) where w is a fixed pseudo-random weighting,
 * for every coordinate of wrt's value (which must have a gradient). The
 * graph must be deterministic (eval mode, or a fixed rng re-seeded per
 * pass via seed). */
GN_EXPORT gn_status gn_gradcheck(gn_graph *g, gn_node *out, gn_node *wrt, float eps,
                                 gn_gradcheck_result *res, gn_error *err);

#endif
