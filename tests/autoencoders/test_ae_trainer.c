/* The autoencoder trainer end to end on the tiny dataset: dense and
 * convolutional models, both losses, pictures, reproducibility, --quick. */
#include "ae_test.h"

TestSuite(ae_trainer, .init = ae_setup, .fini = e2e_teardown, .timeout = 60);

/* PNG signature at the start of a file. */
static int is_png(const char *dir, const char *file) {
    size_t size = 0;
    char *b = e2e_slurp(dir, file, &size);
    return b && size > 100 && !memcmp(b, "\x89PNG\r\n\x1a\n", 8);
}

Test(ae_trainer, dense_bce_learns_and_writes_pictures) {
    cr_assert_eq(e2e_run("d", AE_DENSE, NULL), 0, "%s", e2e_out);
    double l[32];
    int n = e2e_column(e2e_slurp("d", "metrics.csv", NULL), "train", "loss", l, 32);
    cr_assert_eq(n, 15);
    cr_assert_lt(l[14], 0.8 * l[0], "loss %g -> %g", l[0], l[14]);
    char *js = e2e_slurp("d", "summary.json", NULL);
    double loss = e2e_json_num(js, "loss"), mse = e2e_json_num(js, "mse");
    cr_assert(loss > 0 && loss < l[0], "%s", js);
    cr_assert(mse > 0 && mse < 0.05, "%s", js);
    cr_assert(strstr(js, "\"val_loss\""), "%s", js);
    cr_assert(is_png("d", "reconstructions.png"));
    cr_assert(is_png("d", "class_means.png"));
    cr_assert(strstr(e2e_out, "test - loss:") && strstr(e2e_out, "(latent 4)"), "%s", e2e_out);
}

Test(ae_trainer, conv_mse_with_transposed_conv_and_upsampling) {
    const char *ini =
        AE_HEAD("autoencoder") "[model.encoder]\nlayers = conv2d(4, 3, padding=same, "
                               "activation=relu) maxpool2d(2) conv2d(8, 3, strides=2, "
                               "padding=same, activation=relu) flatten dense(6)\n"
                               "[model.decoder]\nlayers = dense(32, activation=relu) "
                               "reshape(\"8 2 2\") conv2d_transpose(4, 3, strides=2, "
                               "padding=same, activation=relu) upsampling2d(2) conv2d(1, 3, "
                               "padding=same)\n"
                               "[train]\nepochs = 12\nbatch_size = 16\nlr = 0.01\nloss = mse\n"
                               "class_means = false\n";
    cr_assert_eq(e2e_run("c", ini, NULL), 0, "%s", e2e_out);
    double l[32];
    cr_assert_eq(e2e_column(e2e_slurp("c", "metrics.csv", NULL), "train", "loss", l, 32), 12);
    cr_assert_lt(l[11], 0.7 * l[0], "loss %g -> %g", l[0], l[11]);
    char *js = e2e_slurp("c", "summary.json", NULL);
    /* with mse, the loss is the mse */
    cr_assert_float_eq(e2e_json_num(js, "loss"), e2e_json_num(js, "mse"), 1e-6, "%s", js);
    cr_assert(is_png("c", "reconstructions.png"));
    cr_assert_null(e2e_slurp("c", "class_means.png", NULL));
    cr_assert(strstr(e2e_out, "(latent 6)"), "%s", e2e_out);
}

Test(ae_trainer, same_seed_same_results) {
    cr_assert_eq(e2e_run("r1", AE_DENSE, "--set train.epochs=3"), 0, "%s", e2e_out);
    cr_assert_eq(e2e_run("r2", AE_DENSE, "--set train.epochs=3"), 0, "%s", e2e_out);
    char *a = e2e_slurp("r1", "summary.json", NULL), *b = e2e_slurp("r2", "summary.json", NULL);
    cr_assert(a && b);
    cr_assert_str_eq(strstr(a, "\"epochs\""), strstr(b, "\"epochs\""));
    size_t sa = 0, sb = 0;
    e2e_slurp("r1", "reconstructions.png", &sa);
    e2e_slurp("r2", "reconstructions.png", &sb);
    cr_assert_eq(sa, sb);
}

Test(ae_trainer, quick_uses_the_short_budget) {
    cr_assert_eq(e2e_run("q", AE_DENSE, "--quick --set train.quick_samples=32"), 0, "%s", e2e_out);
    double l[32];
    cr_assert_eq(e2e_column(e2e_slurp("q", "metrics.csv", NULL), "train", "loss", l, 32), 2);
    char *log = e2e_slurp("q", "log.txt", NULL);
    cr_assert(log && strstr(log, "autoencoder: 2 epochs"), "%s", log ? log : "");
}

Test(ae_trainer, latent_sweep_reports_the_error_per_size) {
    const char *ini = AE_DENSE "[sweep]\nmodel.encoder.layers = flatten dense(16) relu dense(1) | "
                               "flatten dense(16) relu dense(8)\nsort = loss\n";
    cr_assert_eq(e2e_run("sw", ini, "--quick"), 0, "%s", e2e_out);
    char *csv = e2e_slurp("sw", "sweep.csv", NULL);
    cr_assert(csv && strstr(csv, "test_loss") && strstr(csv, "test_mse"), "%s", csv ? csv : "");
    cr_assert(is_png("sw/run-001", "reconstructions.png"));
    cr_assert(is_png("sw/run-002", "reconstructions.png"));
}

Test(ae_trainer, flat_decoder_output_and_no_validation_split) {
    cr_assert_eq(e2e_run("f", AE_DENSE,
                         "--set 'model.decoder.layers=dense(16) relu dense(64)' "
                         "--set train.loss=mse --set data.validation_split=0 --set train.epochs=3"),
                 0, "%s", e2e_out);
    char *js = e2e_slurp("f", "summary.json", NULL);
    cr_assert(js && !strstr(js, "val_loss") && e2e_json_num(js, "mse") > 0, "%s", js ? js : "");
    cr_assert_not_null(e2e_slurp("f", "reconstructions.png", NULL));
}
