/* samples.png: a grid decoded from codes drawn from the prior N(0, I).
 * reconstructions.png: test images above their reconstructions (decoded
 * from the mean code), each with its reconstruction error. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vae.h"

gn_status gn_vae_write_grid(gn_vae *v, gn_image_grid *g, const char *name, gn_error *err) {
    unsigned char *png = NULL;
    size_t len = 0;
    gn_status st = gn_image_grid_png(g, &png, &len, err);
    if (!st) st = v->ctx->host->artifact(v->ctx->run, name, png, len, err);
    free(png);
    gn_image_grid_free(g);
    return st;
}

/* Probabilities (bce) are drawn as 0..1; other outputs per tile. */
gn_status gn_vae_tile(gn_vae *v, gn_image_grid *g, int row, int col, const float *img,
                      const char *caption, gn_error *err) {
    return gn_image_grid_set(g, row, col, img, v->o.bce ? GN_IMAGE_RANGE : GN_IMAGE_MINMAX, 0, 1,
                             caption, 0x000000, err);
}

gn_image_grid *gn_vae_grid(gn_vae *v, int rows, int cols, int scale, int captions, gn_error *err) {
    const int64_t *d = v->info.dims;
    return gn_image_grid_new(rows, cols, (int)d[1], (int)d[2], (int)d[0], d[1] <= 32 ? scale : 1,
                             captions, err);
}

static gn_status samples(gn_vae *v, gn_error *err) {
    int64_t n = (int64_t)v->o.grid * v->o.grid, l = v->latent;
    float *z = malloc((size_t)(n * l) * sizeof *z), *img = malloc((size_t)(n * v->d) * sizeof *img);
    gn_status st = z && img ? GN_OK : gn_error_set(err, GN_ERR_NOMEM, "vae: out of memory");
    for (int64_t i = 0; !st && i < n * l; i++)
        z[i] = gn_rng_normal(v->ctx->rng);
    if (!st) st = gn_vae_decode(v, z, n, img, err);
    gn_image_grid *g = st ? NULL : gn_vae_grid(v, v->o.grid, v->o.grid, 2, 0, err);
    if (!st && !g) st = err->status;
    if (!st) st = gn_image_grid_set_title(g, "Samples decoded from z ~ N(0, I)", err);
    for (int64_t i = 0; !st && i < n; i++)
        st = gn_vae_tile(v, g, (int)(i / v->o.grid), (int)(i % v->o.grid), img + i * v->d, NULL,
                         err);
    if (!st)
        st = gn_vae_write_grid(v, g, "samples.png", err);
    else
        gn_image_grid_free(g);
    free(z);
    free(img);
    return st;
}

/* Per-image error in the loss's units: BCE in nats, or the squared error. */
static double recon_error(const gn_vae *v, const float *x, const float *y) {
    double e = 0;
    for (int64_t j = 0; j < v->d; j++) {
        if (v->o.bce) {
            double p = fmin(fmax(y[j], 1e-7), 1 - 1e-7);
            e -= x[j] * log(p) + (1 - x[j]) * log1p(-p);
        } else {
            e += ((double)y[j] - x[j]) * ((double)y[j] - x[j]);
        }
    }
    return e;
}

static gn_status reconstructions(gn_vae *v, gn_data *test, gn_error *err) {
    const gn_host_api *h = v->ctx->host;
    gn_data_info ti = {.struct_size = sizeof ti};
    h->data_info(test, &ti);
    int64_t n = v->o.recon < ti.n ? v->o.recon : ti.n;
    n = n < v->cap ? n : v->cap;
    if (n < 1) return GN_OK;
    int cols = n < 8 ? (int)n : 8, blocks = (int)((n + cols - 1) / cols);
    float *x = malloc((size_t)(n * v->d) * sizeof *x), *y = malloc((size_t)(n * v->d) * sizeof *y);
    gn_batch b;
    gn_status st = x && y ? GN_OK : gn_error_set(err, GN_ERR_NOMEM, "vae: out of memory");
    if (!st) st = h->data_batch(test, 0, n, &b, err);
    if (!st) {
        memcpy(x, b.x, (size_t)(n * v->d) * sizeof *x);
        st = gn_vae_encode(v, x, n, 0, err);
    }
    if (!st) st = gn_vae_decode(v, v->zbuf, n, y, err);
    gn_image_grid *g = st ? NULL : gn_vae_grid(v, 2 * blocks, cols, 2, 1, err);
    if (!st && !g) st = err->status;
    if (!st) st = gn_image_grid_set_min_cell_width(g, 60, err);
    if (!st)
        st = gn_image_grid_set_title(g,
                                     v->o.bce ? "Test images and reconstructions (BCE, nats)"
                                              : "Test images and reconstructions (squared error)",
                                     err);
    for (int64_t i = 0; !st && i < n; i++) {
        int r = (int)(i / cols) * 2, c = (int)(i % cols);
        char cap[32];
        snprintf(cap, sizeof cap, "%s %.1f", v->o.bce ? "BCE" : "SSE",
                 recon_error(v, x + i * v->d, y + i * v->d));
        st = gn_vae_tile(v, g, r, c, x + i * v->d, NULL, err);
        if (!st) st = gn_vae_tile(v, g, r + 1, c, y + i * v->d, cap, err);
        if (!st && c == 0) st = gn_image_grid_set_row_label(g, r, "original", err);
        if (!st && c == 0) st = gn_image_grid_set_row_label(g, r + 1, "reconstructed", err);
    }
    if (!st)
        st = gn_vae_write_grid(v, g, "reconstructions.png", err);
    else
        gn_image_grid_free(g);
    free(x);
    free(y);
    return st;
}

gn_status gn_vae_pictures(gn_vae *v, gn_data *test, gn_error *err) {
    gn_status st = samples(v, err);
    return st ? st : reconstructions(v, test, err);
}
