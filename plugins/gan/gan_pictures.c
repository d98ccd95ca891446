/* What a student looks at: sample grids (tanh outputs drawn on [-1, 1]),
 * the progression sheet over epochs, and the chart of both losses. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "gan.h"

/* Only images (C, H, W) with 1 or 3 channels make a picture. */
static int drawable(const gn_gan_models *m) {
    return m->ndim == 3 && (m->dims[0] == 1 || m->dims[0] == 3);
}

static gn_status write_png(const gn_run_ctx *ctx, const char *name, gn_image_grid *g,
                           gn_error *err) {
    unsigned char *png = NULL;
    size_t len = 0;
    gn_status st = gn_image_grid_png(g, &png, &len, err);
    if (!st) st = ctx->host->artifact(ctx->run, name, png, len, err);
    free(png);
    return st;
}

gn_status gn_gan_grid_png(const gn_run_ctx *ctx, const char *name, const char *title,
                          const float *images, int n, int rows, int cols, const gn_gan_models *m,
                          int scale, gn_error *err) {
    if (!drawable(m)) return GN_OK;
    gn_image_grid *g = gn_image_grid_new(rows, cols, (int)m->dims[1], (int)m->dims[2],
                                         (int)m->dims[0], scale, 0, err);
    if (!g) return err->status;
    gn_status st = title ? gn_image_grid_set_title(g, title, err) : GN_OK;
    for (int k = 0; k < n && k < rows * cols && !st; k++)
        st = gn_image_grid_set(g, k / cols, k % cols, images + (int64_t)k * m->sample,
                               GN_IMAGE_RANGE, -1.0f, 1.0f, NULL, 0, err);
    if (!st) st = write_png(ctx, name, g, err);
    gn_image_grid_free(g);
    return st;
}

gn_status gn_gan_progression_png(const gn_run_ctx *ctx, const float *tiles, const int *epochs,
                                 int n_epochs, int cols, const gn_gan_models *m, gn_error *err) {
    if (!drawable(m) || n_epochs < 1) return GN_OK;
    /* At most 20 rows: evenly spaced epochs, always the first and the last. */
    int rows = n_epochs < 20 ? n_epochs : 20;
    int scale = m->dims[1] <= 32 && m->dims[2] <= 32 ? 2 : 1;
    gn_image_grid *g = gn_image_grid_new(rows, cols, (int)m->dims[1], (int)m->dims[2],
                                         (int)m->dims[0], scale, 0, err);
    if (!g) return err->status;
    gn_status st = gn_image_grid_set_title(g, "Fixed noise, epoch by epoch", err);
    for (int r = 0; r < rows && !st; r++) {
        int k = rows == 1 ? n_epochs - 1 : (int)((int64_t)r * (n_epochs - 1) / (rows - 1));
        char label[32];
        snprintf(label, sizeof label, "epoch %d", epochs[k]);
        st = gn_image_grid_set_row_label(g, r, label, err);
        for (int c = 0; c < cols && !st; c++)
            st = gn_image_grid_set(g, r, c, tiles + ((int64_t)k * cols + c) * m->sample,
                                   GN_IMAGE_RANGE, -1.0f, 1.0f, NULL, 0, err);
    }
    if (!st) st = write_png(ctx, "progression.png", g, err);
    gn_image_grid_free(g);
    return st;
}

gn_status gn_gan_losses_svg(const gn_run_ctx *ctx, const double *x, const double *d,
                            const double *g, int64_t n, gn_error *err) {
    if (n < 1) return GN_OK;
    gn_plot *p = gn_plot_new("GAN losses during training", "epoch", "loss");
    if (!p) return gn_error_set(err, GN_ERR_NOMEM, "gan: out of memory");
    char *svg = NULL;
    size_t len = 0;
    gn_status st = gn_plot_line(p, "discriminator (real + fake)", x, d, n, err);
    if (!st) st = gn_plot_line(p, "generator", x, g, n, err);
    if (!st) st = gn_plot_svg(p, &svg, &len, err);
    if (!st) st = ctx->host->artifact(ctx->run, "losses.svg", svg, len, err);
    free(svg);
    gn_plot_free(p);
    return st;
}
