/* Ganglion SDK: f32 tensors of up to GN_MAX_DIMS dimensions, contiguous,
 * row-major (batch first; images are N, C, H, W). Opaque: use accessors. */
#ifndef GANGLION_TENSOR_H
#define GANGLION_TENSOR_H

#include <stdint.h>
#include <ganglion/arena.h>
#include <ganglion/error.h>

typedef struct gn_tensor gn_tensor;

/* Zero-filled tensor. With arena == NULL the tensor lives on the heap and the
 * caller owns it (gn_tensor_free); otherwise it lives as long as the arena. */
GN_EXPORT gn_tensor *gn_tensor_new(gn_arena *arena, int ndim, const int64_t *dims, gn_error *err);

/* Tensor over borrowed memory (transfer none): data must outlive the tensor. */
GN_EXPORT gn_tensor *gn_tensor_view(gn_arena *arena, float *data, int ndim, const int64_t *dims,
                                    gn_error *err);

/* Frees a heap tensor (and its data if owned); no-op for arena tensors and NULL. */
GN_EXPORT void gn_tensor_free(gn_tensor *t);

GN_EXPORT int gn_tensor_ndim(const gn_tensor *t);
GN_EXPORT int64_t gn_tensor_dim(const gn_tensor *t, int i); /* 1 when i >= ndim */
GN_EXPORT int64_t gn_tensor_numel(const gn_tensor *t);
GN_EXPORT float *gn_tensor_data(gn_tensor *t);
GN_EXPORT const float *gn_tensor_cdata(const gn_tensor *t);

/* Changes the shape. Within the allocated capacity this is free; a larger
 * shape reallocates (from the arena the tensor came from, or the heap) and
 * the contents are then undefined. Views cannot grow. */
GN_EXPORT gn_status gn_tensor_resize(gn_tensor *t, int ndim, const int64_t *dims, gn_error *err);

/* Re-points a tensor at other memory (used to collate parameters into one
 * flat vector). The tensor no longer owns its old data. */
GN_EXPORT void gn_tensor_rebind(gn_tensor *t, float *data);

GN_EXPORT void gn_tensor_zero(gn_tensor *t);
GN_EXPORT void gn_tensor_fill(gn_tensor *t, float v);

/* Shape as text, "(128, 10)"; batch dimension shown as "None" when
 * none_batch is set. Writes at most n bytes. */
GN_EXPORT void gn_tensor_shape_str(const gn_tensor *t, int none_batch, char *buf, size_t n);

/* Number of elements of a dims array. */
GN_EXPORT int64_t gn_dims_numel(int ndim, const int64_t *dims);

#endif
