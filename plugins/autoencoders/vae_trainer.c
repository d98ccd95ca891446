/* The VAE trainer: an encoder model to [mean | log-variance], the fused
 * reparameterisation + KL op, a decoder model, and a reconstruction loss
 * summed per image. The two graphs are chained: the decoder's input asks
 * for its gradient, which seeds the backward pass through the encoder. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vae.h"

static gn_status make_optimizer(gn_vae *v, gn_model *m, gn_optim **out, gn_error *err) {
    *out = gn_optim_from_section(v->ctx->params, NULL, gn_model_n_params(m), err);
    return *out ? GN_OK : err->status;
}

static gn_status need_model(gn_vae *v, const char *name, const char *what, gn_error *err) {
    if (v->ctx->host->section(v->ctx->run, name)) return GN_OK;
    return gn_error_set(err, GN_ERR_CONFIG,
                        "vae: missing section [%s]: the VAE needs two models, [model.encoder] "
                        "(ending in dense(2 * latent): the mean, then the log-variance) and "
                        "[model.decoder] (%s)",
                        name, what);
}

/* Encoder, sample op, decoder and loss; checks how they fit together. */
static gn_status build(gn_vae *v, gn_error *err) {
    const gn_run_ctx *c = v->ctx;
    gn_status st;
    if ((st = need_model(v, "model.encoder", "its input is the image", err)) ||
        (st = need_model(v, "model.decoder", "its input is the latent code", err)) ||
        (st = c->host->model_build(c->run, "encoder", &v->info, &v->enc, err)))
        return st;
    gn_tensor *h = gn_node_value(gn_model_output(v->enc));
    int64_t w = gn_tensor_dim(h, 1);
    char shape[64];
    gn_tensor_shape_str(h, 1, shape, sizeof shape);
    if (gn_tensor_ndim(h) != 2 || w % 2)
        return gn_error_set(err, GN_ERR_CONFIG,
                            "vae: the encoder outputs %s; it must end in dense(2 * latent) (the "
                            "mean, then the log-variance), an even number of values",
                            shape);
    if (v->o.latent && w != 2 * (int64_t)v->o.latent)
        return gn_error_set(err, GN_ERR_CONFIG,
                            "vae: [train] latent = %d, so the encoder must end in dense(%d) (the "
                            "mean, then the log-variance), but it outputs %s",
                            v->o.latent, 2 * v->o.latent, shape);
    v->latent = (int)(w / 2);
    int64_t one[2] = {1, v->latent};
    v->x = gn_model_input(v->enc, 0);
    v->eps = gn_graph_input(gn_model_graph(v->enc), "eps", 2, one, 0, err);
    if (!v->eps) return err->status;
    gn_node *in[2] = {gn_model_output(v->enc), v->eps};
    v->sample = gn_graph_apply(gn_model_graph(v->enc), &gn_vae_op_sample, in, 2, NULL, err);
    if (!v->sample) return err->status;

    gn_data_info zi = {.struct_size = sizeof zi, .n = v->info.n, .ndim = 1, .dims = {v->latent}};
    if ((st = c->host->model_build(c->run, "decoder", &zi, &v->dec, err))) return st;
    v->z = gn_model_input(v->dec, 0);
    if ((st = gn_graph_input_require_grad(v->z, err))) return st;
    v->out = gn_model_output(v->dec);
    /* A Keras-style decoder may end in sigmoid: the fused BCE takes its logits. */
    if (v->o.bce && gn_node_op(v->out) == &gn_op_sigmoid) v->out = gn_node_input(v->out, 0);
    gn_tensor *o = gn_node_value(v->out);
    int64_t per = gn_tensor_numel(o) / (gn_tensor_dim(o, 0) ? gn_tensor_dim(o, 0) : 1);
    if (per != v->d) {
        gn_tensor_shape_str(o, 1, shape, sizeof shape);
        return gn_error_set(err, GN_ERR_CONFIG,
                            "vae: the decoder outputs %s but the images have %lld values; end "
                            "the decoder with dense(%lld)",
                            shape, (long long)v->d, (long long)v->d);
    }
    /* The target is the encoder's input tensor itself: no copy per batch. */
    gn_graph *dg = gn_model_graph(v->dec);
    gn_node *target = gn_graph_param(dg, "target", gn_node_value(v->x), NULL, err);
    if (!target) return err->status;
    gn_node *li[2] = {v->out, target};
    const gn_op_attrs per_image = {.i = {1}}; /* summed over pixels, mean over the batch */
    v->loss = gn_graph_apply(dg, v->o.bce ? &gn_op_bce_logits : &gn_op_mse, li, 2, &per_image, err);
    if (!v->loss) return err->status;
    v->cap = v->o.batch > v->o.eval_batch ? v->o.batch : v->o.eval_batch;
    v->zbuf = malloc((size_t)(v->cap * v->latent) * sizeof(float));
    v->noise = malloc((size_t)(v->cap * v->latent) * sizeof(float));
    v->seed = malloc((size_t)(v->cap * (v->latent + 1)) * sizeof(float));
    if (!v->zbuf || !v->noise || !v->seed)
        return gn_error_set(err, GN_ERR_NOMEM, "vae: out of memory");
    if ((st = make_optimizer(v, v->enc, &v->opt_enc, err))) return st;
    return make_optimizer(v, v->dec, &v->opt_dec, err);
}

/* BCE compares with pixels as probabilities: refuse standardised data. */
static gn_status check_range(gn_vae *v, gn_data *train, gn_error *err) {
    if (!v->o.bce) return GN_OK;
    gn_batch b;
    int64_t n = v->info.n < 256 ? v->info.n : 256;
    gn_status st = v->ctx->host->data_batch(train, 0, n, &b, err);
    if (st) return st;
    float lo = 0, hi = 1;
    for (int64_t i = 0; i < n * v->d; i++)
        lo = b.x[i] < lo ? b.x[i] : lo, hi = b.x[i] > hi ? b.x[i] : hi;
    if (lo < -1e-6f || hi > 1 + 1e-6f)
        return gn_error_set(err, GN_ERR_CONFIG,
                            "vae: loss = bce needs pixels in [0, 1], but '%s' has values from "
                            "%g to %g: set [data] normalize = scale (or [train] loss = mse)",
                            v->info.name, lo, hi);
    return GN_OK;
}

gn_status gn_vae_encode(gn_vae *v, const float *x, int64_t n, int sample, gn_error *err) {
    int64_t l = v->latent;
    if (sample)
        gn_rng_normal_fill(v->ctx->rng, v->noise, n * l);
    else
        memset(v->noise, 0, (size_t)(n * l) * sizeof *v->noise);
    gn_status st = gn_graph_feed(v->x, x, n, err);
    if (!st) st = gn_graph_feed(v->eps, v->noise, n, err);
    if (!st) st = gn_graph_forward(gn_model_graph(v->enc), v->sample, err);
    if (st) return st;
    const float *s = gn_tensor_cdata(gn_node_value(v->sample));
    for (int64_t i = 0; i < n; i++)
        memcpy(v->zbuf + i * l, s + i * (l + 1), (size_t)l * sizeof(float));
    return GN_OK;
}

gn_status gn_vae_decode(gn_vae *v, const float *z, int64_t n, float *out, gn_error *err) {
    gn_graph_set_training(gn_model_graph(v->dec), 0);
    for (int64_t s = 0; s < n; s += v->cap) { /* in chunks the eval batch allows */
        int64_t k = n - s < v->cap ? n - s : v->cap;
        gn_status st = gn_graph_feed(v->z, z + s * v->latent, k, err);
        if (!st) st = gn_graph_forward(gn_model_graph(v->dec), v->out, err);
        if (st) return st;
        const float *y = gn_tensor_cdata(gn_node_value(v->out));
        float *o = out + s * v->d;
        for (int64_t i = 0; i < k * v->d; i++)
            o[i] = v->o.bce ? 1.0f / (1.0f + expf(-y[i])) : y[i];
    }
    return GN_OK;
}

/* Forward of a batch: recon and KL per image (means over the batch). */
static gn_status forward(gn_vae *v, const float *x, int64_t n, double *recon, double *kl,
                         gn_error *err) {
    gn_status st = gn_vae_encode(v, x, n, 1, err);
    if (!st) st = gn_graph_feed(v->z, v->zbuf, n, err);
    if (!st) st = gn_graph_forward(gn_model_graph(v->dec), v->loss, err);
    if (st) return st;
    const float *s = gn_tensor_cdata(gn_node_value(v->sample));
    double k = 0;
    for (int64_t i = 0; i < n; i++)
        k += s[i * (v->latent + 1) + v->latent];
    *kl = k / (double)n;
    *recon = gn_tensor_cdata(gn_node_value(v->loss))[0];
    return GN_OK;
}

static void set_training(gn_vae *v, int on) {
    gn_graph_set_training(gn_model_graph(v->enc), on);
    gn_graph_set_training(gn_model_graph(v->dec), on);
}

/* One step: decoder backward from the loss, then the encoder seeded with
 * [dL/dz | beta / n] (the KL column), then both optimizers. */
static gn_status step(gn_vae *v, const float *x, int64_t n, double *recon, double *kl,
                      gn_error *err) {
    gn_status st = forward(v, x, n, recon, kl, err);
    if (st) return st;
    gn_model_zero_grad(v->enc);
    gn_model_zero_grad(v->dec);
    if ((st = gn_graph_backward(gn_model_graph(v->dec), v->loss, err))) return st;
    const float *dz = gn_tensor_cdata(gn_node_grad(v->z));
    int64_t l = v->latent;
    float kw = (float)(v->o.beta / (double)n);
    for (int64_t i = 0; i < n; i++) {
        memcpy(v->seed + i * (l + 1), dz + i * l, (size_t)l * sizeof(float));
        v->seed[i * (l + 1) + l] = kw;
    }
    if ((st = gn_graph_backward_seeded(gn_model_graph(v->enc), v->sample, v->seed, err)) ||
        (st = gn_optim_step(v->opt_enc, gn_model_params(v->enc), gn_model_grads(v->enc), err)))
        return st;
    return gn_optim_step(v->opt_dec, gn_model_params(v->dec), gn_model_grads(v->dec), err);
}

static gn_status train_epoch(gn_vae *v, gn_data *train, int64_t n, int epoch, double *m,
                             gn_error *err) {
    const gn_run_ctx *c = v->ctx;
    const gn_host_api *h = c->host;
    int64_t bs = v->o.batch, steps = (n + bs - 1) / bs, seen = 0;
    if (v->o.shuffle) h->data_shuffle(train, c->rng);
    h->epoch_begin(c->run, epoch, v->o.epochs, steps);
    set_training(v, 1);
    double rsum = 0, ksum = 0;
    for (int64_t s = 0; s < steps; s++) {
        if (h->cancelled(c->run))
            return gn_error_set(err, GN_ERR_CANCELLED, "stopped at epoch %d, step %lld", epoch,
                                (long long)s);
        int64_t m_ = n - s * bs < bs ? n - s * bs : bs;
        gn_batch b;
        double r, k;
        gn_status st = h->data_batch(train, s * bs, m_, &b, err);
        if (!st) st = step(v, b.x, m_, &r, &k, err);
        if (st) return st;
        if (!isfinite(r + k))
            return gn_error_set(err, GN_ERR_NUMERIC,
                                "vae: loss became %g at epoch %d, step %lld (try a smaller lr)",
                                r + v->o.beta * k, epoch, (long long)s + 1);
        rsum += r * (double)m_, ksum += k * (double)m_, seen += m_;
        gn_metric mm[3] = {{"loss", (rsum + v->o.beta * ksum) / (double)seen},
                           {"recon", rsum / (double)seen},
                           {"kl", ksum / (double)seen}};
        h->step_end(c->run, s + 1, mm, 3);
    }
    m[0] = (rsum + v->o.beta * ksum) / (double)seen;
    m[1] = rsum / (double)seen;
    m[2] = ksum / (double)seen;
    return GN_OK;
}

/* loss, recon, kl per image over a split (one sample of z per image). */
static gn_status evaluate(gn_vae *v, gn_data *d, double *m, gn_error *err) {
    const gn_host_api *h = v->ctx->host;
    gn_data_info info = {.struct_size = sizeof info};
    h->data_info(d, &info);
    set_training(v, 0);
    double rsum = 0, ksum = 0;
    for (int64_t s = 0; s < info.n; s += v->o.eval_batch) {
        int64_t n = info.n - s < v->o.eval_batch ? info.n - s : v->o.eval_batch;
        gn_batch b;
        double r, k;
        gn_status st = h->data_batch(d, s, n, &b, err);
        if (!st) st = forward(v, b.x, n, &r, &k, err);
        if (st) return st;
        rsum += r * (double)n, ksum += k * (double)n;
    }
    double n = info.n ? (double)info.n : 1;
    m[0] = (rsum + v->o.beta * ksum) / n, m[1] = rsum / n, m[2] = ksum / n;
    return GN_OK;
}

static gn_status run_epochs(gn_vae *v, gn_data *train, gn_data *val, gn_error *err) {
    const gn_run_ctx *c = v->ctx;
    int64_t n = v->o.limit > 0 && v->o.limit < v->info.n ? v->o.limit : v->info.n;
    for (int e = 1; e <= v->o.epochs; e++) {
        gn_metric m[6] = {{"loss", 0}, {"recon", 0}, {"kl", 0}};
        double tm[3] = {0}, vm[3] = {0};
        gn_status st = train_epoch(v, train, n, e, tm, err);
        if (st) return st;
        for (int k = 0; k < 3; k++)
            m[k].value = tm[k];
        int nm = 3;
        if (val) {
            if ((st = evaluate(v, val, vm, err))) return st;
            m[3] = (gn_metric){"val_loss", vm[0]};
            m[4] = (gn_metric){"val_recon", vm[1]};
            m[5] = (gn_metric){"val_kl", vm[2]};
            nm = 6;
        }
        c->host->epoch_end(c->run, e, m, nm);
    }
    return GN_OK;
}

static int is_image(const gn_data_info *i) {
    return i->ndim == 3 && (i->dims[0] == 1 || i->dims[0] == 3);
}

static gn_status final_test(gn_vae *v, gn_data *test, gn_error *err) {
    const gn_host_api *h = v->ctx->host;
    double m[3] = {0};
    gn_status st = evaluate(v, test, m, err);
    if (st) return st;
    h->result(v->ctx->run, "test", "loss", m[0]);
    h->result(v->ctx->run, "test", "recon", m[1]);
    h->result(v->ctx->run, "test", "kl", m[2]);
    printf("test - loss: %.4f - recon: %.4f - kl: %.4f (nats per image)\n", m[0], m[1], m[2]);
    fflush(stdout);
    if (is_image(&v->info) &&
        ((st = gn_vae_pictures(v, test, err)) || (st = gn_vae_interpolation(v, test, err))))
        return st;
    return v->latent == 2 ? gn_vae_latent2(v, test, is_image(&v->info), err) : GN_OK;
}

/* check = 1: `ganglion check` / `summary`: build and validate, no training. */
static gn_status vae_main(const gn_run_ctx *ctx, int check, gn_error *err) {
    const gn_host_api *h = ctx->host;
    gn_vae v = {.ctx = ctx};
    gn_data *train = NULL, *val = NULL, *test = NULL;
    gn_status st;
    if ((st = gn_vae_opts_read(ctx->params, ctx->quick, &v.o, err)) ||
        (st = h->data_open(ctx->run, "train", &train, err)) ||
        (st = h->data_open(ctx->run, "val", &val, err)) ||
        (st = h->data_open(ctx->run, "test", &test, err)))
        return st;
    v.info.struct_size = sizeof v.info;
    h->data_info(train, &v.info);
    v.d = 1;
    for (int i = 0; i < v.info.ndim; i++)
        v.d *= v.info.dims[i];
    if ((st = build(&v, err)) || (st = check_range(&v, train, err)) || check) goto done;
    char msg[256];
    snprintf(msg, sizeof msg,
             "vae: %d epochs, batch %lld, %s, latent %d, loss %s + %g KL, %lld + %lld params",
             v.o.epochs, (long long)v.o.batch, gn_section_str(ctx->params, "optimizer"), v.latent,
             v.o.bce ? "bce" : "mse", v.o.beta, (long long)gn_model_n_params(v.enc),
             (long long)gn_model_n_params(v.dec));
    h->log(ctx->run, GN_LOG_INFO, msg);
    if (!(st = run_epochs(&v, train, val, err))) st = final_test(&v, test, err);
done:
    gn_optim_free(v.opt_enc);
    gn_optim_free(v.opt_dec);
    gn_model_free(v.dec); /* first: its target borrows the encoder's input */
    gn_model_free(v.enc);
    free(v.zbuf);
    free(v.noise);
    free(v.seed);
    return st;
}

static gn_status run_vae(const gn_run_ctx *ctx, gn_error *err) {
    return vae_main(ctx, 0, err);
}

static gn_status check_vae(const gn_run_ctx *ctx, gn_error *err) {
    return vae_main(ctx, 1, err);
}

const gn_trainer_vtable gn_vae_trainer = {
    .struct_size = sizeof(gn_trainer_vtable),
    .name = "vae",
    .doc = "variational autoencoder: [model.encoder] to mean and log-variance, "
           "[model.decoder] from the latent code; loss = reconstruction + KL per image",
    .schema = gn_vae_schema,
    .run = run_vae,
    .check = check_vae,
};
