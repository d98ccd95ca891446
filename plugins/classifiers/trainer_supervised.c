/* The supervised trainer: mini-batch training of a classifier with any SDK
 * optimizer, validation every epoch, and a final test evaluation. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "classifiers.h"

static const gn_param_schema supervised_schema[] = {
    GN_PARAM_INT("epochs", "10", 1, 1e6, "passes over the training split"),
    GN_PARAM_INT("batch_size", "32", 1, 1 << 20, "samples per step"),
    GN_PARAM_CHOICE("optimizer", "adam", GN_OPTIM_CHOICES, "update rule"),
    GN_PARAM_FLOAT("lr", "", 0, 1e3, "learning rate (default: the optimizer's PyTorch default)"),
    GN_PARAM_FLOAT("momentum", "", 0, 0.999999, "momentum, nesterov (default 0.9)"),
    GN_PARAM_FLOAT("beta1", "", 0, 0.999999, "adam, adamw (default 0.9)"),
    GN_PARAM_FLOAT("beta2", "", 0, 0.999999, "adam, adamw (default 0.999)"),
    GN_PARAM_FLOAT("eps", "", 1e-30, 1, "numerical guard (default per optimizer)"),
    GN_PARAM_FLOAT("rho", "", 0, 0.999999, "rmsprop alpha, adadelta rho"),
    GN_PARAM_FLOAT("weight_decay", "", 0, 10, "L2 on the gradient (adamw: decoupled)"),
    GN_PARAM_CHOICE("loss", "cross_entropy", "cross_entropy",
                    "cross_entropy: softmax fused in; the model outputs logits"),
    GN_PARAM_BOOL("shuffle", "true", "new sample order every epoch"),
    GN_PARAM_INT("eval_batch_size", "1000", 1, 1 << 20, "samples per step when evaluating"),
    GN_PARAM_INT("quick_epochs", "1", 1, 1e6, "epochs under --quick"),
    GN_PARAM_INT("quick_samples", "0", 0, 1e9, "training samples under --quick (0 = all)"),
    GN_PARAM_END,
};

typedef struct trainer {
    const gn_run_ctx *ctx;
    gn_model *model;
    gn_graph *g;
    gn_node *x, *y, *out, *loss;
    gn_optim *opt;
    int classes;
    int64_t sample; /* floats per sample */
} trainer;

static gn_status make_optimizer(trainer *t, gn_error *err) {
    const gn_section *p = t->ctx->params;
    const char *name = gn_section_str(p, "optimizer");
    gn_optim_hparams hp;
    gn_status st = gn_optim_defaults(name, &hp, err);
    if (st) return st;
    static const struct {
        const char *key;
        size_t off;
    } keys[] = {
        {"lr", offsetof(gn_optim_hparams, lr)},
        {"momentum", offsetof(gn_optim_hparams, momentum)},
        {"beta1", offsetof(gn_optim_hparams, beta1)},
        {"beta2", offsetof(gn_optim_hparams, beta2)},
        {"eps", offsetof(gn_optim_hparams, eps)},
        {"rho", offsetof(gn_optim_hparams, rho)},
        {"weight_decay", offsetof(gn_optim_hparams, weight_decay)},
    };
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (gn_section_has(p, keys[i].key))
            *(double *)((char *)&hp + keys[i].off) = gn_section_float(p, keys[i].key);
    t->opt = gn_optim_new(name, gn_model_n_params(t->model), &hp, err);
    return t->opt ? GN_OK : err->status;
}

static gn_status setup(trainer *t, gn_data *train, gn_error *err) {
    const gn_host_api *h = t->ctx->host;
    gn_data_info info = {.struct_size = sizeof info};
    h->data_info(train, &info);
    if (info.n_classes < 2)
        return gn_error_set(err, GN_ERR_CONFIG, "supervised: dataset '%s' has no class labels",
                            info.name);
    t->classes = info.n_classes;
    t->sample = 1;
    for (int i = 0; i < info.ndim; i++) t->sample *= info.dims[i];
    gn_status st = h->model_build(t->ctx->run, "model", &info, &t->model, err);
    if (st) return st;
    t->g = gn_model_graph(t->model);
    t->x = gn_model_input(t->model, 0);
    t->out = gn_model_output(t->model);
    gn_tensor *o = gn_node_value(t->out);
    if (gn_tensor_ndim(o) != 2 || gn_tensor_dim(o, 1) != t->classes) {
        char shape[64];
        gn_tensor_shape_str(o, 1, shape, sizeof shape);
        return gn_error_set(err, GN_ERR_CONFIG,
                            "supervised: the model outputs %s but the dataset has %d classes; end "
                            "the model with dense(%d)",
                            shape, t->classes, t->classes);
    }
    int64_t one = 1;
    t->y = gn_graph_input(t->g, "target", 1, &one, 0, err);
    if (!t->y) return err->status;
    gn_node *in[2] = {t->out, t->y};
    t->loss = gn_graph_apply(t->g, &gn_op_cross_entropy, in, 2, NULL, err);
    if (!t->loss) return err->status;
    return make_optimizer(t, err);
}

static int64_t count_hits(gn_node *out, const int32_t *labels, int64_t n, int classes) {
    const float *s = gn_tensor_cdata(gn_node_value(out));
    int64_t hits = 0;
    for (int64_t i = 0; i < n; i++) hits += gn_argmax(s + i * classes, classes) == labels[i];
    return hits;
}

/* Feeds a batch and runs forward to the loss. */
static gn_status forward_batch(trainer *t, const gn_batch *b, gn_error *err) {
    gn_status st = gn_graph_feed(t->x, b->x, b->n, err);
    if (!st) st = gn_graph_feed(t->y, b->y, b->n, err);
    if (!st) st = gn_graph_forward(t->g, t->loss, err);
    return st;
}

/* Mean loss and accuracy over a split; scores (n x classes) kept if asked. */
static gn_status evaluate(trainer *t, gn_data *d, int64_t bs, double *loss, double *acc,
                          float *scores, int32_t *labels, gn_error *err) {
    const gn_host_api *h = t->ctx->host;
    gn_data_info info = {.struct_size = sizeof info};
    h->data_info(d, &info);
    gn_graph_set_training(t->g, 0);
    double sum = 0;
    int64_t hits = 0;
    for (int64_t s = 0; s < info.n; s += bs) {
        int64_t n = info.n - s < bs ? info.n - s : bs;
        gn_batch b;
        gn_status st = h->data_batch(d, s, n, &b, err);
        if (!st) st = forward_batch(t, &b, err);
        if (st) return st;
        sum += gn_tensor_cdata(gn_node_value(t->loss))[0] * (double)n;
        hits += count_hits(t->out, b.labels, n, t->classes);
        if (scores) {
            memcpy(scores + s * t->classes, gn_tensor_cdata(gn_node_value(t->out)),
                   (size_t)(n * t->classes) * sizeof(float));
            memcpy(labels + s, b.labels, (size_t)n * sizeof(int32_t));
        }
    }
    *loss = info.n ? sum / (double)info.n : 0;
    *acc = info.n ? (double)hits / (double)info.n : 0;
    return GN_OK;
}

static gn_status train_epoch(trainer *t, gn_data *train, int64_t n, int64_t bs, int epoch,
                             int epochs, double *loss, double *acc, gn_error *err) {
    const gn_run_ctx *c = t->ctx;
    const gn_host_api *h = c->host;
    int64_t steps = (n + bs - 1) / bs;
    if (gn_section_bool(c->params, "shuffle")) h->data_shuffle(train, c->rng);
    h->epoch_begin(c->run, epoch, epochs, steps);
    gn_graph_set_training(t->g, 1);
    double sum = 0;
    int64_t hits = 0, seen = 0;
    for (int64_t step = 0; step < steps; step++) {
        if (h->cancelled(c->run))
            return gn_error_set(err, GN_ERR_CANCELLED, "stopped at epoch %d, step %lld", epoch,
                                (long long)step);
        int64_t m = n - step * bs < bs ? n - step * bs : bs;
        gn_batch b;
        gn_status st = h->data_batch(train, step * bs, m, &b, err);
        if (!st) st = forward_batch(t, &b, err);
        if (st) return st;
        float l = gn_tensor_cdata(gn_node_value(t->loss))[0];
        if (!isfinite(l))
            return gn_error_set(err, GN_ERR_NUMERIC,
                                "loss became %f at epoch %d, step %lld (try a smaller lr)", l,
                                epoch, (long long)step + 1);
        gn_model_zero_grad(t->model);
        if ((st = gn_graph_backward(t->g, t->loss, err)) ||
            (st = gn_optim_step(t->opt, gn_model_params(t->model), gn_model_grads(t->model), err)))
            return st;
        sum += (double)l * (double)m;
        hits += count_hits(t->out, b.labels, m, t->classes);
        seen += m;
        gn_metric mm[2] = {{"loss", sum / (double)seen}, {"accuracy", (double)hits / (double)seen}};
        h->step_end(c->run, step + 1, mm, 2);
    }
    *loss = sum / (double)seen;
    *acc = (double)hits / (double)seen;
    return GN_OK;
}

static gn_status run_supervised(const gn_run_ctx *ctx, gn_error *err) {
    const gn_host_api *h = ctx->host;
    const gn_section *p = ctx->params;
    trainer t = {.ctx = ctx};
    gn_data *train = NULL, *val = NULL, *test = NULL;
    gn_status st;
    if ((st = h->data_open(ctx->run, "train", &train, err)) ||
        (st = h->data_open(ctx->run, "val", &val, err)) ||
        (st = h->data_open(ctx->run, "test", &test, err)))
        return st;
    if ((st = setup(&t, train, err))) goto done;

    gn_data_info info = {.struct_size = sizeof info};
    h->data_info(train, &info);
    int epochs = (int)gn_section_int(p, ctx->quick ? "quick_epochs" : "epochs");
    int64_t bs = gn_section_int(p, "batch_size"), ebs = gn_section_int(p, "eval_batch_size");
    int64_t n = info.n, quick_n = gn_section_int(p, "quick_samples");
    if (ctx->quick && quick_n > 0 && quick_n < n) n = quick_n;
    char msg[256];
    snprintf(msg, sizeof msg, "training on %lld samples, %d epochs, batch %lld, %s, %lld params",
             (long long)n, epochs, (long long)bs, gn_optim_name(t.opt),
             (long long)gn_model_n_params(t.model));
    h->log(ctx->run, GN_LOG_INFO, msg);

    for (int e = 1; e <= epochs; e++) {
        double loss = 0, acc = 0, vloss = 0, vacc = 0;
        if ((st = train_epoch(&t, train, n, bs, e, epochs, &loss, &acc, err))) goto done;
        gn_metric m[4] = {{"loss", loss}, {"accuracy", acc}};
        int nm = 2;
        if (val) {
            if ((st = evaluate(&t, val, ebs, &vloss, &vacc, NULL, NULL, err))) goto done;
            m[2] = (gn_metric){"val_loss", vloss};
            m[3] = (gn_metric){"val_accuracy", vacc};
            nm = 4;
        }
        h->epoch_end(ctx->run, e, m, nm);
    }

    gn_data_info ti = {.struct_size = sizeof ti};
    h->data_info(test, &ti);
    float *scores = malloc((size_t)(ti.n * t.classes) * sizeof *scores);
    int32_t *labels = malloc((size_t)ti.n * sizeof *labels);
    double tloss = 0, tacc = 0;
    if (!scores || !labels) st = gn_error_set(err, GN_ERR_NOMEM, "supervised: out of memory");
    if (!st) st = evaluate(&t, test, ebs, &tloss, &tacc, scores, labels, err);
    if (!st) {
        gn_eval_input in = {sizeof in, "test", ti.n, t.classes, scores, labels, tloss};
        st = h->evaluate(ctx->run, &in, err);
        snprintf(msg, sizeof msg, "test: loss %.4f, accuracy %.4f", tloss, tacc);
        h->log(ctx->run, GN_LOG_INFO, msg);
        fprintf(stdout, "test - loss: %.4f - accuracy: %.4f\n", tloss, tacc);
    }
    free(scores);
    free(labels);
done:
    gn_optim_free(t.opt);
    gn_model_free(t.model);
    return st;
}

const gn_trainer_vtable gn_classifiers_supervised = {
    .struct_size = sizeof(gn_trainer_vtable),
    .name = "supervised",
    .doc = "mini-batch training of a classifier; validation every epoch; final test",
    .schema = supervised_schema,
    .run = run_supervised,
};
