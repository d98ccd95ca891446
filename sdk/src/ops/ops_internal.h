/* Internal: helpers shared by the core op implementations. */
#ifndef GN_OPS_INTERNAL_H
#define GN_OPS_INTERNAL_H

#include <ganglion/graph.h>
#include <ganglion/ops.h>
#include <ganglion/tensor.h>

static inline gn_tensor *gn_in_value(gn_node *n, int i) {
    return gn_node_value(gn_node_input(n, i));
}

static inline gn_tensor *gn_in_grad(gn_node *n, int i) {
    return gn_node_grad(gn_node_input(n, i));
}

/* Gives n the shape of tensor t. */
static inline gn_status gn_ops_copy_shape(gn_node *n, const gn_tensor *t, gn_error *err) {
    int64_t dims[GN_MAX_DIMS];
    int nd = gn_tensor_ndim(t);
    for (int i = 0; i < nd; i++)
        dims[i] = gn_tensor_dim(t, i);
    return gn_node_set_shape(n, nd, dims, err);
}

static inline int gn_ops_same_shape(const gn_tensor *a, const gn_tensor *b) {
    if (gn_tensor_ndim(a) != gn_tensor_ndim(b)) return 0;
    for (int i = 0; i < gn_tensor_ndim(a); i++)
        if (gn_tensor_dim(a, i) != gn_tensor_dim(b, i)) return 0;
    return 1;
}

/* Inputs of a loss: the same shape; with reduction i[0] = 1 (sums per
 * sample) the same batch and element count suffice, so a decoder's flat
 * (B, 784) output meets its (B, 1, 28, 28) images without a reshape. */
static inline int per_sample_match(const gn_op_attrs *a, const gn_tensor *p, const gn_tensor *t) {
    if (a->i[0] != 1) return gn_ops_same_shape(p, t);
    return gn_tensor_ndim(p) >= 1 && gn_tensor_ndim(t) >= 1 &&
           gn_tensor_dim(p, 0) == gn_tensor_dim(t, 0) && gn_tensor_numel(p) == gn_tensor_numel(t);
}

/* Losses produce a one-element tensor of shape (1). */
static inline gn_status gn_ops_scalar_shape(gn_node *n, gn_error *err) {
    const int64_t one = 1;
    return gn_node_set_shape(n, 1, &one, err);
}

/* Error for two inputs whose shapes must agree: "add: shapes (2, 3) and (2, 4) differ". */
gn_status gn_ops_shape_mismatch(gn_error *err, const char *op, const gn_tensor *a,
                                const gn_tensor *b);

#endif
