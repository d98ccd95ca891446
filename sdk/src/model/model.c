/* Models: named parameters created by layers, collated into flat vectors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ganglion/model.h>
#include "core/parallel.h"
#include "graph/graph_impl.h"

#define GN_MODEL_MAX_INPUTS 8

typedef struct gn_param_rec {
    char name[128];
    gn_tensor *value, *grad;
} gn_param_rec;

typedef struct gn_layer_rec {
    char name[64], type[64];
    gn_node *out;
    int64_t n_params;
    double l1, l2; /* < 0: not set */
} gn_layer_rec;

struct gn_build {
    gn_model *m;
    const char *layer_name;
    int64_t n_params;
};

struct gn_model {
    char name[64];
    const gn_registry *reg;
    gn_rng *rng;
    gn_graph *graph;
    gn_arena *arena; /* model lifetime: parameters, gradients */
    gn_param_rec *params;
    int n_tensors, cap_tensors;
    gn_param_rec *buffers; /* grad unused */
    int n_buffers, cap_buffers;
    gn_layer_rec *layers;
    int n_layers, cap_layers;
    gn_node *inputs[GN_MODEL_MAX_INPUTS];
    int n_inputs;
    gn_node *output;
    float *x, *g;
    int64_t total;
};

gn_model *gn_model_new(const char *name, const gn_registry *reg, gn_rng *rng, gn_error *err) {
    gn_model *m = calloc(1, sizeof *m);
    if (!m) {
        gn_error_set(err, GN_ERR_NOMEM, "model: out of memory");
        return NULL;
    }
    snprintf(m->name, sizeof m->name, "%s", name ? name : "model");
    m->reg = reg;
    m->rng = rng;
    m->arena = gn_arena_new(0);
    m->graph = gn_graph_new(err);
    if (!m->arena || !m->graph) {
        gn_model_free(m);
        gn_error_set(err, GN_ERR_NOMEM, "model: out of memory");
        return NULL;
    }
    gn_graph_set_rng(m->graph, rng);
    return m;
}

void gn_model_free(gn_model *m) {
    if (!m) return;
    gn_graph_free(m->graph);
    gn_arena_free(m->arena);
    free(m->params);
    free(m->buffers);
    free(m->layers);
    free(m);
}

const char *gn_model_name(const gn_model *m) {
    return m->name;
}

gn_node *gn_model_add_input(gn_model *m, const char *name, int ndim, const int64_t *sample_dims,
                            gn_error *err) {
    if (m->n_inputs == GN_MODEL_MAX_INPUTS || ndim + 1 > GN_MAX_DIMS) {
        gn_error_set(err, GN_ERR_INVALID, "model: too many inputs or dimensions");
        return NULL;
    }
    int64_t dims[GN_MAX_DIMS] = {1};
    for (int i = 0; i < ndim; i++)
        dims[i + 1] = sample_dims[i];
    gn_node *n = gn_graph_input(m->graph, name, ndim + 1, dims, 0, err);
    if (n) m->inputs[m->n_inputs++] = n;
    return n;
}

static int grow(void **p, int *cap, int need, size_t elem) {
    if (need <= *cap) return 1;
    int c = *cap ? *cap * 2 : 16;
    void *q = realloc(*p, (size_t)c * elem);
    if (!q) return 0;
    *p = q;
    *cap = c;
    return 1;
}

/* "<layer>.<name>" unless a parameter or buffer already has it. */
static int full_name(gn_build *b, const char *name, char *out, size_t n, gn_error *err) {
    gn_model *m = b->m;
    snprintf(out, n, "%s.%s", b->layer_name, name);
    for (int i = 0; i < m->n_tensors; i++)
        if (!strcmp(m->params[i].name, out)) goto dup;
    for (int i = 0; i < m->n_buffers; i++)
        if (!strcmp(m->buffers[i].name, out)) goto dup;
    return 1;
dup:
    gn_error_set(err, GN_ERR_INVALID, "model: duplicate tensor name '%s'", out);
    return 0;
}

gn_node *gn_build_param(gn_build *b, const char *pname, int ndim, const int64_t *dims,
                        gn_init_kind init, int64_t fan_in, int64_t fan_out, gn_error *err) {
    gn_model *m = b->m;
    if (m->x) {
        gn_error_set(err, GN_ERR_INVALID, "model: finalized, cannot add '%s'", pname);
        return NULL;
    }
    char full[128];
    if (!full_name(b, pname, full, sizeof full, err)) return NULL;
    if (!grow((void **)&m->params, &m->cap_tensors, m->n_tensors + 1, sizeof *m->params)) {
        gn_error_set(err, GN_ERR_NOMEM, "model: out of memory");
        return NULL;
    }
    gn_tensor *v = gn_tensor_new(m->arena, ndim, dims, err);
    gn_tensor *g = v ? gn_tensor_new(m->arena, ndim, dims, err) : NULL;
    if (!g) return NULL;
    if (gn_init_fill(gn_tensor_data(v), gn_tensor_numel(v), init, fan_in, fan_out, m->rng, err))
        return NULL;
    gn_node *n = gn_graph_param(m->graph, full, v, g, err);
    if (!n) return NULL;
    gn_param_rec *r = &m->params[m->n_tensors++];
    snprintf(r->name, sizeof r->name, "%s", full);
    r->value = v;
    r->grad = g;
    b->n_params += gn_tensor_numel(v);
    return n;
}

gn_node *gn_build_buffer(gn_build *b, const char *name, int ndim, const int64_t *dims,
                         gn_init_kind init, gn_error *err) {
    gn_model *m = b->m;
    char full[128];
    if (!full_name(b, name, full, sizeof full, err)) return NULL;
    if (!grow((void **)&m->buffers, &m->cap_buffers, m->n_buffers + 1, sizeof *m->buffers)) {
        gn_error_set(err, GN_ERR_NOMEM, "model: out of memory");
        return NULL;
    }
    gn_tensor *v = gn_tensor_new(m->arena, ndim, dims, err);
    if (!v || gn_init_fill(gn_tensor_data(v), gn_tensor_numel(v), init, 1, 1, m->rng, err))
        return NULL;
    gn_node *n = gn_graph_param(m->graph, full, v, NULL, err);
    if (!n) return NULL;
    gn_param_rec *r = &m->buffers[m->n_buffers++];
    snprintf(r->name, sizeof r->name, "%s", full);
    r->value = v;
    r->grad = NULL;
    return n;
}

gn_node *gn_build_op(gn_build *b, const char *op, gn_node *const *inputs, int n_inputs,
                     const gn_op_attrs *attrs, gn_error *err) {
    const gn_op_vtable *vt = gn_registry_find(b->m->reg, GN_KIND_OP, op, err);
    if (!vt) return NULL;
    return gn_graph_apply(b->m->graph, vt, inputs, n_inputs, attrs, err);
}

gn_graph *gn_build_graph(gn_build *b) {
    return b->m->graph;
}
gn_rng *gn_build_rng(gn_build *b) {
    return b->m->rng;
}
const gn_registry *gn_build_registry(gn_build *b) {
    return b->m->reg;
}
const char *gn_build_layer_name(gn_build *b) {
    return b->layer_name;
}

/* Keys of a layer section the host consumes itself. */
static const char *const layer_extra_keys[] = {"type", "input", "model", "l1", "l2", NULL};

/* A layer's own penalty key: a finite number >= 0, or -1 when absent. */
static gn_status penalty(const gn_section *p, const char *key, double *out, gn_error *err) {
    *out = -1;
    const char *t = gn_section_str(p, key);
    if (!t) return GN_OK;
    char *end;
    double v = strtod(t, &end);
    while (*end == ' ' || *end == '\t')
        end++;
    if (end != t && !*end && isfinite(v) && v >= 0) {
        *out = v;
        return GN_OK;
    }
    int line = gn_section_line(p, key);
    if (line > 0)
        return gn_error_set(err, GN_ERR_CONFIG, "%s:%d: [%s] %s: expected a number >= 0, got '%s'",
                            gn_section_file(p), line, gn_section_name(p), key, t);
    return gn_error_set(err, GN_ERR_CONFIG, "[%s] %s: expected a number >= 0, got '%s'",
                        gn_section_name(p), key, t);
}

gn_status gn_model_add_layer(gn_model *m, const char *name, const char *type,
                             const gn_section *params, gn_node *const *inputs, int n_inputs,
                             gn_node **out, gn_error *err) {
    if (m->x) return gn_error_set(err, GN_ERR_INVALID, "model: finalized, cannot add layers");
    const gn_layer_vtable *vt = gn_registry_find(m->reg, GN_KIND_LAYER, type, err);
    if (!vt) return err ? err->status : GN_ERR_NOT_FOUND;
    char auto_name[64];
    if (!name || !*name) { /* Keras-style dense_1, dense_2, ... */
        int k = 1;
        for (int i = 0; i < m->n_layers; i++)
            k += strcmp(m->layers[i].type, vt->name) == 0;
        snprintf(auto_name, sizeof auto_name, "%s_%d", vt->name, k);
        name = auto_name;
    }
    for (int i = 0; i < m->n_layers; i++)
        if (strcmp(m->layers[i].name, name) == 0)
            return gn_error_set(err, GN_ERR_CONFIG, "model '%s': two layers named '%s'", m->name,
                                name);
    /* Validate a copy so direct SDK callers get defaults and checks too. */
    gn_section *p = params ? gn_section_clone(params, err) : gn_section_new(name, "");
    if (!p) return gn_error_set(err, GN_ERR_NOMEM, "model: out of memory");
    gn_status st = gn_section_validate(p, vt->schema, layer_extra_keys, err);
    double l1 = -1, l2 = -1;
    if (!st) st = penalty(p, "l1", &l1, err);
    if (!st) st = penalty(p, "l2", &l2, err);
    gn_build b = {m, name, 0};
    gn_node *o = NULL;
    int nodes = m->graph->n, tensors = m->n_tensors, buffers = m->n_buffers;
    if (!st) st = vt->build(&b, p, inputs, n_inputs, &o, err);
    gn_section_free(p);
    if (st) { /* undo a half-built layer: its tensors must not reach the flat vectors */
        gn_graph_truncate(m->graph, nodes);
        m->n_tensors = tensors;
        m->n_buffers = buffers;
        return st;
    }
    if (!o) return gn_error_set(err, GN_ERR_INVALID, "layer '%s' produced no output", name);
    if (!grow((void **)&m->layers, &m->cap_layers, m->n_layers + 1, sizeof *m->layers))
        return gn_error_set(err, GN_ERR_NOMEM, "model: out of memory");
    gn_layer_rec *r = &m->layers[m->n_layers++];
    snprintf(r->name, sizeof r->name, "%s", name);
    snprintf(r->type, sizeof r->type, "%s", vt->name);
    r->out = o;
    r->n_params = b.n_params;
    r->l1 = l1;
    r->l2 = l2;
    *out = o;
    return GN_OK;
}

gn_status gn_model_finalize(gn_model *m, gn_node *output, gn_error *err) {
    if (m->x) return gn_error_set(err, GN_ERR_INVALID, "model: finalized twice");
    if (!output) return gn_error_set(err, GN_ERR_INVALID, "model '%s': no output", m->name);
    m->output = output;
    int64_t total = 0;
    for (int i = 0; i < m->n_tensors; i++)
        total += gn_tensor_numel(m->params[i].value);
    m->total = total;
    size_t bytes = (size_t)(total ? total : 1) * sizeof(float);
    m->x = gn_arena_alloc(m->arena, bytes, err);
    m->g = m->x ? gn_arena_alloc(m->arena, bytes, err) : NULL;
    if (!m->g) return gn_error_set(err, GN_ERR_NOMEM, "model: out of memory");
    int64_t off = 0;
    for (int i = 0; i < m->n_tensors; i++) {
        gn_param_rec *r = &m->params[i];
        int64_t n = gn_tensor_numel(r->value);
        memcpy(m->x + off, gn_tensor_data(r->value), (size_t)n * sizeof(float));
        gn_tensor_rebind(r->value, m->x + off);
        gn_tensor_rebind(r->grad, m->g + off);
        off += n;
    }
    return GN_OK;
}

gn_graph *gn_model_graph(gn_model *m) {
    return m->graph;
}
gn_node *gn_model_output(gn_model *m) {
    return m->output;
}
int gn_model_n_inputs(const gn_model *m) {
    return m->n_inputs;
}
gn_node *gn_model_input(gn_model *m, int i) {
    return i >= 0 && i < m->n_inputs ? m->inputs[i] : NULL;
}
int64_t gn_model_n_params(const gn_model *m) {
    if (m->x) return m->total;
    int64_t t = 0;
    for (int i = 0; i < m->n_tensors; i++)
        t += gn_tensor_numel(m->params[i].value);
    return t;
}
float *gn_model_params(gn_model *m) {
    return m->x;
}
float *gn_model_grads(gn_model *m) {
    return m->g;
}
void gn_model_zero_grad(gn_model *m) {
    if (m->g) gn_parallel_zero(m->g, m->total);
}
int gn_model_n_tensors(const gn_model *m) {
    return m->n_tensors;
}
const char *gn_model_tensor_name(const gn_model *m, int i) {
    return i >= 0 && i < m->n_tensors ? m->params[i].name : NULL;
}
gn_tensor *gn_model_tensor(gn_model *m, int i) {
    return i >= 0 && i < m->n_tensors ? m->params[i].value : NULL;
}
gn_tensor *gn_model_tensor_grad(gn_model *m, int i) {
    return i >= 0 && i < m->n_tensors ? m->params[i].grad : NULL;
}
int gn_model_n_layers(const gn_model *m) {
    return m->n_layers;
}
int gn_model_n_buffers(const gn_model *m) {
    return m->n_buffers;
}
const char *gn_model_buffer_name(const gn_model *m, int i) {
    return i >= 0 && i < m->n_buffers ? m->buffers[i].name : NULL;
}
gn_tensor *gn_model_buffer(gn_model *m, int i) {
    return i >= 0 && i < m->n_buffers ? m->buffers[i].value : NULL;
}

gn_status gn_model_layer_info(gn_model *m, int i, gn_layer_info *out, gn_error *err) {
    if (i < 0 || i >= m->n_layers)
        return gn_error_set(err, GN_ERR_INVALID, "model: no layer %d", i);
    gn_layer_rec *r = &m->layers[i];
    out->struct_size = sizeof *out;
    out->name = r->name;
    out->type = r->type;
    out->output = r->out;
    out->n_params = r->n_params;
    out->l1 = r->l1;
    out->l2 = r->l2;
    return GN_OK;
}
