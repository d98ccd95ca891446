/* Graph construction and node accessors. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "graph_impl.h"

gn_graph *gn_graph_new(gn_error *err) {
    gn_graph *g = calloc(1, sizeof *g);
    if (g) {
        g->arena = gn_arena_new(0);
        g->scratch = gn_arena_new(0);
    }
    if (!g || !g->arena || !g->scratch) {
        gn_graph_free(g);
        gn_error_set(err, GN_ERR_NOMEM, "graph: out of memory");
        return NULL;
    }
    return g;
}

void gn_graph_free(gn_graph *g) {
    if (!g) return;
    gn_arena_free(g->arena);
    gn_arena_free(g->scratch);
    free(g->nodes);
    free(g->mark);
    free(g);
}

static gn_node *node_new(gn_graph *g, gn_node_kind kind, const char *name, gn_error *err) {
    if (g->n == g->cap) {
        int cap = g->cap ? g->cap * 2 : 64;
        gn_node **p = realloc(g->nodes, (size_t)cap * sizeof *p);
        unsigned char *m = realloc(g->mark, (size_t)cap);
        if (p) g->nodes = p;
        if (m) g->mark = m;
        if (!p || !m) {
            gn_error_set(err, GN_ERR_NOMEM, "graph: out of memory");
            return NULL;
        }
        g->cap = cap;
    }
    gn_node *n = gn_arena_alloc(g->arena, sizeof *n, err);
    if (!n) return NULL;
    n->kind = kind;
    n->id = g->n;
    n->graph = g;
    snprintf(n->name, sizeof n->name, "%s", name ? name : "");
    g->nodes[g->n++] = n;
    return n;
}

gn_node *gn_graph_input(gn_graph *g, const char *name, int ndim, const int64_t *dims,
                        int requires_grad, gn_error *err) {
    if (ndim < 1 || ndim > GN_MAX_DIMS) {
        gn_error_set(err, GN_ERR_INVALID, "graph: input '%s' needs 1 to %d dimensions",
                     name ? name : "", GN_MAX_DIMS);
        return NULL;
    }
    gn_node *n = node_new(g, GN_NODE_INPUT, name, err);
    if (!n) return NULL;
    n->value = gn_tensor_new(g->arena, ndim, dims, err);
    if (!n->value) return NULL;
    if (requires_grad && !(n->grad = gn_tensor_new(g->arena, ndim, dims, err))) return NULL;
    return n;
}

gn_status gn_graph_input_require_grad(gn_node *input, gn_error *err) {
    if (input->kind != GN_NODE_INPUT)
        return gn_error_set(err, GN_ERR_INVALID, "graph: '%s' is not an input", input->name);
    if (input->grad) return GN_OK;
    gn_graph *g = input->graph;
    int nd = gn_tensor_ndim(input->value);
    int64_t dims[GN_MAX_DIMS];
    for (int i = 0; i < nd; i++)
        dims[i] = gn_tensor_dim(input->value, i);
    if (!(input->grad = gn_tensor_new(g->arena, nd, dims, err))) return err->status;
    /* Nodes are in topological order: one pass gives every op downstream a
     * gradient buffer (sized on the next forward's shape inference). */
    for (int k = input->id + 1; k < g->n; k++) {
        gn_node *n = g->nodes[k];
        if (n->kind != GN_NODE_OP || n->grad) continue;
        for (int i = 0; i < n->n_in; i++)
            if (n->in[i]->grad) {
                int nd2 = gn_tensor_ndim(n->value);
                int64_t d2[GN_MAX_DIMS];
                for (int j = 0; j < nd2; j++)
                    d2[j] = gn_tensor_dim(n->value, j);
                if (!(n->grad = gn_tensor_new(g->arena, nd2, d2, err))) return err->status;
                break;
            }
    }
    return GN_OK;
}

gn_status gn_graph_input_grad_enabled(gn_node *input, int enabled, gn_error *err) {
    if (input->kind != GN_NODE_INPUT)
        return gn_error_set(err, GN_ERR_INVALID, "graph: '%s' is not an input", input->name);
    if (enabled && !input->grad) input->grad = input->grad_off, input->grad_off = NULL;
    if (!enabled && input->grad) input->grad_off = input->grad, input->grad = NULL;
    return GN_OK;
}

/* An op computed from parameters and buffers only (a spectrally normalised
 * weight): its gradient exists only to reach the parameters. */
static int param_derived(const gn_node *n) {
    if (n->kind != GN_NODE_OP || n->n_in == 0) return 0;
    for (int k = 0; k < n->n_in; k++) {
        const gn_node *in = n->in[k];
        if (in->kind == GN_NODE_PARAM) continue;
        if (in->kind != GN_NODE_OP || in->grad || !in->grad_off) return 0; /* not switched off */
    }
    return 1;
}

void gn_graph_params_grad_enabled(gn_graph *g, int enabled) {
    /* Nodes are in topological order, so a parameter-derived op sees its
     * inputs already switched. */
    for (int i = 0; g && i < g->n; i++) {
        gn_node *n = g->nodes[i];
        if (n->kind == GN_NODE_INPUT) continue;
        if (enabled && !n->grad && n->grad_off) n->grad = n->grad_off, n->grad_off = NULL;
        if (!enabled && n->grad && (n->kind == GN_NODE_PARAM || param_derived(n)))
            n->grad_off = n->grad, n->grad = NULL;
    }
}

gn_status gn_graph_feed(gn_node *input, const float *data, int64_t batch, gn_error *err) {
    if (input->kind != GN_NODE_INPUT)
        return gn_error_set(err, GN_ERR_INVALID, "graph: '%s' is not an input", input->name);
    int64_t dims[GN_MAX_DIMS];
    int nd = gn_tensor_ndim(input->value);
    for (int i = 0; i < nd; i++)
        dims[i] = gn_tensor_dim(input->value, i);
    dims[0] = batch;
    gn_status st = gn_node_set_shape(input, nd, dims, err);
    if (st) return st;
    memcpy(gn_tensor_data(input->value), data,
           (size_t)gn_tensor_numel(input->value) * sizeof(float));
    return GN_OK;
}

gn_node *gn_graph_param(gn_graph *g, const char *name, gn_tensor *value, gn_tensor *grad,
                        gn_error *err) {
    if (!value) {
        gn_error_set(err, GN_ERR_INVALID, "graph: parameter '%s' has no value", name);
        return NULL;
    }
    gn_node *n = node_new(g, GN_NODE_PARAM, name, err);
    if (!n) return NULL;
    n->value = value;
    n->grad = grad;
    return n;
}

gn_node *gn_graph_apply(gn_graph *g, const gn_op_vtable *op, gn_node *const *inputs, int n_inputs,
                        const gn_op_attrs *attrs, gn_error *err) {
    if (!op || op->struct_size < offsetof(gn_op_vtable, reserved) || !op->infer || !op->forward) {
        gn_error_set(err, GN_ERR_INVALID, "graph: op '%s' has an incomplete vtable",
                     op && op->name ? op->name : "?");
        return NULL;
    }
    if (n_inputs != op->n_inputs || n_inputs > GN_NODE_MAX_INPUTS) {
        gn_error_set(err, GN_ERR_INVALID, "%s: takes %d inputs, given %d", op->name, op->n_inputs,
                     n_inputs);
        return NULL;
    }
    int needs_grad = 0;
    for (int i = 0; i < n_inputs; i++) {
        if (!inputs[i] || inputs[i]->graph != g) {
            gn_error_set(err, GN_ERR_INVALID, "%s: input %d is not a node of this graph", op->name,
                         i);
            return NULL;
        }
        needs_grad |= inputs[i]->grad != NULL;
    }
    gn_node *n = node_new(g, GN_NODE_OP, op->name, err);
    if (!n) return NULL;
    n->op = op;
    n->n_in = n_inputs;
    for (int i = 0; i < n_inputs; i++)
        n->in[i] = inputs[i];
    if (attrs) n->attrs = *attrs;
    int64_t one = 1;
    n->value = gn_tensor_new(g->arena, 1, &one, err);
    if (!n->value) goto fail;
    if (needs_grad && !(n->grad = gn_tensor_new(g->arena, 1, &one, err))) goto fail;
    /* Infer now so that layers built on top see this node's shape. */
    if (op->infer(n, err)) goto fail;
    return n;
fail:
    g->n--; /* forget the half-made node; its arena memory is reclaimed with the graph */
    return NULL;
}

void gn_graph_set_training(gn_graph *g, int training) {
    g->training = training;
}
int gn_graph_training(const gn_graph *g) {
    return g->training;
}
void gn_graph_set_rng(gn_graph *g, gn_rng *rng) {
    g->rng = rng;
}
gn_rng *gn_graph_rng(gn_graph *g) {
    return g->rng;
}
gn_arena *gn_graph_scratch(gn_graph *g) {
    return g->scratch;
}

gn_tensor *gn_node_value(gn_node *n) {
    return n->value;
}
gn_tensor *gn_node_grad(gn_node *n) {
    return n->grad;
}
int gn_node_grad_assign(const gn_node *n, int i) {
    return i == 0 && n->n_in > 0 && n->in[0]->grad_assign;
}
gn_node *gn_node_input(gn_node *n, int i) {
    return i >= 0 && i < n->n_in ? n->in[i] : NULL;
}
int gn_node_n_inputs(const gn_node *n) {
    return n->n_in;
}
const gn_op_attrs *gn_node_attrs(const gn_node *n) {
    return &n->attrs;
}
const gn_op_vtable *gn_node_op(const gn_node *n) {
    return n->op;
}
const char *gn_node_name(const gn_node *n) {
    return n->name;
}
gn_graph *gn_node_graph(gn_node *n) {
    return n->graph;
}

gn_status gn_node_set_shape(gn_node *n, int ndim, const int64_t *dims, gn_error *err) {
    if (n->kind == GN_NODE_PARAM)
        return gn_error_set(err, GN_ERR_INVALID, "graph: cannot reshape parameter '%s'", n->name);
    gn_status st = gn_tensor_resize(n->value, ndim, dims, err);
    if (!st && n->grad) st = gn_tensor_resize(n->grad, ndim, dims, err);
    return st;
}

float *gn_node_aux(gn_node *n, int slot, int64_t numel, gn_error *err) {
    if (slot < 0 || slot >= GN_NODE_AUX_SLOTS || numel < 0) {
        gn_error_set(err, GN_ERR_INVALID, "graph: bad aux slot %d", slot);
        return NULL;
    }
    if (numel > n->aux_cap[slot]) {
        float *p = gn_arena_alloc(n->graph->arena, (size_t)numel * sizeof(float), err);
        if (!p) return NULL;
        n->aux[slot] = p;
        n->aux_cap[slot] = numel;
    }
    return n->aux[slot];
}
