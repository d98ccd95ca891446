/* `ganglion conv-output N K P S [D]`: the output size of a convolution or
 * pooling layer along one dimension, with the formula shown. */
#include <string.h>
#include "cmd_common.h"

#define GN_CONV_MAX 1000000000LL /* sizes, padding, strides and dilations */

static gn_status conv_output_run(int argc, char **argv, FILE *out, gn_error *err);

const gn_command_vtable gn_cmd_conv_output = {
    .struct_size = sizeof(gn_command_vtable),
    .name = "conv-output",
    .usage = "conv-output N K P S [D | --dilation D] [--quiet]",
    .doc = "Output size of a convolution or pooling layer along one dimension.\n"
           "\n"
           "  N  input size             K  kernel size\n"
           "  P  padding on each side   S  stride\n"
           "  D  dilation (optional 5th number or --dilation D; default 1)\n"
           "\n"
           "  out = floor((N - K + 2P) / S) + 1\n"
           "  with dilation, K is the effective kernel D*(K - 1) + 1 (as in PyTorch)\n"
           "\n"
           "Prints the formula with your numbers and the result; --quiet prints only the\n"
           "result. When S does not divide N - K + 2P, a note says how many rows/columns\n"
           "at the end of the padded input no window reaches.\n"
           "\n"
           "Impossible shapes are errors (exit 2): a kernel larger than the padded input\n"
           "N + 2P, S < 1, P < 0, D < 1, N or K < 1, or anything not an integer.\n"
           "\n"
           "examples:\n"
           "  ganglion conv-output 32 5 2 1      floor((32 - 5 + 2*2) / 1) + 1 = 32\n"
           "  ganglion conv-output 32 3 0 1 2    effective kernel 5, output 28",
    .run = conv_output_run,
};

/* N K P S D in that order. */
static const char *const gn_conv_what[5] = {"N (input size)", "K (kernel size)", "P (padding)",
                                            "S (stride)", "D (dilation)"};
static const long long gn_conv_min[5] = {1, 1, 0, 1, 1};

static gn_status conv_output_args(int argc, char **argv, long long v[5], int *quiet, int *help,
                                  gn_error *err) {
    const gn_command_vtable *c = &gn_cmd_conv_output;
    const char *pos[5] = {0}, *dil = NULL;
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        const char *val;
        int o = gn_cmd_option(c, argc, argv, &i, "dilation", &val, err);
        if (o < 0) return err->status;
        if (o) {
            if (dil) return gn_cmd_usage_error(c, err, "the dilation is given twice");
            dil = val;
        } else if (gn_cmd_is_help(argv[i])) {
            *help = 1;
            return GN_OK;
        } else if (!strcmp(argv[i], "--quiet") || !strcmp(argv[i], "-q")) {
            *quiet = 1;
        } else if (gn_cmd_is_option(argv[i])) {
            return gn_cmd_usage_error(c, err, "unknown option '%s'", argv[i]);
        } else if (npos == 5) {
            return gn_cmd_usage_error(c, err, "too many numbers (at most N K P S D)");
        } else {
            pos[npos++] = argv[i];
        }
    }
    if (npos < 4)
        return gn_cmd_usage_error(c, err, "expects the four numbers N K P S, got %d", npos);
    if (npos == 5) {
        if (dil) return gn_cmd_usage_error(c, err, "the dilation is given twice");
        dil = pos[4];
    }
    pos[4] = dil ? dil : "1";
    for (int k = 0; k < 5; k++)
        if (gn_cmd_parse_int(c, gn_conv_what[k], pos[k], gn_conv_min[k], GN_CONV_MAX, &v[k], err))
            return err->status;
    return GN_OK;
}

static gn_status conv_output_run(int argc, char **argv, FILE *out, gn_error *err) {
    long long v[5];
    int quiet = 0, help = 0;
    if (conv_output_args(argc, argv, v, &quiet, &help, err)) return err->status;
    if (help) {
        gn_cmd_print_help(&gn_cmd_conv_output, out);
        return GN_OK;
    }
    long long n = v[0], k = v[1], p = v[2], s = v[3], d = v[4];
    long long keff = d * (k - 1) + 1, span = n + 2 * p;
    if (keff > span) {
        if (d > 1)
            return gn_cmd_error(&gn_cmd_conv_output, err,
                                "impossible shape: the effective kernel %lld (= %lld*(%lld - 1) "
                                "+ 1) is larger than the padded input N + 2P = %lld + 2*%lld = "
                                "%lld",
                                keff, d, k, n, p, span);
        return gn_cmd_error(&gn_cmd_conv_output, err,
                            "impossible shape: the kernel K = %lld is larger than the padded "
                            "input N + 2P = %lld + 2*%lld = %lld",
                            k, n, p, span);
    }
    long long o = (span - keff) / s + 1, rest = (span - keff) % s;
    if (quiet) {
        fprintf(out, "%lld\n", o);
        return GN_OK;
    }
    if (d > 1) fprintf(out, "effective kernel: %lld*(%lld - 1) + 1 = %lld\n", d, k, keff);
    fprintf(out, "floor((%lld - %lld + 2*%lld) / %lld) + 1 = %lld\n", n, keff, p, s, o);
    if (rest)
        fprintf(out,
                "note: %lld is not a multiple of %lld; the last %lld row%s/column%s of the "
                "padded input %s not reached by any window\n",
                span - keff, s, rest, rest > 1 ? "s" : "", rest > 1 ? "s" : "",
                rest > 1 ? "are" : "is");
    return GN_OK;
}
