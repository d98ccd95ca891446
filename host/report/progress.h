/* Host: Keras-style progress. On a terminal, a bar redrawn in place:
 *   469/469 [==============================] - 1s 3ms/step - loss: 0.4652 - accuracy: 0.8714
 * Otherwise one plain line per epoch. */
#ifndef GN_HOST_PROGRESS_H
#define GN_HOST_PROGRESS_H

#include <stdio.h>
#include <ganglion/host_api.h>

typedef struct gn_progress {
    FILE *out;
    int tty;
    int epoch, epochs;
    int64_t steps;
    double t0, last_draw;
} gn_progress;

void gn_progress_init(gn_progress *p, FILE *out);
void gn_progress_epoch_begin(gn_progress *p, int epoch, int epochs, int64_t steps);
void gn_progress_step(gn_progress *p, int64_t step, const gn_metric *m, int n);
void gn_progress_epoch_end(gn_progress *p, const gn_metric *m, int n);

double gn_now(void); /* monotonic seconds */

#endif
