/* interpolation.png: straight lines in latent space between the mean codes
 * of two test images, decoded. Each row: image A, the decoded path from A
 * to B, image B. The first rows join two images of one class, the others
 * images of two classes (consecutive pairs when the data has no classes). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vae.h"

#define GN_VAE_SCAN 5000 /* test labels looked at to find the pairs */

/* The k-th test index of class c among labels[0..n), or -1. */
static int64_t nth_of_class(const int32_t *labels, int64_t n, int c, int k) {
    for (int64_t i = 0; i < n; i++)
        if (labels[i] == c && k-- == 0) return i;
    return -1;
}

/* Up to 2 * pairs (a, b) index pairs with their row labels. */
static int choose_pairs(gn_vae *v, gn_data *test, int64_t (*pr)[2], char (*lab)[48], gn_error *err,
                        gn_status *st) {
    const gn_host_api *h = v->ctx->host;
    gn_data_info ti = {.struct_size = sizeof ti};
    h->data_info(test, &ti);
    int64_t n = ti.n < GN_VAE_SCAN ? ti.n : GN_VAE_SCAN, rows = 0, p = v->o.interp_pairs;
    int classes = ti.n_classes;
    if (classes < 2) { /* no labels: consecutive test images */
        for (int64_t k = 0; k < 2 * p && 2 * k + 1 < n; k++, rows++) {
            pr[k][0] = 2 * k, pr[k][1] = 2 * k + 1;
            snprintf(lab[k], 48, "#%lld -> #%lld", (long long)(2 * k), (long long)(2 * k + 1));
        }
        return (int)rows;
    }
    int32_t *labels = malloc((size_t)n * sizeof *labels);
    if (!labels) return *st = gn_error_set(err, GN_ERR_NOMEM, "vae: out of memory"), 0;
    for (int64_t s = 0; s < n && !*st; s += 1000) {
        gn_batch b;
        int64_t k = n - s < 1000 ? n - s : 1000;
        if (!(*st = h->data_batch(test, s, k, &b, err)))
            memcpy(labels + s, b.labels, (size_t)k * sizeof *labels);
    }
    for (int k = 0; k < 2 * p && !*st; k++) {
        int within = k < p, j = within ? k : k - (int)p;
        int ca = within ? j % classes : (2 * j) % classes;
        int cb = within ? ca : (2 * j + 1) % classes;
        int occ = within ? 2 * (j / classes) : j / classes;
        int64_t a = nth_of_class(labels, n, ca, occ), b = nth_of_class(labels, n, cb, occ + within);
        if (a < 0 || b < 0) continue;
        pr[rows][0] = a, pr[rows][1] = b;
        const char *const *nm = ti.class_names;
        if (nm && nm[ca] && nm[cb])
            snprintf(lab[rows], 48, "%.14s -> %.14s", nm[ca], nm[cb]);
        else
            snprintf(lab[rows], 48, "%d -> %d", ca, cb);
        rows++;
    }
    free(labels);
    return (int)rows;
}

gn_status gn_vae_interpolation(gn_vae *v, gn_data *test, gn_error *err) {
    int64_t pr[40][2], l = v->latent, steps = v->o.interp_steps;
    char lab[40][48];
    gn_status st = GN_OK;
    int rows = choose_pairs(v, test, pr, lab, err, &st);
    if (st || rows == 0) return st;
    float *x = malloc((size_t)(2 * v->d) * sizeof *x);
    float *z = malloc((size_t)(steps * l) * sizeof *z);
    float *img = malloc((size_t)(steps * v->d) * sizeof *img);
    gn_image_grid *g = x && z && img ? gn_vae_grid(v, rows, (int)steps + 2, 2, 0, err) : NULL;
    if (!g) st = err->status ? err->status : gn_error_set(err, GN_ERR_NOMEM, "vae: out of memory");
    if (!st)
        st = gn_image_grid_set_title(
            g, "Latent interpolation: image A, decoded path from A to B, image B", err);
    for (int r = 0; r < rows && !st; r++) {
        gn_batch b;
        for (int e = 0; e < 2 && !st; e++)
            if (!(st = v->ctx->host->data_batch(test, pr[r][e], 1, &b, err)))
                memcpy(x + e * v->d, b.x, (size_t)v->d * sizeof *x);
        if (!st) st = gn_vae_encode(v, x, 2, 0, err);
        for (int64_t s = 0; s < steps && !st; s++) {
            float t = (float)s / (float)(steps - 1);
            for (int64_t j = 0; j < l; j++)
                z[s * l + j] = (1 - t) * v->zbuf[j] + t * v->zbuf[l + j];
        }
        if (!st) st = gn_vae_decode(v, z, steps, img, err);
        if (!st) st = gn_vae_tile(v, g, r, 0, x, NULL, err);
        for (int64_t s = 0; s < steps && !st; s++)
            st = gn_vae_tile(v, g, r, (int)s + 1, img + s * v->d, NULL, err);
        if (!st) st = gn_vae_tile(v, g, r, (int)steps + 1, x + v->d, NULL, err);
        if (!st) st = gn_image_grid_set_row_label(g, r, lab[r], err);
    }
    if (!st)
        st = gn_vae_write_grid(v, g, "interpolation.png", err);
    else
        gn_image_grid_free(g);
    free(x);
    free(z);
    free(img);
    return st;
}
