/* misclassified.png: the first misclassified test images with their true and
 * predicted labels (class names where the dataset has them). */
#include <stdio.h>
#include <stdlib.h>
#include <ganglion/image.h>
#include "trainer.h"

#define GN_MIS_COLS 8
#define GN_MIS_MAX 48

static void label(char *out, size_t n, const char *what, int k, const gn_data_info *info) {
    if (info->class_names && info->class_names[k])
        snprintf(out, n, "%s: %d (%.14s)", what, k, info->class_names[k]);
    else
        snprintf(out, n, "%s: %d", what, k);
}

gn_status gn_misclassified_png(trainer *t, gn_data *test, const float *scores,
                               const int32_t *labels, gn_error *err) {
    const gn_host_api *h = t->ctx->host;
    gn_data_info info = {.struct_size = sizeof info};
    h->data_info(test, &info);
    /* Only images (C, H, W) with 1 or 3 channels make a picture. */
    if (info.ndim != 3 || (info.dims[0] != 1 && info.dims[0] != 3)) return GN_OK;
    int64_t idx[GN_MIS_MAX];
    int n = 0;
    for (int64_t i = 0; i < info.n && n < GN_MIS_MAX; i++)
        if (gn_argmax(scores + i * t->classes, t->classes) != labels[i]) idx[n++] = i;
    if (!n) return GN_OK;
    int c = (int)info.dims[0], hh = (int)info.dims[1], ww = (int)info.dims[2];
    int scale = hh <= 32 ? 3 : 1;
    int cols = n < GN_MIS_COLS ? n : GN_MIS_COLS, rows = (n + cols - 1) / cols;
    gn_image_grid *g = gn_image_grid_new(rows, cols, hh, ww, c, scale, 2, err);
    if (!g) return err->status;
    gn_status st = gn_image_grid_set_min_cell_width(g, 120, err);
    if (!st) st = gn_image_grid_set_title(g, "Misclassified test images", err);
    for (int k = 0; k < n && !st; k++) {
        gn_batch b;
        if ((st = h->data_batch(test, idx[k], 1, &b, err))) break;
        char cap[96], t1[48], t2[48];
        label(t1, sizeof t1, "true", labels[idx[k]], &info);
        label(t2, sizeof t2, "pred", gn_argmax(scores + idx[k] * t->classes, t->classes), &info);
        snprintf(cap, sizeof cap, "%s\n%s", t1, t2);
        st = gn_image_grid_set(g, k / cols, k % cols, b.x, GN_IMAGE_MINMAX, 0, 0, cap, 0xB00000,
                               err);
    }
    unsigned char *png = NULL;
    size_t len = 0;
    if (!st) st = gn_image_grid_png(g, &png, &len, err);
    if (!st) st = h->artifact(t->ctx->run, "misclassified.png", png, len, err);
    free(png);
    gn_image_grid_free(g);
    return st;
}
