/* The VAE trainer end to end through the real binary on the tiny synthetic
 * dataset (8x8 images, 3 classes): pictures, metrics, configuration
 * errors and determinism. */
#include "../common/e2e.h"

static void vae_setup(void) {
    e2e_setup("vae");
}

TestSuite(vae_train, .init = vae_setup, .fini = e2e_teardown, .timeout = 120);

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

Test(vae_train, trains_reports_and_draws) {
    cr_assert_eq(e2e_run("e2e", vae_conf, ""), 0, "%s", e2e_out);
    cr_expect(strstr(e2e_out, "test - loss: "), "%s", e2e_out);
    const char *csv = e2e_slurp("e2e", "metrics.csv", NULL);
    cr_assert_not_null(csv);
    double loss[8], recon[8], kl[8], val[8];
    cr_assert_eq(e2e_column(csv, "train", "loss", loss, 8), 6, "%s", csv);
    cr_assert_eq(e2e_column(csv, "train", "recon", recon, 8), 6);
    cr_assert_eq(e2e_column(csv, "train", "kl", kl, 8), 6);
    cr_assert_eq(e2e_column(csv, "val", "loss", val, 8), 6, "%s", csv);
    cr_expect_lt(loss[5], loss[0] - 1, "loss %g -> %g", loss[0], loss[5]);
    cr_expect_lt(val[5], val[0], "val_loss %g -> %g", val[0], val[5]);
    for (int e = 0; e < 6; e++) {
        cr_expect_float_eq(loss[e], recon[e] + kl[e], 1e-3 * loss[e], "epoch %d", e + 1);
        cr_expect_gt(kl[e], 0);
    }
    const char *sum = e2e_slurp("e2e", "summary.json", NULL);
    cr_expect(sum && strstr(sum, "\"test\": {\"loss\": "), "%s", sum ? sum : "");
    const char *pngs[] = {"samples.png", "reconstructions.png", "interpolation.png"};
    for (int i = 0; i < 3; i++) {
        size_t len = 0;
        const char *p = e2e_slurp("e2e", pngs[i], &len);
        cr_expect(p && len > 100 && !memcmp(p, "\x89PNG", 4), "%s", pngs[i]);
    }
    /* latent 4: no scatter plot or manifold */
    cr_expect_null(e2e_slurp("e2e", "latent_scatter.svg", NULL));
    cr_expect_null(e2e_slurp("e2e", "manifold.png", NULL));
}

Test(vae_train, latent2_draws_the_scatter_and_the_manifold) {
    cr_assert_eq(e2e_run("l2", vae_conf,
                         "--set 'model.encoder.layers=flatten dense(32) relu dense(4)' "
                         "--set train.latent=2 --set train.epochs=2"),
                 0, "%s", e2e_out);
    const char *svg = e2e_slurp("l2", "latent_scatter.svg", NULL);
    cr_assert_not_null(svg, "%s", e2e_out);
    cr_expect(strstr(svg, "<circle"));
    cr_expect(strstr(svg, ">left</text>") && strstr(svg, ">middle</text>") &&
                  strstr(svg, ">right</text>"),
              "legend of class names");
    size_t len = 0;
    const char *png = e2e_slurp("l2", "manifold.png", &len);
    cr_expect(png && !memcmp(png, "\x89PNG", 4));
}

Test(vae_train, same_seed_same_run) {
    cr_assert_eq(e2e_run("a", vae_conf, "--set train.epochs=2"), 0, "%s", e2e_out);
    char first[256];
    const char *t = strstr(e2e_out, "test - loss");
    cr_assert_not_null(t);
    snprintf(first, sizeof first, "%.*s", (int)strcspn(t, "\n"), t);
    size_t la = 0, lb = 0;
    char *pa = e2e_slurp("a", "samples.png", &la);
    cr_assert_eq(e2e_run("b", vae_conf, "--set train.epochs=2"), 0, "%s", e2e_out);
    cr_expect(strstr(e2e_out, first), "want '%s' in %s", first, e2e_out);
    char *pb = e2e_slurp("b", "samples.png", &lb);
    cr_assert(pa && pb);
    cr_expect(la == lb && !memcmp(pa, pb, la), "samples.png differs");
    cr_assert_eq(e2e_run("c", vae_conf, "--set train.epochs=2 --set experiment.seed=4"), 0);
    cr_expect_null(strstr(e2e_out, first), "another seed, another run");
}

Test(vae_train, config_errors_say_what_to_fix) {
    cr_expect_eq(e2e_run("odd", vae_conf, "--set 'model.encoder.layers=flatten dense(7)'"), 2);
    cr_expect(strstr(e2e_out, "dense(2 * latent)") && strstr(e2e_out, "(None, 7)"), "%s", e2e_out);
    cr_expect_eq(e2e_run("lat", vae_conf, "--set train.latent=3"), 2);
    cr_expect(strstr(e2e_out, "latent = 3") && strstr(e2e_out, "dense(6)"), "%s", e2e_out);
    char conf[sizeof vae_conf];
    snprintf(conf, sizeof conf, "%s", vae_conf);
    char *dec = strstr(conf, "[model.decoder]");
    memmove(dec, strstr(dec, "[train]"), strlen(strstr(dec, "[train]")) + 1);
    cr_expect_eq(e2e_run("nodec", conf, ""), 2);
    cr_expect(strstr(e2e_out, "missing section [model.decoder]"), "%s", e2e_out);
    cr_expect_eq(e2e_run("norm", vae_conf, "--set data.normalize=standard"), 2);
    cr_expect(strstr(e2e_out, "normalize = scale"), "%s", e2e_out);
    cr_expect_eq(e2e_run("dout", vae_conf, "--set 'model.decoder.layers=dense(32) relu dense(10)'"),
                 2);
    cr_expect(strstr(e2e_out, "dense(64)"), "%s", e2e_out);
}
