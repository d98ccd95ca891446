/* The threshold trainer: for each optimizer, bisection over the searched
 * symbol for where it goes from escaping to staying trapped; the runs on
 * both sides of the threshold are traced and plotted. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "toyproblems.h"

static gn_status parse_search(const gn_run_ctx *ctx, gn_toy_search *q, gn_error *err) {
    const gn_section *s = ctx->params;
    const char *sym = gn_section_str(s, "search");
    int ok = sym && (isalpha((unsigned char)sym[0]) || sym[0] == '_') && strlen(sym) < 32;
    for (const char *c = sym; ok && *c; c++)
        ok = isalnum((unsigned char)*c) || *c == '_';
    if (!ok)
        return gn_toy_config_error(s, "search", err,
                                   "'%s' is not a name (letters, digits, _; e.g. search = h)",
                                   sym ? sym : "");
    q->symbol = sym;
    q->lo = gn_section_float(s, "search_lo");
    q->hi = gn_section_float(s, "search_hi");
    if (q->lo == q->hi)
        return gn_toy_config_error(s, "search_hi", err, "equals search_lo (%g): nothing to search",
                                   q->lo);
    q->tol = gn_section_float(s, "tolerance");
    if (ctx->quick) /* a coarser bracket under --quick */
        q->tol = gn_section_float(s, "quick_tolerance") > 0 ? gn_section_float(s, "quick_tolerance")
                                                            : 10 * q->tol;
    q->radius = gn_section_float(s, "trap_radius");
    q->steps = gn_toy_steps(ctx);
    return GN_OK;
}

/* A point of the same dimension as start. */
static gn_status point_key(const gn_section *s, const char *key, int dim, double *p,
                           gn_error *err) {
    int n;
    gn_status st = gn_toy_numbers(s, key, NULL, p, 2, &n, err);
    if (!st && n != dim)
        return gn_toy_config_error(s, key, err, "needs %d number%s like start (got %d)", dim,
                                   dim == 1 ? "" : "s", n);
    return st;
}

static gn_status parse_trap(const gn_section *s, int dim, gn_toy_search *q, gn_error *err) {
    const char *esc = gn_section_str(s, "escape");
    q->has_escape = esc && esc[0];
    gn_status st = point_key(s, "trap", dim, q->trap, err);
    if (!st && q->has_escape) st = point_key(s, "escape", dim, q->escape, err);
    return st;
}

static void print_point(const double *p, int dim) {
    if (dim == 1)
        printf("x = %g", p[0]);
    else
        printf("(%g, %g)", p[0], p[1]);
}

static void print_bisection(const gn_toy_search *q, const gn_toy_opt *o, const gn_toy_bisection *b,
                            int dim, const char *desc) {
    printf("\n%s: bisection of %s over [%g, %g] to %g, %lld steps; trapped: ends ", desc, q->symbol,
           q->lo, q->hi, q->tol, (long long)q->steps);
    if (q->has_escape)
        printf("nearer ");
    else
        printf("within %g of ", q->radius);
    print_point(q->trap, dim);
    if (q->has_escape) {
        printf(" than ");
        print_point(q->escape, dim);
    }
    printf("\n");
    printf("%5s %14s %9s %12s%s %12s\n", "run", q->symbol, "outcome", "x",
           dim == 2 ? "            y" : "", "loss");
    for (int i = 0; i < b->n; i++) {
        const gn_toy_eval_row *r = &b->rows[i];
        printf("%5d %14.8g %9s %12.6g", i + 1, r->value, r->trapped ? "trapped" : "escapes",
               r->p[0]);
        if (dim == 2) printf(" %12.6g", r->p[1]);
        printf(" %12.6g\n", r->loss);
    }
    printf("%s: escapes at %s = %.8g, trapped at %s = %.8g: threshold %.8g\n", o->name, q->symbol,
           b->escapes_at, q->symbol, b->trapped_at, (b->escapes_at + b->trapped_at) / 2);
}

static void bisection_csv(FILE *f, const gn_toy_opt *o, const gn_toy_bisection *b, int dim) {
    for (int i = 0; i < b->n; i++) {
        const gn_toy_eval_row *r = &b->rows[i];
        fprintf(f, "%s,%d,%.17g,%d,%.9g", o->name, i + 1, r->value, r->trapped, r->p[0]);
        if (dim == 2) fprintf(f, ",%.9g", r->p[1]);
        fprintf(f, ",%.9g\n", r->loss);
    }
}

/* Traces on both sides of the threshold, and their plot on the landscape at
 * the threshold. */
static gn_status sides(const gn_run_ctx *ctx, const gn_toy_search *q, const gn_toy_opt *o,
                       const gn_toy_bisection *b, gn_error *err) {
    const gn_section *s = ctx->params;
    const double at[2] = {b->escapes_at, b->trapped_at};
    static const char *const side[2] = {"escapes", "trapped"};
    gn_toy_trace tr[2];
    memset(tr, 0, sizeof tr);
    char labels[2][96], name[96], *text;
    size_t len;
    gn_toy_problem pb;
    gn_status st = GN_OK;
    for (int k = 0; !st && k < 2; k++) {
        gn_toy_subst sub = {q->symbol, at[k]};
        if (!(st = gn_toy_problem_parse(s, &sub, &pb, err)))
            st = gn_toy_run(&pb.f, pb.start, o, q->steps, 1, &tr[k], err);
        snprintf(name, sizeof name, "trace_%.15s_%s.csv", o->name, side[k]);
        if (!st) st = gn_toy_trace_csv(&tr[k], &text, &len, err);
        if (!st) st = gn_toy_write(ctx, name, text, len, err);
        snprintf(labels[k], sizeof labels[k], "%.15s, %.31s = %.6g: %s", o->name, q->symbol, at[k],
                 side[k]);
    }
    gn_toy_subst mid = {q->symbol, (at[0] + at[1]) / 2};
    gn_toy_view view;
    if (!st && gn_section_bool(s, "plot") && !(st = gn_toy_problem_parse(s, &mid, &pb, err)) &&
        !(st = gn_toy_view_parse(s, &pb.f, &view, err))) {
        const gn_toy_trace *tp[2] = {&tr[0], &tr[1]};
        const char *lp[2] = {labels[0], labels[1]};
        char title[160];
        snprintf(title, sizeof title, "%.15s: threshold %.31s = %.6g", o->name, q->symbol,
                 mid.value);
        snprintf(name, sizeof name, "plot_%.15s.svg", o->name);
        if (!(st = gn_toy_plot_landscape(&pb.f, &view, title, tp, lp, 2, &text, &len, err)))
            st = gn_toy_write(ctx, name, text, len, err);
    }
    gn_toy_trace_free(&tr[0]);
    gn_toy_trace_free(&tr[1]);
    return st;
}

static gn_status run_threshold(const gn_run_ctx *ctx, gn_error *err) {
    const gn_section *s = ctx->params;
    const gn_host_api *h = ctx->host;
    gn_toy_problem lo, hi;
    gn_toy_opt opts[GN_TOY_MAX_OPTS];
    gn_toy_search q;
    int n = 0;
    gn_status st = parse_search(ctx, &q, err);
    if (st) return st;
    gn_toy_subst at_lo = {q.symbol, q.lo}, at_hi = {q.symbol, q.hi};
    if ((st = gn_toy_problem_parse(s, &at_lo, &lo, err)) ||
        (st = gn_toy_problem_parse(s, &at_hi, &hi, err)) ||
        (st = parse_trap(s, lo.f.dim, &q, err)) || (st = gn_toy_opts_parse(s, opts, &n, err)))
        return st;
    if (!memcmp(&lo, &hi, sizeof lo))
        return gn_toy_config_error(s, "search", err,
                                   "%s appears in none of points, wells, start, center, curvature",
                                   q.symbol);
    char *csv = NULL, desc[200];
    size_t len = 0;
    FILE *f = open_memstream(&csv, &len);
    if (!f) return gn_error_set(err, GN_ERR_NOMEM, "threshold: out of memory");
    fprintf(f, "optimizer,run,%s,trapped,x%s,loss\n", q.symbol, lo.f.dim == 2 ? ",y" : "");
    for (int k = 0; !st && k < n; k++) {
        if (h->cancelled(ctx->run)) {
            st = gn_error_set(err, GN_ERR_CANCELLED, "stopped before %s", opts[k].name);
            break;
        }
        gn_toy_bisection b;
        if ((st = gn_toy_bisect(s, &q, &opts[k], &b, err))) break;
        gn_toy_opt_describe(&opts[k], desc, sizeof desc);
        print_bisection(&q, &opts[k], &b, lo.f.dim, desc);
        bisection_csv(f, &opts[k], &b, lo.f.dim);
        char line[256];
        snprintf(line, sizeof line, "%.15s: escapes at %.31s = %.8g, trapped at %.8g (%d runs)",
                 opts[k].name, q.symbol, b.escapes_at, b.trapped_at, b.n);
        h->log(ctx->run, GN_LOG_INFO, line);
        h->result(ctx->run, opts[k].name, "threshold", (b.escapes_at + b.trapped_at) / 2);
        h->result(ctx->run, opts[k].name, "escapes_at", b.escapes_at);
        h->result(ctx->run, opts[k].name, "trapped_at", b.trapped_at);
        h->result(ctx->run, opts[k].name, "runs", b.n);
        st = sides(ctx, &q, &opts[k], &b, err);
    }
    int bad = ferror(f);
    fclose(f);
    if (!st && bad) st = gn_error_set(err, GN_ERR_NOMEM, "threshold: out of memory");
    if (!st) return gn_toy_write(ctx, "bisection.csv", csv, len, err);
    free(csv);
    return st;
}

const gn_trainer_vtable gn_toy_threshold = {
    .struct_size = sizeof(gn_trainer_vtable),
    .name = "threshold",
    .doc = "bisection over a parameter of the function: where an optimizer starts to stay trapped",
    .schema = gn_toy_threshold_schema,
    .run = run_threshold,
};
