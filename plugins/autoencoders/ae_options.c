/* The [train] keys of the autoencoder trainers; names follow Keras and the
 * supervised trainer where they have one. */
#include <stdio.h>
#include <string.h>
#include "autoencoders.h"

/* Keys both trainers read. */
#define GN_AE_COMMON_KEYS                                                                          \
    GN_PARAM_INT("batch_size", "128", 1, 1 << 20, "samples per step"), GN_OPTIM_SCHEMA("adam"),    \
        GN_PARAM_CHOICE("loss", "mse", "mse|bce",                                                  \
                        "reconstruction loss; bce: binary cross-entropy, needs pixels in [0, 1] "  \
                        "(normalize = scale) and a decoder ending in sigmoid"),                    \
        GN_PARAM_BOOL("shuffle", "true", "new sample order every epoch"),                          \
        GN_PARAM_INT("eval_batch_size", "1000", 1, 1 << 20, "samples per step when evaluating"),   \
        GN_PARAM_INT("samples", "0", 0, 1e9, "training samples used per epoch (0 = all)"),         \
        GN_PARAM_INT("quick_epochs", "1", 1, 1e6, "epochs (of every phase) under --quick"),        \
        GN_PARAM_INT("quick_samples", "0", 0, 1e9, "training samples under --quick (0 = all)")

const gn_param_schema gn_ae_schema[] = {
    GN_PARAM_INT("epochs", "10", 1, 1e6, "passes over the training split"),
    GN_AE_COMMON_KEYS,
    GN_PARAM_INT("grid_images", "10", 0, 100,
                 "test images in reconstructions.png (originals above reconstructions)"),
    GN_PARAM_BOOL("class_means", "true",
                  "class_means.png: the mean code of each class, decoded (needs class labels)"),
    GN_PARAM_END,
};

const gn_param_schema gn_ae_stacked_schema[] = {
    GN_PARAM_INT("pretrain_epochs", "5", 0, 1e6,
                 "epochs of greedy pre-training per dense layer of [model.encoder]"),
    GN_PARAM_INT("classifier_epochs", "5", 0, 1e6,
                 "epochs of the classification layer on the frozen top codes"),
    GN_PARAM_INT("finetune_epochs", "10", 0, 1e6, "epochs of fine-tuning the whole network"),
    GN_PARAM_FLOAT("finetune_lr", "", 0, 1e3, "fine-tuning learning rate (default: lr)"),
    GN_AE_COMMON_KEYS,
    GN_PARAM_END,
};

gn_status gn_ae_opts_read(const gn_run_ctx *ctx, int stacked, gn_ae_opts *o, gn_error *err) {
    const gn_section *p = ctx->params;
    (void)err;
    memset(o, 0, sizeof *o);
    int quick = ctx->quick, qe = (int)gn_section_int(p, "quick_epochs");
    if (stacked) {
        /* --quick keeps a phase that is switched off (0 epochs) off. */
        o->epochs = (int)gn_section_int(p, "pretrain_epochs");
        o->clf_epochs = (int)gn_section_int(p, "classifier_epochs");
        o->ft_epochs = (int)gn_section_int(p, "finetune_epochs");
        if (quick) {
            o->epochs = o->epochs ? qe : 0;
            o->clf_epochs = o->clf_epochs ? qe : 0;
            o->ft_epochs = o->ft_epochs ? qe : 0;
        }
    } else {
        o->epochs = quick ? qe : (int)gn_section_int(p, "epochs");
        o->grid = (int)gn_section_int(p, "grid_images");
        o->class_mean = gn_section_bool(p, "class_means");
    }
    o->batch = gn_section_int(p, "batch_size");
    o->eval_batch = gn_section_int(p, "eval_batch_size");
    o->limit = gn_section_int(p, quick ? "quick_samples" : "samples");
    o->shuffle = gn_section_bool(p, "shuffle");
    o->bce = !strcmp(gn_section_str(p, "loss"), "bce");
    return GN_OK;
}

gn_status gn_ae_bad_key(const gn_section *p, const char *key, gn_error *err, const char *what) {
    int line = gn_section_line(p, key);
    if (line > 0)
        return gn_error_set(err, GN_ERR_CONFIG, "%s:%d: [%s] %s: %s", gn_section_file(p), line,
                            gn_section_name(p), key, what);
    return gn_error_set(err, GN_ERR_CONFIG, "%s: [%s] %s: %s", gn_section_file(p),
                        gn_section_name(p), key, what);
}

gn_optim *gn_ae_optimizer(const gn_section *p, int64_t n, double lr, gn_error *err) {
    gn_optim_hparams hp;
    const char *name;
    if (gn_optim_hparams_from_section(p, NULL, &hp, &name, err)) return NULL;
    if (lr > 0) hp.lr = lr;
    /* A model without parameters (an empty stack level) still steps. */
    return gn_optim_new(name, n > 0 ? n : 1, &hp, err);
}
