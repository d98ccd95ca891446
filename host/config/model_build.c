/* Models from config sections: sequential specs and layer graphs. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config/model_build.h"
#include "config/spec.h"

/* "FILE:LINE: what", or "FILE: what" when the line is unknown (0). */
static gn_status fail_at(gn_error *err, const char *file, int line, gn_status st, const char *fmt,
                         ...) GN_PRINTF(5, 6);
static gn_status fail_at(gn_error *err, const char *file, int line, gn_status st, const char *fmt,
                         ...) {
    char what[448];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (line > 0) return gn_error_set(err, st, "%s:%d: %s", file, line, what);
    return gn_error_set(err, st, "%s: %s", file, what);
}

/* Errors from gn_model_add_layer name FILE:LINE when a key's value is bad,
 * but only FILE (or nothing) for a missing key or a failing build: give
 * those the line of the section or spec, and context if they have none. */
static void locate_error(gn_error *err, const char *file, int line, const char *context) {
    size_t fl = strlen(file);
    const char *msg = err->msg;
    if (strncmp(msg, file, fl) == 0 && msg[fl] == ':' && msg[fl + 1] >= '0' && msg[fl + 1] <= '9')
        return; /* already FILE:LINE: */
    if (line <= 0 && strncmp(msg, file, fl) == 0) return;
    char rest[GN_ERROR_MSG_MAX];
    if (strncmp(msg, file, fl) == 0 && msg[fl] == ':' && msg[fl + 1] == ' ') msg += fl + 2;
    snprintf(rest, sizeof rest, "%s", msg);
    gn_status st = err->status ? err->status : GN_ERR_CONFIG;
    fail_at(err, file, line, st, "%s%s", rest[0] == '[' ? "" : context, rest);
}

int gn_config_model_names(const gn_ini *ini, const char **names, int max) {
    int n = 0;
    for (int i = 0; i < gn_ini_count(ini); i++) {
        const char *s = gn_section_name(gn_ini_at(ini, i)), *name = NULL;
        if (strcmp(s, "model") == 0)
            name = s;
        else if (strncmp(s, "model.", 6) == 0 && s[6])
            name = s + 6;
        if (!name) continue;
        if (n < max) names[n] = name;
        n++;
    }
    return n;
}

/* The model a [layer.X] section belongs to. */
static const char *layer_model(const gn_section *s) {
    const char *m = gn_section_str(s, "model");
    return m ? m : "model";
}

/* ---- graph form ---- */

typedef struct glayer {
    const char *name; /* X of [layer.X], borrowed */
    gn_section *sec;
    int *deps; /* indices of input layers; -1 = the model input */
    int n_deps;
    int state; /* 0 unvisited, 1 on the DFS stack, 2 done */
    gn_node *node;
} glayer;

typedef struct gform {
    const gn_ini *ini;
    const char *file, *model;
    glayer *v;
    int n;
    int *order, n_order; /* build order (DFS post-order from the output) */
    int *stack, depth;
    gn_error *err;
} gform;

static int find_layer(const gform *g, const char *name) {
    for (int i = 0; i < g->n; i++)
        if (strcmp(g->v[i].name, name) == 0) return i;
    return -1;
}

/* Line of key in s, else of the section header. */
static int key_line(const gform *g, const gn_section *s, const char *key) {
    int line = gn_section_line(s, key);
    return line > 0 ? line : gn_ini_section_line(g->ini, gn_section_name(s));
}

static gn_status resolve_inputs(gform *g, glayer *l) {
    const char *sname = gn_section_name(l->sec);
    const char *text = gn_section_str(l->sec, "input");
    int line = key_line(g, l->sec, "input");
    if (!gn_section_str(l->sec, "type"))
        return fail_at(g->err, g->file, key_line(g, l->sec, "type"), GN_ERR_CONFIG,
                       "[%s] type: missing required key (the layer type, e.g. dense)", sname);
    if (!text)
        return fail_at(g->err, g->file, line, GN_ERR_CONFIG,
                       "[%s] input: missing required key (a layer of model '%s', or input)", sname,
                       g->model);
    size_t len = strlen(text);
    l->deps = malloc((len / 2 + 1) * sizeof *l->deps); /* at most one name per 2 chars */
    if (!l->deps) return gn_error_set(g->err, GN_ERR_NOMEM, "out of memory");
    for (const char *p = text;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p) break;
        const char *q = p;
        while (*q && *q != ' ' && *q != '\t')
            q++;
        char ref[128];
        snprintf(ref, sizeof ref, "%.*s", (int)(q - p), p);
        p = q;
        if (strcmp(ref, "input") == 0) {
            l->deps[l->n_deps++] = -1;
            continue;
        }
        int d = find_layer(g, ref);
        if (d < 0) {
            char sec[160];
            snprintf(sec, sizeof sec, "layer.%s", ref);
            const gn_section *other = gn_ini_find(g->ini, sec);
            if (other)
                return fail_at(g->err, g->file, line, GN_ERR_CONFIG,
                               "[%s] input: layer '%s' belongs to model '%s', not '%s'", sname, ref,
                               layer_model(other), g->model);
            return fail_at(g->err, g->file, line, GN_ERR_CONFIG,
                           "[%s] input: unknown layer '%s' (no [layer.%s] section)", sname, ref,
                           ref);
        }
        l->deps[l->n_deps++] = d;
    }
    if (!l->n_deps)
        return fail_at(g->err, g->file, line, GN_ERR_CONFIG, "[%s] input: empty", sname);
    return GN_OK;
}

/* Depth-first from the output: detects cycles and yields a build order in
 * which every layer comes after its inputs. */
static gn_status visit(gform *g, int i) {
    glayer *l = &g->v[i];
    if (l->state == 2) return GN_OK;
    g->stack[g->depth++] = i;
    l->state = 1;
    for (int k = 0; k < l->n_deps; k++) {
        int d = l->deps[k];
        if (d < 0) continue;
        if (g->v[d].state == 1) { /* back edge: the stack from d to here is a cycle */
            char path[320] = "";
            size_t off = 0;
            int from = g->depth - 1;
            while (from > 0 && g->stack[from] != d)
                from--;
            for (int s = from; s < g->depth && off < sizeof path; s++)
                off += (size_t)snprintf(path + off, sizeof path - off, "%s -> ",
                                        g->v[g->stack[s]].name);
            if (off < sizeof path) snprintf(path + off, sizeof path - off, "%s", g->v[d].name);
            return fail_at(g->err, g->file, key_line(g, l->sec, "input"), GN_ERR_CONFIG,
                           "[%s] input: cycle: %s (each takes its input from the next)",
                           gn_section_name(l->sec), path);
        }
        gn_status st = visit(g, d);
        if (st) return st;
    }
    l->state = 2;
    g->depth--;
    g->order[g->n_order++] = i;
    return GN_OK;
}

static gn_status build_graph(gform *g, const gn_section *msec, gn_model *m, gn_node *in,
                             gn_node **out) {
    gn_error *err = g->err;
    const char *mname = gn_section_name(msec);
    for (int i = 0; i < gn_ini_count(g->ini); i++) {
        gn_section *s = gn_ini_at(g->ini, i);
        const char *sn = gn_section_name(s);
        if (strncmp(sn, "layer.", 6) != 0 || strcmp(layer_model(s), g->model) != 0) continue;
        const char *name = sn + 6;
        int line = gn_ini_section_line(g->ini, sn);
        if (!*name || strchr(name, '.') || strcmp(name, "input") == 0 || strlen(name) >= 64)
            return fail_at(err, g->file, line, GN_ERR_CONFIG,
                           "[%s]: a layer name must be 1 to 63 letters, digits, '_' or '-', and "
                           "not 'input'",
                           sn);
        g->v[g->n++] = (glayer){name, s, NULL, 0, 0, NULL};
    }
    const char *oname = gn_section_str(msec, "output");
    int oline = gn_section_line(msec, "output");
    int o = find_layer(g, oname);
    if (o < 0)
        return fail_at(err, g->file, oline, GN_ERR_CONFIG,
                       "[%s] output: unknown layer '%s' (no [layer.%s] section%s)", mname, oname,
                       oname, strcmp(g->model, "model") ? " with this model =" : "");
    gn_status st;
    for (int i = 0; i < g->n; i++)
        if ((st = resolve_inputs(g, &g->v[i]))) return st;
    if ((st = visit(g, o))) return st;
    for (int i = 0; i < g->n; i++)
        if (g->v[i].state != 2)
            return fail_at(err, g->file, gn_ini_section_line(g->ini, gn_section_name(g->v[i].sec)),
                           GN_ERR_CONFIG,
                           "[%s] does not feed the output '%s' of model '%s' (remove it, or "
                           "give it model = another model)",
                           gn_section_name(g->v[i].sec), oname, g->model);
    for (int k = 0; k < g->n_order; k++) {
        glayer *l = &g->v[g->order[k]];
        gn_node *ins[64];
        if (l->n_deps > 64)
            return fail_at(err, g->file, key_line(g, l->sec, "input"), GN_ERR_CONFIG,
                           "[%s] input: more than 64 inputs", gn_section_name(l->sec));
        for (int d = 0; d < l->n_deps; d++)
            ins[d] = l->deps[d] < 0 ? in : g->v[l->deps[d]].node;
        st = gn_model_add_layer(m, l->name, gn_section_str(l->sec, "type"), l->sec, ins, l->n_deps,
                                &l->node, err);
        if (st) {
            char ctx[160];
            snprintf(ctx, sizeof ctx, "[%s] ", gn_section_name(l->sec));
            locate_error(err, g->file, gn_ini_section_line(g->ini, gn_section_name(l->sec)), ctx);
            return st;
        }
    }
    *out = g->v[o].node;
    return GN_OK;
}

/* ---- sequential form ---- */

static gn_status build_sequential(const gn_ini *ini, const gn_section *msec, const char *model,
                                  const gn_registry *reg, gn_model *m, gn_node *x, gn_node **out,
                                  gn_error *err) {
    const char *file = gn_ini_file(ini), *mname = gn_section_name(msec);
    int line = gn_section_line(msec, "layers");
    /* [layer.X] sections of a sequential model would be silently unused. */
    for (int i = 0; i < gn_ini_count(ini); i++) {
        const gn_section *s = gn_ini_at(ini, i);
        if (strncmp(gn_section_name(s), "layer.", 6) == 0 && strcmp(layer_model(s), model) == 0)
            return fail_at(err, file, gn_ini_section_line(ini, gn_section_name(s)), GN_ERR_CONFIG,
                           "[%s] belongs to model '%s', which is sequential (layers = ...); use "
                           "output = instead of layers = for a layer graph",
                           gn_section_name(s), model);
    }
    gn_spec *spec;
    gn_status st =
        gn_spec_parse_in(gn_section_str(msec, "layers"), reg, file, line, mname, &spec, err);
    if (st) return st;
    if (spec->n == 0) {
        gn_spec_free(spec);
        return fail_at(err, file, line, GN_ERR_CONFIG, "[%s] layers: no layers", mname);
    }
    char ctx[160];
    snprintf(ctx, sizeof ctx, "[%s] layers: ", mname);
    for (int i = 0; i < spec->n && !st; i++) {
        st = gn_model_add_layer(m, NULL, spec->layers[i].type, spec->layers[i].params, &x, 1, &x,
                                err);
        if (st) locate_error(err, file, line, ctx);
    }
    gn_spec_free(spec);
    if (!st) *out = x;
    return st;
}

/* ---- entry point ---- */

static const gn_param_schema model_schema[] = {
    GN_PARAM_STRING("layers", "", "sequential spec: flatten dense(200) relu dense(10)"),
    GN_PARAM_STRING("output", "", "graph form: the layer whose output is the model's"),
    GN_PARAM_END,
};

static gn_status check_model_section(const gn_ini *ini, const gn_section *msec, gn_error *err) {
    const char *file = gn_ini_file(ini), *mname = gn_section_name(msec);
    gn_section *copy = gn_section_clone(msec, err); /* validation adds defaults */
    if (!copy) return GN_ERR_NOMEM;
    gn_status st = gn_section_validate(copy, model_schema, NULL, err);
    gn_section_free(copy);
    if (st) return st;
    int has_layers = gn_section_has(msec, "layers"), has_output = gn_section_has(msec, "output");
    if (has_layers && has_output)
        return fail_at(err, file, gn_section_line(msec, "output"), GN_ERR_CONFIG,
                       "[%s] give either layers (sequential) or output (layer graph), not both",
                       mname);
    if (!has_layers && !has_output)
        return fail_at(err, file, gn_ini_section_line(ini, mname), GN_ERR_CONFIG,
                       "[%s] needs layers = ... (sequential) or output = LAYER (layer graph)",
                       mname);
    if (has_output && !gn_section_str(msec, "output")[0])
        return fail_at(err, file, gn_section_line(msec, "output"), GN_ERR_CONFIG,
                       "[%s] output: empty", mname);
    return GN_OK;
}

gn_status gn_config_build_model(const gn_ini *ini, const char *model_name, const gn_registry *reg,
                                gn_rng *rng, int ndim, const int64_t *sample_dims, gn_model **out,
                                gn_error *err) {
    gn_error local = {GN_OK, ""};
    if (!err) err = &local; /* messages are inspected and rewritten below */
    *out = NULL;
    const char *file = gn_ini_file(ini);
    const char *model = model_name && *model_name ? model_name : "model";
    char sname[160];
    if (strcmp(model, "model") == 0)
        snprintf(sname, sizeof sname, "model");
    else
        snprintf(sname, sizeof sname, "model.%s", model);
    const gn_section *msec = gn_ini_find(ini, sname);
    if (!msec) {
        const char *names[8];
        int n = gn_config_model_names(ini, names, 8);
        char list[256] = "";
        size_t off = 0;
        for (int i = 0; i < n && i < 8 && off < sizeof list; i++)
            off += (size_t)snprintf(list + off, sizeof list - off, "%s%s", i ? ", " : "", names[i]);
        return fail_at(err, file, 0, GN_ERR_NOT_FOUND, "no [%s] section (declared models: %s)",
                       sname, n ? list : "none");
    }
    gn_status st = check_model_section(ini, msec, err);
    if (st) return st;

    gn_model *m = gn_model_new(model, reg, rng, err);
    if (!m) return err->status ? err->status : GN_ERR_NOMEM;
    gn_node *x = gn_model_add_input(m, "input", ndim, sample_dims, err), *y = NULL;
    if (!x) {
        gn_model_free(m);
        return fail_at(err, file, 0, err->status ? err->status : GN_ERR_INVALID,
                       "[%s] cannot create the model input: %s", sname, err->msg);
    }
    if (gn_section_has(msec, "layers")) {
        st = build_sequential(ini, msec, model, reg, m, x, &y, err);
    } else {
        int n = gn_ini_count(ini);
        gform g = {ini, file, model, NULL, 0, NULL, 0, NULL, 0, err};
        g.v = calloc((size_t)n + 1, sizeof *g.v);
        g.order = calloc((size_t)n + 1, sizeof *g.order);
        g.stack = calloc((size_t)n + 1, sizeof *g.stack);
        if (!g.v || !g.order || !g.stack)
            st = gn_error_set(err, GN_ERR_NOMEM, "out of memory");
        else
            st = build_graph(&g, msec, m, x, &y);
        for (int i = 0; i < g.n; i++)
            free(g.v[i].deps);
        free(g.v);
        free(g.order);
        free(g.stack);
    }
    if (!st) {
        st = gn_model_finalize(m, y, err);
        if (st) locate_error(err, file, 0, "");
    }
    if (st) {
        gn_model_free(m);
        return st;
    }
    *out = m;
    return GN_OK;
}
