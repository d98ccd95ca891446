/* Classifiers plugin: internal declarations shared by its files. */
#ifndef GN_CLASSIFIERS_H
#define GN_CLASSIFIERS_H

#include <ganglion/ganglion.h>

extern const gn_trainer_vtable gn_classifiers_supervised;
extern const gn_evaluator_vtable gn_classifiers_accuracy;
extern const gn_evaluator_vtable gn_classifiers_loss;
extern const gn_evaluator_vtable gn_classifiers_confusion;

/* Index of the largest of n scores. */
static inline int gn_argmax(const float *s, int n) {
    int best = 0;
    for (int j = 1; j < n; j++)
        if (s[j] > s[best]) best = j;
    return best;
}

#endif
