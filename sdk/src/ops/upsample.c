/* upsample2d: nearest-neighbour upsampling by integer factors,
 * y[n,c,i,j] = x[n,c,i / sh,j / sw]; backward sums each sh x sw block. */
#include <string.h>
#include "ops/ops_internal.h"

static gn_status upsample_infer(gn_node *n, gn_error *err) {
    gn_tensor *x = gn_in_value(n, 0);
    const gn_op_attrs *a = gn_node_attrs(n);
    if (gn_tensor_ndim(x) != 4) {
        char s[64];
        gn_tensor_shape_str(x, 0, s, sizeof s);
        return gn_error_set(err, GN_ERR_INVALID,
                            "upsample2d: input must be 4-D (batch, channels, height, width), "
                            "got %s",
                            s);
    }
    if (a->i[0] < 1 || a->i[1] < 1)
        return gn_error_set(err, GN_ERR_INVALID, "upsample2d: scale (%lld, %lld) must be >= 1",
                            (long long)a->i[0], (long long)a->i[1]);
    int64_t dims[4] = {gn_tensor_dim(x, 0), gn_tensor_dim(x, 1), gn_tensor_dim(x, 2) * a->i[0],
                       gn_tensor_dim(x, 3) * a->i[1]};
    return gn_node_set_shape(n, 4, dims, err);
}

static gn_status upsample_forward(gn_node *n, gn_error *err) {
    (void)err;
    gn_tensor *xt = gn_in_value(n, 0);
    const gn_op_attrs *a = gn_node_attrs(n);
    const int64_t sh = a->i[0], sw = a->i[1], h = gn_tensor_dim(xt, 2), w = gn_tensor_dim(xt, 3);
    const int64_t nc = gn_tensor_dim(xt, 0) * gn_tensor_dim(xt, 1), ow = w * sw;
    const float *x = gn_tensor_cdata(xt);
    float *y = gn_tensor_data(gn_node_value(n));
    for (int64_t r = 0; r < nc * h; r++) { /* one input row -> sh output rows */
        const float *src = x + r * w;
        float *dst = y + r * sh * ow;
        for (int64_t j = 0; j < w; j++)
            for (int64_t k = 0; k < sw; k++)
                dst[j * sw + k] = src[j];
        for (int64_t k = 1; k < sh; k++)
            memcpy(dst + k * ow, dst, (size_t)ow * sizeof(float));
    }
    return GN_OK;
}

static gn_status upsample_backward(gn_node *n, gn_error *err) {
    (void)err;
    gn_tensor *dxt = gn_in_grad(n, 0);
    if (!dxt) return GN_OK;
    const gn_op_attrs *a = gn_node_attrs(n);
    const int64_t sh = a->i[0], sw = a->i[1], h = gn_tensor_dim(dxt, 2), w = gn_tensor_dim(dxt, 3);
    const int64_t nc = gn_tensor_dim(dxt, 0) * gn_tensor_dim(dxt, 1), ow = w * sw;
    const float *dy = gn_tensor_cdata(gn_node_grad(n));
    float *dx = gn_tensor_data(dxt);
    for (int64_t r = 0; r < nc * h; r++) {
        float *d = dx + r * w;
        for (int64_t k = 0; k < sh; k++) {
            const float *src = dy + (r * sh + k) * ow;
            for (int64_t j = 0; j < w; j++) {
                float s = 0.0f;
                for (int64_t q = 0; q < sw; q++)
                    s += src[j * sw + q];
                d[j] += s;
            }
        }
    }
    return GN_OK;
}

const gn_op_vtable gn_op_upsample2d = {
    .struct_size = sizeof(gn_op_vtable),
    .name = "upsample2d",
    .doc = "y[n,c,i,j] = x[n,c,i / i[0],j / i[1]] (nearest)",
    .n_inputs = 1,
    .infer = upsample_infer,
    .forward = upsample_forward,
    .backward = upsample_backward,
};
