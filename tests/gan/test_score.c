/* The classifier-based inception score on distributions whose score is
 * known: confident and evenly spread over C classes gives C, identical
 * predictions give 1; and the histogram of predicted classes. */
#include <criterion/criterion.h>
#include <math.h>
#include "gan.h"

Test(inception_score, one_hot_spread_evenly_gives_the_class_count) {
    float p[100 * 10] = {0};
    int64_t counts[10];
    for (int i = 0; i < 100; i++)
        p[i * 10 + i % 10] = 1;
    cr_assert_float_eq(gn_gan_inception_score(p, 100, 10, counts), 10.0, 1e-9);
    for (int k = 0; k < 10; k++)
        cr_assert_eq(counts[k], 10);
}

Test(inception_score, identical_predictions_give_one) {
    float p[50 * 10];
    for (int i = 0; i < 50; i++)
        for (int k = 0; k < 10; k++)
            p[i * 10 + k] = k == 3 ? 0.55f : 0.05f;
    int64_t counts[10];
    cr_assert_float_eq(gn_gan_inception_score(p, 50, 10, counts), 1.0, 1e-6);
    cr_assert_eq(counts[3], 50); /* mode collapse: one bar */
    for (int i = 0; i < 500; i++)
        p[i % 500] = 0.1f; /* uniform p(y|x): no information, also 1 */
    cr_assert_float_eq(gn_gan_inception_score(p, 50, 10, NULL), 1.0, 1e-6);
}

Test(inception_score, two_of_four_classes_give_two) {
    /* one-hot on classes 0 and 2 only: exp(log 2) */
    float p[4 * 4] = {1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0};
    cr_assert_float_eq(gn_gan_inception_score(p, 4, 4, NULL), 2.0, 1e-9);
}

Test(inception_score, hand_computed_soft_predictions) {
    /* rows (0.9, 0.1) and (0.1, 0.9): p(y) = (0.5, 0.5);
     * KL = 0.9 log 1.8 + 0.1 log 0.2 = 0.368064 for each row */
    float p[4] = {0.9f, 0.1f, 0.1f, 0.9f};
    cr_assert_float_eq(gn_gan_inception_score(p, 2, 2, NULL), exp(0.3680642), 1e-6);
}

Test(inception_score, softmax_rows) {
    float x[4] = {0, 0, 1000, 1000 - logf(3)};
    gn_gan_softmax_rows(x, 2, 2);
    cr_assert_float_eq(x[0], 0.5, 1e-7);
    cr_assert_float_eq(x[2], 0.75, 1e-5);
    cr_assert_float_eq(x[3], 0.25, 1e-5);
}
