/* A 2-D latent space drawn directly: latent_scatter.svg, the mean codes of
 * test images coloured by class (Keras' "plot_label_clusters"), and
 * manifold.png, images decoded on a regular grid of codes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vae.h"

static gn_status scatter(gn_vae *v, gn_data *test, gn_error *err) {
    const gn_host_api *h = v->ctx->host;
    gn_data_info ti = {.struct_size = sizeof ti};
    h->data_info(test, &ti);
    int64_t n = v->o.scatter > 0 && v->o.scatter < ti.n ? v->o.scatter : ti.n;
    double *x = malloc((size_t)n * sizeof *x), *y = malloc((size_t)n * sizeof *y);
    int32_t *c = malloc((size_t)n * sizeof *c);
    gn_status st = x && y && c ? GN_OK : gn_error_set(err, GN_ERR_NOMEM, "vae: out of memory");
    for (int64_t s = 0; s < n && !st; s += v->cap) {
        int64_t k = n - s < v->cap ? n - s : v->cap;
        gn_batch b;
        if ((st = h->data_batch(test, s, k, &b, err))) break;
        memcpy(c + s, b.labels, (size_t)k * sizeof *c);
        if ((st = gn_vae_encode(v, b.x, k, 0, err))) break;
        for (int64_t i = 0; i < k; i++)
            x[s + i] = v->zbuf[2 * i], y[s + i] = v->zbuf[2 * i + 1];
    }
    char *svg = NULL, title[96];
    size_t len = 0;
    snprintf(title, sizeof title, "Mean codes of %lld test images", (long long)n);
    if (!st)
        st = gn_plot_scatter_svg(title, "z1", "z2", x, y, c, n, ti.n_classes, ti.class_names, &svg,
                                 &len, err);
    if (!st) st = h->artifact(v->ctx->run, "latent_scatter.svg", svg, len, err);
    free(svg);
    free(x);
    free(y);
    free(c);
    return st;
}

/* z1 grows to the right, z2 upwards, both from -range to +range. */
static gn_status manifold(gn_vae *v, gn_error *err) {
    int m = v->o.manifold;
    double r = v->o.manifold_range;
    float *z = malloc((size_t)m * m * 2 * sizeof *z);
    float *img = malloc((size_t)m * m * (size_t)v->d * sizeof *img);
    gn_status st = z && img ? GN_OK : gn_error_set(err, GN_ERR_NOMEM, "vae: out of memory");
    for (int i = 0; i < m && !st; i++)
        for (int j = 0; j < m; j++) {
            z[(i * m + j) * 2] = (float)(-r + 2 * r * j / (m - 1));
            z[(i * m + j) * 2 + 1] = (float)(r - 2 * r * i / (m - 1));
        }
    if (!st) st = gn_vae_decode(v, z, (int64_t)m * m, img, err);
    gn_image_grid *g = st ? NULL : gn_vae_grid(v, m, m, 1, 0, err);
    if (!st && !g) st = err->status;
    char title[96];
    snprintf(title, sizeof title, "Decoded manifold: z1 (right) and z2 (up) from %g to %g", -r, r);
    if (!st) st = gn_image_grid_set_title(g, title, err);
    for (int k = 0; k < m * m && !st; k++)
        st = gn_vae_tile(v, g, k / m, k % m, img + (int64_t)k * v->d, NULL, err);
    if (!st)
        st = gn_vae_write_grid(v, g, "manifold.png", err);
    else
        gn_image_grid_free(g);
    free(z);
    free(img);
    return st;
}

gn_status gn_vae_latent2(gn_vae *v, gn_data *test, int images, gn_error *err) {
    gn_data_info ti = {.struct_size = sizeof ti};
    v->ctx->host->data_info(test, &ti);
    gn_status st = ti.n_classes > 0 ? scatter(v, test, err) : GN_OK;
    return st || !images ? st : manifold(v, err);
}
