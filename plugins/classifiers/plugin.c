/* Classifiers plugin: descriptor and registration. */
#include "classifiers.h"
#include "cmd_common.h"

static gn_status classifiers_init(gn_plugin_ctx *ctx, gn_error *err) {
    gn_status st;
    if ((st = gn_plugin_register(ctx, GN_KIND_TRAINER, "supervised", &gn_classifiers_supervised,
                                 err)) ||
        (st = gn_plugin_register(ctx, GN_KIND_EVALUATOR, "accuracy", &gn_classifiers_accuracy,
                                 err)) ||
        (st = gn_plugin_register(ctx, GN_KIND_EVALUATOR, "loss", &gn_classifiers_loss, err)) ||
        (st = gn_plugin_register(ctx, GN_KIND_EVALUATOR, "confusion_matrix",
                                 &gn_classifiers_confusion, err)) ||
        (st = gn_plugin_register(ctx, GN_KIND_COMMAND, "conv-output", &gn_cmd_conv_output, err)) ||
        (st = gn_plugin_register(ctx, GN_KIND_COMMAND, "receptive-field", &gn_cmd_receptive_field,
                                 err)) ||
        (st = gn_plugin_register(ctx, GN_KIND_COMMAND, "convolve", &gn_cmd_convolve, err)))
        return st;
    return GN_OK;
}

static const gn_plugin_desc classifiers_desc = {
    GN_PLUGIN_HEADER,
    .name = "classifiers",
    .version = GN_VERSION,
    .description = "supervised MLP and CNN classifiers: trainer, accuracy, loss, confusion matrix",
    .license = "MIT",
    .init = classifiers_init,
};

GN_PLUGIN_DEFINE(classifiers_desc)
