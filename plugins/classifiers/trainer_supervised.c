/* The supervised trainer: mini-batch training of a classifier (or a
 * regressor, when the data has real-valued targets) with any SDK optimizer,
 * validation every epoch, early stopping, checkpoints and a final test. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "classifiers.h"
#include "trainer.h"

static gn_status make_optimizer(trainer *t, gn_error *err) {
    const gn_section *p = t->ctx->params;
    const char *name = gn_section_str(p, "optimizer");
    if (!strcmp(name, "lbfgs")) return GN_OK; /* full batch: see trainer_lbfgs.c */
    gn_optim_hparams hp;
    gn_status st = gn_optim_hparams_from_section(p, NULL, &hp, NULL, err);
    if (st) return st;
    t->opt = gn_optim_new(name, gn_model_n_params(t->model), &hp, err);
    t->o.sched.lr0 = hp.lr;
    return t->opt ? GN_OK : err->status;
}

/* Class weights: "balanced" (n / (C * count_c), as scikit-learn) or C numbers. */
static gn_status class_weights(trainer *t, gn_data *train, gn_error *err) {
    const char *spec = t->o.class_weight;
    if (!*spec || t->tdim) return GN_OK;
    int64_t c = t->classes;
    t->cw = gn_tensor_new(NULL, 1, &c, err);
    if (!t->cw) return err->status;
    float *w = gn_tensor_data(t->cw);
    if (!strcmp(spec, "balanced")) {
        gn_status st = gn_count_classes(t, train, w, err);
        if (st) return st;
        double n = 0;
        for (int j = 0; j < t->classes; j++)
            n += w[j];
        for (int j = 0; j < t->classes; j++)
            w[j] = w[j] > 0 ? (float)(n / (t->classes * w[j])) : 0;
    } else {
        const char *s = spec;
        for (int j = 0; j < t->classes; j++) {
            char *end;
            double v = strtod(s, &end);
            if (end == s || v < 0 || !isfinite(v))
                return gn_error_set(err, GN_ERR_CONFIG,
                                    "[train] class_weight: expected 'balanced' or %d numbers "
                                    ">= 0, got '%s'",
                                    t->classes, spec);
            w[j] = (float)v;
            s = end;
        }
        while (*s == ' ')
            s++;
        if (*s)
            return gn_error_set(err, GN_ERR_CONFIG,
                                "[train] class_weight: more than %d weights in '%s'", t->classes,
                                spec);
    }
    t->cw_node = gn_graph_param(t->g, "class_weight", t->cw, NULL, err);
    return t->cw_node ? GN_OK : err->status;
}

static gn_status setup(trainer *t, gn_data *train, gn_error *err) {
    const gn_host_api *h = t->ctx->host;
    gn_data_info info = {.struct_size = sizeof info};
    h->data_info(train, &info);
    int regression = info.struct_size >= offsetof(gn_data_info, target_dim) + sizeof(int) &&
                     info.n_classes == 0 && info.target_dim > 0;
    const char *loss = gn_section_str(t->ctx->params, "loss");
    if (!regression && info.n_classes < 2)
        return gn_error_set(err, GN_ERR_CONFIG, "supervised: dataset '%s' has no targets",
                            info.name);
    if (regression && !strcmp(loss, "cross_entropy"))
        return gn_error_set(err, GN_ERR_CONFIG,
                            "[train] loss: cross_entropy needs class labels; '%s' has "
                            "real-valued targets (use mse)",
                            info.name);
    if (!regression && !strcmp(loss, "mse"))
        return gn_error_set(err, GN_ERR_CONFIG,
                            "[train] loss: mse needs real-valued targets; '%s' has classes",
                            info.name);
    t->classes = regression ? 0 : info.n_classes;
    t->tdim = regression ? info.target_dim : 0;
    t->ndim = info.ndim;
    t->sample = 1;
    for (int i = 0; i < info.ndim; i++)
        t->sample *= (t->dims[i] = info.dims[i]);
    gn_status st = h->model_build(t->ctx->run, "model", &info, &t->model, err);
    if (st) return st;
    t->g = gn_model_graph(t->model);
    t->x = gn_model_input(t->model, 0);
    t->out = gn_model_output(t->model);
    gn_tensor *o = gn_node_value(t->out);
    int want = regression ? t->tdim : t->classes;
    if (gn_tensor_ndim(o) != 2 || gn_tensor_dim(o, 1) != want) {
        char shape[64];
        gn_tensor_shape_str(o, 1, shape, sizeof shape);
        return gn_error_set(err, GN_ERR_CONFIG,
                            "supervised: the model outputs %s but the data has %d %s; end the "
                            "model with dense(%d)",
                            shape, want, regression ? "targets" : "classes", want);
    }
    int64_t dims[2] = {1, t->tdim};
    t->y = gn_graph_input(t->g, "target", regression ? 2 : 1, dims, 0, err);
    if (!t->y || (st = class_weights(t, train, err))) return err->status;
    /* A Keras-style model may end in softmax: the fused loss takes its logits. */
    gn_node *logits =
        !regression && gn_node_op(t->out) == &gn_op_softmax ? gn_node_input(t->out, 0) : t->out;
    t->out = logits; /* same argmax; the softmax node itself is never evaluated */
    gn_node *in[3] = {logits, t->y, t->cw_node};
    if (regression)
        t->loss = gn_graph_apply(t->g, &gn_op_mse, in, 2, NULL, err);
    else if (t->cw_node)
        t->loss = gn_graph_apply(t->g, &gn_classifiers_weighted_ce, in, 3, NULL, err);
    else
        t->loss = gn_graph_apply(t->g, &gn_op_cross_entropy, in, 2, NULL, err);
    if (!t->loss) return err->status;
    if ((st = gn_penalty_setup(t, err))) return st;
    if (t->o.init_from && (st = gn_trainer_init_from(t, err))) return st;
    if (gn_augment_active(&t->o.aug)) {
        t->aug_x = malloc((size_t)(t->o.batch * t->sample) * sizeof(float));
        t->aug_tmp = malloc((size_t)t->sample * sizeof(float));
        if (!t->aug_x || !t->aug_tmp)
            return gn_error_set(err, GN_ERR_NOMEM, "supervised: out of memory");
        if (t->ndim != 3)
            return gn_error_set(err, GN_ERR_CONFIG,
                                "[train] augment_*: needs image data (C, H, W), not %d-D samples",
                                t->ndim);
    }
    return make_optimizer(t, err);
}

gn_status gn_forward_batch(trainer *t, const gn_batch *b, const float *x, gn_error *err) {
    gn_status st = gn_graph_feed(t->x, x ? x : b->x, b->n, err);
    if (!st) st = gn_graph_feed(t->y, b->y, b->n, err);
    if (!st) st = gn_graph_forward(t->g, t->loss, err);
    return st;
}

/* accuracy (classes) or summed |error| (regression) of the current batch. */
static double batch_score(trainer *t, const gn_batch *b) {
    const float *s = gn_tensor_cdata(gn_node_value(t->out));
    double acc = 0;
    if (t->tdim) {
        for (int64_t i = 0; i < b->n * t->tdim; i++)
            acc += fabs((double)s[i] - b->y[i]);
        return acc / t->tdim;
    }
    for (int64_t i = 0; i < b->n; i++)
        acc += gn_argmax(s + i * t->classes, t->classes) == b->labels[i];
    return acc;
}

gn_status gn_evaluate_split(trainer *t, gn_data *d, double *loss, double *score, float *scores,
                            int32_t *labels, gn_error *err) {
    const gn_host_api *h = t->ctx->host;
    gn_data_info info = {.struct_size = sizeof info};
    h->data_info(d, &info);
    gn_graph_set_training(t->g, 0);
    double sum = 0, hits = 0;
    int64_t bs = t->o.eval_batch, width = t->tdim ? t->tdim : t->classes;
    for (int64_t s = 0; s < info.n; s += bs) {
        int64_t n = info.n - s < bs ? info.n - s : bs;
        gn_batch b;
        gn_status st = h->data_batch(d, s, n, &b, err);
        if (!st) st = gn_forward_batch(t, &b, NULL, err);
        if (st) return st;
        sum += gn_tensor_cdata(gn_node_value(t->loss))[0] * (double)n;
        hits += batch_score(t, &b);
        if (scores)
            memcpy(scores + s * width, gn_tensor_cdata(gn_node_value(t->out)),
                   (size_t)(n * width) * sizeof(float));
        if (labels && b.labels) memcpy(labels + s, b.labels, (size_t)n * sizeof(int32_t));
    }
    *loss = info.n ? sum / (double)info.n : 0;
    *score = info.n ? hits / (double)info.n : 0;
    return GN_OK;
}

static void clip_gradients(trainer *t) {
    float *g = gn_model_grads(t->model);
    int64_t n = gn_model_n_params(t->model);
    if (t->o.clip_value > 0) {
        float v = (float)t->o.clip_value;
        for (int64_t i = 0; i < n; i++)
            g[i] = g[i] > v ? v : g[i] < -v ? -v : g[i];
    }
    if (t->o.clip_norm > 0) { /* as torch.nn.utils.clip_grad_norm_ */
        double s = 0;
        for (int64_t i = 0; i < n; i++)
            s += (double)g[i] * g[i];
        double norm = sqrt(s);
        if (norm > t->o.clip_norm) {
            float k = (float)(t->o.clip_norm / (norm + 1e-6));
            for (int64_t i = 0; i < n; i++)
                g[i] *= k;
        }
    }
}

static gn_status train_epoch(trainer *t, gn_data *train, int64_t n, int epoch, double *loss,
                             double *score, gn_error *err) {
    const gn_run_ctx *c = t->ctx;
    const gn_host_api *h = c->host;
    int64_t bs = t->o.batch, steps = (n + bs - 1) / bs;
    if (t->o.shuffle) h->data_shuffle(train, c->rng);
    if (t->o.sched.kind != GN_SCHED_NONE)
        gn_optim_set_lr(t->opt, gn_schedule_lr(&t->o.sched, epoch));
    h->epoch_begin(c->run, epoch, t->o.epochs, steps);
    gn_graph_set_training(t->g, 1);
    double sum = 0, hits = 0;
    int64_t seen = 0;
    for (int64_t step = 0; step < steps; step++) {
        if (h->cancelled(c->run))
            return gn_error_set(err, GN_ERR_CANCELLED, "stopped at epoch %d, step %lld", epoch,
                                (long long)step);
        int64_t m = n - step * bs < bs ? n - step * bs : bs;
        gn_batch b;
        gn_status st = h->data_batch(train, step * bs, m, &b, err);
        if (st) return st;
        const float *x = NULL;
        if (t->aug_x) {
            memcpy(t->aug_x, b.x, (size_t)(m * t->sample) * sizeof(float));
            gn_augment_batch(&t->o.aug, t->aug_x, m, t->dims[0], t->dims[1], t->dims[2], t->aug_tmp,
                             c->rng);
            x = t->aug_x;
        }
        if ((st = gn_forward_batch(t, &b, x, err))) return st;
        double l = gn_tensor_cdata(gn_node_value(t->loss))[0];
        gn_model_zero_grad(t->model);
        if ((st = gn_graph_backward(t->g, t->loss, err))) return st;
        l += gn_penalty_apply(t); /* Keras reports the loss with its penalties */
        if (!isfinite(l))
            return gn_error_set(err, GN_ERR_NUMERIC,
                                "loss became %g at epoch %d, step %lld (try a smaller lr)", l,
                                epoch, (long long)step + 1);
        clip_gradients(t);
        if ((st = gn_optim_step(t->opt, gn_model_params(t->model), gn_model_grads(t->model), err)))
            return st;
        sum += l * (double)m;
        hits += batch_score(t, &b);
        seen += m;
        gn_metric mm[2] = {{"loss", sum / (double)seen},
                           {t->tdim ? "mae" : "accuracy", hits / (double)seen}};
        h->step_end(c->run, step + 1, mm, 2);
    }
    *loss = sum / (double)seen;
    *score = hits / (double)seen;
    return GN_OK;
}

static double metric_value(const gn_metric *m, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (!strcmp(m[i].name, name)) return m[i].value;
    return NAN;
}

/* Tracks the monitored metric; returns 1 when early stopping fires. */
static int track_best(trainer *t, int epoch, const gn_metric *m, int nm, gn_error *err,
                      gn_status *st) {
    double v = metric_value(m, nm, t->o.monitor);
    if (isnan(v)) return 0;
    int lower = gn_monitor_lower_is_better(t->o.monitor);
    int better = !t->best_epoch ||
                 (lower ? v < t->best_value - t->o.min_delta : v > t->best_value + t->o.min_delta);
    if (better) {
        t->best_value = v;
        t->best_epoch = epoch;
        t->stale = 0;
        if (t->best)
            memcpy(t->best, gn_model_params(t->model),
                   (size_t)gn_model_n_params(t->model) * sizeof(float));
        if (t->o.ckpt == GN_CKPT_BEST)
            *st = gn_trainer_checkpoint(t, "best.safetensors", epoch, err);
        return 0;
    }
    return t->o.early_stopping && ++t->stale > t->o.patience;
}

static gn_status final_test(trainer *t, gn_data *test, gn_error *err) {
    const gn_host_api *h = t->ctx->host;
    gn_data_info ti = {.struct_size = sizeof ti};
    h->data_info(test, &ti);
    int64_t width = t->tdim ? t->tdim : t->classes;
    float *scores = malloc((size_t)(ti.n * width) * sizeof *scores);
    int32_t *labels = malloc((size_t)ti.n * sizeof *labels);
    double tloss = 0, tscore = 0;
    gn_status st =
        scores && labels ? GN_OK : gn_error_set(err, GN_ERR_NOMEM, "supervised: out of memory");
    if (!st) st = gn_evaluate_split(t, test, &tloss, &tscore, scores, labels, err);
    if (!st && t->tdim) {
        h->result(t->ctx->run, "test", "loss", tloss);
        h->result(t->ctx->run, "test", "mse", tloss);
        h->result(t->ctx->run, "test", "mae", tscore);
        printf("test - loss: %.4f - mae: %.4f\n", tloss, tscore);
        st = gn_regression_surfaces(t, test, scores, err);
    } else if (!st) {
        gn_eval_input in = {sizeof in, "test", ti.n, t->classes, scores, labels, tloss};
        /* Loss and accuracy are always reported; evaluators add to them. */
        h->result(t->ctx->run, "test", "accuracy", tscore);
        h->result(t->ctx->run, "test", "loss", tloss);
        st = h->evaluate(t->ctx->run, &in, err);
        if (!st) st = gn_misclassified_png(t, test, scores, labels, err);
        printf("test - loss: %.4f - accuracy: %.4f\n", tloss, tscore);
    }
    free(scores);
    free(labels);
    return st;
}

static gn_status run_epochs(trainer *t, gn_data *train, gn_data *val, gn_error *err) {
    const gn_run_ctx *ctx = t->ctx;
    gn_data_info info = {.struct_size = sizeof info};
    ctx->host->data_info(train, &info);
    int64_t n = t->o.limit > 0 && t->o.limit < info.n ? t->o.limit : info.n;
    const char *score = t->tdim ? "mae" : "accuracy";
    for (int e = 1; e <= t->o.epochs; e++) {
        double loss = 0, acc = 0, vloss = 0, vacc = 0;
        gn_status st = train_epoch(t, train, n, e, &loss, &acc, err);
        if (st == GN_ERR_CANCELLED) {
            gn_error cerr = {0}; /* keep the interrupted state, then report the stop */
            if (gn_trainer_checkpoint(t, "interrupted.safetensors", e, &cerr))
                ctx->host->log(ctx->run, GN_LOG_WARN, cerr.msg);
        }
        if (st) return st;
        gn_metric m[4] = {{"loss", loss}, {score, acc}};
        int nm = 2;
        if (val) {
            if ((st = gn_evaluate_split(t, val, &vloss, &vacc, NULL, NULL, err))) return st;
            m[2] = (gn_metric){"val_loss", vloss};
            m[3] = (gn_metric){t->tdim ? "val_mae" : "val_accuracy", vacc};
            nm = 4;
        }
        ctx->host->epoch_end(ctx->run, e, m, nm);
        for (int k = 0; k < t->o.n_flow; k++)
            if (t->o.flow_epochs[k] == e && (st = gn_gradient_flow(t, train, e, err))) return st;
        int stop = track_best(t, e, m, nm, err, &st);
        if (st) return st;
        if (t->o.ckpt == GN_CKPT_LAST || (t->o.ckpt == GN_CKPT_EVERY && e % t->o.ckpt_every == 0)) {
            char name[64];
            if (t->o.ckpt == GN_CKPT_LAST)
                snprintf(name, sizeof name, "last.safetensors");
            else
                snprintf(name, sizeof name, "epoch-%d.safetensors", e);
            if ((st = gn_trainer_checkpoint(t, name, e, err))) return st;
        }
        if (stop) {
            char msg[160];
            snprintf(msg, sizeof msg, "early stopping after epoch %d: best %s %.6g at epoch %d", e,
                     t->o.monitor, t->best_value, t->best_epoch);
            ctx->host->log(ctx->run, GN_LOG_INFO, msg);
            printf("%s\n", msg);
            break;
        }
    }
    if (t->best && t->best_epoch) {
        memcpy(gn_model_params(t->model), t->best,
               (size_t)gn_model_n_params(t->model) * sizeof(float));
        char msg[128];
        snprintf(msg, sizeof msg, "restored the weights of epoch %d (best %s)", t->best_epoch,
                 t->o.monitor);
        ctx->host->log(ctx->run, GN_LOG_INFO, msg);
    }
    return GN_OK;
}

static gn_status run_supervised(const gn_run_ctx *ctx, gn_error *err) {
    const gn_host_api *h = ctx->host;
    trainer t = {.ctx = ctx};
    gn_data *train = NULL, *val = NULL, *test = NULL;
    gn_status st;
    if ((st = gn_train_opts_read(ctx->params, ctx->quick, &t.o, err)) ||
        (st = h->data_open(ctx->run, "train", &train, err)) ||
        (st = h->data_open(ctx->run, "val", &val, err)) ||
        (st = h->data_open(ctx->run, "test", &test, err)))
        return st;
    if ((st = setup(&t, train, err))) goto done;
    if (t.o.early_stopping && t.o.restore_best) {
        t.best = malloc((size_t)gn_model_n_params(t.model) * sizeof(float));
        if (!t.best) {
            st = gn_error_set(err, GN_ERR_NOMEM, "supervised: out of memory");
            goto done;
        }
    }
    char msg[256];
    snprintf(msg, sizeof msg, "training: %d epochs, batch %lld, %s, %lld params", t.o.epochs,
             (long long)t.o.batch, gn_section_str(ctx->params, "optimizer"),
             (long long)gn_model_n_params(t.model));
    h->log(ctx->run, GN_LOG_INFO, msg);
    st = t.opt ? run_epochs(&t, train, val, err) : gn_train_lbfgs(&t, train, val, err);
    if (!st) st = final_test(&t, test, err);
done:
    gn_optim_free(t.opt);
    gn_model_free(t.model);
    gn_tensor_free(t.cw);
    free(t.best);
    free(t.aug_x);
    free(t.aug_tmp);
    free(t.pen);
    free(t.flows);
    return st;
}

const gn_trainer_vtable gn_classifiers_supervised = {
    .struct_size = sizeof(gn_trainer_vtable),
    .name = "supervised",
    .doc = "mini-batch training of a classifier or regressor; validation every epoch; final "
           "test",
    .schema = gn_supervised_schema,
    .run = run_supervised,
};
