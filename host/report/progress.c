#include <time.h>
#include <unistd.h>
#include "report/progress.h"

double gn_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void gn_progress_init(gn_progress *p, FILE *out) {
    p->out = out;
    p->tty = isatty(fileno(out));
    p->epoch = p->epochs = 0;
}

void gn_progress_epoch_begin(gn_progress *p, int epoch, int epochs, int64_t steps) {
    p->epoch = epoch;
    p->epochs = epochs;
    p->steps = steps;
    p->t0 = gn_now();
    p->last_draw = 0;
    if (p->tty) fprintf(p->out, "Epoch %d/%d\n", epoch, epochs);
}

static void print_time(FILE *f, double s) {
    if (s >= 3600)
        fprintf(f, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
    else if (s >= 60)
        fprintf(f, "%dm%02ds", (int)(s / 60), (int)s % 60);
    else
        fprintf(f, "%ds", (int)(s + 0.5));
}

static void draw(gn_progress *p, int64_t step, const gn_metric *m, int n, int final) {
    double el = gn_now() - p->t0;
    const int width = 30;
    int64_t steps = p->steps > 0 ? p->steps : 1;
    int filled = (int)(width * step / steps);
    fprintf(p->out, "\r%lld/%lld [", (long long)step, (long long)steps);
    for (int i = 0; i < width; i++)
        fputc(i < filled ? '=' : (i == filled && !final ? '>' : '.'), p->out);
    fputs("] - ", p->out);
    if (final) {
        print_time(p->out, el);
        fprintf(p->out, " %.0fms/step", step ? 1000.0 * el / (double)step : 0.0);
    } else {
        fputs("ETA: ", p->out);
        print_time(p->out, step ? el / (double)step * (double)(steps - step) : 0);
    }
    for (int i = 0; i < n; i++)
        fprintf(p->out, " - %s: %.4f", m[i].name, m[i].value);
    if (final)
        fputc('\n', p->out);
    else
        fputs("\033[K", p->out); /* clear what a longer earlier line left */
    fflush(p->out);
}

void gn_progress_step(gn_progress *p, int64_t step, const gn_metric *m, int n) {
    if (!p->tty) return;
    double t = gn_now();
    if (step < p->steps && t - p->last_draw < 0.1) return; /* redraw at most 10 times a second */
    p->last_draw = t;
    draw(p, step, m, n, 0);
}

void gn_progress_epoch_end(gn_progress *p, const gn_metric *m, int n) {
    if (p->tty) {
        draw(p, p->steps, m, n, 1);
        return;
    }
    double el = gn_now() - p->t0;
    fprintf(p->out, "epoch %d/%d - %.2fs - %.0fms/step", p->epoch, p->epochs, el,
            p->steps ? 1000.0 * el / (double)p->steps : 0.0);
    for (int i = 0; i < n; i++)
        fprintf(p->out, " - %s: %.4f", m[i].name, m[i].value);
    fputc('\n', p->out);
    fflush(p->out);
}
