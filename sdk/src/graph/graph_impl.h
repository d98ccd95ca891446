/* Internal layout of graphs and nodes. */
#ifndef GN_GRAPH_IMPL_H
#define GN_GRAPH_IMPL_H

#include <ganglion/graph.h>

#define GN_NODE_MAX_INPUTS 8
#define GN_NODE_AUX_SLOTS 4

typedef enum { GN_NODE_INPUT, GN_NODE_PARAM, GN_NODE_OP } gn_node_kind;

struct gn_node {
    gn_node_kind kind;
    int id; /* position in the graph: a topological order */
    char name[64];
    const gn_op_vtable *op;
    gn_node *in[GN_NODE_MAX_INPUTS];
    int n_in;
    gn_op_attrs attrs;
    gn_tensor *value, *grad; /* grad NULL when no gradient flows here */
    gn_tensor *grad_off;     /* an input's or parameter's gradient while switched off */
    int consumers;           /* marked ops reading this node (set by backward) */
    gn_node *consumer;       /* one of them */
    int grad_assign;         /* backward: its one consumer overwrites grad (not zeroed) */
    float *aux[GN_NODE_AUX_SLOTS];
    int64_t aux_cap[GN_NODE_AUX_SLOTS];
    gn_graph *graph;
};

struct gn_graph {
    gn_arena *arena;   /* nodes, values, gradients: graph lifetime */
    gn_arena *scratch; /* step lifetime */
    gn_node **nodes;
    int n, cap;
    unsigned char *mark;
    int training;
    gn_rng *rng;
};

/* Forgets the nodes from index n on (a layer that failed half-way). */
static inline void gn_graph_truncate(gn_graph *g, int n) {
    if (n >= 0 && n < g->n) g->n = n;
}

/* Backward with an explicit seed for d(loss) (numel of loss), or NULL for ones. */

#endif
