/* format = function: synthetic regression data from well-known functions
 * of two inputs (franke, peaks, saddle, sinc) at random points or on a
 * grid; values, layout, determinism, noise and manifest errors. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/dataset.h"
#include "data/formats.h"
#include "data/manifest.h"
#include "data/search.h"
#include "data/split.h"

static char g_dir[256];
static gn_error err;

static void setup(void) {
    snprintf(g_dir, sizeof g_dir, "%s/gn-fn-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : P_tmpdir);
    cr_assert_not_null(mkdtemp(g_dir), "mkdtemp failed");
    unsetenv(GN_DATA_PATH_ENV);
    unsetenv(GN_MANIFEST_PATH_ENV);
    memset(&err, 0, sizeof err);
}

static void teardown(void) {
    char path[512];
    snprintf(path, sizeof path, "%s/fn.ini", g_dir);
    remove(path);
    rmdir(g_dir);
}

TestSuite(data_function, .init = setup, .fini = teardown);

/* Writes fn.ini: [dataset] with format = function and the given keys, then
 * the splits; returns its path. */
static const char *manifest(const char *dataset_keys, const char *splits) {
    static char path[512];
    snprintf(path, sizeof path, "%s/fn.ini", g_dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "[dataset]\nname = fn\nformat = function\n%s\n%s", dataset_keys, splits);
    fclose(f);
    return path;
}

static gn_dataset *load(const char *path, const char *split) {
    gn_dataset *ds = NULL;
    gn_status st = gn_dataset_load(path, split, &ds, &err);
    cr_assert_eq(st, GN_OK, "%s", err.msg);
    return ds;
}

static void expect_err(const char *dataset_keys, const char *splits, const char *substr) {
    gn_manifest *m = (gn_manifest *)1;
    const char *path = manifest(dataset_keys, splits);
    cr_assert_eq(gn_manifest_load(path, &m, &err), GN_ERR_CONFIG, "'%s': %s", substr, err.msg);
    cr_assert_null(m);
    cr_assert_not_null(strstr(err.msg, substr), "message '%s' lacks '%s'", err.msg, substr);
    cr_assert_not_null(strstr(err.msg, path), "message '%s' names not the manifest", err.msg);
}

Test(data_function, values_at_known_points) {
    double r[4];
    int f = gn_function_find("franke", r);
    cr_assert_geq(f, 0);
    cr_assert(r[0] == 0 && r[1] == 1 && r[2] == 0 && r[3] == 1);
    /* 0.75 e^-2 + 0.75 e^(-1/49 - 1/10) + 0.5 e^-14.5 - 0.2 e^-65 */
    cr_assert_float_eq(gn_function_value(f, 0, 0), 0.7664205912849231, 1e-12);
    /* 0.75 e^-3.125 + 0.75 e^(-30.25/49 - 0.55) + 0.5 e^-2.125 - 0.2 e^-6.5 */
    cr_assert_float_eq(gn_function_value(f, 0.5, 0.5), 0.3257620892806842, 1e-12);
    f = gn_function_find("peaks", r);
    cr_assert(r[0] == -3 && r[1] == 3 && r[2] == -3 && r[3] == 3);
    cr_assert_float_eq(gn_function_value(f, 0, 0), 8.0 / 3.0 * exp(-1), 1e-12);
    cr_assert_float_eq(gn_function_value(f, 1, 1), 18 * exp(-2) - exp(-5) / 3, 1e-12);
    f = gn_function_find("saddle", r);
    cr_assert(r[0] == -1 && r[1] == 1 && r[2] == -1 && r[3] == 1);
    cr_assert_float_eq(gn_function_value(f, 0.5, -1), -0.75, 1e-15);
    f = gn_function_find("sinc", r);
    cr_assert(r[0] == -10 && r[1] == 10);
    cr_assert_eq(gn_function_value(f, 0, 0), 1.0);
    cr_assert_float_eq(gn_function_value(f, 3, 4), sin(5.0) / 5, 1e-15);
    cr_assert_eq(gn_function_find("rosenbrock", r), -1);
    cr_assert(isnan(gn_function_value(-1, 0, 0)));
}

Test(data_function, grid_is_row_major_with_exact_corners) {
    const char *p = manifest("function = franke", "[split.test]\ngrid = 3\n");
    gn_dataset *ds = load(p, "test");
    cr_assert_str_eq(ds->name, "fn/test");
    cr_assert_eq(ds->n, 9);
    cr_assert_eq(ds->ndim, 1);
    cr_assert_eq(ds->dims[0], 2);
    cr_assert_eq(ds->sample_size, 2);
    cr_assert_eq(ds->target_dim, 1);
    cr_assert_eq(ds->n_classes, 0);
    cr_assert_null(ds->pixels);
    cr_assert_null(ds->labels);
    static const float u[3] = {0, 0.5f, 1};
    for (int k = 0; k < 9; k++) { /* sample j*3 + i is (u_i, u_j) */
        cr_assert_eq(ds->values[2 * k], u[k % 3], "x of sample %d", k);
        cr_assert_eq(ds->values[2 * k + 1], u[k / 3], "y of sample %d", k);
        cr_assert_float_eq(ds->targets[k], gn_function_value(0, u[k % 3], u[k / 3]), 1e-6);
    }
    cr_assert_float_eq(ds->targets[0], 0.76642059f, 1e-6);
    cr_assert_float_eq(ds->targets[4], 0.32576209f, 1e-6);
    cr_assert_not_null(strstr(ds->notes, "a 3 x 3 grid"), "%s", ds->notes);
    gn_dataset_free(ds);
    /* a given range: its ends are the grid's first and last values, exactly */
    p = manifest("function = saddle\nrange = -1.5 2.25 0.1 0.7", "[split.g]\ngrid = 7\n");
    ds = load(p, "g");
    cr_assert_eq(ds->n, 49);
    cr_assert_eq(ds->values[0], -1.5f);
    cr_assert_eq(ds->values[1], 0.1f);
    cr_assert_eq(ds->values[2 * 6], 2.25f);
    cr_assert_eq(ds->values[2 * 48], 2.25f);
    cr_assert_eq(ds->values[2 * 48 + 1], 0.7f);
    cr_assert_float_eq(ds->targets[48], 2.25 * 2.25 - 0.7f * 0.7f, 1e-5);
    gn_dataset_free(ds);
}

Test(data_function, random_points_fill_the_range) {
    const char *p =
        manifest("function = peaks\nrange = -3 3 10 12", "[split.train]\nsamples = 4000\n");
    gn_dataset *ds = load(p, "train");
    cr_assert_eq(ds->n, 4000);
    double mx = 0, my = 0;
    float lo[2] = {1e9f, 1e9f}, hi[2] = {-1e9f, -1e9f};
    for (int k = 0; k < 4000; k++) {
        float x = ds->values[2 * k], y = ds->values[2 * k + 1];
        cr_assert(x >= -3 && x <= 3 && y >= 10 && y <= 12, "sample %d: (%g, %g)", k, x, y);
        cr_assert_float_eq(ds->targets[k], gn_function_value(1, x, y), 1e-5);
        mx += x / 4000;
        my += y / 4000;
        lo[0] = fminf(lo[0], x), hi[0] = fmaxf(hi[0], x);
        lo[1] = fminf(lo[1], y), hi[1] = fmaxf(hi[1], y);
    }
    cr_assert_float_eq(mx, 0, 0.15, "uniform x: mean %g", mx);
    cr_assert_float_eq(my, 11, 0.05, "uniform y: mean %g", my);
    cr_assert(lo[0] < -2.9f && hi[0] > 2.9f && lo[1] < 10.03f && hi[1] > 11.97f);
    gn_dataset_free(ds);
}

/* The first training sample of datasets/franke.ini (seed 1), recorded once:
 * a change here changes everyone's data. Franke there is 0.2533997824. */
#define GOLDEN_X0 0.318465829f
#define GOLDEN_Y0 0.682301819f
#define GOLDEN_T0 0.253399789f

Test(data_function, same_manifest_same_data_everywhere) {
    const char *p = GN_TEST_SOURCE_DIR "/datasets/franke.ini";
    gn_dataset *a = load(p, "train"), *b = load(p, "train");
    cr_assert_eq(a->n, 2000);
    cr_assert_eq(memcmp(a->values, b->values, 2000 * 2 * sizeof(float)), 0);
    cr_assert_eq(memcmp(a->targets, b->targets, 2000 * sizeof(float)), 0);
    /* golden values: the points depend on integer arithmetic only */
    cr_assert_eq(a->values[0], GOLDEN_X0, "%.9g", a->values[0]);
    cr_assert_eq(a->values[1], GOLDEN_Y0, "%.9g", a->values[1]);
    cr_assert_float_eq(a->targets[0], GOLDEN_T0, 1e-6, "%.9g", a->targets[0]);
    gn_dataset *t = load(p, "test");
    cr_assert_eq(t->n, 2500);
    cr_assert_eq(t->values[2 * 2499], 1.0f);
    gn_dataset_free(a);
    gn_dataset_free(b);
    gn_dataset_free(t);
    /* another seed, other points; splits draw their own */
    p = manifest("function = franke\nseed = 2", "[split.train]\nsamples = 5\n[split.val]\n"
                                                "samples = 5\n");
    a = load(p, "train");
    b = load(p, "val");
    cr_assert_neq(a->values[0], GOLDEN_X0);
    cr_assert_neq(memcmp(a->values, b->values, 10 * sizeof(float)), 0);
    gn_dataset_free(a);
    gn_dataset_free(b);
    a = load(GN_TEST_SOURCE_DIR "/datasets/peaks.ini", "train");
    b = load(GN_TEST_SOURCE_DIR "/datasets/peaks.ini", "test");
    cr_assert_eq(a->n, 4000);
    cr_assert_eq(b->n, 3600);
    gn_dataset_free(a);
    gn_dataset_free(b);
}

Test(data_function, noise_only_on_train) {
    const char *splits = "[split.train]\nsamples = 3000\n[split.test]\nsamples = 3000\n";
    const char *p = manifest("function = sinc", splits);
    gn_dataset *clean = load(p, "train"), *clean_test = load(p, "test");
    p = manifest("function = sinc\nnoise = 0.25", splits);
    gn_dataset *noisy = load(p, "train"), *noisy_test = load(p, "test");
    /* the same points; only train's targets move, by N(0, 0.25^2) */
    cr_assert_eq(memcmp(clean->values, noisy->values, 3000 * 2 * sizeof(float)), 0);
    cr_assert_eq(memcmp(clean_test->values, noisy_test->values, 3000 * 2 * sizeof(float)), 0);
    cr_assert_eq(memcmp(clean_test->targets, noisy_test->targets, 3000 * sizeof(float)), 0);
    double s = 0, s2 = 0;
    for (int k = 0; k < 3000; k++) {
        double d = noisy->targets[k] - clean->targets[k];
        s += d;
        s2 += d * d;
    }
    double mean = s / 3000, sd = sqrt(s2 / 3000 - mean * mean);
    cr_assert_float_eq(mean, 0, 0.02, "noise mean %g", mean);
    cr_assert_float_eq(sd, 0.25, 0.015, "noise std %g", sd);
    cr_assert_not_null(strstr(noisy->notes, "noise of std 0.25"), "%s", noisy->notes);
    cr_assert_null(strstr(noisy_test->notes, "noise"), "%s", noisy_test->notes);
    gn_dataset_free(clean);
    gn_dataset_free(clean_test);
    gn_dataset_free(noisy);
    gn_dataset_free(noisy_test);
}

Test(data_function, views_give_regression_batches) {
    const char *p = manifest("function = saddle", "[split.train]\ngrid = 2\n");
    gn_dataset *ds = load(p, "train");
    gn_data *v;
    cr_assert_eq(gn_data_view_new(ds, 0, ds->n, NULL, &v, &err), GN_OK, "%s", err.msg);
    gn_data_info info;
    gn_data_view_info(v, &info);
    cr_assert_eq(info.n, 4);
    cr_assert_eq(info.n_classes, 0);
    cr_assert_eq(info.target_dim, 1);
    gn_batch b;
    cr_assert_eq(gn_data_view_batch(v, 1, 2, &b, &err), GN_OK, "%s", err.msg);
    cr_assert_null(b.labels);
    /* (1, -1) and (-1, 1): x^2 - y^2 = 0 at both */
    cr_assert(b.x[0] == 1 && b.x[1] == -1 && b.x[2] == -1 && b.x[3] == 1);
    cr_assert(b.y[0] == 0 && b.y[1] == 0);
    gn_data_view_free(v);
    gn_dataset_free(ds);
    gn_dataset *none = (gn_dataset *)1;
    cr_assert_eq(gn_dataset_load(p, "test", &none, &err), GN_ERR_NOT_FOUND);
    cr_assert_null(none);
    cr_assert_not_null(strstr(err.msg, "has no split 'test' (it has: train)"), "%s", err.msg);
}

Test(data_function, malformed_manifest_keys) {
    const char *train = "[split.train]\nsamples = 10\n";
    expect_err("", train, "missing key 'function' in [dataset]");
    expect_err("function = rosenbrock", train,
               "line 4: function = 'rosenbrock' is not known (franke, peaks, saddle or sinc)");
    expect_err("function = franke\nfunction = peaks", train, "line 5: key 'function' given twice");
    const char *bad_ranges[] = {"0 1 0",   "0 1 0 1 2", "1 0 0 1",   "0 1 2 2",
                                "0 1 0 x", "0,1,0,1",   "nan 1 0 1", "0 1e999 0 1"};
    for (size_t i = 0; i < sizeof bad_ranges / sizeof *bad_ranges; i++) {
        char keys[96], want[96];
        snprintf(keys, sizeof keys, "function = franke\nrange = %s", bad_ranges[i]);
        snprintf(want, sizeof want, "line 5: range = '%s' must be four finite numbers",
                 bad_ranges[i]);
        expect_err(keys, train, want);
    }
    expect_err("function = franke\nnoise = -0.1", train,
               "line 5: noise = '-0.1' must be a number >= 0");
    expect_err("function = franke\nnoise = 0.1x", train, "noise = '0.1x' must be a number >= 0");
    expect_err("function = franke\nnoise = 0.1\nnoise = 0.2", train, "key 'noise' given twice");
    expect_err("function = franke\nseed = -1", train, "seed = '-1' is not an integer in 0..");
    expect_err("function = franke\nseed = 1.5", train, "seed = '1.5' is not an integer");
    expect_err("function = franke", "[split.train]\nsamples = 0\n",
               "line 6: samples = '0' is not an integer in 1..10000000");
    expect_err("function = franke", "[split.train]\nsamples = 10000001\n", "samples = '10000001'");
    expect_err("function = franke", "[split.train]\nsamples = ten\n", "samples = 'ten'");
    expect_err("function = franke", "[split.test]\ngrid = 1\n",
               "grid = '1' is not an integer in 2..3000");
    expect_err("function = franke", "[split.test]\ngrid = 3001\n", "grid = '3001'");
    expect_err("function = franke", "[split.test]\ngrid = 5\ngrid = 6\n", "key 'grid' given twice");
    expect_err("function = franke", "[split.test]\ngrid = 5\nsamples = 9\n",
               "[split.test] gives both samples (random points) and grid");
    expect_err("function = franke", "[split.test]\n",
               "missing key 'samples' (or 'grid') in [split.test]");
    expect_err("function = franke", "[split.test]\nfile = a.csv\n",
               "key 'file' in [split.test] is not used by format = function");
    expect_err("function = franke", "[split.test]\ngrid = 5\nsteps = 3\n",
               "unknown key 'steps' in [split.test]");
    expect_err("function = franke\nclasses = 3", train,
               "key 'classes' in [dataset] is not used by format = function");
    expect_err("function = franke\ntest_fraction = 0.2", train,
               "key 'test_fraction' in [dataset] is not used by format = function");
    expect_err("function = franke\nwobble = 2", train, "unknown key 'wobble' in [dataset]");
    expect_err("function = franke", "", "no [split.NAME] section");
    /* and the function keys are errors in other formats */
    gn_manifest *m;
    const char *p = manifest("", "");
    FILE *f = fopen(p, "w");
    fprintf(f, "[dataset]\nname = t\nformat = csv\ntargets = y\nnoise = 0.1\n"
               "[split.train]\nfile = a.csv\ngrid = 4\n");
    fclose(f);
    cr_assert_eq(gn_manifest_load(p, &m, &err), GN_ERR_CONFIG);
    cr_assert_not_null(strstr(err.msg, "key 'noise' in [dataset] is not used by format = csv"),
                       "%s", err.msg);
    /* defaults: the function's range, seed 1, no noise */
    p = manifest("function = peaks", "[split.a]\nsamples = 3\n[split.b]\ngrid = 4\n");
    cr_assert_eq(gn_manifest_load(p, &m, &err), GN_OK, "%s", err.msg);
    cr_assert_eq(m->fmt, GN_FORMAT_FUNCTION);
    cr_assert_eq(m->classes, 0);
    cr_assert(m->range[0] == -3 && m->range[1] == 3 && m->range[2] == -3 && m->range[3] == 3);
    cr_assert_eq(m->seed, 1);
    cr_assert_eq(m->noise, 0);
    cr_assert_eq(gn_manifest_split_find(m, "a")->samples, 3);
    cr_assert_eq(gn_manifest_split_find(m, "b")->grid, 4);
    gn_manifest_free(m);
}
