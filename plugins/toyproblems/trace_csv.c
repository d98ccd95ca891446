/* Trace CSV: one row per step with the point, loss, gradient and the
 * optimizer's state, 9 significant digits (a float's exact decimal). */
#include <stdio.h>
#include <stdlib.h>
#include "toyproblems.h"

/* "name" in 1-D, "name_x,name_y" in 2-D. */
static void header(FILE *f, const char *name, int dim) {
    if (dim == 1)
        fprintf(f, ",%s", name);
    else
        fprintf(f, ",%s_x,%s_y", name, name);
}

gn_status gn_toy_trace_csv(const gn_toy_trace *t, char **buf, size_t *len, gn_error *err) {
    *buf = NULL;
    *len = 0;
    FILE *f = open_memstream(buf, len);
    if (!f) return gn_error_set(err, GN_ERR_NOMEM, "trace: out of memory");
    int d = t->dim;
    fprintf(f, "step,x%s,loss", d == 2 ? ",y" : "");
    header(f, "grad", d);
    for (int k = 0; k < t->n_states; k++)
        header(f, t->state_names[k], d);
    fputc('\n', f);
    for (int64_t r = 0; r < t->rows; r++) {
        fprintf(f, "%lld", (long long)r);
        for (int i = 0; i < d; i++)
            fprintf(f, ",%.9g", t->p[r * d + i]);
        fprintf(f, ",%.9g", t->loss[r]);
        for (int i = 0; i < d; i++)
            fprintf(f, ",%.9g", t->grad[r * d + i]);
        for (int k = 0; k < t->n_states; k++)
            for (int i = 0; i < d; i++)
                fprintf(f, ",%.9g", t->state[(r * t->n_states + k) * d + i]);
        fputc('\n', f);
    }
    int bad = ferror(f);
    if (fclose(f) || bad) {
        free(*buf);
        *buf = NULL;
        return gn_error_set(err, GN_ERR_NOMEM, "trace: out of memory");
    }
    return GN_OK;
}
