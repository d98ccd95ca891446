/* The gan trainer: alternating discriminator and generator steps on
 * mini-batches of real images (Goodfellow et al. 2014; DCGAN's settings by
 * default), with per-epoch metrics, sample grids and checkpoints, and the
 * quality score at the end. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gan.h"

typedef struct gan {
    const gn_run_ctx *ctx;
    gn_gan_opts o;
    gn_gan_models m;
    gn_optim *og, *od;
    float *z, *t_real, *t_fake, *t_gen; /* noise and the three target vectors */
    float *fixed_z, *grid;              /* the fixed noise batch and its images */
    float *tiles;                       /* progression: progression_cols images per epoch */
    int *tile_epochs, n_tile_epochs;
    float *ema;           /* exponential moving average of the generator's weights, or NULL */
    int64_t ema_steps;    /* updates of the average so far (its warm-up) */
    double *lx, *ld, *lg; /* loss chart points */
    int64_t n_l, cap_l;
    gn_gan_scorer *sc; /* NULL: no score */
} gan;

typedef struct epoch_stats {
    double d_loss, g_loss, real_hits, fake_hits;
    int64_t d_steps, g_steps, seen;
} epoch_stats;

static gn_status setup(gan *t, gn_data *train, gn_error *err) {
    const gn_gan_opts *o = &t->o;
    gn_status st = gn_gan_models_build(t->ctx, o, train, 1, &t->m, err);
    if (st) return st;
    t->og = gn_optim_from_section(t->ctx->params, "g_", gn_model_n_params(t->m.g), err);
    t->od =
        t->og ? gn_optim_from_section(t->ctx->params, "d_", gn_model_n_params(t->m.d), err) : NULL;
    if (!t->od) return err->status;
    int64_t b = o->batch, nfix = (int64_t)o->grid_rows * o->grid_cols;
    if (nfix < o->progression_cols) nfix = o->progression_cols;
    t->z = malloc((size_t)(b * gn_gan_z_dim(o)) * sizeof(float));
    t->t_real = malloc((size_t)b * 3 * sizeof(float));
    t->fixed_z = malloc((size_t)(nfix * gn_gan_z_dim(o)) * sizeof(float));
    t->grid = malloc((size_t)(nfix * t->m.sample) * sizeof(float));
    if (!t->z || !t->t_real || !t->fixed_z || !t->grid)
        return gn_error_set(err, GN_ERR_NOMEM, "gan: out of memory");
    t->t_fake = t->t_real + b;
    t->t_gen = t->t_fake + b;
    /* minimax: the generator minimises -BCE(D(G(z)), 0); otherwise BCE(D(G(z)), 1) */
    for (int64_t i = 0; i < b; i++) {
        t->t_real[i] = (float)o->real_label;
        t->t_fake[i] = 0.0f;
        t->t_gen[i] = o->gloss == GN_GAN_MINIMAX ? 0.0f : 1.0f;
    }
    /* Drawn once, before any training noise: every epoch's grid shows the same z. */
    gn_gan_noise_fill(t->fixed_z, nfix, o, t->ctx->rng);
    return GN_OK;
}

/* One discriminator step on a real batch and a fresh fake batch (the
 * generator's forward pass stays in its graph for the generator step). */
static gn_status d_step(gan *t, const gn_batch *b, epoch_stats *s, gn_error *err) {
    gn_gan_models *m = &t->m;
    gn_graph *gg = gn_model_graph(m->g), *dg = gn_model_graph(m->d);
    int64_t n = b->n;
    gn_gan_noise_fill(t->z, n, &t->o, t->ctx->rng);
    gn_status st = gn_graph_feed(m->z, t->z, n, err);
    if (!st) st = gn_graph_forward(gg, m->fake, err);
    if (st) return st;
    gn_model_zero_grad(m->d);
    /* D's own step needs no gradient for its input images. */
    if ((st = gn_graph_input_grad_enabled(m->x, 0, err))) return st;
    const float *logit = gn_tensor_cdata(gn_node_value(m->logit));
    const float *in[2] = {b->x, gn_tensor_cdata(gn_node_value(m->fake))};
    const float *tg[2] = {t->t_real, t->t_fake};
    double loss = 0;
    for (int k = 0; k < 2 && !st; k++) {
        if ((st = gn_graph_feed(m->x, in[k], n, err)) ||
            (st = gn_graph_feed(m->target, tg[k], n, err)) ||
            (st = gn_graph_forward(dg, m->loss, err)) || (st = gn_graph_backward(dg, m->loss, err)))
            break;
        loss += gn_tensor_cdata(gn_node_value(m->loss))[0];
        logit = gn_tensor_cdata(gn_node_value(m->logit));
        int64_t hits = 0;
        for (int64_t i = 0; i < n; i++)
            hits += k ? logit[i] < 0 : logit[i] > 0;
        if (k)
            s->fake_hits += (double)hits;
        else
            s->real_hits += (double)hits;
    }
    gn_graph_input_grad_enabled(m->x, 1, NULL);
    if (!st) st = gn_optim_step(t->od, gn_model_params(m->d), gn_model_grads(m->d), err);
    s->d_loss += loss;
    s->d_steps++;
    s->seen += n;
    return st;
}

/* One generator step through the updated discriminator: D's input gradient
 * seeds the backward pass of G's graph. */
static gn_status g_step(gan *t, int64_t n, epoch_stats *s, gn_error *err) {
    gn_gan_models *m = &t->m;
    double loss = 0;
    gn_status st = gn_gan_g_loss(m, t->o.gloss, gn_tensor_cdata(gn_node_value(m->fake)), n,
                                 t->t_gen, &loss, err);
    if (st) return st;
    gn_model_zero_grad(m->g);
    st = gn_graph_backward_seeded(gn_model_graph(m->g), m->fake,
                                  gn_tensor_cdata(gn_node_grad(m->x)), err);
    if (!st) st = gn_optim_step(t->og, gn_model_params(m->g), gn_model_grads(m->g), err);
    if (t->ema) { /* TensorFlow's warm-up: short runs average recent weights, not the init */
        double n = (double)++t->ema_steps, warm = (1.0 + n) / (10.0 + n);
        const float d = (float)(warm < t->o.ema ? warm : t->o.ema), *p = gn_model_params(m->g);
        for (int64_t i = 0, np = gn_model_n_params(m->g); i < np; i++)
            t->ema[i] = d * t->ema[i] + (1.0f - d) * p[i];
    }
    s->g_loss += loss;
    s->g_steps++;
    return st;
}

static gn_status chart_point(gan *t, double x, double d, double g, gn_error *err) {
    if (t->n_l == t->cap_l) {
        size_t cap = (size_t)(t->cap_l ? 2 * t->cap_l : 256);
        double *a = realloc(t->lx, cap * sizeof(double));
        if (a) t->lx = a;
        double *b = a ? realloc(t->ld, cap * sizeof(double)) : NULL;
        if (b) t->ld = b;
        double *c = b ? realloc(t->lg, cap * sizeof(double)) : NULL;
        if (!c) return gn_error_set(err, GN_ERR_NOMEM, "gan: out of memory");
        t->lg = c;
        t->cap_l = (int64_t)cap;
    }
    t->lx[t->n_l] = x, t->ld[t->n_l] = d, t->lg[t->n_l] = g;
    t->n_l++;
    return GN_OK;
}

/* Exchanges the generator's weights with their moving average (twice
 * restores them): grids, scores and generator_ema.safetensors use the
 * average, training the live weights. */
static void swap_ema(gan *t) {
    if (!t->ema) return;
    float *p = gn_model_params(t->m.g);
    for (int64_t i = 0, n = gn_model_n_params(t->m.g); i < n; i++) {
        float v = p[i];
        p[i] = t->ema[i];
        t->ema[i] = v;
    }
}

/* Batch-norm running statistics for the averaged weights ("standing
 * statistics"): the live ones belong to other weights and would spoil the
 * averaged generator's samples. Training never reads them (it normalises
 * with batch statistics), so they are simply recomputed from 30 batches of
 * noise after the live checkpoint is saved. */
static gn_status ema_batchnorm_stats(gan *t, gn_error *err) {
    if (!t->ema || gn_model_n_buffers(t->m.g) == 0) return GN_OK;
    gn_graph *g = gn_model_graph(t->m.g);
    gn_graph_set_training(g, 1);
    gn_status st = GN_OK;
    for (int k = 0; k < 30 && !st; k++) {
        gn_gan_noise_fill(t->z, t->o.batch, &t->o, t->ctx->rng);
        st = gn_graph_feed(t->m.z, t->z, t->o.batch, err);
        if (!st) st = gn_graph_forward(g, t->m.fake, err);
    }
    return st;
}

static gn_status train_epoch(gan *t, gn_data *train, int64_t n, int epoch, int epochs,
                             epoch_stats *s, gn_error *err) {
    const gn_host_api *h = t->ctx->host;
    int64_t bs = t->o.batch, steps = (n + bs - 1) / bs;
    int64_t chunks = steps < 25 ? steps : 25, chunk = 0; /* chart points per epoch, even sizes */
    if (t->o.shuffle) h->data_shuffle(train, t->ctx->rng);
    h->epoch_begin(t->ctx->run, epoch, epochs, steps);
    gn_graph_set_training(gn_model_graph(t->m.g), 1);
    gn_graph_set_training(gn_model_graph(t->m.d), 1);
    double cd = 0, cg = 0; /* chart chunk sums */
    int64_t nd = 0, ng = 0;
    for (int64_t step = 0; step < steps; step++) {
        if (h->cancelled(t->ctx->run))
            return gn_error_set(err, GN_ERR_CANCELLED, "stopped at epoch %d, step %lld", epoch,
                                (long long)step);
        int64_t k = n - step * bs < bs ? n - step * bs : bs;
        gn_batch b;
        double d0 = s->d_loss, g0 = s->g_loss;
        int64_t gs0 = s->g_steps;
        gn_status st = h->data_batch(train, step * bs, k, &b, err);
        if (!st) st = d_step(t, &b, s, err);
        if (!st && (step + 1) % t->o.d_steps == 0) st = g_step(t, k, s, err);
        if (st) return st;
        if (!isfinite(s->d_loss) || !isfinite(s->g_loss))
            return gn_error_set(err, GN_ERR_NUMERIC,
                                "a loss became NaN or infinite at epoch %d, step %lld (try smaller "
                                "g_lr / d_lr)",
                                epoch, (long long)step + 1);
        cd += s->d_loss - d0, nd++;
        if (s->g_steps > gs0) cg += s->g_loss - g0, ng++;
        if (step + 1 == (chunk + 1) * steps / chunks) {
            chunk++;
            double x = epoch - 1 + (double)(step + 1) / (double)steps;
            if ((st = chart_point(t, x, cd / nd, ng ? cg / ng : NAN, err))) return st;
            cd = cg = 0, nd = ng = 0;
        }
        gn_metric mm[2] = {{"d_loss", s->d_loss / (double)s->d_steps},
                           {"g_loss", s->g_steps ? s->g_loss / (double)s->g_steps : 0}};
        h->step_end(t->ctx->run, step + 1, mm, 2);
    }
    return GN_OK;
}

/* The fixed-noise grid of this epoch, and its first images for progression.png. */
static gn_status epoch_pictures(gan *t, int epoch, gn_error *err) {
    const gn_gan_opts *o = &t->o;
    int nfix = o->grid_rows * o->grid_cols;
    if (nfix < o->progression_cols) nfix = o->progression_cols;
    gn_status st = gn_gan_generate(&t->m, t->fixed_z, nfix, t->grid, err);
    if (st) return st;
    char name[64], title[64];
    snprintf(name, sizeof name, "samples_epoch_%03d.png", epoch);
    snprintf(title, sizeof title, "Epoch %d", epoch);
    int n = o->grid_rows * o->grid_cols;
    if ((st = gn_gan_grid_png(t->ctx, name, title, t->grid, n, o->grid_rows, o->grid_cols, &t->m,
                              o->grid_scale, err)) ||
        (st = gn_gan_grid_png(t->ctx, "samples.png", title, t->grid, n, o->grid_rows, o->grid_cols,
                              &t->m, o->grid_scale, err)))
        return st;
    int64_t per = (int64_t)o->progression_cols * t->m.sample, k = t->n_tile_epochs;
    float *tiles = realloc(t->tiles, (size_t)((k + 1) * per) * sizeof(float));
    int *eps = realloc(t->tile_epochs, (size_t)(k + 1) * sizeof(int));
    if (tiles) t->tiles = tiles;
    if (eps) t->tile_epochs = eps;
    if (!tiles || !eps) return gn_error_set(err, GN_ERR_NOMEM, "gan: out of memory");
    memcpy(t->tiles + k * per, t->grid, (size_t)per * sizeof(float));
    t->tile_epochs[t->n_tile_epochs++] = epoch;
    return gn_gan_progression_png(t->ctx, t->tiles, t->tile_epochs, t->n_tile_epochs,
                                  o->progression_cols, &t->m, err);
}

static gn_status run_epochs(gan *t, gn_data *train, int first, gn_error *err) {
    const gn_run_ctx *ctx = t->ctx;
    gn_data_info info = {.struct_size = sizeof info};
    ctx->host->data_info(train, &info);
    int64_t n = t->o.limit > 0 && t->o.limit < info.n ? t->o.limit : info.n;
    int last = first - 1 + t->o.epochs;
    if (!ctx->quick && t->o.resume_from) last = t->o.epochs; /* Keras: epochs is the total */
    if (last < first)
        return gn_error_set(err, GN_ERR_CONFIG,
                            "[train] resume_from: %s was trained for %d epochs already; set "
                            "[train] epochs above %d to continue",
                            t->o.resume_from, first - 1, first - 1);
    const double g_lr = gn_optim_lr(t->og), d_lr = gn_optim_lr(t->od);
    const int start = t->o.lr_decay_start;
    for (int e = first; e <= last; e++) {
        if (start > 0 && e > start) { /* epochs start+1 .. last: factors n/(n+1) .. 1/(n+1) */
            const double f = 1.0 - (double)(e - start) / (double)(last - start + 1);
            gn_optim_set_lr(t->og, g_lr * f);
            gn_optim_set_lr(t->od, d_lr * f);
            char msg[128];
            snprintf(msg, sizeof msg, "epoch %d: g_lr %g, d_lr %g (lr_decay_start %d)", e, g_lr * f,
                     d_lr * f, start);
            ctx->host->log(ctx->run, GN_LOG_INFO, msg);
        }
        epoch_stats s = {0};
        gn_status st = train_epoch(t, train, n, e, last, &s, err);
        if (st == GN_ERR_CANCELLED) { /* keep what was learnt, then report the stop */
            gn_error cerr = {0};
            if (gn_gan_save(ctx, &t->m, "", e - 1, &cerr) ||
                gn_gan_losses_svg(ctx, t->lx, t->ld, t->lg, t->n_l, &cerr))
                ctx->host->log(ctx->run, GN_LOG_WARN, cerr.msg);
        }
        if (st) return st;
        /* The live weights' checkpoints first: the average's batch-norm
         * statistics, computed next, would not fit them. */
        if ((st = gn_gan_save(ctx, &t->m, "", e, err))) return st;
        if (t->o.checkpoint_every && e % t->o.checkpoint_every == 0) {
            char suffix[32];
            snprintf(suffix, sizeof suffix, "-epoch-%d", e);
            if ((st = gn_gan_save(ctx, &t->m, suffix, e, err))) return st;
        }
        /* Pictures, the score and generator_ema.safetensors use the average. */
        double score = NAN;
        swap_ema(t);
        st = ema_batchnorm_stats(t, err);
        if (!st) st = epoch_pictures(t, e, err);
        if (!st)
            st = gn_gan_score_epoch(&t->o, t->sc, &t->m, t->o.epoch_score_samples, &score, err);
        if (!st && t->ema)
            st = gn_gan_save_generator(ctx, &t->m, "generator_ema.safetensors", e, err);
        swap_ema(t);
        if (st) return st;
        gn_metric m[5] = {
            {"d_loss", s.d_loss / (double)s.d_steps},
            {"g_loss", s.g_steps ? s.g_loss / (double)s.g_steps : NAN},
            {"d_real_acc", s.real_hits / (double)s.seen},
            {"d_fake_acc", s.fake_hits / (double)s.seen},
            {"inception_score", score},
        };
        ctx->host->epoch_end(ctx->run, e, m, isnan(score) ? 4 : 5);
        if ((st = gn_gan_losses_svg(ctx, t->lx, t->ld, t->lg, t->n_l, err))) return st;
    }
    return GN_OK;
}

static gn_status run_gan(const gn_run_ctx *ctx, gn_error *err) {
    const gn_host_api *h = ctx->host;
    gan t = {.ctx = ctx};
    gn_data *train = NULL, *test = NULL;
    int done = 0;
    gn_status st;
    if ((st = gn_gan_opts_read(ctx->params, ctx->quick, &t.o, err)) ||
        (st = h->data_open(ctx->run, "train", &train, err)) ||
        (st = h->data_open(ctx->run, "test", &test, err)))
        return st;
    if (!(st = setup(&t, train, err)) && !(st = gn_gan_load_initial(ctx, &t.o, &t.m, &done, err)) &&
        !(st = gn_gan_scorer_open(ctx, &t.o, train, train, &t.sc, err))) {
        char msg[320];
        snprintf(msg, sizeof msg,
                 "gan: generator %lld params, discriminator %lld params, batch %lld, d_steps %d, "
                 "%s generator loss, g_lr %g, d_lr %g",
                 (long long)gn_model_n_params(t.m.g), (long long)gn_model_n_params(t.m.d),
                 (long long)t.o.batch, t.o.d_steps,
                 t.o.gloss == GN_GAN_MINIMAX ? "minimax" : "non-saturating", gn_optim_lr(t.og),
                 gn_optim_lr(t.od));
        h->log(ctx->run, GN_LOG_INFO, msg);
        int64_t np = gn_model_n_params(t.m.g);
        if (t.o.ema > 0 && !(t.ema = malloc((size_t)np * sizeof(float))))
            st = gn_error_set(err, GN_ERR_NOMEM, "gan: out of memory");
        if (t.ema) memcpy(t.ema, gn_model_params(t.m.g), (size_t)np * sizeof(float));
        if (!st) st = run_epochs(&t, train, done + 1, err);
    }
    swap_ema(&t);
    if (!st) st = gn_gan_score(ctx, &t.o, t.sc, &t.m, test, err);
    free(t.ema);
    gn_gan_scorer_free(t.sc);
    gn_optim_free(t.og);
    gn_optim_free(t.od);
    gn_gan_models_free(&t.m);
    free(t.z);
    free(t.t_real);
    free(t.fixed_z);
    free(t.grid);
    free(t.tiles);
    free(t.tile_epochs);
    free(t.lx);
    free(t.ld);
    free(t.lg);
    return st;
}

static gn_status check_gan(const gn_run_ctx *ctx, gn_error *err) {
    return gn_gan_check(ctx, 1, err);
}

gn_status gn_gan_check(const gn_run_ctx *ctx, int need_d, gn_error *err) {
    gn_gan_opts o;
    gn_gan_models m = {0};
    gn_data *test = NULL;
    gn_gan_scorer *sc = NULL;
    int done = 0;
    gn_status st = gn_gan_opts_read(ctx->params, ctx->quick, &o, err);
    if (!st) st = ctx->host->data_open(ctx->run, "test", &test, err);
    if (!st) st = gn_gan_models_build(ctx, &o, test, need_d, &m, err);
    if (!st && need_d) st = gn_gan_load_initial(ctx, &o, &m, &done, err);
    if (!st && !need_d && o.sample_from)
        st = gn_gan_load(m.g, o.sample_from, "[train] sample_from:", err);
    if (!st) st = gn_gan_scorer_open(ctx, &o, test, NULL, &sc, err);
    gn_gan_scorer_free(sc);
    gn_gan_models_free(&m);
    return st;
}

const gn_trainer_vtable gn_gan_trainer = {
    .struct_size = sizeof(gn_trainer_vtable),
    .name = "gan",
    .doc = "GAN: [model.generator] and [model.discriminator] trained adversarially; sample "
           "grids, checkpoints, classifier-based inception score",
    .schema = gn_gan_schema,
    .run = run_gan,
    .check = check_gan,
};
