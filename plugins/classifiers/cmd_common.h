/* Classifiers plugin: the CNN arithmetic commands (conv-output,
 * receptive-field, convolve) and the argument parsing they share. */
#ifndef GN_CLASSIFIERS_CMD_COMMON_H
#define GN_CLASSIFIERS_CMD_COMMON_H

#include <stdio.h>
#include <ganglion/ganglion.h>

extern const gn_command_vtable gn_cmd_conv_output;
extern const gn_command_vtable gn_cmd_receptive_field;
extern const gn_command_vtable gn_cmd_convolve;

/* Non-zero for "--help" and "-h". */
int gn_cmd_is_help(const char *arg);

/* Prints what `ganglion COMMAND --help` prints, for --help given later. */
void gn_cmd_print_help(const gn_command_vtable *c, FILE *out);

/* An invalid value for command c: GN_ERR_INVALID with "NAME: MESSAGE". */
gn_status gn_cmd_error(const gn_command_vtable *c, gn_error *err, const char *fmt, ...)
    GN_PRINTF(3, 4);

/* A malformed command line: as gn_cmd_error, then "(usage: ganglion USAGE)". */
gn_status gn_cmd_usage_error(const gn_command_vtable *c, gn_error *err, const char *fmt, ...)
    GN_PRINTF(3, 4);

/* The whole of s as an integer in [lo, hi]; otherwise an error of
 * command c naming what ("S (stride)"). */
gn_status gn_cmd_parse_int(const gn_command_vtable *c, const char *what, const char *s,
                           long long lo, long long hi, long long *v, gn_error *err);

/* "--NAME VALUE" or "--NAME=VALUE" at argv[*i]: returns 1 with *value set
 * (and *i moved past a separate value), 0 when argv[*i] is something else,
 * -1 with a usage error when the value is missing (or is another "--x"). */
int gn_cmd_option(const gn_command_vtable *c, int argc, char **argv, int *i, const char *name,
                  const char **value, gn_error *err);

/* A matrix given on the command line, at most GN_CMD_MATRIX_MAX square. */
#define GN_CMD_MATRIX_MAX 64
typedef struct gn_cmd_matrix {
    int rows, cols;
    double v[GN_CMD_MATRIX_MAX * GN_CMD_MATRIX_MAX]; /* (r, c) at v[r * GN_CMD_MATRIX_MAX + c] */
} gn_cmd_matrix;

/* Parses s ("1 2; 3 4": rows separated by ';' or newlines, numbers by spaces
 * or commas; brackets as in "[[1, 2], [3, 4]]" work too) into m. Errors
 * (ragged rows, non-numbers, empty or too large) are usage errors of
 * command c naming what ("--input"). */
gn_status gn_cmd_matrix_parse(const gn_command_vtable *c, const char *what, const char *s,
                              gn_cmd_matrix *m, gn_error *err);

/* Prints rows x cols numbers (row i at v + i * stride) right-aligned. */
void gn_cmd_matrix_print(FILE *out, const double *v, int rows, int cols, int stride);

/* x as %.6g, without a negative zero. */
void gn_cmd_number(char *buf, size_t n, double x);

/* Non-zero when arg looks like an option ("--x"). */
static inline int gn_cmd_is_option(const char *arg) {
    return arg[0] == '-' && arg[1] == '-';
}

#endif
