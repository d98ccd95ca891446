/* End to end: the real ganglion binary and classifiers plugin on a tiny
 * synthetic dataset (tests/fixtures/tiny). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define FIX GN_TEST_SOURCE_DIR "/tests/fixtures"
#define CONF FIX "/tiny_experiment.ini"

static char tmp[256];

static void setup(void) {
    snprintf(tmp, sizeof tmp, "%s/gn-e2e-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : P_tmpdir);
    cr_assert_not_null(mkdtemp(tmp));
    setenv("GANGLION_DATA_PATH", FIX, 1);
    setenv("GANGLION_MANIFEST_PATH", FIX, 1);
    unsetenv("GANGLION_PLUGIN_PATH");
}

static void teardown(void) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(e2e, .init = setup, .fini = teardown, .timeout = 120);

/* Runs `ganglion ARGS` with stdout and stderr captured; returns the exit code. */
static int ganglion(const char *args, char *out, size_t outsz) {
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' %s > '%s/out.txt' 2>&1", GN_TEST_BINARY, args, tmp);
    int rc = system(cmd);
    char path[512];
    snprintf(path, sizeof path, "%s/out.txt", tmp);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(out, 1, outsz - 1, f) : 0;
    out[n] = '\0';
    if (f) fclose(f);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static double json_number(const char *json, const char *obj, const char *key) {
    const char *o = strstr(json, obj);
    cr_assert_not_null(o, "no %s in %s", obj, json);
    char k[64];
    snprintf(k, sizeof k, "\"%s\": ", key);
    const char *p = strstr(o, k);
    cr_assert_not_null(p, "no %s in %s", key, json);
    return strtod(p + strlen(k), NULL);
}

Test(e2e, trains_and_writes_the_run_folder) {
    char out[1 << 14], args[1024];
    snprintf(args, sizeof args, "run '%s' --out '%s/run'", CONF, tmp);
    cr_assert_eq(ganglion(args, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "epoch 5/5"), "one line per epoch when not a terminal: %s", out);
    cr_assert(strstr(out, "val_loss: "), "%s", out);
    char path[512];
    snprintf(path, sizeof path, "%s/run/summary.json", tmp);
    char *js = slurp(path);
    cr_assert_not_null(js);
    /* flatten dense(16) relu dense(3) on 8x8: 64*16+16 + 16*3+3 */
    cr_assert(strstr(js, "\"params\": 1091"), "%s", js);
    cr_assert(strstr(js, "\"wall_seconds\": "), "%s", js);
    cr_assert_geq(json_number(js, "\"test\"", "accuracy"), 0.9, "%s", js);
    cr_assert_lt(json_number(js, "\"test\"", "loss"), 0.5, "%s", js);
    snprintf(path, sizeof path, "%s/run/metrics.csv", tmp);
    char *csv = slurp(path);
    cr_assert_not_null(csv);
    cr_assert(!strncmp(csv, "epoch,split,loss,accuracy,wall_seconds\n1,train,", 47), "%s", csv);
    cr_assert(strstr(csv, "\n5,val,"), "%s", csv);
    int lines = 0;
    for (char *p = csv; *p; p++)
        lines += *p == '\n';
    cr_assert_eq(lines, 11, "header + 5 epochs x 2 splits: %s", csv);
    snprintf(path, sizeof path, "%s/run/confusion_matrix_test.csv", tmp);
    char *cm = slurp(path);
    cr_assert(cm && !strncmp(cm, "true\\predicted,0,1,2\n0,", 23), "%s", cm ? cm : "(none)");
    snprintf(path, sizeof path, "%s/run/config.ini", tmp);
    char *cfg = slurp(path);
    cr_assert(cfg && strstr(cfg, "batch_size = 16") && strstr(cfg, "shuffle = true"),
              "resolved config with defaults: %s", cfg ? cfg : "(none)");
    snprintf(path, sizeof path, "%s/run/log.txt", tmp);
    cr_assert_not_null(slurp(path));
}

/* Removes the last field of every line, in place. */
static void drop_last_column(char *csv) {
    char *w = csv;
    for (char *line = csv; *line;) {
        char *nl = strchr(line, '\n'), *end = nl ? nl : line + strlen(line), *comma = end;
        while (comma > line && *comma != ',')
            comma--;
        size_t keep = (size_t)((comma > line ? comma : end) - line);
        memmove(w, line, keep);
        w += keep;
        if (nl) *w++ = '\n';
        line = nl ? nl + 1 : end;
    }
    *w = '\0';
}

Test(e2e, quick_budget_and_bit_identical_reruns) {
    char out[1 << 14], args[1024], path[512];
    static char first[1 << 16];
    for (int k = 0; k < 2; k++) {
        snprintf(args, sizeof args, "run '%s' --quick --out '%s/q%d'", CONF, tmp, k);
        cr_assert_eq(ganglion(args, out, sizeof out), 0, "%s", out);
        snprintf(path, sizeof path, "%s/q%d/metrics.csv", tmp, k);
        char *csv = slurp(path);
        cr_assert_not_null(csv);
        cr_assert(strstr(csv, "\n3,val,") && !strstr(csv, "\n4,"), "quick_epochs = 3: %s", csv);
        drop_last_column(csv); /* wall_seconds: the only value allowed to differ */
        if (k == 0)
            snprintf(first, sizeof first, "%s", csv);
        else
            cr_assert_str_eq(csv, first, "same seed, one thread: identical metrics");
    }
}

Test(e2e, set_overrides_and_bad_values_exit_2) {
    char out[1 << 14], args[1024];
    snprintf(args, sizeof args, "run '%s' --set train.lr=abc --out '%s/bad'", CONF, tmp);
    cr_assert_eq(ganglion(args, out, sizeof out), 2, "%s", out);
    cr_assert(strstr(out, "ganglion: ") && strstr(out, "lr") && strstr(out, "abc"), "%s", out);
    snprintf(args, sizeof args, "check '%s' --set train.epochs=0", CONF);
    cr_assert_eq(ganglion(args, out, sizeof out), 2, "%s", out);
    cr_assert(strstr(out, "out of range"), "%s", out);
}

Test(e2e, config_errors_name_file_and_line) {
    char ini[512], out[1 << 14], args[1024];
    snprintf(ini, sizeof ini, "%s/typo.ini", tmp);
    FILE *f = fopen(ini, "w");
    cr_assert_not_null(f);
    fputs("[experiment]\nplugins = classifiers\ntrainer = supervised\n[data]\ndataset = tiny\n"
          "[model]\nlayers = flatten dense(3)\n[train]\nepochs = 2\nbatch_sise = 4\n",
          f);
    fclose(f);
    snprintf(args, sizeof args, "check '%s'", ini);
    cr_assert_eq(ganglion(args, out, sizeof out), 2, "%s", out);
    char want[600];
    snprintf(want, sizeof want, "ganglion: %s:10: [train] batch_sise: unknown key", ini);
    cr_assert(strstr(out, want), "want '%s' in '%s'", want, out);
}

Test(e2e, summary_check_version_plugins) {
    char out[1 << 14], args[1024];
    snprintf(args, sizeof args, "summary '%s'", CONF);
    cr_assert_eq(ganglion(args, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "dense_1 (dense)") && strstr(out, "(None, 16)"), "%s", out);
    size_t n = strlen(out);
    cr_assert(n > 20 && !strcmp(out + n - strlen("Total params: 1091\n"), "Total params: 1091\n"),
              "%s", out);
    snprintf(args, sizeof args, "check '%s'", CONF);
    cr_assert_eq(ganglion(args, out, sizeof out), 0, "%s", out);
    cr_assert_eq(ganglion("version", out, sizeof out), 0);
    cr_assert(!strncmp(out, "ganglion ", 9), "%s", out);
    cr_assert_eq(ganglion("plugins", out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "\nclassifiers ") && strstr(out, "    trainers: supervised"), "%s", out);
    cr_assert_eq(ganglion("frobnicate", out, sizeof out), 2, "%s", out);
    cr_assert_eq(ganglion("run --help", out, sizeof out), 0, "%s", out);
    cr_assert_eq(ganglion("run", out, sizeof out), 2, "%s", out);
}

Test(e2e, missing_data_is_a_runtime_error_and_keeps_old_results) {
    char out[1 << 14], args[1024], path[512];
    snprintf(path, sizeof path, "%s/keep", tmp);
    cr_assert_eq(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/keep/summary.json", tmp);
    FILE *f = fopen(path, "w");
    fputs("{\"old\": true}\n", f);
    fclose(f);
    setenv("GANGLION_DATA_PATH", "/nonexistent", 1);
    snprintf(args, sizeof args, "run '%s' --out '%s/keep'", CONF, tmp);
    int rc = ganglion(args, out, sizeof out);
    cr_assert_eq(rc, 1, "%s", out);
    cr_assert(strstr(out, "GANGLION_DATA_PATH"), "%s", out);
    cr_assert_str_eq(slurp(path), "{\"old\": true}\n");
}
