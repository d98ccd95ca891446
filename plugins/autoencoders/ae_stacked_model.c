/* The stacked autoencoder's pieces: the levels of [model.encoder] (one per
 * dense layer, with the activations that follow it), a small decoder per
 * level for greedy pre-training, and the classification head. The decoders
 * and the head are built here, in code, from the shapes the encoder gives. */
#include <stdio.h>
#include <string.h>
#include "autoencoders.h"

/* A model "name": input of `in` values -> dense(units) [-> sigmoid]. */
static gn_status small_model(const gn_run_ctx *ctx, const char *name, int64_t in, int64_t units,
                             int sigmoid, gn_model **out, gn_node **input, gn_error *err) {
    gn_model *m = gn_model_new(name, ctx->registry, ctx->rng, err);
    if (!m) return err->status;
    *out = m;
    char sname[64], val[32];
    snprintf(sname, sizeof sname, "layer.%s", name);
    snprintf(val, sizeof val, "%lld", (long long)units);
    gn_section *s = gn_section_new(sname, "");
    if (!s) return gn_error_set(err, GN_ERR_NOMEM, "stacked_autoencoder: out of memory");
    gn_node *o = NULL;
    *input = gn_model_add_input(m, "input", 1, &in, err);
    gn_status st = *input ? gn_section_set(s, "units", val, 0, err) : err->status;
    if (!st) st = gn_model_add_layer(m, name, "dense", s, input, 1, &o, err);
    gn_section_free(s);
    if (!st && sigmoid) st = gn_model_add_layer(m, NULL, "sigmoid", NULL, &o, 1, &o, err);
    if (!st) st = gn_model_finalize(m, o, err);
    return st;
}

/* Levels: a new one starts at every dense layer; layers before the first
 * (flatten) join it. Parameters are collated in build order, so a level's
 * parameters are one slice of the encoder's flat vector. */
static gn_status find_levels(gn_stk *s, gn_error *err) {
    int64_t off = 0;
    for (int i = 0; i < gn_model_n_layers(s->enc); i++) {
        gn_layer_info li = {.struct_size = sizeof li};
        gn_status st = gn_model_layer_info(s->enc, i, &li, err);
        if (st) return st;
        if (!strcmp(li.type, "dense")) {
            if (s->n_lv == GN_STK_MAX_LEVELS)
                return gn_error_set(err, GN_ERR_CONFIG,
                                    "stacked_autoencoder: [model.encoder] has more than %d dense "
                                    "layers",
                                    GN_STK_MAX_LEVELS);
            gn_stk_level *l = &s->lv[s->n_lv++];
            l->off = off;
            l->units = 0;
        } else if (!s->n_lv) {
            off += li.n_params;
            continue;
        }
        gn_stk_level *l = &s->lv[s->n_lv - 1];
        l->out = li.output;
        l->n += li.n_params;
        off += li.n_params;
    }
    if (!s->n_lv)
        return gn_error_set(err, GN_ERR_CONFIG,
                            "stacked_autoencoder: [model.encoder] has no dense layer to pre-train");
    for (int k = 0; k < s->n_lv; k++) {
        gn_tensor *v = gn_node_value(s->lv[k].out);
        if (gn_tensor_ndim(v) != 2) {
            char shape[64];
            gn_ae_shape(s->lv[k].out, shape, sizeof shape);
            return gn_error_set(err, GN_ERR_CONFIG,
                                "stacked_autoencoder: level %d of [model.encoder] outputs %s; "
                                "the stack needs flat codes (dense layers)",
                                k + 1, shape);
        }
        s->lv[k].units = gn_tensor_dim(v, 1);
    }
    return GN_OK;
}

gn_status gn_stk_build(gn_stk *s, gn_data *train, gn_error *err) {
    const gn_run_ctx *ctx = s->ctx;
    const gn_host_api *h = ctx->host;
    if (!h->section(ctx->run, "model.encoder"))
        return gn_error_set(err, GN_ERR_CONFIG,
                            "%s: stacked_autoencoder: missing section [model.encoder] (the "
                            "stack, e.g. layers = flatten dense(256) sigmoid dense(64) sigmoid)",
                            gn_section_file(ctx->params));
    s->info.struct_size = sizeof s->info;
    h->data_info(train, &s->info);
    if (s->info.n_classes < 2)
        return gn_error_set(err, GN_ERR_CONFIG,
                            "stacked_autoencoder: dataset '%s' has no class labels", s->info.name);
    s->sample = gn_dims_numel(s->info.ndim, s->info.dims);
    gn_status st = h->model_build(ctx->run, "encoder", &s->info, &s->enc, err);
    if (!st) st = find_levels(s, err);
    if (st) return st;
    s->x = gn_model_input(s->enc, 0);
    for (int k = 0; k < s->n_lv && !st; k++) {
        gn_stk_level *l = &s->lv[k];
        int64_t width = k ? s->lv[k - 1].units : s->sample;
        int bce = !k && s->o.bce; /* deeper levels reconstruct codes: mse */
        char name[32];
        snprintf(name, sizeof name, "decoder_%d", k + 1);
        st = small_model(ctx, name, l->units, width, bce, &l->dec, &l->z, err);
        if (!st) st = gn_graph_input_require_grad(l->z, err);
        if (!st)
            st = gn_ae_loss(ctx->params, gn_model_graph(l->dec), gn_model_output(l->dec), bce,
                            "decoder", &l->target, &l->loss, err);
    }
    if (st) return st;
    int64_t top = s->lv[s->n_lv - 1].units, one = 1;
    st = small_model(ctx, "classifier", top, s->info.n_classes, 0, &s->head, &s->hz, err);
    if (!st) st = gn_graph_input_require_grad(s->hz, err);
    if (st) return st;
    gn_graph *hg = gn_model_graph(s->head);
    s->logits = gn_model_output(s->head);
    s->labels = gn_graph_input(hg, "labels", 1, &one, 0, err);
    gn_node *in[2] = {s->logits, s->labels};
    s->ce = s->labels ? gn_graph_apply(hg, &gn_op_cross_entropy, in, 2, NULL, err) : NULL;
    return s->ce ? GN_OK : err->status;
}

void gn_stk_free(gn_stk *s) {
    for (int k = 0; k < s->n_lv; k++)
        gn_model_free(s->lv[k].dec);
    gn_model_free(s->head);
    gn_model_free(s->enc);
}
