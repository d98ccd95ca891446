/* Small matrices on the command line ("1 2; 3 4"), for the convolve command. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cmd_common.h"

#define GN_CMD_MATRIX_MAX_ABS 1e150 /* larger numbers could overflow sums of products */

static int matrix_is_sep(char ch) {
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == ',' || ch == '[';
}
static int matrix_is_row_end(char ch) {
    return ch == ';' || ch == '\n' || ch == ']' || ch == '\0';
}

/* One number of matrix `what` from p (up to a separator); advances p. */
static gn_status matrix_number(const gn_command_vtable *c, const char *what, const char **p,
                               double *x, gn_error *err) {
    const char *s = *p;
    size_t n = 0;
    while (!matrix_is_sep(s[n]) && !matrix_is_row_end(s[n]))
        n++;
    *p = s + n;
    char tok[64];
    if (n >= sizeof tok)
        return gn_cmd_error(c, err, "%s: '%.20s...' is too long to be a number", what, s);
    memcpy(tok, s, n);
    tok[n] = '\0';
    char *end = NULL;
    *x = strtod(tok, &end);
    if (end != tok && *end == '\0' && !isnan(*x) && fabs(*x) > GN_CMD_MATRIX_MAX_ABS)
        return gn_cmd_error(c, err, "%s: %s is too large (at most %g in magnitude)", what, tok,
                            GN_CMD_MATRIX_MAX_ABS);
    if (end == tok || *end != '\0' || !isfinite(*x))
        return gn_cmd_error(c, err,
                            "%s: '%s' is not a number (write rows separated by ';' and numbers "
                            "by spaces or commas, e.g. \"1 2; 3 4\")",
                            what, tok);
    return GN_OK;
}

/* Blank rows (a trailing ';', the brackets of "[[1, 2], [3, 4]]") are skipped. */
gn_status gn_cmd_matrix_parse(const gn_command_vtable *c, const char *what, const char *s,
                              gn_cmd_matrix *m, gn_error *err) {
    int n = 0; /* numbers in the current row */
    m->rows = m->cols = 0;
    for (const char *p = s;;) {
        while (matrix_is_sep(*p))
            p++;
        if (matrix_is_row_end(*p)) {
            if (n && m->rows && n != m->cols)
                return gn_cmd_error(c, err,
                                    "%s: row %d has %d number%s but row 1 has %d (all rows need "
                                    "the same length)",
                                    what, m->rows + 1, n, n == 1 ? "" : "s", m->cols);
            if (n) m->cols = n, m->rows++, n = 0;
            if (!*p++) break;
            continue;
        }
        if (m->rows == GN_CMD_MATRIX_MAX)
            return gn_cmd_error(c, err, "%s: more than %d rows (the limit is %dx%d)", what,
                                GN_CMD_MATRIX_MAX, GN_CMD_MATRIX_MAX, GN_CMD_MATRIX_MAX);
        if (n == GN_CMD_MATRIX_MAX)
            return gn_cmd_error(c, err, "%s: row %d has more than %d numbers (the limit is %dx%d)",
                                what, m->rows + 1, GN_CMD_MATRIX_MAX, GN_CMD_MATRIX_MAX,
                                GN_CMD_MATRIX_MAX);
        if (matrix_number(c, what, &p, &m->v[m->rows * GN_CMD_MATRIX_MAX + n], err))
            return err->status;
        n++;
    }
    if (!m->rows) return gn_cmd_error(c, err, "%s: the matrix is empty", what);
    return GN_OK;
}

void gn_cmd_number(char *buf, size_t n, double x) {
    snprintf(buf, n, "%.6g", x + 0.0);
}

void gn_cmd_matrix_print(FILE *out, const double *v, int rows, int cols, int stride) {
    char buf[32];
    int w = 1;
    for (int i = 0; i < rows * cols; i++) {
        gn_cmd_number(buf, sizeof buf, v[(i / cols) * stride + i % cols]);
        if ((int)strlen(buf) > w) w = (int)strlen(buf);
    }
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) {
            gn_cmd_number(buf, sizeof buf, v[i * stride + j]);
            fprintf(out, "%*s%c", w, buf, j + 1 < cols ? ' ' : '\n');
        }
}
