/* The console table of a trace: every row when short, else the first, the
 * last and evenly spaced ones in between. */
#include "toyproblems.h"

static void cell_header(FILE *out, const char *name, int dim) {
    char buf[40];
    for (int i = 0; i < dim; i++) {
        snprintf(buf, sizeof buf, "%s%s", name, dim == 1 ? "" : i ? "_y" : "_x");
        fprintf(out, " %12s", buf);
    }
}

static void row(FILE *out, const gn_toy_trace *t, int64_t r) {
    int d = t->dim;
    fprintf(out, "%7lld", (long long)r);
    for (int i = 0; i < d; i++)
        fprintf(out, " %12.6g", t->p[r * d + i]);
    fprintf(out, " %12.6g", t->loss[r]);
    for (int i = 0; i < d; i++)
        fprintf(out, " %12.6g", t->grad[r * d + i]);
    for (int k = 0; k < t->n_states; k++)
        for (int i = 0; i < d; i++)
            fprintf(out, " %12.6g", t->state[(r * t->n_states + k) * d + i]);
    fputc('\n', out);
}

void gn_toy_table_print(FILE *out, const char *title, const gn_toy_trace *t, int max_rows) {
    if (max_rows <= 0 || t->rows == 0) return;
    int64_t every = 1;
    if (t->rows > max_rows && max_rows > 1) every = (t->rows - 2) / (max_rows - 1) + 1;
    fprintf(out, "\n%s", title);
    if (every > 1) fprintf(out, " (every %lld steps, and the last)", (long long)every);
    fprintf(out, "\n%7s", "step");
    fprintf(out, " %12s", "x");
    if (t->dim == 2) fprintf(out, " %12s", "y");
    fprintf(out, " %12s", "loss");
    cell_header(out, "grad", t->dim);
    for (int k = 0; k < t->n_states; k++)
        cell_header(out, t->state_names[k], t->dim);
    fputc('\n', out);
    for (int64_t r = 0; r < t->rows - 1; r += every)
        row(out, t, r);
    row(out, t, t->rows - 1);
    if (t->diverged) fprintf(out, "stopped: the point or the loss is no longer finite\n");
}
