/* Regression end to end through the real binary: conf/regression.ini
 * (an MLP on Franke's function, datasets/franke.ini) with --quick, its test
 * MSE and the surface plots. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define CONF GN_TEST_SOURCE_DIR "/conf/regression.ini"

/* Measured: 0.0030 with --quick (seed 42, one thread); 0.003-0.006 for
 * other seeds. Predicting the mean gives 0.082. */
#define QUICK_MSE_BOUND 0.015

static char tmp[256];

static void setup(void) {
    snprintf(tmp, sizeof tmp, "%s/gn-reg-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : P_tmpdir);
    cr_assert_not_null(mkdtemp(tmp));
    unsetenv("GANGLION_MANIFEST_PATH"); /* the project's datasets/ */
}

static void teardown(void) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(regression, .init = setup, .fini = teardown, .timeout = 120);

static char out[1 << 16];

/* ganglion run CONF --out TMP/dir --quick ARGS; returns the exit code. */
static int run(const char *dir, const char *args) {
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' run '%s' --out '%s/%s' --quick %s > '%s/out.txt' 2>&1",
             GN_TEST_BINARY, CONF, tmp, dir, args, tmp);
    int rc = system(cmd);
    char path[512];
    snprintf(path, sizeof path, "%s/out.txt", tmp);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(out, 1, sizeof out - 1, f) : 0;
    out[n] = '\0';
    if (f) fclose(f);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* The file's text (a fresh malloc'ed copy), or NULL. */
static char *slurp(const char *dir, const char *file) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s/%s", tmp, dir, file);
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    b[fread(b, 1, (size_t)n, f)] = '\0';
    fclose(f);
    return b;
}

static int count(const char *s, const char *what) {
    int n = 0;
    for (const char *p = s; (p = strstr(p, what)); p++)
        n++;
    return n;
}

Test(regression, franke_quick_fits_and_plots_surfaces) {
    cr_assert_eq(run("q", ""), 0, "%s", out);
    char *sum = slurp("q", "summary.json");
    cr_assert_not_null(sum);
    char *mse = strstr(sum, "\"mse\": ");
    cr_assert_not_null(mse, "%s", sum);
    double v = strtod(mse + 7, NULL);
    cr_assert(v > 0 && v < QUICK_MSE_BOUND, "test mse %g (bound %g)", v, QUICK_MSE_BOUND);
    cr_assert_not_null(strstr(sum, "\"mae\": "), "%s", sum);
    free(sum);
    static const char *const files[] = {"surface_data.svg", "surface_prediction.svg",
                                        "surface_error.svg", "surfaces.svg"};
    static const char *const titles[] = {"data: test targets (50 x 50 grid)",
                                         "prediction on the test grid", "error |prediction"};
    for (int k = 0; k < 4; k++) {
        char *svg = slurp("q", files[k]);
        cr_assert_not_null(svg, "%s missing", files[k]);
        cr_assert(!strncmp(svg, "<svg", 4), "%s: %.60s", files[k], svg);
        if (k < 3) cr_assert_not_null(strstr(svg, titles[k]), "%s", files[k]);
        cr_assert_eq(count(svg, "<svg"), k < 3 ? 1 : 4, "%s", files[k]);
        free(svg);
    }
}

Test(regression, scattered_test_points_are_binned) {
    /* a test split of random points: the prediction on a grid, the data and
     * the error as per-cell means */
    char ini[512];
    snprintf(ini, sizeof ini, "%s/scatter.ini", tmp);
    FILE *f = fopen(ini, "w");
    cr_assert_not_null(f);
    fprintf(f, "[dataset]\nname = scatter\nformat = function\nfunction = saddle\n"
               "[split.train]\nsamples = 300\n[split.test]\nsamples = 500\n");
    fclose(f);
    char args[1024];
    snprintf(args, sizeof args, "--set data.dataset=%s --set train.quick_epochs=2", ini);
    cr_assert_eq(run("s", args), 0, "%s", out);
    char *svg = slurp("s", "surfaces.svg");
    cr_assert_not_null(svg);
    cr_assert_not_null(strstr(svg, "data: mean test target per cell (500 points)"));
    cr_assert_not_null(strstr(svg, "prediction on a 60 x 60 grid"));
    cr_assert_not_null(strstr(svg, "mean |prediction - target| per cell"));
    free(svg);
}
