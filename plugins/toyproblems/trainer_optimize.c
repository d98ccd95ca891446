/* The optimize trainer: each listed optimizer from the start point for N
 * steps; a trace CSV and a console table per optimizer, one plot of all. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "toyproblems.h"

static gn_status report(const gn_run_ctx *ctx, const gn_toy_opt *o, const gn_toy_trace *t,
                        const char *desc, gn_error *err) {
    const gn_host_api *h = ctx->host;
    int64_t r = t->rows - 1;
    gn_toy_table_print(stdout, desc, t, (int)gn_section_int(ctx->params, "print_rows"));
    char name[64], *csv;
    size_t len;
    snprintf(name, sizeof name, "trace_%.15s.csv", o->name);
    gn_status st = gn_toy_trace_csv(t, &csv, &len, err);
    if (!st) st = gn_toy_write(ctx, name, csv, len, err);
    if (st) return st;
    h->result(ctx->run, o->name, "x", t->p[r * t->dim]);
    if (t->dim == 2) h->result(ctx->run, o->name, "y", t->p[r * t->dim + 1]);
    h->result(ctx->run, o->name, "loss", t->loss[r]);
    const double *g = t->grad + r * t->dim;
    h->result(ctx->run, o->name, "grad_norm", t->dim == 1 ? fabs(g[0]) : hypot(g[0], g[1]));
    h->result(ctx->run, o->name, "steps", (double)r);
    h->result(ctx->run, o->name, "diverged", t->diverged);
    return GN_OK;
}

static gn_status plots(const gn_run_ctx *ctx, const gn_toy_problem *pb, const gn_toy_view *v,
                       const gn_toy_trace *const *tp, const char *const *labels, int n,
                       gn_error *err) {
    char title[160], *svg;
    size_t len;
    if (pb->f.dim == 1)
        snprintf(title, sizeof title, "%s from x = %g", gn_toy_kind_name(pb->f.kind), pb->start[0]);
    else
        snprintf(title, sizeof title, "%s from (%g, %g)", gn_toy_kind_name(pb->f.kind),
                 pb->start[0], pb->start[1]);
    gn_status st = gn_toy_plot_landscape(&pb->f, v, title, tp, labels, n, &svg, &len, err);
    if (!st) st = gn_toy_write(ctx, "plot.svg", svg, len, err);
    if (!st) st = gn_toy_plot_loss(title, tp, labels, n, &svg, &len, err);
    if (!st) st = gn_toy_write(ctx, "loss.svg", svg, len, err);
    return st;
}

static gn_status run_optimize(const gn_run_ctx *ctx, gn_error *err) {
    const gn_section *s = ctx->params;
    gn_toy_problem pb;
    gn_toy_opt opts[GN_TOY_MAX_OPTS];
    gn_toy_view view;
    int n = 0;
    gn_status st;
    if ((st = gn_toy_problem_parse(s, NULL, &pb, err)) ||
        (st = gn_toy_opts_parse(s, opts, &n, err)) ||
        (st = gn_toy_view_parse(s, &pb.f, &view, err)))
        return st;
    int64_t steps = gn_toy_steps(ctx);
    gn_toy_trace tr[GN_TOY_MAX_OPTS];
    const gn_toy_trace *tp[GN_TOY_MAX_OPTS];
    char desc[GN_TOY_MAX_OPTS][200], line[320];
    const char *labels[GN_TOY_MAX_OPTS];
    memset(tr, 0, sizeof tr);
    int done = 0;
    for (; !st && done < n; done++) {
        if (ctx->host->cancelled(ctx->run)) {
            st = gn_error_set(err, GN_ERR_CANCELLED, "stopped before %s", opts[done].name);
            break;
        }
        gn_toy_opt_describe(&opts[done], desc[done], sizeof desc[done]);
        labels[done] = desc[done];
        tp[done] = &tr[done];
        if ((st = gn_toy_run(&pb.f, pb.start, &opts[done], steps, 1, &tr[done], err))) break;
        if ((st = report(ctx, &opts[done], &tr[done], desc[done], err))) break;
    }
    if (!st) {
        printf("\n");
        for (int k = 0; k < n; k++) {
            gn_toy_final_line(opts[k].name, &tr[k], line, sizeof line);
            printf("%s\n", line);
            ctx->host->log(ctx->run, GN_LOG_INFO, line);
        }
        if (gn_section_bool(s, "plot")) st = plots(ctx, &pb, &view, tp, labels, n, err);
    }
    for (int k = 0; k < n; k++)
        gn_toy_trace_free(&tr[k]); /* zeroed ones too */
    return st;
}

const gn_trainer_vtable gn_toy_optimize = {
    .struct_size = sizeof(gn_trainer_vtable),
    .name = "optimize",
    .doc = "runs optimizers on a 1-D or 2-D test function: traces, table, plots",
    .schema = gn_toy_optimize_schema,
    .run = run_optimize,
};
