/* Classifiers plugin: internal declarations shared by its files. */
#ifndef GN_CLASSIFIERS_H
#define GN_CLASSIFIERS_H

#include <ganglion/checkpoint.h>
#include <ganglion/ganglion.h>
#include <ganglion/plot.h>

extern const gn_trainer_vtable gn_classifiers_supervised;
extern const gn_evaluator_vtable gn_classifiers_accuracy;
extern const gn_evaluator_vtable gn_classifiers_loss;
extern const gn_evaluator_vtable gn_classifiers_confusion;
extern const gn_op_vtable gn_classifiers_weighted_ce;

/* Index of the largest of n scores. */
static inline int gn_argmax(const float *s, int n) {
    int best = 0;
    for (int j = 1; j < n; j++)
        if (s[j] > s[best]) best = j;
    return best;
}

#endif
