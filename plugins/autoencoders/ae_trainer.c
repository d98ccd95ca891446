/* The autoencoder trainer: [model.encoder] chained into [model.decoder]
 * (dense or convolutional), trained to reconstruct its input with MSE or
 * binary cross-entropy; validation every epoch, a final test, and pictures
 * of reconstructions and of the decoded mean code of each class. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "autoencoders.h"

gn_status gn_ae_forward(gn_ae *a, const float *x, int64_t n, gn_error *err) {
    gn_status st = gn_graph_feed(a->x, x, n, err);
    if (!st) st = gn_graph_forward(gn_model_graph(a->enc), a->code, err);
    if (!st) st = gn_graph_feed(a->z, gn_tensor_cdata(gn_node_value(a->code)), n, err);
    if (!st) st = gn_graph_feed(a->target, x, n, err);
    if (!st) st = gn_graph_forward(gn_model_graph(a->dec), a->loss, err);
    return st;
}

gn_status gn_ae_decode(gn_ae *a, const float *codes, int64_t n, gn_error *err) {
    gn_status st = gn_graph_feed(a->z, codes, n, err);
    if (!st) st = gn_graph_forward(gn_model_graph(a->dec), a->pred, err);
    return st;
}

static gn_status need_section(const gn_run_ctx *ctx, const char *name, const char *what,
                              gn_error *err) {
    if (ctx->host->section(ctx->run, name)) return GN_OK;
    return gn_error_set(err, GN_ERR_CONFIG, "%s: autoencoder: missing section [%s] (%s)",
                        gn_section_file(ctx->params), name, what);
}

/* The decoder must give back the input's shape, or its values flat. */
static gn_status check_output(gn_ae *a, gn_error *err) {
    gn_tensor *v = gn_node_value(a->pred);
    int nd = gn_tensor_ndim(v), same = nd == a->info.ndim + 1;
    for (int i = 0; same && i < a->info.ndim; i++)
        same = gn_tensor_dim(v, i + 1) == a->info.dims[i];
    if (same || (nd == 2 && gn_tensor_dim(v, 1) == a->sample)) return GN_OK;
    char got[64], want[64] = "(None";
    gn_ae_shape(a->pred, got, sizeof got);
    for (int i = 0; i < a->info.ndim; i++)
        snprintf(want + strlen(want), sizeof want - strlen(want), ", %lld",
                 (long long)a->info.dims[i]);
    strcat(want, ")");
    return gn_error_set(err, GN_ERR_CONFIG,
                        "%s: autoencoder: [model.decoder] outputs %s but the input is %s; the "
                        "decoder must reconstruct the input's shape (or its %lld values, flat)",
                        gn_section_file(a->ctx->params), got, want, (long long)a->sample);
}

static gn_status setup(gn_ae *a, gn_data *train, gn_error *err) {
    const gn_run_ctx *ctx = a->ctx;
    const gn_host_api *h = ctx->host;
    gn_status st;
    if ((st = need_section(ctx, "model.encoder", "the encoder: input -> code", err)) ||
        (st = need_section(ctx, "model.decoder", "the decoder: code -> reconstruction", err)))
        return st;
    a->info.struct_size = sizeof a->info;
    h->data_info(train, &a->info);
    a->sample = gn_dims_numel(a->info.ndim, a->info.dims);
    if ((st = h->model_build(ctx->run, "encoder", &a->info, &a->enc, err))) return st;
    a->x = gn_model_input(a->enc, 0);
    a->code = gn_model_output(a->enc);
    a->latent = gn_ae_per_sample(a->code);
    /* The decoder's samples are the encoder's codes. */
    gn_data_info di = a->info;
    gn_tensor *cv = gn_node_value(a->code);
    di.ndim = gn_tensor_ndim(cv) - 1;
    for (int i = 0; i < di.ndim; i++)
        di.dims[i] = gn_tensor_dim(cv, i + 1);
    if ((st = h->model_build(ctx->run, "decoder", &di, &a->dec, err))) return st;
    a->z = gn_model_input(a->dec, 0);
    a->pred = gn_model_output(a->dec);
    if ((st = gn_graph_input_require_grad(a->z, err)) || (st = check_output(a, err)) ||
        (st = gn_ae_loss(ctx->params, gn_model_graph(a->dec), a->pred, a->o.bce, "[model.decoder]",
                         &a->target, &a->loss, err)))
        return st;
    a->opt_enc = gn_ae_optimizer(ctx->params, gn_model_n_params(a->enc), 0, err);
    if (a->opt_enc) a->opt_dec = gn_ae_optimizer(ctx->params, gn_model_n_params(a->dec), 0, err);
    return a->opt_dec ? GN_OK : err->status;
}

static void set_training(gn_ae *a, int on) {
    gn_graph_set_training(gn_model_graph(a->enc), on);
    gn_graph_set_training(gn_model_graph(a->dec), on);
}

static gn_status train_step(gn_ae *a, const gn_batch *b, double *loss, gn_error *err) {
    gn_status st;
    if (a->o.bce && (st = gn_ae_check_range(a->ctx->params, b->x, b->n * a->sample, err)))
        return st;
    if ((st = gn_ae_forward(a, b->x, b->n, err))) return st;
    *loss = gn_tensor_cdata(gn_node_value(a->loss))[0];
    gn_model_zero_grad(a->enc);
    gn_model_zero_grad(a->dec);
    if ((st = gn_graph_backward(gn_model_graph(a->dec), a->loss, err)) ||
        (st = gn_graph_backward_seeded(gn_model_graph(a->enc), a->code,
                                       gn_tensor_cdata(gn_node_grad(a->z)), err)))
        return st;
    if (!isfinite(*loss))
        return gn_error_set(err, GN_ERR_NUMERIC, "autoencoder: loss became %g (try a smaller lr)",
                            *loss);
    if ((st = gn_optim_step(a->opt_enc, gn_model_params(a->enc), gn_model_grads(a->enc), err)))
        return st;
    return gn_optim_step(a->opt_dec, gn_model_params(a->dec), gn_model_grads(a->dec), err);
}

/* Mean loss over a split and, when mse is non-NULL, the mean squared error
 * per value of the reconstructions (comparable across losses). */
static gn_status evaluate(gn_ae *a, gn_data *d, double *loss, double *mse, gn_error *err) {
    const gn_host_api *h = a->ctx->host;
    gn_data_info info = {.struct_size = sizeof info};
    h->data_info(d, &info);
    set_training(a, 0);
    double sum = 0, sq = 0;
    for (int64_t s = 0; s < info.n; s += a->o.eval_batch) {
        int64_t n = info.n - s < a->o.eval_batch ? info.n - s : a->o.eval_batch;
        gn_batch b;
        gn_status st = h->data_batch(d, s, n, &b, err);
        if (!st && a->o.bce) st = gn_ae_check_range(a->ctx->params, b.x, n * a->sample, err);
        if (!st) st = gn_ae_forward(a, b.x, n, err);
        if (st) return st;
        sum += gn_tensor_cdata(gn_node_value(a->loss))[0] * (double)n;
        if (!mse) continue;
        if (a->o.bce && (st = gn_graph_forward(gn_model_graph(a->dec), a->pred, err))) return st;
        const float *p = gn_tensor_cdata(gn_node_value(a->pred));
        for (int64_t i = 0; i < n * a->sample; i++)
            sq += ((double)p[i] - b.x[i]) * ((double)p[i] - b.x[i]);
    }
    *loss = info.n ? sum / (double)info.n : 0;
    if (mse) *mse = info.n ? sq / (double)(info.n * a->sample) : 0;
    return GN_OK;
}

static gn_status train_epoch(gn_ae *a, gn_data *train, int64_t n, int epoch, double *loss,
                             gn_error *err) {
    const gn_run_ctx *c = a->ctx;
    const gn_host_api *h = c->host;
    int64_t bs = a->o.batch, steps = (n + bs - 1) / bs, seen = 0;
    if (a->o.shuffle) h->data_shuffle(train, c->rng);
    h->epoch_begin(c->run, epoch, a->o.epochs, steps);
    set_training(a, 1);
    double sum = 0;
    for (int64_t step = 0; step < steps; step++) {
        if (h->cancelled(c->run))
            return gn_error_set(err, GN_ERR_CANCELLED, "stopped at epoch %d, step %lld", epoch,
                                (long long)step);
        int64_t m = n - step * bs < bs ? n - step * bs : bs;
        gn_batch b;
        double l;
        gn_status st = h->data_batch(train, step * bs, m, &b, err);
        if (!st) st = train_step(a, &b, &l, err);
        if (st) return st;
        sum += l * (double)m;
        seen += m;
        gn_metric mm = {"loss", sum / (double)seen};
        h->step_end(c->run, step + 1, &mm, 1);
    }
    *loss = sum / (double)seen;
    return GN_OK;
}

static gn_status train_and_test(gn_ae *a, gn_data *train, gn_data *val, gn_data *test,
                                gn_error *err) {
    const gn_run_ctx *ctx = a->ctx;
    const gn_host_api *h = ctx->host;
    gn_data_info info = {.struct_size = sizeof info};
    h->data_info(train, &info);
    int64_t n = a->o.limit > 0 && a->o.limit < info.n ? a->o.limit : info.n;
    char msg[256];
    snprintf(msg, sizeof msg,
             "autoencoder: %d epochs, batch %lld, %s, loss %s, latent %lld, %lld + %lld params",
             a->o.epochs, (long long)a->o.batch, gn_section_str(ctx->params, "optimizer"),
             a->o.bce ? "bce" : "mse", (long long)a->latent, (long long)gn_model_n_params(a->enc),
             (long long)gn_model_n_params(a->dec));
    h->log(ctx->run, GN_LOG_INFO, msg);
    gn_status st;
    for (int e = 1; e <= a->o.epochs; e++) {
        double loss = 0, vloss = 0;
        if ((st = train_epoch(a, train, n, e, &loss, err))) return st;
        gn_metric m[2] = {{"loss", loss}, {"val_loss", 0}};
        if (val && (st = evaluate(a, val, &vloss, NULL, err))) return st;
        if (val) m[1].value = vloss;
        h->epoch_end(ctx->run, e, m, val ? 2 : 1);
    }
    double tloss, tmse;
    if ((st = evaluate(a, test, &tloss, &tmse, err))) return st;
    h->result(ctx->run, "test", "loss", tloss);
    h->result(ctx->run, "test", "mse", tmse);
    printf("test - loss: %.4f - mse: %.5f (latent %lld)\n", tloss, tmse, (long long)a->latent);
    return gn_ae_pictures(a, test, err);
}

/* check = 1: `ganglion check` / `summary`: build and validate, no training. */
static gn_status ae_main(const gn_run_ctx *ctx, int check, gn_error *err) {
    const gn_host_api *h = ctx->host;
    gn_ae a = {.ctx = ctx};
    gn_data *train = NULL, *val = NULL, *test = NULL;
    gn_status st;
    if ((st = gn_ae_opts_read(ctx, 0, &a.o, err)) ||
        (st = h->data_open(ctx->run, "train", &train, err)) ||
        (st = h->data_open(ctx->run, "val", &val, err)) ||
        (st = h->data_open(ctx->run, "test", &test, err)))
        return st;
    if (!(st = setup(&a, train, err)))
        st = check ? GN_OK : train_and_test(&a, train, val, test, err);
    gn_optim_free(a.opt_enc);
    gn_optim_free(a.opt_dec);
    gn_model_free(a.dec);
    gn_model_free(a.enc);
    return st;
}

static gn_status run_autoencoder(const gn_run_ctx *ctx, gn_error *err) {
    return ae_main(ctx, 0, err);
}

static gn_status check_autoencoder(const gn_run_ctx *ctx, gn_error *err) {
    return ae_main(ctx, 1, err);
}

const gn_trainer_vtable gn_ae_trainer = {
    .struct_size = sizeof(gn_trainer_vtable),
    .name = "autoencoder",
    .doc = "[model.encoder] into [model.decoder], trained to reconstruct the input (mse or "
           "bce); reconstructions.png, class_means.png",
    .schema = gn_ae_schema,
    .run = run_autoencoder,
    .check = check_autoencoder,
};
