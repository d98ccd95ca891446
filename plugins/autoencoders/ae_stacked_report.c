/* The stacked autoencoder's reports: stacked_loss.svg, the training (solid)
 * and validation loss of every phase against the epoch count across all
 * phases, and stacked_phases.csv, one row of test results per phase. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "autoencoders.h"

static gn_status add_lines(gn_plot *pl, const gn_ae_phase *ph, gn_error *err) {
    static const uint32_t colors[] = {0x0072B2, 0xE69F00, 0x009E73, 0xD55E00,
                                      0xCC79A7, 0x56B4E9, 0xF0E442, 0x000000};
    int n = ph->n < 256 ? ph->n : 256;
    double x[256];
    for (int e = 0; e < n; e++)
        x[e] = ph->first + e;
    uint32_t rgb = colors[gn_plot_n_series(pl) / 2 % 8];
    char label[80];
    gn_status st = gn_plot_line(pl, ph->name, x, ph->loss, n, err);
    if (!st) st = gn_plot_set_color(pl, rgb, err);
    if (st || isnan(ph->val[0])) return st;
    snprintf(label, sizeof label, "%s (val)", ph->name);
    st = gn_plot_line(pl, label, x, ph->val, n, err);
    /* A lighter shade of the phase's colour for its validation loss. */
    uint32_t light = 0;
    for (int s = 0; s < 24; s += 8)
        light |= ((((rgb >> s) & 0xFF) + 0xFF) / 2) << s;
    if (!st) st = gn_plot_set_color(pl, light, err);
    return st;
}

static gn_status chart(const gn_run_ctx *ctx, const gn_ae_phase *ph, int n, gn_error *err) {
    gn_plot *pl = gn_plot_new("Stacked autoencoder: loss of each phase", "epoch (all phases)",
                              "loss (reconstruction, then cross-entropy)");
    if (!pl) return gn_error_set(err, GN_ERR_NOMEM, "stacked_autoencoder: out of memory");
    gn_status st = GN_OK;
    for (int i = 0; i < n && !st; i++)
        if (ph[i].n > 0) st = add_lines(pl, &ph[i], err);
    char *svg = NULL;
    size_t len = 0;
    if (!st && gn_plot_n_series(pl) > 0) {
        st = gn_plot_svg(pl, &svg, &len, err);
        if (!st) st = ctx->host->artifact(ctx->run, "stacked_loss.svg", svg, len, err);
    }
    free(svg);
    gn_plot_free(pl);
    return st;
}

static gn_status table(const gn_run_ctx *ctx, const gn_ae_phase *ph, int n, gn_error *err) {
    char buf[4096];
    size_t len = (size_t)snprintf(buf, sizeof buf, "phase,name,epochs,test_loss,test_accuracy\n");
    for (int i = 0; i < n && len < sizeof buf; i++) {
        char acc[32] = "";
        if (!isnan(ph[i].test_acc)) snprintf(acc, sizeof acc, "%.6g", ph[i].test_acc);
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%d,%s,%d,%.6g,%s\n", i + 1,
                                ph[i].name, ph[i].n, ph[i].test_loss, acc);
    }
    if (len >= sizeof buf) len = sizeof buf - 1;
    return ctx->host->artifact(ctx->run, "stacked_phases.csv", buf, len, err);
}

gn_status gn_ae_stacked_report(const gn_run_ctx *ctx, const gn_ae_phase *ph, int n, gn_error *err) {
    gn_status st = chart(ctx, ph, n, err);
    return st ? st : table(ctx, ph, n, err);
}
