/* Tensors: shape bookkeeping over arena, heap or borrowed memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/parallel.h"
#include "tensor_impl.h"

int64_t gn_dims_numel(int ndim, const int64_t *dims) {
    int64_t n = 1;
    for (int i = 0; i < ndim; i++)
        n *= dims[i];
    return n;
}

static gn_status check_dims(int ndim, const int64_t *dims, gn_error *err) {
    if (ndim < 0 || ndim > GN_MAX_DIMS)
        return gn_error_set(err, GN_ERR_INVALID, "tensor: %d dimensions (at most %d)", ndim,
                            GN_MAX_DIMS);
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) {
        if (dims[i] < 0)
            return gn_error_set(err, GN_ERR_INVALID, "tensor: negative dimension %lld",
                                (long long)dims[i]);
        if (dims[i] && n > (INT64_C(1) << 40) / dims[i])
            return gn_error_set(err, GN_ERR_INVALID, "tensor: absurd size");
        n *= dims[i];
    }
    return GN_OK;
}

static gn_tensor *tensor_struct(gn_arena *arena, gn_error *err) {
    gn_tensor *t = arena ? gn_arena_alloc(arena, sizeof *t, err) : calloc(1, sizeof *t);
    if (!t) {
        gn_error_set(err, GN_ERR_NOMEM, "tensor: out of memory");
        return NULL;
    }
    t->heap = arena == NULL;
    t->arena = arena;
    return t;
}

static void set_shape(gn_tensor *t, int ndim, const int64_t *dims) {
    t->ndim = ndim;
    for (int i = 0; i < GN_MAX_DIMS; i++)
        t->dims[i] = i < ndim ? dims[i] : 1;
    t->numel = gn_dims_numel(ndim, dims);
}

static gn_status alloc_data(gn_tensor *t, int64_t numel, gn_error *err) {
    size_t bytes = (size_t)(numel ? numel : 1) * sizeof(float);
    float *p;
    if (t->arena) {
        p = gn_arena_alloc(t->arena, bytes, err);
        if (!p) return err ? err->status : GN_ERR_NOMEM;
    } else {
        p = calloc(1, bytes);
        if (!p) return gn_error_set(err, GN_ERR_NOMEM, "tensor: out of memory (%zu bytes)", bytes);
        if (t->owns) free(t->data);
        t->owns = 1;
    }
    t->data = p;
    t->cap = numel;
    return GN_OK;
}

gn_tensor *gn_tensor_new(gn_arena *arena, int ndim, const int64_t *dims, gn_error *err) {
    if (check_dims(ndim, dims, err)) return NULL;
    gn_tensor *t = tensor_struct(arena, err);
    if (!t) return NULL;
    set_shape(t, ndim, dims);
    if (alloc_data(t, t->numel, err)) {
        if (t->heap) free(t);
        return NULL;
    }
    return t;
}

gn_tensor *gn_tensor_view(gn_arena *arena, float *data, int ndim, const int64_t *dims,
                          gn_error *err) {
    if (check_dims(ndim, dims, err)) return NULL;
    gn_tensor *t = tensor_struct(arena, err);
    if (!t) return NULL;
    set_shape(t, ndim, dims);
    t->data = data;
    t->cap = t->numel;
    t->view = 1;
    return t;
}

void gn_tensor_free(gn_tensor *t) {
    if (!t || !t->heap) return;
    if (t->owns) free(t->data);
    free(t);
}

int gn_tensor_ndim(const gn_tensor *t) {
    return t->ndim;
}
int64_t gn_tensor_dim(const gn_tensor *t, int i) {
    return i >= 0 && i < t->ndim ? t->dims[i] : 1;
}
int64_t gn_tensor_numel(const gn_tensor *t) {
    return t->numel;
}
float *gn_tensor_data(gn_tensor *t) {
    return t->data;
}
const float *gn_tensor_cdata(const gn_tensor *t) {
    return t->data;
}

gn_status gn_tensor_resize(gn_tensor *t, int ndim, const int64_t *dims, gn_error *err) {
    gn_status st = check_dims(ndim, dims, err);
    if (st) return st;
    int64_t n = gn_dims_numel(ndim, dims);
    if (n > t->cap) {
        if (t->view)
            return gn_error_set(err, GN_ERR_INVALID, "tensor: a view cannot grow (%lld > %lld)",
                                (long long)n, (long long)t->cap);
        st = alloc_data(t, n, err);
        if (st) return st;
    }
    set_shape(t, ndim, dims);
    return GN_OK;
}

void gn_tensor_rebind(gn_tensor *t, float *data) {
    if (t->owns) free(t->data);
    t->owns = 0;
    t->view = 1;
    t->data = data;
    t->cap = t->numel;
}

void gn_tensor_zero(gn_tensor *t) {
    gn_parallel_zero(t->data, t->numel);
}

void gn_tensor_fill(gn_tensor *t, float v) {
    for (int64_t i = 0; i < t->numel; i++)
        t->data[i] = v;
}

void gn_tensor_shape_str(const gn_tensor *t, int none_batch, char *buf, size_t n) {
    size_t off = 0;
    off += (size_t)snprintf(buf + off, n - off, "(");
    for (int i = 0; i < t->ndim && off < n; i++) {
        if (i == 0 && none_batch)
            off += (size_t)snprintf(buf + off, n - off, "None");
        else
            off += (size_t)snprintf(buf + off, n - off, "%lld", (long long)t->dims[i]);
        if (i + 1 < t->ndim && off < n) off += (size_t)snprintf(buf + off, n - off, ", ");
    }
    if (off < n) snprintf(buf + off, n - off, ")");
}
