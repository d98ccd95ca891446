/* Internal layout of gn_tensor (public code uses the accessors). */
#ifndef GN_TENSOR_IMPL_H
#define GN_TENSOR_IMPL_H

#include <ganglion/tensor.h>

struct gn_tensor {
    int ndim;
    int64_t dims[GN_MAX_DIMS];
    int64_t numel, cap; /* elements in use / allocated */
    float *data;
    gn_arena *arena;   /* where data grows from; NULL = heap */
    unsigned heap : 1; /* struct is heap-allocated */
    unsigned owns : 1; /* data is heap memory this tensor frees */
    unsigned view : 1; /* data is borrowed and cannot grow */
};

#endif
