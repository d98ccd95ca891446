/* The stacked autoencoder trainer: greedy layer-wise pre-training (each
 * dense level of [model.encoder] learns to reconstruct the codes of the
 * level below, which stays frozen), a classification layer trained on the
 * frozen top codes, then fine-tuning of the whole network. Test results
 * after every phase; stacked_loss.svg shows the loss across the phases. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "autoencoders.h"

typedef enum { PH_PRETRAIN, PH_CLASSIFIER, PH_FINETUNE } phase_kind;

typedef struct phase_run {
    phase_kind kind;
    int level;               /* PH_PRETRAIN: which level */
    gn_optim *opt_a, *opt_b; /* encoder (or its level's slice); decoder or head */
} phase_run;

static void set_training(gn_stk *s, int on) {
    gn_graph_set_training(gn_model_graph(s->enc), on);
    gn_graph_set_training(gn_model_graph(s->head), on);
    for (int k = 0; k < s->n_lv; k++)
        gn_graph_set_training(gn_model_graph(s->lv[k].dec), on);
}

/* Forward of one batch for the phase: encoder to the level (or the top),
 * then the level's decoder (or the head) to its loss. */
static gn_status forward(gn_stk *s, const phase_run *p, const gn_batch *b, gn_error *err) {
    gn_graph *eg = gn_model_graph(s->enc);
    gn_status st = gn_graph_feed(s->x, b->x, b->n, err);
    if (p->kind == PH_PRETRAIN) {
        gn_stk_level *l = &s->lv[p->level];
        const float *target = p->level ? NULL : b->x;
        if (!st) st = gn_graph_forward(eg, l->out, err);
        if (!st && p->level) target = gn_tensor_cdata(gn_node_value(s->lv[p->level - 1].out));
        if (!st) st = gn_graph_feed(l->z, gn_tensor_cdata(gn_node_value(l->out)), b->n, err);
        if (!st) st = gn_graph_feed(l->target, target, b->n, err);
        if (!st) st = gn_graph_forward(gn_model_graph(l->dec), l->loss, err);
        return st;
    }
    gn_node *top = s->lv[s->n_lv - 1].out;
    if (!st) st = gn_graph_forward(eg, top, err);
    if (!st) st = gn_graph_feed(s->hz, gn_tensor_cdata(gn_node_value(top)), b->n, err);
    if (!st) st = gn_graph_feed(s->labels, b->y, b->n, err);
    if (!st) st = gn_graph_forward(gn_model_graph(s->head), s->ce, err);
    return st;
}

static gn_node *loss_node(gn_stk *s, const phase_run *p) {
    return p->kind == PH_PRETRAIN ? s->lv[p->level].loss : s->ce;
}

static double batch_hits(gn_stk *s, int64_t n, const int32_t *labels) {
    const float *z = gn_tensor_cdata(gn_node_value(s->logits));
    int c = s->info.n_classes;
    double hits = 0;
    for (int64_t i = 0; i < n; i++) {
        int best = 0;
        for (int j = 1; j < c; j++)
            if (z[i * c + j] > z[i * c + best]) best = j;
        hits += best == labels[i];
    }
    return hits;
}

/* One update: only the phase's parameters move (the encoder's gradient
 * below the level is computed but not applied: those levels are frozen). */
static gn_status step(gn_stk *s, const phase_run *p, const gn_batch *b, double *loss,
                      gn_error *err) {
    gn_status st;
    if (p->kind == PH_PRETRAIN && !p->level && s->o.bce &&
        (st = gn_ae_check_range(s->ctx->params, b->x, b->n * s->sample, err)))
        return st;
    if ((st = forward(s, p, b, err))) return st;
    *loss = gn_tensor_cdata(gn_node_value(loss_node(s, p)))[0];
    if (!isfinite(*loss))
        return gn_error_set(err, GN_ERR_NUMERIC,
                            "stacked_autoencoder: loss became %g (try a smaller lr)", *loss);
    gn_model *second = p->kind == PH_PRETRAIN ? s->lv[p->level].dec : s->head;
    gn_node *z = p->kind == PH_PRETRAIN ? s->lv[p->level].z : s->hz;
    gn_node *out = p->kind == PH_PRETRAIN ? s->lv[p->level].out : s->lv[s->n_lv - 1].out;
    gn_model_zero_grad(second);
    if ((st = gn_graph_backward(gn_model_graph(second), loss_node(s, p), err)) ||
        (st = gn_optim_step(p->opt_b, gn_model_params(second), gn_model_grads(second), err)))
        return st;
    if (p->kind == PH_CLASSIFIER) return GN_OK; /* the encoder is frozen */
    gn_model_zero_grad(s->enc);
    if ((st = gn_graph_backward_seeded(gn_model_graph(s->enc), out,
                                       gn_tensor_cdata(gn_node_grad(z)), err)))
        return st;
    int64_t off = p->kind == PH_PRETRAIN ? s->lv[p->level].off : 0;
    return gn_optim_step(p->opt_a, gn_model_params(s->enc) + off, gn_model_grads(s->enc) + off,
                         err);
}

/* Mean loss (and accuracy for the classifier phases) over a split. */
static gn_status evaluate(gn_stk *s, const phase_run *p, gn_data *d, double *loss, double *acc,
                          gn_error *err) {
    const gn_host_api *h = s->ctx->host;
    gn_data_info info = {.struct_size = sizeof info};
    h->data_info(d, &info);
    set_training(s, 0);
    double sum = 0, hits = 0;
    for (int64_t i = 0; i < info.n; i += s->o.eval_batch) {
        int64_t n = info.n - i < s->o.eval_batch ? info.n - i : s->o.eval_batch;
        gn_batch b;
        gn_status st = h->data_batch(d, i, n, &b, err);
        if (!st) st = forward(s, p, &b, err);
        if (st) return st;
        sum += gn_tensor_cdata(gn_node_value(loss_node(s, p)))[0] * (double)n;
        if (p->kind != PH_PRETRAIN) hits += batch_hits(s, n, b.labels);
    }
    *loss = info.n ? sum / (double)info.n : 0;
    *acc = p->kind != PH_PRETRAIN && info.n ? hits / (double)info.n : NAN;
    return GN_OK;
}

static gn_status epoch(gn_stk *s, const phase_run *p, gn_data *train, int64_t n, double *loss,
                       double *acc, gn_error *err) {
    const gn_run_ctx *c = s->ctx;
    const gn_host_api *h = c->host;
    int64_t bs = s->o.batch, steps = (n + bs - 1) / bs, seen = 0;
    if (s->o.shuffle) h->data_shuffle(train, c->rng);
    h->epoch_begin(c->run, s->epoch, s->total_epochs, steps);
    set_training(s, 1);
    /* The frozen encoder runs as at test time while the head trains. */
    if (p->kind == PH_CLASSIFIER) gn_graph_set_training(gn_model_graph(s->enc), 0);
    double sum = 0, hits = 0;
    for (int64_t i = 0; i < steps; i++) {
        if (h->cancelled(c->run))
            return gn_error_set(err, GN_ERR_CANCELLED, "stopped at epoch %d, step %lld", s->epoch,
                                (long long)i);
        int64_t m = n - i * bs < bs ? n - i * bs : bs;
        gn_batch b;
        double l;
        gn_status st = h->data_batch(train, i * bs, m, &b, err);
        if (!st) st = step(s, p, &b, &l, err);
        if (st) return st;
        sum += l * (double)m;
        if (p->kind != PH_PRETRAIN) hits += batch_hits(s, m, b.labels);
        seen += m;
        gn_metric mm[2] = {{"loss", sum / (double)seen}, {"accuracy", hits / (double)seen}};
        h->step_end(c->run, i + 1, mm, p->kind == PH_PRETRAIN ? 1 : 2);
    }
    *loss = sum / (double)seen;
    *acc = hits / (double)seen;
    return GN_OK;
}

/* Runs `epochs` epochs of a phase, then its test; records it for the chart. */
static gn_status run_phase(gn_stk *s, phase_run *p, const char *name, const char *key, int epochs,
                           gn_data *train, int64_t n, gn_data *val, gn_data *test, gn_error *err) {
    const gn_run_ctx *c = s->ctx;
    gn_ae_phase *ph = &s->ph[s->n_ph++];
    snprintf(ph->name, sizeof ph->name, "%s", name);
    ph->first = s->epoch + 1;
    char msg[128];
    snprintf(msg, sizeof msg, "phase %d: %s, %d epochs", s->n_ph, name, epochs);
    c->host->log(c->run, GN_LOG_INFO, msg);
    printf("%s\n", msg);
    int clf = p->kind != PH_PRETRAIN;
    gn_status st;
    for (int e = 0; e < epochs; e++) {
        double loss = 0, acc = 0, vloss = NAN, vacc = NAN;
        s->epoch++;
        if ((st = epoch(s, p, train, n, &loss, &acc, err))) return st;
        if (val && (st = evaluate(s, p, val, &vloss, &vacc, err))) return st;
        gn_metric m[4] = {{"loss", loss}};
        int nm = 1;
        if (clf) m[nm++] = (gn_metric){"accuracy", acc};
        if (val) m[nm++] = (gn_metric){"val_loss", vloss};
        if (val && clf) m[nm++] = (gn_metric){"val_accuracy", vacc};
        c->host->epoch_end(c->run, s->epoch, m, nm);
        if (e < 256) ph->loss[e] = loss, ph->val[e] = vloss;
        ph->n = e + 1;
    }
    if ((st = evaluate(s, p, test, &ph->test_loss, &ph->test_acc, err))) return st;
    char rname[64];
    snprintf(rname, sizeof rname, "%s_loss", key);
    c->host->result(c->run, "test", rname, ph->test_loss);
    if (clf) {
        snprintf(rname, sizeof rname, "%s_accuracy", key);
        c->host->result(c->run, "test", rname, ph->test_acc);
        c->host->result(c->run, "test", "accuracy", ph->test_acc);
        c->host->result(c->run, "test", "loss", ph->test_loss);
        printf("test after %s - loss: %.4f - accuracy: %.4f\n", name, ph->test_loss, ph->test_acc);
    } else {
        printf("test after %s - reconstruction loss: %.4f\n", name, ph->test_loss);
    }
    return GN_OK;
}

static gn_status phases(gn_stk *s, gn_data *train, gn_data *val, gn_data *test, gn_error *err) {
    const gn_section *prm = s->ctx->params;
    gn_data_info info = {.struct_size = sizeof info};
    s->ctx->host->data_info(train, &info);
    int64_t n = s->o.limit > 0 && s->o.limit < info.n ? s->o.limit : info.n;
    s->total_epochs = s->n_lv * s->o.epochs + s->o.clf_epochs + s->o.ft_epochs;
    gn_status st = GN_OK;
    for (int k = 0; k < s->n_lv && s->o.epochs && !st; k++) {
        phase_run p = {PH_PRETRAIN, k, NULL, NULL};
        p.opt_a = gn_ae_optimizer(prm, s->lv[k].n, 0, err);
        p.opt_b = p.opt_a ? gn_ae_optimizer(prm, gn_model_n_params(s->lv[k].dec), 0, err) : NULL;
        char name[48], key[32];
        snprintf(name, sizeof name, "pretrain layer %d (%lld)", k + 1, (long long)s->lv[k].units);
        snprintf(key, sizeof key, "pretrain%d", k + 1);
        st = p.opt_b ? run_phase(s, &p, name, key, s->o.epochs, train, n, val, test, err)
                     : err->status;
        gn_optim_free(p.opt_a);
        gn_optim_free(p.opt_b);
    }
    /* Fine-tuning starts fresh optimizers, as recompiling does in Keras. */
    phase_run pc = {PH_CLASSIFIER, 0, NULL, NULL};
    if (!st && s->o.clf_epochs) {
        pc.opt_b = gn_ae_optimizer(prm, gn_model_n_params(s->head), 0, err);
        st = pc.opt_b ? run_phase(s, &pc, "classifier", "classifier", s->o.clf_epochs, train, n,
                                  val, test, err)
                      : err->status;
        gn_optim_free(pc.opt_b);
    }
    if (!st && s->o.ft_epochs) {
        double lr = gn_section_has(prm, "finetune_lr") ? gn_section_float(prm, "finetune_lr") : 0;
        phase_run pf = {PH_FINETUNE, 0, NULL, NULL};
        pf.opt_a = gn_ae_optimizer(prm, gn_model_n_params(s->enc), lr, err);
        pf.opt_b = pf.opt_a ? gn_ae_optimizer(prm, gn_model_n_params(s->head), lr, err) : NULL;
        st = pf.opt_b ? run_phase(s, &pf, "fine-tuning", "finetune", s->o.ft_epochs, train, n, val,
                                  test, err)
                      : err->status;
        gn_optim_free(pf.opt_a);
        gn_optim_free(pf.opt_b);
    }
    if (!st && s->n_ph) st = gn_ae_stacked_report(s->ctx, s->ph, s->n_ph, err);
    return st;
}

/* check = 1: `ganglion check` / `summary`: build and validate, no training. */
static gn_status stacked_main(const gn_run_ctx *ctx, int check, gn_error *err) {
    const gn_host_api *h = ctx->host;
    gn_stk s = {.ctx = ctx};
    gn_data *train = NULL, *val = NULL, *test = NULL;
    gn_status st;
    if ((st = gn_ae_opts_read(ctx, 1, &s.o, err)) ||
        (st = h->data_open(ctx->run, "train", &train, err)) ||
        (st = h->data_open(ctx->run, "val", &val, err)) ||
        (st = h->data_open(ctx->run, "test", &test, err)))
        return st;
    if (s.o.epochs + s.o.clf_epochs + s.o.ft_epochs == 0)
        st = gn_error_set(err, GN_ERR_CONFIG,
                          "stacked_autoencoder: pretrain_epochs, classifier_epochs and "
                          "finetune_epochs are all 0");
    if (!st) st = gn_stk_build(&s, train, err);
    if (!st && !check) {
        char msg[160];
        snprintf(msg, sizeof msg, "stacked_autoencoder: %d levels, batch %lld, %s, loss %s", s.n_lv,
                 (long long)s.o.batch, gn_section_str(ctx->params, "optimizer"),
                 s.o.bce ? "bce" : "mse");
        h->log(ctx->run, GN_LOG_INFO, msg);
        st = phases(&s, train, val, test, err);
    }
    gn_stk_free(&s);
    return st;
}

static gn_status run_stacked(const gn_run_ctx *ctx, gn_error *err) {
    return stacked_main(ctx, 0, err);
}

static gn_status check_stacked(const gn_run_ctx *ctx, gn_error *err) {
    return stacked_main(ctx, 1, err);
}

const gn_trainer_vtable gn_ae_stacked_trainer = {
    .struct_size = sizeof(gn_trainer_vtable),
    .name = "stacked_autoencoder",
    .doc = "greedy layer-wise pre-training of [model.encoder]'s dense layers, a classifier on "
           "the top codes, then fine-tuning; test results after each phase",
    .schema = gn_ae_stacked_schema,
    .run = run_stacked,
    .check = check_stacked,
};
