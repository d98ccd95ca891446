/* Forward evaluation and reverse-mode autodiff over the nodes a target
 * depends on, in creation (topological) order. */
#include <stddef.h>
#include <string.h>
#include "graph_impl.h"

/* Marks target and everything it depends on. */
static void mark_ancestors(gn_graph *g, gn_node *target) {
    memset(g->mark, 0, (size_t)g->n);
    g->mark[target->id] = 1;
    for (int i = target->id; i >= 0; i--) {
        if (!g->mark[i]) continue;
        gn_node *n = g->nodes[i];
        for (int k = 0; k < n->n_in; k++)
            g->mark[n->in[k]->id] = 1;
    }
}

static gn_status check_target(gn_graph *g, gn_node *t, gn_error *err) {
    if (!t || t->graph != g || t->id >= g->n || g->nodes[t->id] != t)
        return gn_error_set(err, GN_ERR_INVALID, "graph: target is not a node of this graph");
    return GN_OK;
}

gn_status gn_graph_forward(gn_graph *g, gn_node *target, gn_error *err) {
    gn_status st = check_target(g, target, err);
    if (st) return st;
    gn_arena_reset(g->scratch);
    mark_ancestors(g, target);
    for (int i = 0; i <= target->id; i++) {
        gn_node *n = g->nodes[i];
        if (!g->mark[i] || n->kind != GN_NODE_OP) continue;
        if ((st = n->op->infer(n, err)) || (st = n->op->forward(n, err))) return st;
    }
    return GN_OK;
}

/* An op's flags; 0 for vtables from before 1.3. */
static uint32_t op_flags(const gn_op_vtable *op) {
    return op->struct_size >= offsetof(gn_op_vtable, flags) + sizeof op->flags ? op->flags : 0;
}

gn_status gn_graph_backward_seeded(gn_graph *g, gn_node *loss, const float *seed, gn_error *err) {
    gn_status st = check_target(g, loss, err);
    if (st) return st;
    if (!loss->grad)
        return gn_error_set(err, GN_ERR_INVALID,
                            "graph: '%s' does not depend on anything with a gradient", loss->name);
    mark_ancestors(g, loss);
    /* Gradients start at zero, except where the only consumer overwrites
     * them (its first input, GN_OP_CAN_ASSIGN_DX): it writes all of it
     * anyway. Parameters keep accumulating over calls. */
    for (int i = 0; i <= loss->id; i++)
        g->nodes[i]->consumers = 0;
    for (int i = 0; i <= loss->id; i++) {
        gn_node *n = g->nodes[i];
        if (g->mark[i] && n->kind == GN_NODE_OP)
            for (int k = 0; k < n->n_in; k++) {
                n->in[k]->consumers++;
                n->in[k]->consumer = n;
            }
    }
    for (int i = 0; i <= loss->id; i++) {
        gn_node *n = g->nodes[i];
        n->grad_assign = 0;
        if (!g->mark[i] || !n->grad || n->kind == GN_NODE_PARAM) continue;
        if (n->consumers == 1 && i != loss->id) {
            const gn_node *c = n->consumer;
            n->grad_assign = c->in[0] == n && c->grad && op_flags(c->op) & GN_OP_CAN_ASSIGN_DX;
        }
        if (!n->grad_assign) gn_tensor_zero(n->grad);
    }
    float *d = gn_tensor_data(loss->grad);
    int64_t cnt = gn_tensor_numel(loss->grad);
    for (int64_t k = 0; k < cnt; k++)
        d[k] = seed ? seed[k] : 1.0f;
    for (int i = loss->id; i >= 0; i--) {
        gn_node *n = g->nodes[i];
        if (!g->mark[i] || n->kind != GN_NODE_OP || !n->grad) continue;
        if (!n->op->backward)
            return gn_error_set(err, GN_ERR_UNSUPPORTED, "%s: no gradient defined", n->op->name);
        if ((st = n->op->backward(n, err))) return st;
    }
    return GN_OK;
}

gn_status gn_graph_backward(gn_graph *g, gn_node *loss, gn_error *err) {
    return gn_graph_backward_seeded(g, loss, NULL, err);
}
