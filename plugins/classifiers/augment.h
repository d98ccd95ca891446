/* Classifiers plugin: seeded data augmentation of image batches (N, C, H, W):
 * random horizontal flip, width/height shift and small rotation, as Keras'
 * ImageDataGenerator does (bilinear sampling, edges filled by the nearest pixel). */
#ifndef GN_CLASSIFIERS_AUGMENT_H
#define GN_CLASSIFIERS_AUGMENT_H

#include <ganglion/ganglion.h>

typedef struct gn_augment {
    int flip;        /* random horizontal flip with p = 0.5 */
    double shift;    /* max shift as a fraction of width and height */
    double rotation; /* max rotation in degrees */
} gn_augment;

static inline int gn_augment_active(const gn_augment *a) {
    return a->flip || a->shift > 0 || a->rotation > 0;
}

/* Transforms x (n samples of c x h x w) in place; tmp holds c*h*w floats. */
void gn_augment_batch(const gn_augment *a, float *x, int64_t n, int64_t c, int64_t h, int64_t w,
                      float *tmp, gn_rng *rng);

#endif
