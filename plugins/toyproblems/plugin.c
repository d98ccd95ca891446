/* Toy-problems plugin: descriptor and registration. */
#include "toyproblems.h"

static gn_status toyproblems_init(gn_plugin_ctx *ctx, gn_error *err) {
    gn_status st;
    if ((st = gn_plugin_register(ctx, GN_KIND_TRAINER, "optimize", &gn_toy_optimize, err)) ||
        (st = gn_plugin_register(ctx, GN_KIND_TRAINER, "threshold", &gn_toy_threshold, err)))
        return st;
    return GN_OK;
}

static const gn_plugin_desc toyproblems_desc = {
    GN_PLUGIN_HEADER,
    .name = "toyproblems",
    .version = GN_VERSION,
    .description = "optimizers on 1-D and 2-D test functions: traces, plots, threshold searches",
    .license = "MIT",
    .init = toyproblems_init,
};

GN_PLUGIN_DEFINE(toyproblems_desc)
