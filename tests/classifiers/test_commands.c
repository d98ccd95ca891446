/* The CNN arithmetic commands of the classifiers plugin (conv-output,
 * receptive-field, convolve), driven through the real ganglion binary. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmp[256];
static char out[1 << 20], err[1 << 16];

static void setup(void) {
    snprintf(tmp, sizeof tmp, "%s/gn-cmd-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : P_tmpdir);
    cr_assert_not_null(mkdtemp(tmp));
    setenv("GANGLION_PLUGIN_PATH", GN_TEST_PLUGIN_DIR, 1);
}

static void teardown(void) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(commands, .init = setup, .fini = teardown, .timeout = 60);

static void slurp(const char *name, char *buf, size_t size) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmp, name);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, size - 1, f) : 0;
    buf[n] = '\0';
    if (f) fclose(f);
}

/* Runs `ganglion ARGS` (ARGS as a shell would read them) into out and err;
 * returns the exit code, -1 when the process died of a signal. */
static int ganglion(const char *args) {
    static char cmd[1 << 17];
    snprintf(cmd, sizeof cmd, "'%s' %s > '%s/out' 2> '%s/err'", GN_TEST_BINARY, args, tmp, tmp);
    int rc = system(cmd);
    slurp("out", out, sizeof out);
    slurp("err", err, sizeof err);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* Runs ARGS and expects exit 0 with `want` somewhere in stdout. */
static void ok(const char *args, const char *want) {
    int rc = ganglion(args);
    cr_assert_eq(rc, 0, "ganglion %s: exit %d\n%s%s", args, rc, out, err);
    cr_assert(strstr(out, want), "ganglion %s: no \"%s\" in\n%s", args, want, out);
}

/* Runs ARGS and expects a usage error (exit 2) whose message contains want. */
static void usage_error(const char *args, const char *want) {
    int rc = ganglion(args);
    cr_assert_eq(rc, 2, "ganglion %s: exit %d, wanted 2\n%s%s", args, rc, out, err);
    cr_assert(!strncmp(err, "ganglion: ", 10), "ganglion %s: stderr: %s", args, err);
    cr_assert(strstr(err, want), "ganglion %s: no \"%s\" in %s", args, want, err);
    cr_assert_str_empty(out, "ganglion %s printed on stdout: %s", args, out);
}

/* ---- conv-output ---- */

Test(commands, conv_output_known_answers) {
    ok("conv-output 28 5 0 1", "floor((28 - 5 + 2*0) / 1) + 1 = 24\n");
    ok("conv-output 32 3 1 2", "floor((32 - 3 + 2*1) / 2) + 1 = 16\n");
    ok("conv-output 7 3 0 2", "floor((7 - 3 + 2*0) / 2) + 1 = 3\n");
    ok("conv-output 32 5 2 1", "floor((32 - 5 + 2*2) / 1) + 1 = 32\n");
    ok("conv-output 227 11 0 4", "= 55\n");
    ok("conv-output 1 1 0 1", "= 1\n");
}

Test(commands, conv_output_dilation) {
    ok("conv-output 32 3 0 1 2", "effective kernel: 2*(3 - 1) + 1 = 5\n");
    cr_assert(strstr(out, "floor((32 - 5 + 2*0) / 1) + 1 = 28\n"), "%s", out);
    ok("conv-output 32 3 0 1 --dilation 2", "= 28\n");
    ok("conv-output --dilation=2 32 3 0 1", "= 28\n");
    ok("conv-output 32 3 2 1 --dilation 2", "= 32\n");
    ok("conv-output 32 3 0 1 1", "floor((32 - 3 + 2*0) / 1) + 1 = 30\n");
    cr_assert_null(strstr(out, "effective"), "%s", out);
}

Test(commands, conv_output_quiet_and_note) {
    cr_assert_eq(ganglion("conv-output 32 5 2 1 --quiet"), 0, "%s", err);
    cr_assert_str_eq(out, "32\n");
    cr_assert_eq(ganglion("conv-output -q 32 3 0 1 2"), 0, "%s", err);
    cr_assert_str_eq(out, "28\n");
    ok("conv-output 32 3 1 2", "note: 31 is not a multiple of 2");
    ok("conv-output 10 3 0 4", "the last 3 rows/columns");
    ok("conv-output 28 5 0 1", "= 24\n");
    cr_assert_null(strstr(out, "note"), "%s", out);
}

Test(commands, conv_output_impossible_shapes) {
    usage_error("conv-output 3 5 0 1", "the kernel K = 5 is larger than the padded input");
    usage_error("conv-output 3 5 0 1", "N + 2P = 3 + 2*0 = 3");
    ok("conv-output 3 5 1 1", "= 1\n");
    usage_error("conv-output 5 3 0 1 3", "effective kernel 7");
    usage_error("conv-output 32 3 1 0", "S (stride) must be at least 1, got 0");
    usage_error("conv-output 32 3 -1 1", "P (padding) must be at least 0, got -1");
    usage_error("conv-output 0 1 0 1", "N (input size) must be at least 1");
    usage_error("conv-output 32 0 0 1", "K (kernel size) must be at least 1");
    usage_error("conv-output 32 3 0 1 0", "D (dilation) must be at least 1");
    usage_error("conv-output 32 3 0 1 --dilation -2", "D (dilation) must be at least 1");
    usage_error("conv-output 32 3.5 1 1", "K (kernel size) must be an integer, got '3.5'");
    usage_error("conv-output abc 3 1 1", "N (input size) must be an integer, got 'abc'");
    usage_error("conv-output 32 3 1 1x", "must be an integer, got '1x'");
    usage_error("conv-output 32 3 '' 1", "must be an integer, got ''");
    usage_error("conv-output 32 ' 3' 1 1", "must be an integer");
    usage_error("conv-output 99999999999999999999999 3 1 1", "must be at most");
    usage_error("conv-output 32 3 1", "expects the four numbers N K P S, got 3");
    usage_error("conv-output", "expects the four numbers N K P S, got 0");
    usage_error("conv-output 32 3 1 1 2 7", "too many numbers");
    usage_error("conv-output 32 3 1 1 2 --dilation 2", "the dilation is given twice");
    usage_error("conv-output 32 3 1 1 --dilation", "--dilation needs a value");
    usage_error("conv-output 32 3 1 1 --padding 2", "unknown option '--padding'");
    cr_assert(strstr(err, "usage: ganglion conv-output N K P S"), "%s", err);
}

Test(commands, conv_output_help) {
    ok("conv-output --help", "usage: ganglion conv-output N K P S");
    cr_assert(strstr(out, "floor((N - K + 2P) / S) + 1"), "%s", out);
    cr_assert(strstr(out, "D*(K - 1) + 1"), "%s", out);
    ok("conv-output 32 5 --help", "usage: ganglion conv-output");
}

/* ---- receptive-field ---- */

/* Line `row` (0: header, 1: input) of the table in out, as its numbers. */
static void rf_row(int row, const char *layer, long long k, long long s, long long p, long long d,
                   long long r, long long j, double start) {
    const char *line = out;
    for (int i = 0; i < row && line; i++)
        if ((line = strchr(line, '\n'))) line++;
    cr_assert_not_null(line, "no row %d in\n%s", row, out);
    char name[32];
    long long v[6];
    double st;
    int n = sscanf(line, "%31s %lld %lld %lld %lld %lld %lld %lf", name, &v[0], &v[1], &v[2], &v[3],
                   &v[4], &v[5], &st);
    cr_assert_eq(n, 8, "row %d: %.80s", row, line);
    cr_assert_str_eq(name, layer, "row %d: %.80s", row, line);
    cr_assert(v[0] == k && v[1] == s && v[2] == p && v[3] == d && v[4] == r && v[5] == j &&
                  st == start,
              "row %d: %.80s", row, line);
}

Test(commands, receptive_field_two_convs) {
    ok("receptive-field 'conv2d(3,1)' 'conv2d(3,1)'", "receptive field: 5 x 5\n");
    cr_assert(!strncmp(out, "layer", 5), "%s", out);
    const char *cols[] = {" k ", " s ", " p ", " d ", "receptive field", "jump", "start"};
    for (int i = 0; i < 7; i++)
        cr_assert(strstr(out, cols[i]), "no %s in %s", cols[i], out);
    cr_assert(strstr(out, "\ninput "), "%s", out);
    rf_row(2, "conv2d", 3, 1, 0, 1, 3, 1, 1.5);
    rf_row(3, "conv2d", 3, 1, 0, 1, 5, 1, 2.5);
    /* The last line is the summary. */
    const char *last = strstr(out, "receptive field: ");
    cr_assert_str_eq(last, "receptive field: 5 x 5\n");
}

Test(commands, receptive_field_conv_pool_conv) {
    /* r: 1 -> 1+2*1 = 3 -> 3+1*1 = 4 -> 4+2*2 = 8; j: 1, 1, 2, 2;
     * start: 0.5 -> 1.5 -> 1.5+0.5*1 = 2 -> 2+1*2 = 4. */
    ok("receptive-field 'conv2d(3,1) maxpool2d(2,2) conv2d(3,1)'", "receptive field: 8 x 8\n");
    rf_row(2, "conv2d", 3, 1, 0, 1, 3, 1, 1.5);
    rf_row(3, "maxpool2d", 2, 2, 0, 1, 4, 2, 2.0);
    rf_row(4, "conv2d", 3, 1, 0, 1, 8, 2, 4.0);
    /* The same stack as separate arguments, with spaces and commas. */
    ok("receptive-field 'conv2d(3, 1),' 'maxpool2d( 2 , 2 )' 'conv2d(3,1)'", "8 x 8\n");
}

Test(commands, receptive_field_padding_dilation_and_defaults) {
    /* Padding keeps r but moves start: 0.5 + (1 - 1)*1 = 0.5. */
    ok("receptive-field 'conv2d(3,1,1)'", "3 x 3\n");
    rf_row(2, "conv2d", 3, 1, 1, 1, 3, 1, 0.5);
    /* Dilation 2: k' = 5, r = 5, start = 0.5 + (2 - 1)*1 = 1.5. */
    ok("receptive-field 'conv2d(k=3, s=1, p=1, d=2)'", "5 x 5\n");
    rf_row(2, "conv2d", 3, 1, 1, 2, 5, 1, 1.5);
    ok("receptive-field 'conv2d(3,1,0,2)'", "5 x 5\n");
    ok("receptive-field 'conv2d(kernel_size=3, stride=2, padding=1, dilation=1)'", "3 x 3\n");
    rf_row(2, "conv2d", 3, 2, 1, 1, 3, 2, 0.5);
    /* Defaults: stride 1 for conv2d, stride k for pooling (PyTorch). */
    ok("receptive-field 'conv2d(3)' 'maxpool2d(2)' 'avgpool2d(3)'", "receptive field: 8 x 8\n");
    rf_row(2, "conv2d", 3, 1, 0, 1, 3, 1, 1.5);
    rf_row(3, "maxpool2d", 2, 2, 0, 1, 4, 2, 2.0);
    rf_row(4, "avgpool2d", 3, 3, 0, 1, 8, 6, 4.0);
    ok("receptive-field 'conv2d(3, 2, p=1)'", "3 x 3\n");
    rf_row(2, "conv2d", 3, 2, 1, 1, 3, 2, 0.5);
}

Test(commands, receptive_field_alexnet) {
    ok("receptive-field --input 227 'conv2d(11,4) maxpool2d(3,2) conv2d(5,1,2) maxpool2d(3,2)' "
       "'conv2d(3,1,1) conv2d(3,1,1) conv2d(3,1,1) maxpool2d(3,2)'",
       "receptive field: 195 x 195\n");
    cr_assert(strstr(out, " output "), "%s", out);
    const long long size[] = {227, 55, 27, 27, 13, 13, 13, 13, 6};
    const long long rf[] = {1, 11, 19, 51, 67, 99, 131, 163, 195};
    const char *line = strchr(out, '\n') + 1;
    for (int i = 0; i < 9; i++, line = strchr(line, '\n') + 1) {
        char name[32];
        long long v[5], o, r;
        if (i == 0)
            cr_assert_eq(sscanf(line, "%31s %lld %lld", name, &o, &r), 3, "%s", line);
        else
            cr_assert_eq(sscanf(line, "%31s %lld %lld %lld %lld %lld %lld", name, &v[0], &v[1],
                                &v[2], &v[3], &o, &r),
                         7, "%s", line);
        cr_assert_eq(o, size[i], "row %d: %.70s", i, line);
        cr_assert_eq(r, rf[i], "row %d: %.70s", i, line);
    }
}

Test(commands, receptive_field_errors) {
    usage_error("receptive-field", "no layers given");
    usage_error("receptive-field 'conv3d(3,1)'", "unknown layer 'conv3d'");
    usage_error("receptive-field 'conv2d(3,1'", "is not a layer");
    usage_error("receptive-field conv2d", "is not a layer");
    usage_error("receptive-field 'conv2d(3)(1)'", "is not a layer");
    usage_error("receptive-field 'conv2d()'", "the kernel size k is missing");
    usage_error("receptive-field 'conv2d(s=2)'", "the kernel size k is missing");
    usage_error("receptive-field 'conv2d(k=3, 1)'", "positional argument after a named one");
    usage_error("receptive-field 'conv2d(3, k=3)'", "k (kernel size) is given twice");
    usage_error("receptive-field 'conv2d(3,1,0,1,1)'", "too many arguments");
    usage_error("receptive-field 'conv2d(3,,1)'", "empty argument");
    usage_error("receptive-field 'conv2d(3,1,x)'", "p (padding) must be an integer, got 'x'");
    usage_error("receptive-field 'conv2d(3,0)'", "s (stride) must be at least 1");
    usage_error("receptive-field 'conv2d(3,1,-1)'", "p (padding) must be at least 0");
    usage_error("receptive-field 'conv2d(0,1)'", "k (kernel size) must be at least 1");
    usage_error("receptive-field 'conv2d(2.5,1)'", "must be an integer");
    usage_error("receptive-field 'conv2d(q=1)'", "unknown parameter 'q'");
    usage_error("receptive-field --input 4 'conv2d(3,1) conv2d(3,1) conv2d(3,1)'",
                "layer 2 (conv2d): the kernel 3 is larger than its padded input 2 + 2*0 = 2");
    usage_error("receptive-field --input 0 'conv2d(3,1)'", "--input N must be at least 1");
    usage_error("receptive-field --inptu 4 'conv2d(3,1)'", "unknown option '--inptu'");
    usage_error("receptive-field 'conv2d(3,1000000) conv2d(3,1000000) conv2d(3,1000000)'",
                "grows beyond");
    static char many[4096];
    many[0] = '\'';
    for (int i = 0; i < 300; i++)
        strcat(many, "conv2d(1) ");
    strcat(many, "'");
    static char args[4200];
    snprintf(args, sizeof args, "receptive-field %s", many);
    usage_error(args, "more than 256 layers");
}

Test(commands, receptive_field_help) {
    ok("receptive-field --help", "usage: ganglion receptive-field");
    cr_assert(strstr(out, "r     += (k' - 1) * j"), "%s", out);
    cr_assert(strstr(out, "maxpool2d(k,s)"), "%s", out);
}

/* ---- convolve ---- */

#define M3 "--input '1 2 3; 4 5 6; 7 8 9'"

Test(commands, convolve_by_hand) {
    /* out[0][0] = 1*1 + 2*2 + 4*3 + 5*4 = 37, then 47; 67, 77. */
    ok("convolve " M3 " --kernel '1 2; 3 4'", "\n37 47\n67 77\n");
    cr_assert(strstr(out, "input 3x3, kernel 2x2, stride 1, padding 0 -> output 2x2"), "%s", out);
    cr_assert(strstr(out, "cross-correlation"), "%s", out);
    ok("convolve " M3 " --kernel '1 0; 0 -1' --stride 1 --padding 0", "\n-4 -4\n-4 -4\n");
    /* True convolution: the kernel becomes 4 3; 2 1. */
    ok("convolve " M3 " --kernel '1 2; 3 4' --flip", "\n23 33\n53 63\n");
    cr_assert(strstr(out, "kernel flipped"), "%s", out);
    ok("convolve --input '[[1, 2, 3], [4, 5, 6], [7, 8, 9]]' --kernel '[[1, 2], [3, 4]]'",
       "\n37 47\n67 77\n");
}

Test(commands, convolve_stride_and_padding) {
    /* Padded 5x5, windows at rows/columns -1 and 1:
     * [0 0; 0 1] -> 4, [0 0; 2 3] -> 18, [0 4; 0 7] -> 36, [5 6; 8 9] -> 77. */
    ok("convolve " M3 " --kernel '1 2; 3 4' --stride 2 --padding 1", "\n 4 18\n36 77\n");
    cr_assert(strstr(out, "stride 2, padding 1 -> output 2x2"), "%s", out);
    ok("convolve " M3 " --kernel '1 2; 3 4' --stride=2 --padding=1 --steps",
       "out[0][1] = 0*1 + 0*2 + 2*3 + 3*4 = 18\n");
    cr_assert(strstr(out, "padded input (5x5):\n0 0 0 0 0\n0 1 2 3 0\n"), "%s", out);
    cr_assert(strstr(out, "rows: floor((3 - 2 + 2*1) / 2) + 1 = 2\n"), "%s", out);
    cr_assert(strstr(out, "out[1][1] = 5*1 + 6*2 + 8*3 + 9*4 = 77\n"), "%s", out);
    cr_assert(strstr(out, "output (2x2):\n 4 18\n36 77\n"), "%s", out);
    /* Same padding with a 3x3 kernel keeps the size. */
    ok("convolve " M3 " --kernel '0 0 0; 0 1 0; 0 0 0' --padding 1", "\n1 2 3\n4 5 6\n7 8 9\n");
    /* 3x3 kernel, stride 2 over 4x4: floor((4 - 3) / 2) + 1 = 1. */
    ok("convolve --input '1 1 1 1; 1 1 1 1; 1 1 1 1; 1 1 1 1' --kernel '1 1 1; 1 1 1; 1 1 1' "
       "--stride 2",
       "output 1x1 (cross-correlation, as in PyTorch)\n9\n");
}

Test(commands, convolve_numbers_and_dilation) {
    ok("convolve --input '0.5 -1; 2 0' --kernel 2", "\n 1 -2\n 4  0\n");
    ok("convolve --input '1,2,3\n4,5,6' --kernel '0.5 -0.25' --dilation 2", "\n-0.25\n  0.5\n");
    cr_assert(strstr(out, "dilation 2 -> output 2x1"), "%s", out);
    ok("convolve --input '1 -2; 3 4;' --kernel '-1' --steps", "out[0][1] = (-2)*(-1) = 2\n");
    ok("convolve --input '0.1 0.2' --kernel '1 1'", "\n0.3\n");
    ok("convolve --input '1e-3 2E2' --kernel '1'", "\n0.001   200\n");
}

Test(commands, convolve_malformed_input) {
    usage_error("convolve --input '1 2 3; 4 5; 7 8 9' --kernel 1",
                "--input: row 2 has 2 numbers but row 1 has 3");
    usage_error("convolve " M3 " --kernel '1 2; 3'",
                "--kernel: row 2 has 1 number but row 1 has 2");
    usage_error("convolve --input '1 x 3' --kernel 1", "--input: 'x' is not a number");
    usage_error("convolve --input '1 2' --kernel '1 0x'", "--kernel: '0x' is not a number");
    usage_error("convolve --input nan --kernel 1", "'nan' is not a number");
    usage_error("convolve --input inf --kernel 1", "is too large");
    usage_error("convolve --input 1e400 --kernel 1", "1e400 is too large");
    usage_error("convolve --input '' --kernel 1", "--input: the matrix is empty");
    usage_error("convolve --input ' ; ;' --kernel 1", "--input: the matrix is empty");
    usage_error("convolve --input 1 --kernel '[]'", "--kernel: the matrix is empty");
    usage_error("convolve --input '1 2' --kernel '1 2 3'",
                "the kernel 1x3 is larger than the padded input 1x2");
    usage_error("convolve " M3 " --kernel '1 1; 1 1' --dilation 3",
                "the kernel 2x2 (4x4 with dilation 3) is larger than the padded input 3x3");
    /* Taps 3 apart: out[0][0] sees only in[2][2], out[1][1] only in[0][0]. */
    ok("convolve " M3 " --kernel '1 1; 1 1' --dilation 3 --padding 1", "\n9 7\n3 1\n");
    usage_error("convolve --input 1", "--input and --kernel are required");
    usage_error("convolve --kernel 1", "--input and --kernel are required");
    usage_error("convolve --input 1 --kernel", "--kernel needs a value");
    usage_error("convolve --input --kernel 1", "--input needs a value");
    usage_error("convolve --input 1 --kernel 1 --stride 0", "--stride must be at least 1");
    usage_error("convolve --input 1 --kernel 1 --padding -1", "--padding must be at least 0");
    usage_error("convolve --input 1 --kernel 1 --padding 1.5", "--padding must be an integer");
    usage_error("convolve --input 1 --kernel 1 --dilation 0", "--dilation must be at least 1");
    usage_error("convolve --input 1 --kernel 1 --input 2", "--input is given twice");
    usage_error("convolve --input 1 --kernel 1 '1 2'", "unexpected argument '1 2'");
    usage_error("convolve --input 1 --kernel 1 --pad 1", "unknown option '--pad'");
}

/* A rows x cols matrix of ones as a shell argument. */
static void ones(char *buf, size_t size, int rows, int cols) {
    size_t n = (size_t)snprintf(buf, size, "'");
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols && n + 4 < size; c++)
            n += (size_t)snprintf(buf + n, size - n, c ? " 1" : (r ? "; 1" : "1"));
    snprintf(buf + n, size - n, "'");
}

Test(commands, convolve_size_limits) {
    static char m[1 << 14], args[1 << 16];
    ones(m, sizeof m, 64, 64);
    snprintf(args, sizeof args, "convolve --input %s --kernel %s", m, m);
    ok(args, "output 1x1 (cross-correlation, as in PyTorch)\n4096\n");
    snprintf(args, sizeof args, "convolve --input %s --kernel 1 --padding 64", m);
    ok(args, "-> output 192x192");
    static char k[256];
    ones(k, sizeof k, 8, 8);
    snprintf(args, sizeof args, "convolve --input %s --kernel %s --steps", m, k);
    usage_error(args, "--steps would print 207936 products");
    snprintf(args, sizeof args, "convolve --input %s --kernel %s", m, k);
    ok(args, "-> output 57x57");
    ones(m, sizeof m, 65, 2);
    snprintf(args, sizeof args, "convolve --input %s --kernel 1", m);
    usage_error(args, "--input: more than 64 rows");
    ones(m, sizeof m, 2, 65);
    snprintf(args, sizeof args, "convolve --input 1 --kernel %s", m);
    usage_error(args, "--kernel: row 1 has more than 64 numbers");
    usage_error("convolve --input 1 --kernel 1 --padding 65", "--padding must be at most 64");
    static char big[256];
    memset(big, '1', 100);
    snprintf(args, sizeof args, "convolve --input %.100s --kernel 1", big);
    usage_error(args, "is too long to be a number");
}

Test(commands, convolve_help) {
    ok("convolve --help", "usage: ganglion convolve --input M --kernel K");
    cr_assert(strstr(out, "cross-correlation"), "%s", out);
    cr_assert(strstr(out, "--flip"), "%s", out);
    ok("convolve --input 1 --help", "usage: ganglion convolve");
}

Test(commands, listed_by_plugins) {
    ganglion("plugins");
    cr_assert(strstr(out, "conv-output"), "%s", out);
    cr_assert(strstr(out, "receptive-field"), "%s", out);
    cr_assert(strstr(out, "convolve"), "%s", out);
}
