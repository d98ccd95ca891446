/* Helpers shared by the autoencoder trainers: the reconstruction loss, data
 * checks, shapes as text and PNG artifacts. */
#include <stdio.h>
#include <stdlib.h>
#include "autoencoders.h"

gn_status gn_ae_loss(const gn_section *p, gn_graph *g, gn_node *pred, int bce, const char *who,
                     gn_node **target, gn_node **loss, gn_error *err) {
    gn_tensor *v = gn_node_value(pred);
    int64_t dims[GN_MAX_DIMS];
    int nd = gn_tensor_ndim(v);
    for (int i = 0; i < nd; i++)
        dims[i] = gn_tensor_dim(v, i);
    dims[0] = 1;
    gn_node *z = pred;
    if (bce) {
        /* The decoder ends in sigmoid (possibly followed by a reshape); the
         * fused loss takes the logits, reshaped like the output. */
        gn_node *s = pred, *r = NULL;
        if (gn_node_op(s) == &gn_op_reshape || gn_node_op(s) == &gn_op_flatten) {
            r = s;
            s = gn_node_input(s, 0);
        }
        if (gn_node_op(s) != &gn_op_sigmoid) {
            char what[160];
            snprintf(what, sizeof what,
                     "bce needs a %s that ends in sigmoid (outputs in (0, 1)); add sigmoid as its "
                     "last layer or use loss = mse",
                     who);
            return gn_ae_bad_key(p, "loss", err, what);
        }
        z = gn_node_input(s, 0);
        if (r) {
            gn_op_attrs at = *gn_node_attrs(r);
            z = gn_graph_apply(g, gn_node_op(r), &z, 1, &at, err);
            if (!z) return err->status;
        }
    }
    *target = gn_graph_input(g, "target", nd, dims, 0, err);
    if (!*target) return err->status;
    gn_node *in[2] = {z, *target};
    *loss = gn_graph_apply(g, bce ? &gn_op_bce_logits : &gn_op_mse, in, 2, NULL, err);
    return *loss ? GN_OK : err->status;
}

gn_status gn_ae_check_range(const gn_section *p, const float *x, int64_t n, gn_error *err) {
    for (int64_t i = 0; i < n; i++)
        if (!(x[i] >= 0.0f && x[i] <= 1.0f)) {
            char what[160];
            snprintf(what, sizeof what,
                     "bce needs inputs in [0, 1], got %g; set [data] normalize = scale (or use "
                     "loss = mse)",
                     (double)x[i]);
            return gn_ae_bad_key(p, "loss", err, what);
        }
    return GN_OK;
}

void gn_ae_shape(gn_node *n, char *buf, size_t size) {
    gn_tensor_shape_str(gn_node_value(n), 1, buf, size);
}

int64_t gn_ae_per_sample(gn_node *n) {
    gn_tensor *v = gn_node_value(n);
    int64_t b = gn_tensor_dim(v, 0);
    return b ? gn_tensor_numel(v) / b : 0;
}

gn_status gn_ae_grid_save(const gn_run_ctx *ctx, gn_image_grid *g, const char *name,
                          gn_error *err) {
    unsigned char *png = NULL;
    size_t len = 0;
    gn_status st = gn_image_grid_png(g, &png, &len, err);
    if (!st) st = ctx->host->artifact(ctx->run, name, png, len, err);
    free(png);
    gn_image_grid_free(g);
    return st;
}
