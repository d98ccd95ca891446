/* Gradient-flow diagnostics: per-layer max and mean |dL/dW| on one chosen
 * mini-batch, as gradient_flow.csv and a chart, gradient_flow.svg, with one
 * line per recorded epoch over the layers in depth order (vanishing
 * gradients show as lines falling towards the input). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "trainer.h"

#define GN_FLOW_MAX_LAYERS 256

struct gn_flow_rec {
    int epoch, n;
    double mean[GN_FLOW_MAX_LAYERS], max[GN_FLOW_MAX_LAYERS];
    char names[GN_FLOW_MAX_LAYERS][64];
};

static gn_status write_outputs(trainer *t, gn_error *err) {
    const struct gn_flow_rec *flows = t->flows;
    int n_flows = t->n_flows;
    const gn_host_api *h = t->ctx->host;
    char *csv = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&csv, &len);
    if (!f) return gn_error_set(err, GN_ERR_NOMEM, "gradient flow: out of memory");
    fprintf(f, "epoch,depth,layer,max_abs_grad,mean_abs_grad\n");
    for (int k = 0; k < n_flows; k++)
        for (int i = 0; i < flows[k].n; i++)
            fprintf(f, "%d,%d,%s,%.9g,%.9g\n", flows[k].epoch, i + 1, flows[k].names[i],
                    flows[k].max[i], flows[k].mean[i]);
    fclose(f);
    gn_status st = h->artifact(t->ctx->run, "gradient_flow.csv", csv, len, err);
    free(csv);
    if (st) return st;

    gn_plot *p = gn_plot_new("Gradient flow: mean |dL/dW| per layer", "layer (input to output)",
                             "mean |dL/dW| (log scale)");
    if (!p) return gn_error_set(err, GN_ERR_NOMEM, "gradient flow: out of memory");
    for (int k = 0; k < n_flows && !st; k++) {
        double x[GN_FLOW_MAX_LAYERS], y[GN_FLOW_MAX_LAYERS];
        for (int i = 0; i < flows[k].n; i++) {
            x[i] = i + 1;
            /* A zero gradient cannot sit on a log axis: draw it at the floor. */
            y[i] = flows[k].mean[i] > 1e-30 ? flows[k].mean[i] : 1e-30;
        }
        char label[48];
        snprintf(label, sizeof label, "after epoch %d", flows[k].epoch);
        st = gn_plot_line(p, label, x, y, flows[k].n, err);
    }
    if (!st) st = gn_plot_set_log_y(p, 1, err);
    char *svg = NULL;
    size_t slen = 0;
    if (!st) st = gn_plot_svg(p, &svg, &slen, err);
    if (!st) st = h->artifact(t->ctx->run, "gradient_flow.svg", svg, slen, err);
    free(svg);
    gn_plot_free(p);
    return st;
}

gn_status gn_gradient_flow(trainer *t, gn_data *train, int epoch, gn_error *err) {
    const gn_host_api *h = t->ctx->host;
    gn_data_info info = {.struct_size = sizeof info};
    h->data_info(train, &info);
    int64_t bs = t->o.batch, start = t->o.flow_batch * bs;
    if (start >= info.n)
        return gn_error_set(err, GN_ERR_CONFIG,
                            "[train] gradient_flow_batch: batch %lld starts past the %lld "
                            "training samples",
                            (long long)t->o.flow_batch, (long long)info.n);
    int64_t n = info.n - start < bs ? info.n - start : bs;
    gn_batch b;
    gn_graph_set_training(t->g, 1);
    gn_status st = h->data_batch(train, start, n, &b, err);
    if (!st) st = gn_forward_batch(t, &b, NULL, err);
    if (st) return st;
    gn_model_zero_grad(t->model);
    if ((st = gn_graph_backward(t->g, t->loss, err))) return st;
    if (!t->flows && !(t->flows = calloc(16, sizeof *t->flows)))
        return gn_error_set(err, GN_ERR_NOMEM, "gradient flow: out of memory");
    if (t->n_flows == 16) return GN_OK; /* train_options allows 16 epochs */
    struct gn_flow_rec *r = &t->flows[t->n_flows++];
    memset(r, 0, sizeof *r);
    r->epoch = epoch;
    for (int i = 0; i < gn_model_n_tensors(t->model) && r->n < GN_FLOW_MAX_LAYERS; i++) {
        const char *name = gn_model_tensor_name(t->model, i);
        const char *dot = strrchr(name, '.');
        if (!dot || strcmp(dot, ".weight")) continue; /* dL/dW of weights, not biases */
        gn_tensor *g = gn_model_tensor_grad(t->model, i);
        const float *d = gn_tensor_cdata(g);
        double mx = 0, sum = 0;
        for (int64_t k = 0; k < gn_tensor_numel(g); k++) {
            double a = fabs(d[k]);
            sum += a;
            mx = a > mx ? a : mx;
        }
        snprintf(r->names[r->n], sizeof r->names[0], "%.*s", (int)(dot - name), name);
        r->max[r->n] = mx;
        r->mean[r->n++] = gn_tensor_numel(g) ? sum / (double)gn_tensor_numel(g) : 0;
    }
    gn_model_zero_grad(t->model);
    return write_outputs(t, err);
}

gn_status gn_count_classes(trainer *t, gn_data *d, float *counts, gn_error *err) {
    const gn_host_api *h = t->ctx->host;
    gn_data_info info = {.struct_size = sizeof info};
    h->data_info(d, &info);
    memset(counts, 0, (size_t)t->classes * sizeof *counts);
    for (int64_t s = 0; s < info.n; s += 4096) {
        int64_t n = info.n - s < 4096 ? info.n - s : 4096;
        gn_batch b;
        gn_status st = h->data_batch(d, s, n, &b, err);
        if (st) return st;
        for (int64_t i = 0; i < n; i++)
            counts[b.labels[i]] += 1;
    }
    return GN_OK;
}
