/* The gan trainer end to end through the real binary on the tiny synthetic
 * dataset (tests/fixtures/tiny: 8x8 images, 3 classes): reports, grids,
 * checkpoints, resume, sampling, the scorer, configuration errors and
 * same-seed determinism. */
#define _GNU_SOURCE /* memmem */
#include <sys/stat.h>
#include "../common/e2e.h"

#define FIX E2E_FIX

static char conf[300];

/* A small MLP GAN on the tiny set; sections may be dropped or replaced by
 * --set in the tests. */
static const char *const gan_conf =
    "[experiment]\nname = tiny-gan\nplugins = gan\nseed = 3\nthreads = 1\ntrainer = gan\n"
    "[data]\ndataset = tiny\nnormalize = symmetric\n"
    "[model.generator]\nlayers = dense(16) leaky_relu(0.2) dense(64) tanh\n"
    "[model.discriminator]\nlayers = flatten dense(16) leaky_relu(0.2) dense(1)\n"
    "[model.scorer]\nlayers = flatten dense(16) relu dense(3)\n"
    "[train]\nepochs = 2\nbatch_size = 32\nnoise_dim = 8\ngrid_rows = 2\ngrid_cols = 4\n"
    "progression_cols = 4\nlabel_smoothing = 0.1\nscore_samples = 200\n"
    "scorer_normalize = scale\nscorer_conf = tests/fixtures/tiny_experiment.ini\n";

static void write_conf(const char *name, const char *text) {
    snprintf(conf, sizeof conf, "%s/%s", e2e_tmp, name);
    FILE *f = fopen(conf, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

static void setup(void) {
    e2e_setup("gan");
    write_conf("gan.ini", gan_conf);
}

TestSuite(gan_e2e, .init = setup, .fini = e2e_teardown, .timeout = 120);

static int run_conf(const char *config, const char *dir, const char *args) {
    return e2e_exec_file("run", config, dir, args);
}

static int run(const char *dir, const char *args) {
    return run_conf(conf, dir, args);
}

static int count_lines(const char *s) {
    int n = 0;
    for (; s && *s; s++)
        n += *s == '\n';
    return n;
}

/* A classifier for the tiny set, trained by the classifiers plugin: the scorer. */
static void train_scorer(void) {
    cr_assert_eq(run_conf(FIX "/tiny_experiment.ini", "scorer",
                          "--set train.checkpoint=last --set experiment.plugins=classifiers"),
                 0, "%s", e2e_out);
}

Test(gan_e2e, writes_metrics_grids_and_checkpoints) {
    cr_assert_eq(run("a", ""), 0, "%s", e2e_out);
    char *csv = e2e_slurp("a", "metrics.csv", NULL);
    cr_assert(csv && strstr(csv, "d_loss") && strstr(csv, "g_loss") && strstr(csv, "d_real_acc") &&
                  strstr(csv, "d_fake_acc"),
              "%s", csv ? csv : "");
    cr_assert_eq(count_lines(csv), 1 + 2, "%s", csv);
    const char *files[] = {"samples_epoch_001.png", "samples_epoch_002.png", "samples.png",
                           "progression.png"};
    for (int i = 0; i < 4; i++) {
        size_t n = 0;
        char *png = e2e_slurp("a", files[i], &n);
        cr_assert(png && n > 8 && !memcmp(png, "\x89PNG", 4), "%s", files[i]);
    }
    char *svg = e2e_slurp("a", "losses.svg", NULL);
    cr_assert(svg && strstr(svg, "<svg") && strstr(svg, "generator"));
    char *g = e2e_slurp("a", "generator.safetensors", NULL);
    cr_assert(g && strstr(g + 8, "\"epoch\":\"2\"") && strstr(g + 8, "dense_1.weight"), "%s",
              g ? g + 8 : "");
    cr_assert_not_null(e2e_slurp("a", "discriminator.safetensors", NULL));
    char *log = e2e_slurp("a", "log.txt", NULL);
    cr_assert(log && strstr(log, "quality score skipped"), "%s", log ? log : "");
}

Test(gan_e2e, ema_generator_is_saved_and_differs) {
    cr_assert_eq(run("a", "--set train.ema=0.9"), 0, "%s", e2e_out);
    size_t na = 0, nb = 0;
    char *live = e2e_slurp("a", "generator.safetensors", &na);
    char *ema = e2e_slurp("a", "generator_ema.safetensors", &nb);
    cr_assert(live && ema && na == nb, "generator_ema.safetensors missing");
    cr_assert(memcmp(live, ema, na), "the average equals the live weights");
}

Test(gan_e2e, resumes_from_its_checkpoints) {
    cr_assert_eq(run("a", ""), 0, "%s", e2e_out);
    char args[1024];
    snprintf(args, sizeof args, "--set train.resume_from=%s/a --set train.epochs=3", e2e_tmp);
    cr_assert_eq(run("b", args), 0, "%s", e2e_out);
    cr_assert(strstr(e2e_out, "epoch 3/3"), "%s", e2e_out);
    char *log = e2e_slurp("b", "log.txt", NULL);
    cr_assert(log && strstr(log, "resumed both models"), "%s", log ? log : "");
    char *csv = e2e_slurp("b", "metrics.csv", NULL);
    cr_assert_eq(count_lines(csv), 1 + 1, "%s", csv); /* epoch 3 only */
    cr_assert(strstr(csv, "\n3,train,"), "%s", csv);
    cr_assert_not_null(e2e_slurp("b", "samples_epoch_003.png", NULL));
    /* nothing left to do: a clear configuration error */
    snprintf(args, sizeof args, "--set train.resume_from=%s/a", e2e_tmp);
    cr_assert_eq(run("c", args), 2, "%s", e2e_out);
    cr_assert(strstr(e2e_out, "trained for 2 epochs already"), "%s", e2e_out);
    /* a checkpoint of another shape */
    char other[2048];
    snprintf(other, sizeof other, "%s", gan_conf);
    char *p = strstr(other, "dense(16) leaky_relu(0.2) dense(64) tanh");
    memcpy(p, "dense(17)", 9);
    write_conf("other.ini", other);
    snprintf(args, sizeof args, "--set train.init_generator=%s/a/generator.safetensors", e2e_tmp);
    cr_assert_eq(run("d", args), 1, "%s", e2e_out);
    cr_assert(strstr(e2e_out, "init_generator") && strstr(e2e_out, "shape"), "%s", e2e_out);
}

/* The gan_sample trainer into dir, from run folder from's generator
 * checkpoint, with more --set arguments; its exit code. */
static int run_sample(const char *dir, const char *from, const char *more) {
    char args[1024];
    snprintf(args, sizeof args,
             "--set experiment.trainer=gan_sample "
             "--set train.sample_from=%s/%s/generator.safetensors %s",
             e2e_tmp, from, more);
    return run(dir, args);
}

Test(gan_e2e, gan_sample_writes_a_grid_from_a_checkpoint) {
    cr_assert_eq(run("a", ""), 0, "%s", e2e_out);
    cr_assert_eq(run_sample("s", "a", "--set train.grid_rows=3"), 0, "%s", e2e_out);
    cr_assert(strstr(e2e_out, "wrote samples.png: 12 samples"), "%s", e2e_out);
    size_t n = 0;
    char *png = e2e_slurp("s", "samples.png", &n);
    cr_assert(png && n > 8 && !memcmp(png, "\x89PNG", 4));
    cr_assert_eq(run("t", "--set experiment.trainer=gan_sample"), 2, "%s", e2e_out);
    cr_assert(strstr(e2e_out, "sample_from"), "%s", e2e_out);
}

Test(gan_e2e, gan_sample_command_writes_the_png) {
    cr_assert_eq(run("a", ""), 0, "%s", e2e_out);
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "'%s' gan-sample '%s' '%s/a/generator.safetensors' '%s/grid.png' --seed 7 --rows 2 "
             "> '%s/out.txt' 2>&1",
             GN_TEST_BINARY, conf, e2e_tmp, e2e_tmp, e2e_tmp);
    int rc = system(cmd);
    cr_assert(WIFEXITED(rc) && WEXITSTATUS(rc) == 0, "rc %d", rc);
    char path[512];
    snprintf(path, sizeof path, "%s/grid.png", e2e_tmp);
    FILE *f = fopen(path, "rb");
    char head[4] = {0};
    cr_assert(f && fread(head, 1, 4, f) == 4 && !memcmp(head, "\x89PNG", 4));
    fclose(f);
    snprintf(cmd, sizeof cmd,
             "'%s' gan-sample '%s' '%s/none.safetensors' '%s/g2.png' > /dev/null 2>&1",
             GN_TEST_BINARY, conf, e2e_tmp, e2e_tmp);
    rc = system(cmd);
    cr_assert(WIFEXITED(rc) && WEXITSTATUS(rc) == 1, "missing checkpoint: rc %d", rc);
    snprintf(cmd, sizeof cmd, "'%s' gan-sample '%s' > /dev/null 2>&1", GN_TEST_BINARY, conf);
    rc = system(cmd);
    cr_assert(WIFEXITED(rc) && WEXITSTATUS(rc) == 2, "usage: rc %d", rc);
}

/* ganglion check|summary CONF: the exit code, output in e2e_out. */
static int check(const char *mode) {
    return e2e_exec_file(mode, conf, NULL, "");
}

Test(gan_e2e, check_and_summary_build_both_models) {
    cr_assert_eq(check("check"), 0, "%s", e2e_out);
    cr_assert(strstr(e2e_out, "ok (trainer gan"), "%s", e2e_out);
    cr_assert_eq(check("summary"), 0, "%s", e2e_out);
    cr_assert(strstr(e2e_out, "Model: \"generator\"") &&
                  strstr(e2e_out, "Model: \"discriminator\""),
              "%s", e2e_out);
    char bad[2048];
    snprintf(bad, sizeof bad, "%s", gan_conf);
    memcpy(strstr(bad, "leaky_relu(0.2) dense(1)"), "leaky_relu(0.2) dense(2)", 24);
    write_conf("d2.ini", bad);
    cr_assert_eq(check("check"), 2, "%s", e2e_out);
    cr_assert(strstr(e2e_out, "dense(1)"), "%s", e2e_out);
}

Test(gan_e2e, configuration_errors_are_clear) {
    char bad[2048];
    /* no [model.discriminator] */
    snprintf(bad, sizeof bad, "%s", gan_conf);
    char *d = strstr(bad, "[model.discriminator]");
    char *s = strstr(bad, "[model.scorer]");
    memmove(d, s, strlen(s) + 1);
    write_conf("nod.ini", bad);
    cr_assert_eq(run("x", ""), 2, "%s", e2e_out);
    cr_assert(strstr(e2e_out, "no [model.discriminator] section"), "%s", e2e_out);
    /* the discriminator must give one logit */
    write_conf("gan.ini", gan_conf);
    snprintf(bad, sizeof bad, "%s", gan_conf);
    memcpy(strstr(bad, "leaky_relu(0.2) dense(1)"), "leaky_relu(0.2) dense(2)", 24);
    write_conf("d2.ini", bad);
    cr_assert_eq(run("x", ""), 2, "%s", e2e_out);
    cr_assert(strstr(e2e_out, "(None, 2)") && strstr(e2e_out, "dense(1)"), "%s", e2e_out);
    /* the generator must make images of the data's size */
    snprintf(bad, sizeof bad, "%s", gan_conf);
    memcpy(strstr(bad, "dense(64) tanh"), "dense(63) tanh", 14);
    write_conf("g63.ini", bad);
    cr_assert_eq(run("x", ""), 2, "%s", e2e_out);
    cr_assert(strstr(e2e_out, "generator outputs (None, 63)") && strstr(e2e_out, "(1, 8, 8)") &&
                  strstr(e2e_out, "dense(64)"),
              "%s", e2e_out);
    /* bad keys */
    write_conf("gan.ini", gan_conf);
    cr_assert_eq(run("x", "--set train.generator_loss=wasserstein"), 2, "%s", e2e_out);
    cr_assert_eq(run("x", "--set train.label_smoothing=0.9"), 2, "%s", e2e_out);
}

Test(gan_e2e, scores_with_a_classifier_checkpoint) {
    train_scorer();
    char args[1024];
    snprintf(args, sizeof args, "--set train.scorer_checkpoint=%s/scorer/last.safetensors",
             e2e_tmp);
    cr_assert_eq(run("a", args), 0, "%s", e2e_out);
    cr_assert(strstr(e2e_out, "inception score: generated"), "%s", e2e_out);
    char *sum = e2e_slurp("a", "summary.json", NULL);
    cr_assert(sum && strstr(sum, "\"generated\": {\"inception_score\"") &&
                  strstr(sum, "\"test\": {\"inception_score\""),
              "%s", sum ? sum : "");
    char *csv = e2e_slurp("a", "class_histogram.csv", NULL);
    cr_assert(csv && !strncmp(csv, "class,name,generated,real\n0,left,", 33), "%s", csv ? csv : "");
    cr_assert_eq(count_lines(csv), 1 + 3);
    cr_assert_not_null(e2e_slurp("a", "class_histogram.svg", NULL));
    /* every epoch's score is a metrics.csv column, between 1 and the 3 classes */
    char *metrics = e2e_slurp("a", "metrics.csv", NULL);
    double is[8];
    int n = e2e_column(metrics, "train", "inception_score", is, 8);
    cr_assert_geq(n, 1, "%s", metrics);
    for (int i = 0; i < n; i++)
        cr_assert(is[i] >= 1.0 && is[i] <= 3.0, "epoch %d score %g", i + 1, is[i]);
    /* scoring draws its own noise: the training is the same without it */
    char off[1100];
    snprintf(off, sizeof off, "%s --set train.epoch_score_samples=0", args);
    cr_assert_eq(run("b", off), 0, "%s", e2e_out);
    size_t na = 0, nb = 0;
    char *ga = e2e_slurp("a", "generator.safetensors", &na);
    char *gb = e2e_slurp("b", "generator.safetensors", &nb);
    cr_assert(ga && gb && na == nb && !memcmp(ga, gb, na), "per-epoch scoring changed training");
    cr_assert_null(strstr(e2e_slurp("b", "metrics.csv", NULL), "inception_score"));
}

Test(gan_e2e, scorer_errors_name_the_conf_to_run) {
    cr_assert_eq(run("a", "--set train.scorer_checkpoint=no/such/last.safetensors"), 1, "%s",
                 e2e_out);
    cr_assert(strstr(e2e_out, "not found") && strstr(e2e_out, "tiny_experiment.ini"), "%s",
              e2e_out);
    /* fails before training, not after it */
    cr_assert_null(strstr(e2e_out, "epoch 1/"), "%s", e2e_out);
    train_scorer();
    char args[1024], other[2048];
    snprintf(other, sizeof other, "%s", gan_conf);
    memcpy(strstr(other, "flatten dense(16) relu dense(3)"), "flatten dense(15) relu dense(3)", 31);
    write_conf("scorer15.ini", other);
    snprintf(args, sizeof args, "--set train.scorer_checkpoint=%s/scorer/last.safetensors",
             e2e_tmp);
    cr_assert_eq(run("b", args), 1, "%s", e2e_out);
    cr_assert(strstr(e2e_out, "does not fit [model.scorer]") &&
                  strstr(e2e_out, "tiny_experiment.ini"),
              "%s", e2e_out);
}

Test(gan_e2e, same_seed_gives_identical_runs) {
    cr_assert_eq(run("a", "--set train.d_steps=2"), 0, "%s", e2e_out);
    cr_assert_eq(run("b", "--set train.d_steps=2"), 0, "%s", e2e_out);
    const char *files[] = {"generator.safetensors", "discriminator.safetensors", "samples.png"};
    for (int i = 0; i < 3; i++) {
        size_t na = 0, nb = 0;
        char *a = e2e_slurp("a", files[i], &na), *b = e2e_slurp("b", files[i], &nb);
        cr_assert(a && b && na == nb && !memcmp(a, b, na), "%s differs", files[i]);
    }
    cr_assert_eq(run("c", "--set train.d_steps=2 --set experiment.seed=4"), 0, "%s", e2e_out);
    size_t na = 0, nc = 0;
    char *a = e2e_slurp("a", "generator.safetensors", &na),
         *c = e2e_slurp("c", "generator.safetensors", &nc);
    cr_assert(a && c && (na != nc || memcmp(a, c, na)), "another seed, other weights");
}

/* lr_decay_start = 1 with 3 epochs: epochs 2 and 3 train at 2/3 and 1/3 of
 * both learning rates (CycleGAN's linear schedule), and the log says so. */
Test(gan_e2e, learning_rates_decay_linearly) {
    cr_assert_eq(run("d",
                     "--set train.epochs=3 --set train.lr_decay_start=1 --set train.g_lr=0.003 "
                     "--set train.d_lr=0.0003"),
                 0, "%s", e2e_out);
    char *log = e2e_slurp("d", "log.txt", NULL);
    cr_assert(log && !strstr(log, "epoch 1: g_lr"), "%s", log ? log : "");
    cr_assert(strstr(log, "epoch 2: g_lr 0.002, d_lr 0.0002"), "%s", log);
    cr_assert(strstr(log, "epoch 3: g_lr 0.001, d_lr 0.0001"), "%s", log);
}

/* A spectrally normalised discriminator (SDK 1.4) trains from an INI file;
 * its estimates of the singular vectors are saved as buffers, and a resumed
 * run loads them. */
Test(gan_e2e, spectral_norm_discriminator_trains_and_resumes) {
    char text[2048];
    const char *d = "layers = flatten dense(16) leaky_relu(0.2) dense(1)\n";
    const char *at = strstr(gan_conf, d);
    cr_assert_not_null(at);
    snprintf(text, sizeof text,
             "%.*slayers = flatten dense(16, spectral_norm=true) leaky_relu(0.2) "
             "dense(1, spectral_norm=true)\n%s",
             (int)(at - gan_conf), gan_conf, at + strlen(d));
    write_conf("sn.ini", text);
    cr_assert_eq(run("s", ""), 0, "%s", e2e_out);
    size_t n = 0;
    char *dsc = e2e_slurp("s", "discriminator.safetensors", &n);
    cr_assert(dsc && memmem(dsc, n, "dense_1.sn_u", 12) && memmem(dsc, n, "dense_2.sn_u", 12),
              "no sn_u buffers in discriminator.safetensors");
    char *metrics = e2e_slurp("s", "metrics.csv", NULL);
    cr_assert_eq(count_lines(metrics), 3, "%s", metrics);
    char args[600];
    snprintf(args, sizeof args, "--set train.resume_from=%s/s --set train.epochs=3", e2e_tmp);
    cr_assert_eq(run("s2", args), 0, "%s", e2e_out);
    char *log = e2e_slurp("s2", "log.txt", NULL);
    cr_assert(log && strstr(log, "resumed both models"), "%s", log ? log : "");
}

/* noise_categories = 3: the generator takes noise_dim + 3 inputs (its first
 * weight is 11 wide), samples from its checkpoint with the same option, and
 * a checkpoint made without the code does not load. */
Test(gan_e2e, categorical_code_widens_the_generator_input) {
    cr_assert_eq(run("c", "--set train.noise_categories=3"), 0, "%s", e2e_out);
    size_t n = 0;
    char *g = e2e_slurp("c", "generator.safetensors", &n);
    cr_assert(g && (memmem(g, n, "[11,16]", 7) || memmem(g, n, "[16,11]", 7)),
              "the generator's first weight is not 11 wide");
    cr_assert_eq(run_sample("cs", "c", "--set train.noise_categories=3"), 0, "%s", e2e_out);
    cr_assert(strstr(e2e_out, "wrote samples.png: 8 samples"), "%s", e2e_out);
    cr_assert_eq(run_sample("cx", "c", ""), 1, "%s", e2e_out);
    cr_assert(strstr(e2e_out, "shape"), "%s", e2e_out);
}
