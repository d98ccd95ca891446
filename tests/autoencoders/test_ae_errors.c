/* Bad autoencoder configurations: a clear "ganglion: ..." message and
 * exit status 2. */
#include "ae_test.h"

TestSuite(ae_errors, .init = ae_setup, .fini = e2e_teardown, .timeout = 30);

static void expect(const char *ini, const char *args, const char *msg) {
    cr_assert_eq(e2e_run("x", ini, args), 2, "%s", e2e_out);
    cr_assert(!strncmp(e2e_out, "ganglion: ", 10) || strstr(e2e_out, "\nganglion: "), "%s",
              e2e_out);
    cr_assert(strstr(e2e_out, msg), "want '%s' in: %s", msg, e2e_out);
}

Test(ae_errors, missing_decoder) {
    const char *ini = AE_HEAD("autoencoder") "[model.encoder]\nlayers = flatten dense(4)\n";
    expect(ini, NULL, "missing section [model.decoder]");
}

Test(ae_errors, missing_encoder) {
    const char *ini = AE_HEAD("autoencoder") "[model.decoder]\nlayers = dense(64)\n";
    expect(ini, NULL, "missing section [model.encoder]");
}

Test(ae_errors, decoder_output_shape_must_match_the_input) {
    expect(AE_DENSE, "--set 'model.decoder.layers=dense(16) relu dense(10) sigmoid'",
           "[model.decoder] outputs (None, 10) but the input is (None, 1, 8, 8)");
    expect(AE_DENSE, "--set 'model.decoder.layers=dense(128) sigmoid reshape(\"2 8 8\")'",
           "outputs (None, 2, 8, 8)");
}

Test(ae_errors, bad_loss_name) {
    expect(AE_DENSE, "--set train.loss=huber", "loss");
    cr_assert(strstr(e2e_out, "mse|bce"), "%s", e2e_out);
}

Test(ae_errors, bce_needs_a_sigmoid_and_pixels_in_0_1) {
    expect(AE_DENSE, "--set 'model.decoder.layers=dense(16) relu dense(64)'", "ends in sigmoid");
    expect(AE_DENSE, "--set data.normalize=standard", "normalize = scale");
}

Test(ae_errors, check_and_summary_build_both_models_without_training) {
    cr_assert_eq(e2e_exec("check", "ok", AE_DENSE, NULL), 0, "%s", e2e_out);
    cr_assert(strstr(e2e_out, "ok (trainer autoencoder, models of 2276 parameters"), "%s", e2e_out);
    cr_assert_eq(e2e_exec("summary", "ok", AE_DENSE, NULL), 0, "%s", e2e_out);
    cr_assert(strstr(e2e_out, "Model: \"encoder\"") && strstr(e2e_out, "Model: \"decoder\""), "%s",
              e2e_out);
    cr_assert_eq(e2e_exec("check", "bad", AE_DENSE,
                          "--set 'model.decoder.layers=dense(16) relu dense(10) sigmoid'"),
                 2, "%s", e2e_out);
    cr_assert(strstr(e2e_out, "outputs (None, 10)"), "%s", e2e_out);
    const char *st = AE_HEAD("stacked_autoencoder") "[model.encoder]\nlayers = flatten dense(8) "
                                                    "sigmoid dense(4) sigmoid\n";
    cr_assert_eq(e2e_exec("check", "st", st, NULL), 0, "%s", e2e_out);
    cr_assert(strstr(e2e_out, "ok (trainer stacked_autoencoder"), "%s", e2e_out);
}
