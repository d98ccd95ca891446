#include <math.h>
#include "schedule.h"

double gn_schedule_lr(const gn_schedule *s, int epoch) {
    int done = epoch - 1; /* epochs completed before this one */
    switch (s->kind) {
    case GN_SCHED_STEP:
        return s->lr0 * pow(s->gamma, done / (s->step_size > 0 ? s->step_size : 1));
    case GN_SCHED_EXP:
        return s->lr0 * pow(s->gamma, done);
    case GN_SCHED_COSINE: /* eta_min + (lr0 - eta_min)(1 + cos(pi t / T)) / 2 */
        return s->lr_min +
               (s->lr0 - s->lr_min) * (1 + cos(M_PI * done / (s->epochs > 0 ? s->epochs : 1))) / 2;
    default:
        return s->lr0;
    }
}
