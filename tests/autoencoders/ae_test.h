/* Test helpers for the autoencoder trainers: the experiments they run on
 * the tiny synthetic dataset (the runner is tests/common/e2e.h). */
#ifndef GN_AE_TEST_H
#define GN_AE_TEST_H

#include "../common/e2e.h"

static inline void ae_setup(void) {
    e2e_setup("ae");
}

/* Common head of every test experiment; the trainer and models follow. */
#define AE_HEAD(trainer)                                                                           \
    "[experiment]\nplugins = autoencoders\nseed = 1\nthreads = 1\ntrainer = " trainer "\n"         \
    "[data]\ndataset = tiny\nvalidation_split = 0.25\nnormalize = scale\n"

/* A dense autoencoder 64-16-4-16-64 ending in sigmoid. */
#define AE_DENSE                                                                                   \
    AE_HEAD("autoencoder")                                                                         \
    "[model.encoder]\nlayers = flatten dense(16) relu dense(4)\n"                                  \
    "[model.decoder]\nlayers = dense(16) relu dense(64) sigmoid reshape(\"1 8 8\")\n"              \
    "[train]\nepochs = 15\nbatch_size = 16\nlr = 0.01\nloss = bce\nquick_epochs = 2\n"

#endif
