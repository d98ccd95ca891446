/* `ganglion convolve --input M --kernel K ...`: a small 2-D cross-correlation
 * (or, with --flip, convolution), for checking hand calculations. */
#include <stdlib.h>
#include <string.h>
#include "cmd_common.h"

#define GN_CMD_MATRIX_MAX_STEPS 100000LL /* products --steps may print */

static gn_status convolve_run(int argc, char **argv, FILE *out, gn_error *err);

const gn_command_vtable gn_cmd_convolve = {
    .struct_size = sizeof(gn_command_vtable),
    .name = "convolve",
    .usage = "convolve --input M --kernel K [--stride S] [--padding P] [--dilation D] [--flip] "
             "[--steps]",
    .doc =
        "2-D convolution of a small matrix by a kernel, to check hand calculations.\n"
        "\n"
        "Computes cross-correlation, as deep-learning frameworks (PyTorch's Conv2d,\n"
        "Keras' Conv2D) call convolution: the kernel is slid over the input without\n"
        "flipping, out[i][j] = sum over a, b of in[i*S + a*D - P][j*S + b*D - P] * K[a][b]\n"
        "(zero outside the input). --flip rotates the kernel by 180 degrees first, which\n"
        "gives the true convolution of signal processing.\n"
        "\n"
        "  --input M      the matrix: rows separated by ';', numbers by spaces or commas,\n"
        "                 e.g. \"1 2 3; 4 5 6; 7 8 9\" or \"[[1, 2, 3], [4, 5, 6], [7, 8, 9]]\"\n"
        "                 (at most 64x64)\n"
        "  --kernel K     the kernel, same format (at most 64x64)\n"
        "  --stride S     default 1\n"
        "  --padding P    zeros added on each side, default 0\n"
        "  --dilation D   spacing of the kernel taps, default 1\n"
        "  --flip         true convolution (flip the kernel)\n"
        "  --steps        also show the padded input, the output size formula and, for\n"
        "                 every output, the sum of products\n"
        "\n"
        "The output size is floor((N - K + 2P) / S) + 1 along each dimension.\n"
        "Ragged rows, non-numbers, empty matrices and kernels larger than the padded\n"
        "input are errors (exit 2).\n"
        "\n"
        "example:\n"
        "  ganglion convolve --input \"1 2 3; 4 5 6; 7 8 9\" --kernel \"1 2; 3 4\"\n"
        "  prints the 2x2 result 37 47 / 67 77",
    .run = convolve_run,
};

typedef struct gn_cv_args {
    const char *input, *kernel;
    long long stride, padding, dilation;
    int flip, steps, help;
} gn_cv_args;

static gn_status cv_args(int argc, char **argv, gn_cv_args *a, gn_error *err) {
    const gn_command_vtable *c = &gn_cmd_convolve;
    static const char *const names[5] = {"input", "kernel", "stride", "padding", "dilation"};
    const char *val[5] = {NULL, NULL, "1", "0", "1"};
    int seen[5] = {0};
    for (int i = 1; i < argc; i++) {
        int o = 0, k;
        for (k = 0; k < 5 && !o; k++)
            if ((o = gn_cmd_option(c, argc, argv, &i, names[k], &val[k], err)) < 0)
                return err->status;
        if (o && seen[k - 1]++)
            return gn_cmd_usage_error(c, err, "--%s is given twice", names[k - 1]);
        if (o) continue;
        if (gn_cmd_is_help(argv[i])) {
            a->help = 1;
            return GN_OK;
        }
        if (!strcmp(argv[i], "--flip"))
            a->flip = 1;
        else if (!strcmp(argv[i], "--steps"))
            a->steps = 1;
        else if (gn_cmd_is_option(argv[i]))
            return gn_cmd_usage_error(c, err, "unknown option '%s'", argv[i]);
        else
            return gn_cmd_usage_error(c, err,
                                      "unexpected argument '%s' (matrices go after "
                                      "--input and --kernel)",
                                      argv[i]);
    }
    if (!val[0] || !val[1]) return gn_cmd_usage_error(c, err, "--input and --kernel are required");
    a->input = val[0], a->kernel = val[1];
    if (gn_cmd_parse_int(c, "--stride", val[2], 1, GN_CMD_MATRIX_MAX, &a->stride, err) ||
        gn_cmd_parse_int(c, "--padding", val[3], 0, GN_CMD_MATRIX_MAX, &a->padding, err) ||
        gn_cmd_parse_int(c, "--dilation", val[4], 1, GN_CMD_MATRIX_MAX, &a->dilation, err))
        return err->status;
    return GN_OK;
}

/* Output size along one dimension, 0 when the kernel does not fit. */
static long long cv_size(long long n, long long k, const gn_cv_args *a) {
    long long keff = a->dilation * (k - 1) + 1, span = n + 2 * a->padding;
    return keff > span ? 0 : (span - keff) / a->stride + 1;
}

/* Value at row r, column c of the input, zero in the padding. */
static double cv_at(const gn_cmd_matrix *m, long long r, long long c) {
    return r < 0 || c < 0 || r >= m->rows || c >= m->cols ? 0 : m->v[r * GN_CMD_MATRIX_MAX + c];
}

/* Tap (a, b) of the kernel as applied (flipped with --flip). */
static double cv_tap(const gn_cmd_matrix *k, int a, int b, int flip) {
    if (flip) a = k->rows - 1 - a, b = k->cols - 1 - b;
    return k->v[a * GN_CMD_MATRIX_MAX + b];
}

/* The padded input, the applied kernel and the size formulas, for --steps. */
static gn_status cv_show_setup(FILE *out, const gn_cmd_matrix *in, const gn_cmd_matrix *k,
                               const gn_cv_args *a, gn_error *err) {
    long long p = a->padding, ph = in->rows + 2 * p, pw = in->cols + 2 * p;
    double *pad = malloc((size_t)(ph * pw) * sizeof *pad);
    if (!pad) return gn_error_set(err, GN_ERR_NOMEM, "convolve: out of memory");
    for (long long i = 0; i < ph * pw; i++)
        pad[i] = cv_at(in, i / pw - p, i % pw - p);
    fprintf(out, "padded input (%lldx%lld):\n", ph, pw);
    gn_cmd_matrix_print(out, pad, (int)ph, (int)pw, (int)pw);
    free(pad);
    fprintf(out, "kernel%s (%dx%d):\n", a->flip ? ", flipped" : "", k->rows, k->cols);
    double tap[GN_CMD_MATRIX_MAX * GN_CMD_MATRIX_MAX];
    for (int i = 0; i < k->rows; i++)
        for (int j = 0; j < k->cols; j++)
            tap[i * GN_CMD_MATRIX_MAX + j] = cv_tap(k, i, j, a->flip);
    gn_cmd_matrix_print(out, tap, k->rows, k->cols, GN_CMD_MATRIX_MAX);
    const char *dim[2] = {"rows", "columns"};
    long long n[2] = {in->rows, in->cols}, kk[2] = {k->rows, k->cols};
    for (int d = 0; d < 2; d++) {
        long long keff = a->dilation * (kk[d] - 1) + 1;
        fprintf(out, "%s: floor((%lld - %lld + 2*%lld) / %lld) + 1 = %lld\n", dim[d], n[d], keff, p,
                a->stride, cv_size(n[d], kk[d], a));
    }
    return GN_OK;
}

/* out[i][j] and, with --steps, its sum of products. */
static double cv_output(FILE *out, const gn_cmd_matrix *in, const gn_cmd_matrix *k,
                        const gn_cv_args *a, long long i, long long j) {
    double sum = 0;
    char x[32], w[32];
    if (a->steps) fprintf(out, "out[%lld][%lld] =", i, j);
    for (int r = 0; r < k->rows; r++)
        for (int c = 0; c < k->cols; c++) {
            double v = cv_at(in, i * a->stride + r * a->dilation - a->padding,
                             j * a->stride + c * a->dilation - a->padding);
            double t = cv_tap(k, r, c, a->flip);
            sum += v * t;
            if (!a->steps) continue;
            gn_cmd_number(x, sizeof x, v);
            gn_cmd_number(w, sizeof w, t);
            fprintf(out, "%s%s%s%s*%s%s%s", r || c ? " + " : " ", v < 0 ? "(" : "", x,
                    v < 0 ? ")" : "", t < 0 ? "(" : "", w, t < 0 ? ")" : "");
        }
    if (a->steps) {
        gn_cmd_number(x, sizeof x, sum);
        fprintf(out, " = %s\n", x);
    }
    return sum;
}

static gn_status cv_apply(FILE *out, const gn_cmd_matrix *in, const gn_cmd_matrix *k,
                          const gn_cv_args *a, gn_error *err) {
    const gn_command_vtable *c = &gn_cmd_convolve;
    long long oh = cv_size(in->rows, k->rows, a), ow = cv_size(in->cols, k->cols, a);
    if (!oh || !ow) {
        char eff[96] = "";
        if (a->dilation > 1)
            snprintf(eff, sizeof eff, " (%lldx%lld with dilation %lld)",
                     a->dilation * (k->rows - 1) + 1, a->dilation * (k->cols - 1) + 1, a->dilation);
        return gn_cmd_error(c, err,
                            "the kernel %dx%d%s is larger than the padded input %lldx%lld "
                            "(input %dx%d, padding %lld)",
                            k->rows, k->cols, eff, in->rows + 2 * a->padding,
                            in->cols + 2 * a->padding, in->rows, in->cols, a->padding);
    }
    if (a->steps && oh * ow * k->rows * k->cols > GN_CMD_MATRIX_MAX_STEPS)
        return gn_cmd_error(c, err, "--steps would print %lld products (at most %lld)",
                            oh * ow * k->rows * k->cols, GN_CMD_MATRIX_MAX_STEPS);
    double *o = malloc((size_t)(oh * ow) * sizeof *o);
    if (!o) return gn_error_set(err, GN_ERR_NOMEM, "convolve: out of memory");
    fprintf(out, "input %dx%d, kernel %dx%d, stride %lld, padding %lld", in->rows, in->cols,
            k->rows, k->cols, a->stride, a->padding);
    if (a->dilation > 1) fprintf(out, ", dilation %lld", a->dilation);
    fprintf(out, " -> output %lldx%lld (%s)\n", oh, ow,
            a->flip ? "convolution: kernel flipped" : "cross-correlation, as in PyTorch");
    gn_status st = a->steps ? cv_show_setup(out, in, k, a, err) : GN_OK;
    for (long long i = 0; !st && i < oh * ow; i++)
        o[i] = cv_output(out, in, k, a, i / ow, i % ow);
    if (!st && a->steps) fprintf(out, "output (%lldx%lld):\n", oh, ow);
    if (!st) gn_cmd_matrix_print(out, o, (int)oh, (int)ow, (int)ow);
    free(o);
    return st;
}

static gn_status convolve_run(int argc, char **argv, FILE *out, gn_error *err) {
    gn_cv_args a = {0};
    if (cv_args(argc, argv, &a, err)) return err->status;
    if (a.help) {
        gn_cmd_print_help(&gn_cmd_convolve, out);
        return GN_OK;
    }
    gn_cmd_matrix *m = calloc(2, sizeof *m); /* input, kernel */
    if (!m) return gn_error_set(err, GN_ERR_NOMEM, "convolve: out of memory");
    gn_status st = gn_cmd_matrix_parse(&gn_cmd_convolve, "--input", a.input, &m[0], err);
    if (!st) st = gn_cmd_matrix_parse(&gn_cmd_convolve, "--kernel", a.kernel, &m[1], err);
    if (!st) st = cv_apply(out, &m[0], &m[1], &a, err);
    free(m);
    return st;
}
