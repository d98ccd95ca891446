/* The supervised trainer's keys: names follow Keras where it has one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ganglion/ganglion.h>
#include "train_options.h"

const gn_param_schema gn_supervised_schema[] = {
    GN_PARAM_INT("epochs", "10", 1, 1e6, "passes over the training split"),
    GN_PARAM_INT("batch_size", "32", 1, 1 << 20, "samples per step"),
    GN_PARAM_CHOICE("optimizer", "adam", GN_OPTIM_CHOICES "|lbfgs",
                    "update rule; lbfgs: full batch with a strong-Wolfe line search"),
    GN_PARAM_FLOAT("lr", "", 0, 1e3, "learning rate (default: the optimizer's PyTorch default)"),
    GN_PARAM_FLOAT("momentum", "", 0, 0.999999, "momentum, nesterov (default 0.9)"),
    GN_PARAM_FLOAT("beta1", "", 0, 0.999999, "adam, adamw (default 0.9)"),
    GN_PARAM_FLOAT("beta2", "", 0, 0.999999, "adam, adamw (default 0.999)"),
    GN_PARAM_FLOAT("eps", "", 1e-30, 1, "numerical guard (default per optimizer)"),
    GN_PARAM_FLOAT("rho", "", 0, 0.999999, "rmsprop alpha, adadelta rho"),
    GN_PARAM_FLOAT("weight_decay", "", 0, 10, "L2 on the gradient (adamw: decoupled)"),
    GN_PARAM_CHOICE("loss", "auto", "auto|cross_entropy|mse",
                    "auto: cross_entropy for class labels (softmax fused; the model outputs "
                    "logits), mse for regression targets"),
    GN_PARAM_BOOL("shuffle", "true", "new sample order every epoch"),
    GN_PARAM_INT("eval_batch_size", "1000", 1, 1 << 20, "samples per step when evaluating"),
    GN_PARAM_FLOAT("l1", "0", 0, 1e3, "L1 penalty on the weights of dense/conv layers"),
    GN_PARAM_FLOAT("l2", "0", 0, 1e3, "L2 penalty (lambda * sum w^2) on the same weights"),
    GN_PARAM_FLOAT("clip_norm", "0", 0, 1e9, "clip the global gradient norm (0 = off)"),
    GN_PARAM_FLOAT("clip_value", "0", 0, 1e9, "clip each gradient to [-v, v] (0 = off)"),
    GN_PARAM_STRING("class_weight", "", "'balanced' or one weight per class, space-separated"),
    GN_PARAM_CHOICE("lr_schedule", "none", "none|step|exponential|cosine", "per-epoch schedule"),
    GN_PARAM_INT("lr_step_size", "10", 1, 1e6, "step: epochs between decays"),
    GN_PARAM_FLOAT("lr_gamma", "0.1", 0, 1, "step, exponential: decay factor"),
    GN_PARAM_FLOAT("lr_min", "0", 0, 1e3, "cosine: final learning rate"),
    GN_PARAM_BOOL("augment_flip", "false", "random horizontal flips"),
    GN_PARAM_FLOAT("augment_shift", "0", 0, 0.5, "random shifts, fraction of width/height"),
    GN_PARAM_FLOAT("augment_rotation", "0", 0, 180, "random rotations, in degrees"),
    GN_PARAM_BOOL("early_stopping", "false", "stop when the monitored metric stalls"),
    GN_PARAM_STRING("monitor", "val_loss", "loss, accuracy, val_loss or val_accuracy"),
    GN_PARAM_INT("patience", "5", 0, 1e6, "epochs without improvement before stopping"),
    GN_PARAM_FLOAT("min_delta", "0", 0, 1e9, "smallest change that counts as improvement"),
    GN_PARAM_BOOL("restore_best_weights", "true",
                  "end with the best epoch's weights (also when the stop never fires)"),
    GN_PARAM_STRING("checkpoint", "none", "none | best | last | every:N (safetensors)"),
    GN_PARAM_STRING("init_from", "", "start from the weights in this safetensors file"),
    GN_PARAM_STRING("gradient_flow", "", "epochs after which to record per-layer |dL/dW|"),
    GN_PARAM_INT("gradient_flow_batch", "0", 0, 1e9, "which mini-batch (fixed order) to use"),
    GN_PARAM_INT("samples", "0", 0, 1e9, "training samples used per epoch (0 = all)"),
    GN_PARAM_INT("quick_epochs", "1", 1, 1e6, "epochs under --quick"),
    GN_PARAM_INT("quick_samples", "0", 0, 1e9, "training samples under --quick (0 = all)"),
    GN_PARAM_END,
};

int gn_monitor_lower_is_better(const char *metric) {
    return strstr(metric, "loss") != NULL;
}

static gn_status bad(const gn_section *p, const char *key, gn_error *err, const char *what) {
    int line = gn_section_line(p, key);
    if (line > 0)
        return gn_error_set(err, GN_ERR_CONFIG, "%s:%d: [%s] %s: %s", gn_section_file(p), line,
                            gn_section_name(p), key, what);
    return gn_error_set(err, GN_ERR_CONFIG, "[%s] %s: %s", gn_section_name(p), key, what);
}

gn_status gn_train_opts_read(const gn_section *p, int quick, gn_train_opts *o, gn_error *err) {
    memset(o, 0, sizeof *o);
    o->epochs = (int)gn_section_int(p, quick ? "quick_epochs" : "epochs");
    o->batch = gn_section_int(p, "batch_size");
    o->eval_batch = gn_section_int(p, "eval_batch_size");
    o->limit = gn_section_int(p, quick ? "quick_samples" : "samples");
    o->shuffle = gn_section_bool(p, "shuffle");
    o->l1 = gn_section_float(p, "l1");
    o->l2 = gn_section_float(p, "l2");
    o->clip_norm = gn_section_float(p, "clip_norm");
    o->clip_value = gn_section_float(p, "clip_value");
    snprintf(o->class_weight, sizeof o->class_weight, "%s", gn_section_str(p, "class_weight"));

    const char *s = gn_section_str(p, "lr_schedule");
    o->sched.kind = !strcmp(s, "step")          ? GN_SCHED_STEP
                    : !strcmp(s, "exponential") ? GN_SCHED_EXP
                    : !strcmp(s, "cosine")      ? GN_SCHED_COSINE
                                                : GN_SCHED_NONE;
    o->sched.step_size = (int)gn_section_int(p, "lr_step_size");
    o->sched.gamma = gn_section_float(p, "lr_gamma");
    o->sched.lr_min = gn_section_float(p, "lr_min");
    o->sched.epochs = o->epochs;

    o->aug.flip = gn_section_bool(p, "augment_flip");
    o->aug.shift = gn_section_float(p, "augment_shift");
    o->aug.rotation = gn_section_float(p, "augment_rotation");

    o->early_stopping = gn_section_bool(p, "early_stopping");
    o->patience = (int)gn_section_int(p, "patience");
    o->min_delta = gn_section_float(p, "min_delta");
    o->restore_best = gn_section_bool(p, "restore_best_weights");
    snprintf(o->monitor, sizeof o->monitor, "%s", gn_section_str(p, "monitor"));
    static const char *const metrics[] = {"loss",         "accuracy", "val_loss",
                                          "val_accuracy", "mae",      "val_mae"};
    int ok = 0;
    for (size_t i = 0; i < sizeof metrics / sizeof *metrics; i++)
        ok |= !strcmp(o->monitor, metrics[i]);
    if (!ok)
        return bad(p, "monitor", err,
                   "one of loss, accuracy, val_loss, val_accuracy, mae, val_mae");

    const char *c = gn_section_str(p, "checkpoint");
    if (!strcmp(c, "none"))
        o->ckpt = GN_CKPT_NONE;
    else if (!strcmp(c, "best"))
        o->ckpt = GN_CKPT_BEST;
    else if (!strcmp(c, "last"))
        o->ckpt = GN_CKPT_LAST;
    else if (!strncmp(c, "every:", 6) && atoi(c + 6) > 0 &&
             strspn(c + 6, "0123456789") == strlen(c + 6)) {
        o->ckpt = GN_CKPT_EVERY;
        o->ckpt_every = atoi(c + 6);
    } else {
        return bad(p, "checkpoint", err, "expected none, best, last or every:N");
    }
    const char *init = gn_section_str(p, "init_from");
    o->init_from = init && *init ? init : NULL;

    char buf[256];
    snprintf(buf, sizeof buf, "%s", gn_section_str(p, "gradient_flow"));
    for (char *save, *tok = strtok_r(buf, " ,", &save); tok; tok = strtok_r(NULL, " ,", &save)) {
        char *end;
        long e = strtol(tok, &end, 10);
        if (*end || e < 1 || o->n_flow == 16)
            return bad(p, "gradient_flow", err, "expected up to 16 epoch numbers >= 1");
        /* The short --quick budget still shows the chart, after its last epoch. */
        o->flow_epochs[o->n_flow++] = quick && e > o->epochs ? o->epochs : (int)e;
    }
    o->flow_batch = gn_section_int(p, "gradient_flow_batch");
    return GN_OK;
}
