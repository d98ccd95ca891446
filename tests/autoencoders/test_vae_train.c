/* The VAE trainer end to end through the real binary on the tiny synthetic
 * dataset (8x8 images, 3 classes): pictures, metrics, configuration
 * errors and determinism. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define VAE_FIX GN_TEST_SOURCE_DIR "/tests/fixtures"

static char vae_tmp[256];

static void vae_setup(void) {
    snprintf(vae_tmp, sizeof vae_tmp, "%s/gn-vae-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : P_tmpdir);
    cr_assert_not_null(mkdtemp(vae_tmp));
    setenv("GANGLION_DATA_PATH", VAE_FIX, 1);
    setenv("GANGLION_MANIFEST_PATH", VAE_FIX, 1);
    setenv("GANGLION_PLUGIN_PATH", GN_TEST_PLUGIN_DIR, 1);
}

static void vae_teardown(void) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", vae_tmp);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(vae_train, .init = vae_setup, .fini = vae_teardown, .timeout = 120);

static const char vae_conf[] = "[experiment]\n"
                               "plugins = autoencoders\n"
                               "seed = 3\n"
                               "threads = 1\n"
                               "trainer = vae\n"
                               "[data]\n"
                               "dataset = tiny\n"
                               "validation_split = 0.25\n"
                               "normalize = scale\n"
                               "[model.encoder]\n"
                               "layers = flatten dense(32) relu dense(8)\n"
                               "[model.decoder]\n"
                               "layers = dense(32) relu dense(64)\n"
                               "[train]\n"
                               "epochs = 6\n"
                               "batch_size = 16\n"
                               "lr = 0.003\n"
                               "sample_grid = 4\n"
                               "reconstructions = 8\n"
                               "interpolation_steps = 5\n"
                               "interpolation_pairs = 2\n"
                               "manifold_size = 6\n";

static char vae_out[1 << 16];

/* Writes the config (minus sections or keys overridden by args), runs it
 * into TMP/dir; returns the exit code, output in vae_out. */
static int vae_run(const char *dir, const char *conf, const char *args) {
    char path[512], cmd[4096];
    snprintf(path, sizeof path, "%s/%s.ini", vae_tmp, dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(conf, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "'%s' run '%s' --out '%s/%s' %s > '%s/out.txt' 2>&1", GN_TEST_BINARY,
             path, vae_tmp, dir, args, vae_tmp);
    int rc = system(cmd);
    snprintf(path, sizeof path, "%s/out.txt", vae_tmp);
    f = fopen(path, "r");
    size_t n = f ? fread(vae_out, 1, sizeof vae_out - 1, f) : 0;
    vae_out[n] = '\0';
    if (f) fclose(f);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* Contents of TMP/dir/file (NULL if missing); *len its size. */
static char *vae_slurp(const char *dir, const char *file, size_t *len) {
    static char buf[4][1 << 18];
    static int k;
    char path[512];
    snprintf(path, sizeof path, "%s/%s/%s", vae_tmp, dir, file);
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *b = buf[k++ % 4];
    size_t n = fread(b, 1, sizeof buf[0] - 1, f);
    b[n] = '\0';
    fclose(f);
    if (len) *len = n;
    return b;
}

/* Column `name` of metrics.csv for split `split`, epoch by epoch. */
static int vae_column(const char *csv, const char *split, const char *name, double *v, int max) {
    char head[512];
    snprintf(head, sizeof head, "%.*s", (int)strcspn(csv, "\n"), csv);
    int col = -1, c = 0;
    for (char *s, *tok = strtok_r(head, ",", &s); tok; tok = strtok_r(NULL, ",", &s), c++)
        if (!strcmp(tok, name)) col = c;
    cr_assert_geq(col, 0, "no column %s in %s", name, csv);
    int n = 0;
    for (const char *line = strchr(csv, '\n'); line && line[1] && n < max;
         line = strchr(line + 1, '\n')) {
        char row[512];
        snprintf(row, sizeof row, "%.*s", (int)strcspn(line + 1, "\n"), line + 1);
        char *s, *tok = strtok_r(row, ",", &s);
        tok = strtok_r(NULL, ",", &s); /* split */
        if (!tok || strcmp(tok, split)) continue;
        for (int k = 2; k <= col; k++)
            tok = strtok_r(NULL, ",", &s);
        v[n++] = tok ? atof(tok) : -1;
    }
    return n;
}

Test(vae_train, trains_reports_and_draws) {
    cr_assert_eq(vae_run("e2e", vae_conf, ""), 0, "%s", vae_out);
    cr_expect(strstr(vae_out, "test - loss: "), "%s", vae_out);
    const char *csv = vae_slurp("e2e", "metrics.csv", NULL);
    cr_assert_not_null(csv);
    double loss[8], recon[8], kl[8], val[8];
    cr_assert_eq(vae_column(csv, "train", "loss", loss, 8), 6, "%s", csv);
    cr_assert_eq(vae_column(csv, "train", "recon", recon, 8), 6);
    cr_assert_eq(vae_column(csv, "train", "kl", kl, 8), 6);
    cr_assert_eq(vae_column(csv, "val", "loss", val, 8), 6, "%s", csv);
    cr_expect_lt(loss[5], loss[0] - 1, "loss %g -> %g", loss[0], loss[5]);
    cr_expect_lt(val[5], val[0], "val_loss %g -> %g", val[0], val[5]);
    for (int e = 0; e < 6; e++) {
        cr_expect_float_eq(loss[e], recon[e] + kl[e], 1e-3 * loss[e], "epoch %d", e + 1);
        cr_expect_gt(kl[e], 0);
    }
    const char *sum = vae_slurp("e2e", "summary.json", NULL);
    cr_expect(sum && strstr(sum, "\"test\": {\"loss\": "), "%s", sum ? sum : "");
    const char *pngs[] = {"samples.png", "reconstructions.png", "interpolation.png"};
    for (int i = 0; i < 3; i++) {
        size_t len = 0;
        const char *p = vae_slurp("e2e", pngs[i], &len);
        cr_expect(p && len > 100 && !memcmp(p, "\x89PNG", 4), "%s", pngs[i]);
    }
    /* latent 4: no scatter plot or manifold */
    cr_expect_null(vae_slurp("e2e", "latent_scatter.svg", NULL));
    cr_expect_null(vae_slurp("e2e", "manifold.png", NULL));
}

Test(vae_train, latent2_draws_the_scatter_and_the_manifold) {
    cr_assert_eq(vae_run("l2", vae_conf,
                         "--set 'model.encoder.layers=flatten dense(32) relu dense(4)' "
                         "--set train.latent=2 --set train.epochs=2"),
                 0, "%s", vae_out);
    const char *svg = vae_slurp("l2", "latent_scatter.svg", NULL);
    cr_assert_not_null(svg, "%s", vae_out);
    cr_expect(strstr(svg, "<circle"));
    cr_expect(strstr(svg, ">left</text>") && strstr(svg, ">middle</text>") &&
                  strstr(svg, ">right</text>"),
              "legend of class names");
    size_t len = 0;
    const char *png = vae_slurp("l2", "manifold.png", &len);
    cr_expect(png && !memcmp(png, "\x89PNG", 4));
}

Test(vae_train, same_seed_same_run) {
    cr_assert_eq(vae_run("a", vae_conf, "--set train.epochs=2"), 0, "%s", vae_out);
    char first[256];
    const char *t = strstr(vae_out, "test - loss");
    cr_assert_not_null(t);
    snprintf(first, sizeof first, "%.*s", (int)strcspn(t, "\n"), t);
    size_t la = 0, lb = 0;
    char *pa = vae_slurp("a", "samples.png", &la);
    cr_assert_eq(vae_run("b", vae_conf, "--set train.epochs=2"), 0, "%s", vae_out);
    cr_expect(strstr(vae_out, first), "want '%s' in %s", first, vae_out);
    char *pb = vae_slurp("b", "samples.png", &lb);
    cr_assert(pa && pb);
    cr_expect(la == lb && !memcmp(pa, pb, la), "samples.png differs");
    cr_assert_eq(vae_run("c", vae_conf, "--set train.epochs=2 --set experiment.seed=4"), 0);
    cr_expect_null(strstr(vae_out, first), "another seed, another run");
}

Test(vae_train, config_errors_say_what_to_fix) {
    cr_expect_eq(vae_run("odd", vae_conf, "--set 'model.encoder.layers=flatten dense(7)'"), 2);
    cr_expect(strstr(vae_out, "dense(2 * latent)") && strstr(vae_out, "(None, 7)"), "%s", vae_out);
    cr_expect_eq(vae_run("lat", vae_conf, "--set train.latent=3"), 2);
    cr_expect(strstr(vae_out, "latent = 3") && strstr(vae_out, "dense(6)"), "%s", vae_out);
    char conf[sizeof vae_conf];
    snprintf(conf, sizeof conf, "%s", vae_conf);
    char *dec = strstr(conf, "[model.decoder]");
    memmove(dec, strstr(dec, "[train]"), strlen(strstr(dec, "[train]")) + 1);
    cr_expect_eq(vae_run("nodec", conf, ""), 2);
    cr_expect(strstr(vae_out, "missing section [model.decoder]"), "%s", vae_out);
    cr_expect_eq(vae_run("norm", vae_conf, "--set data.normalize=standard"), 2);
    cr_expect(strstr(vae_out, "normalize = scale"), "%s", vae_out);
    cr_expect_eq(vae_run("dout", vae_conf, "--set 'model.decoder.layers=dense(32) relu dense(10)'"),
                 2);
    cr_expect(strstr(vae_out, "dense(64)"), "%s", vae_out);
}
