/* Learning-rate schedules and augmentation of the classifiers plugin. */
#include <criterion/criterion.h>
#include <math.h>
#include "../../plugins/classifiers/augment.c"
#include "../../plugins/classifiers/schedule.c"

Test(schedule, step_exponential_cosine) {
    gn_schedule s = {GN_SCHED_STEP, 0.1, 2, 0.5, 0, 10};
    const double step[] = {0.1, 0.1, 0.05, 0.05, 0.025};
    for (int e = 1; e <= 5; e++)
        cr_assert_float_eq(gn_schedule_lr(&s, e), step[e - 1], 1e-12);
    s.kind = GN_SCHED_EXP;
    cr_assert_float_eq(gn_schedule_lr(&s, 3), 0.1 * 0.25, 1e-12);
    s.kind = GN_SCHED_COSINE;
    s.lr_min = 0.01;
    cr_assert_float_eq(gn_schedule_lr(&s, 1), 0.1, 1e-12);
    cr_assert_float_eq(gn_schedule_lr(&s, 6), 0.055, 1e-12); /* half way: the mean */
    cr_assert_float_eq(gn_schedule_lr(&s, 11), 0.01, 1e-12);
    s.kind = GN_SCHED_NONE;
    cr_assert_float_eq(gn_schedule_lr(&s, 7), 0.1, 1e-12);
}

Test(augment, flip_mirrors_and_identity_keeps) {
    float x[2 * 1 * 2 * 3] = {1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6}, tmp[6];
    gn_rng r;
    gn_rng_seed(&r, 3);
    gn_augment none = {0, 0, 0};
    gn_augment_batch(&none, x, 2, 1, 2, 3, tmp, &r);
    for (int i = 0; i < 6; i++)
        cr_assert_eq(x[i], (float)(i + 1));
    gn_augment flip = {1, 0, 0};
    int flipped = 0;
    for (int k = 0; k < 20; k++) { /* p = 0.5 per sample: some of 40 draws flip */
        float y[6] = {1, 2, 3, 4, 5, 6};
        gn_augment_batch(&flip, y, 1, 1, 2, 3, tmp, &r);
        if (y[0] == 3) {
            const float want[6] = {3, 2, 1, 6, 5, 4};
            for (int i = 0; i < 6; i++)
                cr_assert_float_eq(y[i], want[i], 1e-6);
            flipped++;
        } else {
            for (int i = 0; i < 6; i++)
                cr_assert_float_eq(y[i], (float)(i + 1), 1e-6);
        }
    }
    cr_assert(flipped > 2 && flipped < 18, "%d of 20 flipped", flipped);
}

Test(augment, seeded_shift_rotation_is_reproducible_and_bounded) {
    float a[64], b[64], tmp[64];
    for (int i = 0; i < 64; i++)
        a[i] = b[i] = (float)i;
    gn_rng r1, r2;
    gn_rng_seed(&r1, 9);
    gn_rng_seed(&r2, 9);
    gn_augment aug = {1, 0.2, 15};
    gn_augment_batch(&aug, a, 1, 1, 8, 8, tmp, &r1);
    gn_augment_batch(&aug, b, 1, 1, 8, 8, tmp, &r2);
    for (int i = 0; i < 64; i++) {
        cr_assert_eq(a[i], b[i]);
        cr_assert(a[i] >= 0 && a[i] <= 63, "bilinear stays within the input's range");
    }
}
