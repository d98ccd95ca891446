/* Pictures of a trained autoencoder: reconstructions.png (test originals
 * above their reconstructions) and class_means.png ("common features": the
 * mean code of each class, decoded). Only image data (C, H, W) with 1 or 3
 * channels makes pictures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "autoencoders.h"

#define GN_AE_MEAN_COLS 10

static int is_image(const gn_data_info *i) {
    return i->ndim == 3 && (i->dims[0] == 1 || i->dims[0] == 3);
}

static gn_image_grid *new_grid(const gn_data_info *i, int rows, int cols, int captions,
                               gn_error *err) {
    int hh = (int)i->dims[1], ww = (int)i->dims[2];
    int scale = hh <= 12 ? 4 : hh <= 32 ? 2 : 1;
    return gn_image_grid_new(rows, cols, hh, ww, (int)i->dims[0], scale, captions, err);
}

/* Pixels in [0, 1] (normalize = scale) are drawn as they are; other data is
 * stretched per tile. */
static gn_image_norm norm_of(const float *x, int64_t n) {
    for (int64_t i = 0; i < n; i++)
        if (!(x[i] >= 0.0f && x[i] <= 1.0f)) return GN_IMAGE_MINMAX;
    return GN_IMAGE_RANGE;
}

static gn_status reconstructions(gn_ae *a, gn_data *test, int64_t n_test, gn_error *err) {
    int k = (int)(a->o.grid < n_test ? a->o.grid : n_test);
    if (k <= 0) return GN_OK;
    gn_batch b;
    gn_status st = a->ctx->host->data_batch(test, 0, k, &b, err);
    if (!st) st = gn_ae_forward(a, b.x, k, err);
    if (!st) st = gn_graph_forward(gn_model_graph(a->dec), a->pred, err);
    if (st) return st;
    const float *p = gn_tensor_cdata(gn_node_value(a->pred));
    gn_image_norm nm = norm_of(b.x, k * a->sample);
    gn_image_grid *g = new_grid(&a->info, 2, k, 0, err);
    if (!g) return err->status;
    char title[96];
    snprintf(title, sizeof title, "latent %lld: test originals and reconstructions",
             (long long)a->latent);
    st = gn_image_grid_set_title(g, title, err);
    if (!st) st = gn_image_grid_set_row_label(g, 0, "original", err);
    if (!st) st = gn_image_grid_set_row_label(g, 1, "reconstructed", err);
    for (int i = 0; i < k && !st; i++) {
        st = gn_image_grid_set(g, 0, i, b.x + i * a->sample, nm, 0, 1, NULL, 0, err);
        if (!st) st = gn_image_grid_set(g, 1, i, p + i * a->sample, nm, 0, 1, NULL, 0, err);
    }
    if (st) {
        gn_image_grid_free(g);
        return st;
    }
    return gn_ae_grid_save(a->ctx, g, "reconstructions.png", err);
}

/* Sums of the codes of each class over the test split; counts per class. */
static gn_status class_sums(gn_ae *a, gn_data *test, int64_t n_test, double *sum, int64_t *count,
                            gn_error *err) {
    int classes = a->info.n_classes;
    for (int64_t s = 0; s < n_test; s += a->o.eval_batch) {
        int64_t n = n_test - s < a->o.eval_batch ? n_test - s : a->o.eval_batch;
        gn_batch b;
        gn_status st = a->ctx->host->data_batch(test, s, n, &b, err);
        if (!st) st = gn_graph_feed(a->x, b.x, n, err);
        if (!st) st = gn_graph_forward(gn_model_graph(a->enc), a->code, err);
        if (st) return st;
        const float *c = gn_tensor_cdata(gn_node_value(a->code));
        for (int64_t i = 0; i < n; i++) {
            int y = b.labels ? b.labels[i] : -1;
            if (y < 0 || y >= classes) continue;
            count[y]++;
            for (int64_t j = 0; j < a->latent; j++)
                sum[y * a->latent + j] += c[i * a->latent + j];
        }
    }
    return GN_OK;
}

static gn_status class_means(gn_ae *a, gn_data *test, int64_t n_test, gn_error *err) {
    int classes = a->info.n_classes;
    double *sum = calloc((size_t)(classes * a->latent), sizeof *sum);
    int64_t *count = calloc((size_t)classes, sizeof *count);
    float *mean = malloc((size_t)(classes * a->latent) * sizeof *mean);
    gn_status st = sum && count && mean
                       ? class_sums(a, test, n_test, sum, count, err)
                       : gn_error_set(err, GN_ERR_NOMEM, "autoencoder: out of memory");
    for (int c = 0; !st && c < classes; c++)
        for (int64_t j = 0; j < a->latent; j++)
            mean[c * a->latent + j] =
                count[c] ? (float)(sum[c * a->latent + j] / (double)count[c]) : 0.0f;
    if (!st) st = gn_ae_decode(a, mean, classes, err);
    int cols = classes < GN_AE_MEAN_COLS ? classes : GN_AE_MEAN_COLS;
    gn_image_grid *g = st ? NULL : new_grid(&a->info, (classes + cols - 1) / cols, cols, 1, err);
    if (!st && !g) st = err->status;
    if (!st) st = gn_image_grid_set_title(g, "Decoded mean code of each class", err);
    if (!st) st = gn_image_grid_set_min_cell_width(g, 6 * 12, err);
    const float *p = st ? NULL : gn_tensor_cdata(gn_node_value(a->pred));
    gn_image_norm nm = p ? norm_of(p, classes * a->sample) : GN_IMAGE_MINMAX;
    for (int c = 0; !st && c < classes; c++) {
        char cap[48];
        if (a->info.class_names && a->info.class_names[c])
            snprintf(cap, sizeof cap, "%.12s", a->info.class_names[c]);
        else
            snprintf(cap, sizeof cap, "class %d", c);
        st = gn_image_grid_set(g, c / cols, c % cols, p + c * a->sample, nm, 0, 1, cap, 0x000000,
                               err);
    }
    free(sum);
    free(count);
    free(mean);
    if (st) {
        gn_image_grid_free(g);
        return st;
    }
    return gn_ae_grid_save(a->ctx, g, "class_means.png", err);
}

gn_status gn_ae_pictures(gn_ae *a, gn_data *test, gn_error *err) {
    if (!is_image(&a->info)) return GN_OK;
    gn_data_info ti = {.struct_size = sizeof ti};
    a->ctx->host->data_info(test, &ti);
    gn_graph_set_training(gn_model_graph(a->enc), 0);
    gn_graph_set_training(gn_model_graph(a->dec), 0);
    gn_status st = reconstructions(a, test, ti.n, err);
    if (!st && a->o.class_mean && a->info.n_classes > 0) st = class_means(a, test, ti.n, err);
    return st;
}
