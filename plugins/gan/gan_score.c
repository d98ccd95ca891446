/* Quality score at the end of training: the scorer (a classifier trained by
 * the classifiers plugin, its layers in [model.scorer], its weights from
 * scorer_checkpoint) rates real test images (calibration) and generated
 * ones. GAN images are in [-1, 1]; the scorer wants its own [data]
 * normalisation, so p = (x + 1) / 2 (pixels / 255) is mapped to it:
 * standard: (p - mean) / sd with the mean and sd of this run's training
 * images (the same images the classifier's statistics came from); scale: p;
 * symmetric: x as it is. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gan.h"

struct gn_gan_scorer {
    gn_model *model;
    gn_node *in, *out;
    int classes;
    float a, b; /* scorer input = a * x + b for a GAN image x in [-1, 1] */
};
typedef struct gn_gan_scorer scorer;

static const char *conf_hint(const gn_gan_opts *o) {
    return o->scorer_conf ? o->scorer_conf : "the classifiers conf whose weights these are";
}

/* a, b of the map from [-1, 1] to the scorer's units. */
static gn_status input_map(const gn_run_ctx *ctx, const gn_gan_opts *o, gn_data *train, scorer *s,
                           gn_error *err) {
    if (o->scorer_norm == GN_GAN_SCORER_SYMMETRIC || !train) { /* !train: check only */
        s->a = 1, s->b = 0;
        return GN_OK;
    }
    if (o->scorer_norm == GN_GAN_SCORER_STANDARD) {
        gn_data_info info = {.struct_size = sizeof info};
        ctx->host->data_info(train, &info);
        double s1 = 0, s2 = 0, cnt = 0;
        for (int64_t i = 0; i < info.n; i += 1000) {
            gn_batch b;
            int64_t k = info.n - i < 1000 ? info.n - i : 1000;
            gn_status st = ctx->host->data_batch(train, i, k, &b, err);
            if (st) return st;
            for (int64_t j = 0; j < k * info.dims[0] * info.dims[1] * info.dims[2]; j++) {
                double p = 0.5 * (b.x[j] + 1.0);
                s1 += p, s2 += p * p;
            }
            cnt += (double)k * (double)(info.dims[0] * info.dims[1] * info.dims[2]);
        }
        double m = s1 / cnt, var = s2 / cnt - m * m;
        double d = var > 1e-24 ? sqrt(var) : 1; /* (p - m) / d = (x + 1 - 2m) / (2d) */
        s->a = (float)(0.5 / d);
        s->b = (float)((1.0 - 2.0 * m) / (2.0 * d));
        char msg[200];
        snprintf(msg, sizeof msg,
                 "scorer inputs: (p - %.4f) / %.4f with p = (x + 1) / 2 (train statistics)", m, d);
        ctx->host->log(ctx->run, GN_LOG_INFO, msg);
        return GN_OK;
    }
    s->a = 0.5f, s->b = 0.5f; /* scale: p = (x + 1) / 2 */
    return GN_OK;
}

static gn_status scorer_open(const gn_run_ctx *ctx, const gn_gan_opts *o, gn_data *shape,
                             gn_data *train, scorer *s, gn_error *err) {
    const gn_host_api *h = ctx->host;
    if (!h->section(ctx->run, "model.scorer"))
        return gn_error_set(err, GN_ERR_CONFIG,
                            "gan: scorer_checkpoint is set but there is no [model.scorer] section: "
                            "copy the layers of %s into [model.scorer]",
                            conf_hint(o));
    FILE *f = fopen(o->scorer_checkpoint, "rb");
    if (!f)
        return gn_error_set(err, GN_ERR_NOT_FOUND,
                            "gan: scorer checkpoint %s not found: train the scorer first (ganglion "
                            "run %s --out DIR, then point [train] scorer_checkpoint at "
                            "DIR/last.safetensors)",
                            o->scorer_checkpoint, conf_hint(o));
    fclose(f);
    gn_data_info info = {.struct_size = sizeof info};
    h->data_info(shape, &info);
    gn_status st = h->model_build(ctx->run, "scorer", &info, &s->model, err);
    if (st) return st;
    st = gn_checkpoint_load(s->model, o->scorer_checkpoint, 1, err);
    if (st) {
        if (st == GN_ERR_INVALID || st == GN_ERR_CONFIG) err->status = st = GN_ERR_FORMAT;
        return gn_error_prefix(err,
                               "gan: scorer checkpoint %s does not fit [model.scorer] (its layers "
                               "must be those of %s)",
                               o->scorer_checkpoint, conf_hint(o));
    }
    s->in = gn_model_input(s->model, 0);
    s->out = gn_model_output(s->model);
    if (gn_node_op(s->out) == &gn_op_softmax) s->out = gn_node_input(s->out, 0);
    gn_tensor *v = gn_node_value(s->out);
    s->classes = gn_tensor_ndim(v) == 2 ? (int)gn_tensor_dim(v, 1) : 0;
    if (s->classes < 2 || s->classes > 1024)
        return gn_error_set(err, GN_ERR_CONFIG,
                            "gan: [model.scorer] must output class logits (None, C), C >= 2");
    gn_graph_set_training(gn_model_graph(s->model), 0);
    return input_map(ctx, o, train, s, err);
}

/* Class probabilities of n images in [-1, 1] (n x sample) into probs. */
static gn_status classify(scorer *s, const float *x, int64_t n, int64_t sample, float *probs,
                          gn_error *err) {
    float *buf = malloc((size_t)(500 * sample) * sizeof *buf);
    if (!buf) return gn_error_set(err, GN_ERR_NOMEM, "gan: out of memory");
    gn_status st = GN_OK;
    for (int64_t i = 0; i < n && !st; i += 500) {
        int64_t k = n - i < 500 ? n - i : 500;
        for (int64_t j = 0; j < k * sample; j++)
            buf[j] = s->a * x[i * sample + j] + s->b;
        st = gn_graph_feed(s->in, buf, k, err);
        if (!st) st = gn_graph_forward(gn_model_graph(s->model), s->out, err);
        if (!st)
            memcpy(probs + i * s->classes, gn_tensor_cdata(gn_node_value(s->out)),
                   (size_t)(k * s->classes) * sizeof(float));
    }
    free(buf);
    if (!st) gn_gan_softmax_rows(probs, n, s->classes);
    return st;
}

static gn_status histogram_files(const gn_run_ctx *ctx, gn_data *test, const int64_t *gen,
                                 const int64_t *real, int c, int64_t n_gen, int64_t n_real,
                                 gn_error *err) {
    gn_data_info info = {.struct_size = sizeof info};
    ctx->host->data_info(test, &info);
    int named = info.class_names && info.n_classes == c;
    char *csv = malloc((size_t)c * 96 + 64);
    double *x = malloc((size_t)c * 12 * sizeof *x), *yg = x ? x + c * 6 : NULL;
    double *xr = malloc((size_t)c * 12 * sizeof *xr), *yr = xr ? xr + c * 6 : NULL;
    gn_plot *p = gn_plot_new("Predicted classes of generated and real test images", "class",
                             "fraction of images");
    gn_status st = csv && x && xr && p ? GN_OK : gn_error_set(err, GN_ERR_NOMEM, "out of memory");
    size_t off = 0;
    if (!st) off = (size_t)sprintf(csv, "class,name,generated,real\n");
    /* Bars as outlines (the chart API draws lines): generated left of each
     * class, real test images right of it; NaN separates the bars. */
    for (int k = 0; k < c && !st; k++) {
        double fg = (double)gen[k] / (double)n_gen, fr = (double)real[k] / (double)n_real;
        off += (size_t)snprintf(csv + off, 96, "%d,%.40s,%.6f,%.6f\n", k,
                                named && info.class_names[k] ? info.class_names[k] : "", fg, fr);
        const double bx[6] = {k - 0.4, k - 0.4, k, k, k - 0.4, NAN};
        for (int j = 0; j < 6; j++) {
            x[k * 6 + j] = bx[j];
            xr[k * 6 + j] = bx[j] + 0.4;
            yg[k * 6 + j] = (j == 1 || j == 2) ? fg : 0;
            yr[k * 6 + j] = (j == 1 || j == 2) ? fr : 0;
        }
        x[k * 6 + 4] = k - 0.4, xr[k * 6 + 4] = k; /* back along the axis */
        yg[k * 6 + 4] = yr[k * 6 + 4] = 0;
    }
    if (!st) st = ctx->host->artifact(ctx->run, "class_histogram.csv", csv, off, err);
    char *svg = NULL;
    size_t len = 0;
    if (!st) st = gn_plot_line(p, "generated", x, yg, (int64_t)c * 6, err);
    if (!st) st = gn_plot_line(p, "real test images", xr, yr, (int64_t)c * 6, err);
    double ux[2] = {-0.6, c - 0.4}, uy[2] = {1.0 / c, 1.0 / c};
    if (!st) st = gn_plot_line(p, "uniform", ux, uy, 2, err);
    if (!st) st = gn_plot_set_xrange(p, -0.8, c - 0.2, err);
    if (!st) st = gn_plot_svg(p, &svg, &len, err);
    if (!st) st = ctx->host->artifact(ctx->run, "class_histogram.svg", svg, len, err);
    free(svg);
    gn_plot_free(p);
    free(csv);
    free(x);
    free(xr);
    return st;
}

gn_status gn_gan_scorer_open(const gn_run_ctx *ctx, const gn_gan_opts *o, gn_data *shape,
                             gn_data *train, gn_gan_scorer **out, gn_error *err) {
    *out = NULL;
    if (!o->scorer_checkpoint || o->score_samples == 0) {
        ctx->host->log(ctx->run, GN_LOG_INFO,
                       o->scorer_checkpoint
                           ? "score_samples = 0: quality score skipped"
                           : "no [train] scorer_checkpoint: quality score skipped");
        return GN_OK;
    }
    scorer *s = calloc(1, sizeof *s);
    if (!s) return gn_error_set(err, GN_ERR_NOMEM, "gan: out of memory");
    gn_status st = scorer_open(ctx, o, shape, train, s, err);
    if (st) {
        gn_gan_scorer_free(s);
        return st;
    }
    *out = s;
    return GN_OK;
}

void gn_gan_scorer_free(gn_gan_scorer *s) {
    if (!s) return;
    gn_model_free(s->model);
    free(s);
}

gn_status gn_gan_score_epoch(const gn_gan_opts *o, gn_gan_scorer *sc, gn_gan_models *m, int64_t n,
                             double *score, gn_error *err) {
    *score = NAN;
    if (!sc || n <= 0) return GN_OK;
    float *x = malloc((size_t)(n * m->sample) * sizeof *x);
    float *z = malloc((size_t)(n * gn_gan_z_dim(o)) * sizeof *z);
    float *probs = malloc((size_t)(n * sc->classes) * sizeof *probs);
    int64_t *counts = calloc((size_t)sc->classes, sizeof *counts);
    gn_status st =
        x && z && probs && counts ? GN_OK : gn_error_set(err, GN_ERR_NOMEM, "gan: out of memory");
    if (!st) {
        gn_rng rng;
        gn_rng_seed(&rng, 0x5C0BE); /* its own stream: scoring never changes training */
        gn_gan_noise_fill(z, n, o, &rng);
        st = gn_gan_generate(m, z, n, x, err);
    }
    if (!st) st = classify(sc, x, n, m->sample, probs, err);
    if (!st) *score = gn_gan_inception_score(probs, n, sc->classes, counts);
    free(x);
    free(z);
    free(probs);
    free(counts);
    return st;
}

gn_status gn_gan_score(const gn_run_ctx *ctx, const gn_gan_opts *o, gn_gan_scorer *sc,
                       gn_gan_models *m, gn_data *test, gn_error *err) {
    const gn_host_api *h = ctx->host;
    if (!sc) return GN_OK;
    scorer s = *sc;
    gn_data_info ti = {.struct_size = sizeof ti};
    h->data_info(test, &ti);
    int64_t n = o->score_samples, nr = n < ti.n ? n : ti.n;
    float *x = malloc((size_t)(n * m->sample) * sizeof *x);
    float *z = malloc((size_t)(n * gn_gan_z_dim(o)) * sizeof *z);
    float *probs = malloc((size_t)(n * s.classes) * sizeof *probs);
    int64_t *gen = calloc((size_t)s.classes * 2, sizeof *gen), *real = gen ? gen + s.classes : NULL;
    gn_status st =
        x && z && probs && gen ? GN_OK : gn_error_set(err, GN_ERR_NOMEM, "gan: out of memory");
    for (int64_t i = 0; i < nr && !st; i += 1000) { /* the first nr test images */
        gn_batch b;
        int64_t k = nr - i < 1000 ? nr - i : 1000;
        if (!(st = h->data_batch(test, i, k, &b, err)))
            memcpy(x + i * m->sample, b.x, (size_t)(k * m->sample) * sizeof *x);
    }
    double is_real = NAN, is_gen = NAN;
    if (!st) st = classify(&s, x, nr, m->sample, probs, err);
    if (!st) is_real = gn_gan_inception_score(probs, nr, s.classes, real);
    if (!st) {
        gn_gan_noise_fill(z, n, o, ctx->rng);
        st = gn_gan_generate(m, z, n, x, err);
    }
    if (!st) st = classify(&s, x, n, m->sample, probs, err);
    if (!st) is_gen = gn_gan_inception_score(probs, n, s.classes, gen);
    if (!st) st = histogram_files(ctx, test, gen, real, s.classes, n, nr, err);
    if (!st) {
        int64_t lo = gen[0], hi = gen[0];
        for (int k = 1; k < s.classes; k++)
            lo = gen[k] < lo ? gen[k] : lo, hi = gen[k] > hi ? gen[k] : hi;
        h->result(ctx->run, "generated", "inception_score", is_gen);
        h->result(ctx->run, "generated", "min_class_fraction", (double)lo / (double)n);
        h->result(ctx->run, "generated", "max_class_fraction", (double)hi / (double)n);
        h->result(ctx->run, "test", "inception_score", is_real);
        char msg[256];
        snprintf(msg, sizeof msg,
                 "inception score: generated %.3f (%lld samples), real test images %.3f (%lld); "
                 "predicted classes of generated images: %.1f%% to %.1f%% per class",
                 is_gen, (long long)n, is_real, (long long)nr, 100.0 * lo / n, 100.0 * hi / n);
        h->log(ctx->run, GN_LOG_INFO, msg);
        printf("%s\n", msg);
    }
    free(x);
    free(z);
    free(probs);
    free(gen);
    return st;
}
