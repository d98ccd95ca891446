/* The stacked autoencoder trainer end to end on the tiny dataset. */
#include "ae_test.h"

TestSuite(ae_stacked, .init = ae_setup, .fini = e2e_teardown, .timeout = 60);

#define AE_STACKED                                                                                 \
    AE_HEAD("stacked_autoencoder")                                                                 \
    "[model.encoder]\nlayers = flatten dense(16) sigmoid dense(8) sigmoid\n"                       \
    "[train]\npretrain_epochs = 4\nclassifier_epochs = 4\nfinetune_epochs = 6\n"                   \
    "batch_size = 16\nlr = 0.01\nloss = bce\n"

static int count_lines(const char *s) {
    int n = 0;
    for (; s && *s; s++)
        n += *s == '\n';
    return n;
}

Test(ae_stacked, four_phases_with_results_and_chart) {
    cr_assert_eq(e2e_run("s", AE_STACKED, NULL), 0, "%s", e2e_out);
    char *js = e2e_slurp("s", "summary.json", NULL);
    cr_assert(js);
    cr_assert_gt(e2e_json_num(js, "pretrain1_loss"), 0, "%s", js);
    cr_assert_gt(e2e_json_num(js, "pretrain2_loss"), 0, "%s", js);
    double clf = e2e_json_num(js, "classifier_accuracy"),
           ft = e2e_json_num(js, "finetune_accuracy");
    cr_assert(clf >= 0 && clf <= 1, "%s", js);
    cr_assert_geq(ft, 0.9, "%s", js);
    cr_assert_float_eq(e2e_json_num(js, "accuracy"), ft, 1e-9, "%s", js);
    /* 2 x 4 pre-training + 4 + 6 epochs, one epoch count across phases */
    cr_assert_eq(count_lines(e2e_slurp("s", "metrics.csv", NULL)), 1 + 18 * 2);
    char *ph = e2e_slurp("s", "stacked_phases.csv", NULL);
    cr_assert(ph && !strncmp(ph,
                             "phase,name,epochs,test_loss,test_accuracy\n"
                             "1,pretrain layer 1 (16),4,",
                             68),
              "%s", ph ? ph : "");
    cr_assert(strstr(ph, "\n2,pretrain layer 2 (8),4,") && strstr(ph, "\n3,classifier,4,") &&
                  strstr(ph, "\n4,fine-tuning,6,"),
              "%s", ph);
    char *svg = e2e_slurp("s", "stacked_loss.svg", NULL);
    cr_assert(svg && strstr(svg, "<svg") && strstr(svg, "fine-tuning") &&
              strstr(svg, "pretrain layer 2 (8)"));
    cr_assert(strstr(e2e_out, "test after fine-tuning - loss:"), "%s", e2e_out);
}

Test(ae_stacked, pretraining_lowers_the_reconstruction_loss) {
    cr_assert_eq(e2e_run("p1", AE_STACKED, "--set train.pretrain_epochs=1"), 0, "%s", e2e_out);
    double one = e2e_json_num(e2e_slurp("p1", "summary.json", NULL), "pretrain1_loss");
    cr_assert_eq(e2e_run("p8", AE_STACKED, "--set train.pretrain_epochs=8"), 0, "%s", e2e_out);
    double eight = e2e_json_num(e2e_slurp("p8", "summary.json", NULL), "pretrain1_loss");
    cr_assert_lt(eight, one, "1 epoch %g, 8 epochs %g", one, eight);
}

Test(ae_stacked, phases_can_be_skipped_and_quick_is_short) {
    cr_assert_eq(e2e_run("k", AE_STACKED, "--set train.pretrain_epochs=0 --quick"), 0, "%s",
                 e2e_out);
    char *ph = e2e_slurp("k", "stacked_phases.csv", NULL);
    cr_assert_eq(count_lines(ph), 1 + 2, "%s", ph);
    cr_assert_eq(count_lines(e2e_slurp("k", "metrics.csv", NULL)), 1 + 2 * 2);
}

Test(ae_stacked, needs_dense_layers_and_labels) {
    const char *ini = AE_HEAD("stacked_autoencoder") "[model.encoder]\nlayers = flatten relu\n";
    cr_assert_eq(e2e_run("nd", ini, NULL), 2, "%s", e2e_out);
    cr_assert(strstr(e2e_out, "ganglion: ") && strstr(e2e_out, "no dense layer"), "%s", e2e_out);
    cr_assert_eq(e2e_run("z", AE_STACKED,
                         "--set train.pretrain_epochs=0 --set train.classifier_epochs=0 "
                         "--set train.finetune_epochs=0"),
                 2, "%s", e2e_out);
    cr_assert(strstr(e2e_out, "all 0"), "%s", e2e_out);
}
