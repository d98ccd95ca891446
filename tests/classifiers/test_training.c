/* The supervised trainer's options, end to end through the real binary on
 * the tiny synthetic dataset (tests/fixtures/tiny). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define FIX GN_TEST_SOURCE_DIR "/tests/fixtures"
#define CONF FIX "/tiny_experiment.ini"

static char tmp[256];

static void setup(void) {
    snprintf(tmp, sizeof tmp, "%s/gn-train-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : P_tmpdir);
    cr_assert_not_null(mkdtemp(tmp));
    setenv("GANGLION_DATA_PATH", FIX, 1);
    setenv("GANGLION_MANIFEST_PATH", FIX, 1);
}

static void teardown(void) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(training, .init = setup, .fini = teardown, .timeout = 120);

static char out[1 << 16];

/* ganglion run CONF --out TMP/dir ARGS; returns the exit code, output in out. */
static int run(const char *dir, const char *args) {
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' run '%s' --out '%s/%s' %s > '%s/out.txt' 2>&1", GN_TEST_BINARY,
             CONF, tmp, dir, args, tmp);
    int rc = system(cmd);
    char path[512];
    snprintf(path, sizeof path, "%s/out.txt", tmp);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(out, 1, sizeof out - 1, f) : 0;
    out[n] = '\0';
    if (f) fclose(f);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static char *slurp(const char *dir, const char *file) {
    static char buf[4][1 << 16];
    static int k;
    char path[512];
    snprintf(path, sizeof path, "%s/%s/%s", tmp, dir, file);
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    char *b = buf[k++ % 4];
    size_t n = fread(b, 1, sizeof buf[0] - 1, f);
    b[n] = '\0';
    fclose(f);
    return b;
}

static int count_lines(const char *s) {
    int n = 0;
    for (; s && *s; s++)
        n += *s == '\n';
    return n;
}

Test(training, early_stopping_restores_the_best_epoch) {
    /* min_delta 10: nothing after epoch 1 counts as better, so with patience 1
     * training stops after epoch 3 and ends with epoch 1's weights. */
    cr_assert_eq(run("es", "--set train.epochs=10 --set train.early_stopping=true "
                           "--set train.patience=1 --set train.min_delta=10"),
                 0, "%s", out);
    cr_assert(strstr(out, "early stopping after epoch 3"), "%s", out);
    char *log = slurp("es", "log.txt");
    cr_assert(log && strstr(log, "restored the weights of epoch 1"), "%s", log ? log : "");
    cr_assert_eq(count_lines(slurp("es", "metrics.csv")), 1 + 3 * 2);
}

Test(training, checkpoints_every_n_are_safetensors) {
    cr_assert_eq(run("ck", "--set train.epochs=4 --set train.checkpoint=every:2"), 0, "%s", out);
    cr_assert_null(slurp("ck", "epoch-1.safetensors"));
    for (int e = 2; e <= 4; e += 2) {
        char name[64];
        snprintf(name, sizeof name, "epoch-%d.safetensors", e);
        char *h = slurp("ck", name);
        cr_assert_not_null(h, "%s missing", name);
        /* 8-byte length, then the JSON header */
        cr_assert(strstr(h + 8, "\"dense_1.weight\":{\"dtype\":\"F32\",\"shape\":[16,64]"), "%s",
                  h + 8);
    }
}

Test(training, init_from_reproduces_the_saved_model) {
    cr_assert_eq(run("a", "--set train.checkpoint=last"), 0, "%s", out);
    char *first = strstr(out, "test - loss");
    cr_assert_not_null(first);
    char want[128];
    snprintf(want, sizeof want, "%.*s", (int)strcspn(first, "\n"), first);
    char args[1024];
    /* lr 0: the loaded weights are what gets tested */
    snprintf(args, sizeof args,
             "--set train.init_from=%s/a/last.safetensors --set train.epochs=1 "
             "--set train.optimizer=sgd --set train.lr=0",
             tmp);
    cr_assert_eq(run("b", args), 0, "%s", out);
    cr_assert(strstr(out, want), "want '%s' in %s", want, out);
    snprintf(args, sizeof args,
             "--set train.init_from=%s/a/last.safetensors "
             "--set 'model.layers=flatten dense(8) relu dense(3)'",
             tmp);
    cr_assert_eq(run("c", args), 1, "%s", out);
    cr_assert(strstr(out, "init_from") && strstr(out, "shape"), "%s", out);
}

Test(training, gradient_flow_csv_and_chart) {
    cr_assert_eq(run("gf", "--set 'train.gradient_flow=1 3'"), 0, "%s", out);
    char *csv = slurp("gf", "gradient_flow.csv");
    cr_assert(csv &&
                  !strncmp(csv, "epoch,depth,layer,max_abs_grad,mean_abs_grad\n1,1,dense_1,", 57),
              "%s", csv ? csv : "");
    cr_assert_eq(count_lines(csv), 1 + 2 * 2, "%s", csv);
    char *svg = slurp("gf", "gradient_flow.svg");
    cr_assert(svg && strstr(svg, "<svg") && strstr(svg, "after epoch 3"));
    char *lc = slurp("gf", "learning_curves.svg");
    cr_assert(lc && !strncmp(lc, "<svg", 4) && strstr(lc, "accuracy per epoch"));
}

Test(training, bad_options_exit_2) {
    cr_assert_eq(run("x", "--set 'train.class_weight=1 2'"), 2, "%s", out);
    cr_assert(strstr(out, "class_weight"), "%s", out);
    cr_assert_eq(run("x", "--set train.checkpoint=sometimes"), 2, "%s", out);
    cr_assert(strstr(out, "every:N"), "%s", out);
    cr_assert_eq(run("x", "--set train.monitor=val_acc"), 2, "%s", out);
    cr_assert_eq(run("x", "--set train.lr_schedule=linear"), 2, "%s", out);
    cr_assert_eq(run("x", "--set 'model.layers=flatten dense(16, l2=-1) dense(3)'"), 2, "%s", out);
    cr_assert(strstr(out, "l2: expected a number >= 0"), "%s", out);
}

Test(training, options_train_and_stay_reproducible) {
    const char *args = "--set train.augment_shift=0.1 --set train.augment_rotation=10 "
                       "--set train.augment_flip=true --set train.class_weight=balanced "
                       "--set train.lr_schedule=step --set train.lr_step_size=2 "
                       "--set train.clip_norm=1 --set train.l1=1e-4 --set train.l2=1e-3";
    cr_assert_eq(run("o1", args), 0, "%s", out);
    cr_assert_eq(run("o2", args), 0, "%s", out);
    char *a = slurp("o1", "summary.json"), *b = slurp("o2", "summary.json");
    cr_assert(a && b);
    /* Everything after wall_seconds (test and last-epoch metrics) must agree. */
    cr_assert_str_eq(strstr(a, "\"epochs\""), strstr(b, "\"epochs\""), "same seed, same results");
}

Test(training, l2_penalty_is_part_of_the_reported_loss) {
    cr_assert_eq(run("p0", "--set train.epochs=1"), 0, "%s", out);
    cr_assert_eq(run("p1", "--set train.epochs=1 --set train.l2=0.5"), 0, "%s", out);
    double l0 = strtod(slurp("p0", "metrics.csv") +
                           strlen("epoch,split,loss,accuracy,wall_seconds\n1,train,"),
                       NULL);
    double l1 = strtod(slurp("p1", "metrics.csv") +
                           strlen("epoch,split,loss,accuracy,wall_seconds\n1,train,"),
                       NULL);
    cr_assert_gt(l1, l0 + 0.1, "penalised %g vs plain %g", l1, l0);
}

Test(training, lbfgs_full_batch) {
    cr_assert_eq(run("lb", "--set train.optimizer=lbfgs --set train.epochs=15"), 0, "%s", out);
    char *js = slurp("lb", "summary.json");
    char *acc = js ? strstr(js, "\"test\": {\"accuracy\": ") : NULL;
    cr_assert_not_null(acc, "%s", js ? js : "");
    cr_assert_geq(strtod(acc + strlen("\"test\": {\"accuracy\": "), NULL), 0.9, "%s", js);
}

Test(training, sweep_runs_every_combination) {
    char ini[512];
    snprintf(ini, sizeof ini, "%s/sweep.ini", tmp);
    FILE *f = fopen(ini, "w");
    cr_assert_not_null(f);
    FILE *src = fopen(CONF, "r");
    char line[512];
    while (fgets(line, sizeof line, src))
        fputs(line, f);
    fclose(src);
    fputs("\n[sweep]\ntrain.lr = 0.01 | 0.001\nmodel.layers = flatten dense(3) | "
          "flatten dense(8) relu dense(3)\nrepeats = 2\n",
          f);
    fclose(f);
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' run '%s' --quick --out '%s/sw' > '%s/out.txt' 2>&1",
             GN_TEST_BINARY, ini, tmp, tmp);
    cr_assert_eq(system(cmd), 0);
    char *csv = slurp("sw", "sweep.csv");
    cr_assert_eq(count_lines(csv), 1 + 8, "%s", csv);
    const char *head = "run,combo,repeat,status,train.lr,model.layers,params,wall_seconds,"
                       "test_accuracy,test_loss,val_loss,val_accuracy\n"
                       "1,1,1,completed,\"0.01\",\"flatten dense(3)\",195,";
    cr_assert(!strncmp(csv, head, strlen(head)), "%s", csv);
    char *sum = slurp("sw", "sweep_summary.csv");
    cr_assert_eq(count_lines(sum), 1 + 4, "%s", sum);
    cr_assert_not_null(slurp("sw", "run-008/summary.json"));
    cr_assert_not_null(slurp("sw", "sweep_curves.svg"));
    char *o = slurp("", "out.txt");
    cr_assert(o && strstr(o, "sweep: 4 combinations x 2 repeats, sorted by test accuracy"), "%s",
              o);
}

Test(training, kfold_cross_validation) {
    char ini[512];
    snprintf(ini, sizeof ini, "%s/kfold.ini", tmp);
    FILE *f = fopen(ini, "w"), *src = fopen(CONF, "r");
    cr_assert(f && src);
    char line[512];
    while (fgets(line, sizeof line, src))
        fputs(line, f);
    fclose(src);
    fputs("\n[sweep]\ntrain.lr = 0.01 | 0.001\nkfold = 3\n", f);
    fclose(f);
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' run '%s' --quick --out '%s/kf' > '%s/out.txt' 2>&1",
             GN_TEST_BINARY, ini, tmp, tmp);
    cr_assert_eq(system(cmd), 0);
    char *o = slurp("", "out.txt");
    cr_assert(o && strstr(o, "(fold 3 of 3)") &&
                  strstr(o, "2 combinations x 3 folds, sorted by val_accuracy"),
              "%s", o);
    cr_assert_eq(count_lines(slurp("kf", "sweep.csv")), 1 + 6);
    /* 240 training samples: fold 2 of 3 validates on 80 of them, trains on 160 */
    char *cfg = slurp("kf", "run-002/config.ini");
    cr_assert(cfg && strstr(cfg, "folds = 3") && strstr(cfg, "fold = 2"), "%s", cfg ? cfg : "");
    char *log = slurp("kf", "run-002/log.txt");
    cr_assert(log && strstr(log, "val_loss="), "%s", log ? log : "");
}

Test(training, keras_style_softmax_output) {
    cr_assert_eq(run("sm", "--set 'model.layers=flatten dense(16) relu dense(3) softmax'"), 0, "%s",
                 out);
    char *js = slurp("sm", "summary.json");
    char *acc = js ? strstr(js, "\"test\": {\"accuracy\": ") : NULL;
    cr_assert_not_null(acc, "%s", js ? js : "");
    cr_assert_geq(strtod(acc + strlen("\"test\": {\"accuracy\": "), NULL), 0.9, "%s", js);
}
