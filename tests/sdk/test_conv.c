/* Convolutional ops and layers: forward against direct nested-loop
 * references, the transposed convolution as the adjoint of conv2d, batch
 * norm statistics, every backward by finite differences (gn_gradcheck),
 * layer shapes, parameter counts and errors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <ganglion/gradcheck.h>
#include <ganglion/model.h>
#include <ganglion/ops.h>
#include <ganglion/registry.h>
#include "model_test.h"

static float *alloc_uniform(int64_t n, uint64_t seed) {
    float *p = malloc((size_t)(n ? n : 1) * sizeof *p);
    cr_assert_not_null(p);
    fill_uniform(p, n, -1, 1, seed);
    return p;
}

static void expect_shape(gn_node *n, int ndim, const int64_t *dims, const char *what) {
    gn_tensor *t = gn_node_value(n);
    char s[64];
    gn_tensor_shape_str(t, 0, s, sizeof s);
    cr_assert_eq(gn_tensor_ndim(t), ndim, "%s: shape %s", what, s);
    for (int i = 0; i < ndim; i++)
        cr_assert_eq(gn_tensor_dim(t, i), dims[i], "%s: shape %s, dim %d should be %lld", what, s,
                     i, (long long)dims[i]);
}

static double dot(const float *a, const float *b, int64_t n) {
    double s = 0;
    for (int64_t i = 0; i < n; i++)
        s += (double)a[i] * b[i];
    return s;
}

/* ---- direct references --------------------------------------------------- */

typedef struct conv_cfg {
    int n, c, h, w, o, kh, kw, sh, sw, ph, pw, same, bias;
} conv_cfg;

/* Output size and top padding, written out independently of the library. */
static int ref_out(int in, int k, int s, int p, int same, int *pad) {
    if (same) {
        int out = (in + s - 1) / s, total = (out - 1) * s + k - in;
        *pad = total > 0 ? total / 2 : 0;
        return out;
    }
    *pad = p;
    return (in + 2 * p - k) / s + 1;
}

/* y[n,o,i,j] = b[o] + sum_{c,a,e} W[o,c,a,e] x[n,c,i sh - pt + a, j sw - pl + e]. */
static void ref_conv(const conv_cfg *k, const float *x, const float *w, const float *b, float *y,
                     int *oh, int *ow) {
    int pt, pl;
    *oh = ref_out(k->h, k->kh, k->sh, k->ph, k->same, &pt);
    *ow = ref_out(k->w, k->kw, k->sw, k->pw, k->same, &pl);
    for (int n = 0; n < k->n; n++)
        for (int o = 0; o < k->o; o++)
            for (int i = 0; i < *oh; i++)
                for (int j = 0; j < *ow; j++) {
                    double s = b ? b[o] : 0.0;
                    for (int c = 0; c < k->c; c++)
                        for (int a = 0; a < k->kh; a++)
                            for (int e = 0; e < k->kw; e++) {
                                int yy = i * k->sh - pt + a, xx = j * k->sw - pl + e;
                                if (yy < 0 || yy >= k->h || xx < 0 || xx >= k->w) continue;
                                s += (double)w[((o * k->c + c) * k->kh + a) * k->kw + e] *
                                     x[((n * k->c + c) * k->h + yy) * k->w + xx];
                            }
                    y[((n * k->o + o) * *oh + i) * *ow + j] = (float)s;
                }
}

/* The gradients of sum(y) (dy = 1): dx, dW, db of ref_conv. */
static void ref_conv_grad_ones(const conv_cfg *k, const float *x, const float *w, double *dx,
                               double *dw, double *db) {
    int pt, pl;
    int oh = ref_out(k->h, k->kh, k->sh, k->ph, k->same, &pt);
    int ow = ref_out(k->w, k->kw, k->sw, k->pw, k->same, &pl);
    for (int n = 0; n < k->n; n++)
        for (int o = 0; o < k->o; o++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++) {
                    db[o] += 1;
                    for (int c = 0; c < k->c; c++)
                        for (int a = 0; a < k->kh; a++)
                            for (int e = 0; e < k->kw; e++) {
                                int yy = i * k->sh - pt + a, xx = j * k->sw - pl + e;
                                if (yy < 0 || yy >= k->h || xx < 0 || xx >= k->w) continue;
                                int wi = ((o * k->c + c) * k->kh + a) * k->kw + e;
                                int xi = ((n * k->c + c) * k->h + yy) * k->w + xx;
                                dw[wi] += x[xi];
                                dx[xi] += w[wi];
                            }
                }
}

static gn_op_attrs conv_attrs(const conv_cfg *k) {
    return (gn_op_attrs){{0}, {k->kh, k->kw, k->sh, k->sw, k->ph, k->pw, k->same, 0}};
}

/* Builds conv2d (or conv2d_nobias) on fresh inputs holding x, w, b. */
static gn_node *conv_graph(gn_graph *g, const conv_cfg *k, const float *x, const float *w,
                           const float *b, int grad, gn_node **in) {
    int64_t xd[4] = {k->n, k->c, k->h, k->w}, wd[4] = {k->o, k->c, k->kh, k->kw}, bd[1] = {k->o};
    in[0] = input(g, "x", 4, xd, grad, x);
    in[1] = input(g, "w", 4, wd, grad, w);
    in[2] = k->bias ? input(g, "b", 1, bd, grad, b) : NULL;
    gn_op_attrs a = conv_attrs(k);
    return apply(g, k->bias ? &gn_op_conv2d : &gn_op_conv2d_nobias, in, k->bias ? 3 : 2, &a);
}

typedef struct pool_cfg {
    int n, c, h, w, k, s, p, same;
} pool_cfg;

/* Max (avg = 0) or mean over the in-bounds part of every window. */
static void ref_pool(const pool_cfg *k, int avg, const float *x, float *y, int *oh, int *ow) {
    int pt, pl;
    *oh = ref_out(k->h, k->k, k->s, k->p, k->same, &pt);
    *ow = ref_out(k->w, k->k, k->s, k->p, k->same, &pl);
    for (int nc = 0; nc < k->n * k->c; nc++)
        for (int i = 0; i < *oh; i++)
            for (int j = 0; j < *ow; j++) {
                double s = 0, m = -INFINITY;
                int cnt = 0;
                for (int a = 0; a < k->k; a++)
                    for (int e = 0; e < k->k; e++) {
                        int yy = i * k->s - pt + a, xx = j * k->s - pl + e;
                        if (yy < 0 || yy >= k->h || xx < 0 || xx >= k->w) continue;
                        double v = x[(nc * k->h + yy) * k->w + xx];
                        s += v;
                        m = v > m ? v : m;
                        cnt++;
                    }
                y[(nc * *oh + i) * *ow + j] = (float)(avg ? s / cnt : m);
            }
}

/* ---- registration ---------------------------------------------------------- */

static const gn_op_vtable *const conv_ops[] = {
    &gn_op_conv2d,
    &gn_op_conv2d_nobias,
    &gn_op_conv_transpose2d,
    &gn_op_conv_transpose2d_nobias,
    &gn_op_maxpool2d,
    &gn_op_avgpool2d,
    &gn_op_global_avg_pool2d,
    &gn_op_upsample2d,
    &gn_op_batchnorm,
};

Test(conv_ops, registered_under_core) {
    gn_error err = {0};
    gn_registry *r = gn_registry_new(&err);
    cr_assert_not_null(r, "%s", err.msg);
    for (size_t i = 0; i < sizeof conv_ops / sizeof conv_ops[0]; i++) {
        const gn_op_vtable *op = conv_ops[i];
        cr_expect_eq(op->struct_size, sizeof(gn_op_vtable), "%s", op->name);
        cr_expect(op->doc && *op->doc, "%s has no doc", op->name);
        cr_expect(op->infer && op->forward && op->backward, "%s", op->name);
        cr_expect_eq(gn_registry_find(r, GN_KIND_OP, op->name, &err), op, "%s: %s", op->name,
                     err.msg);
        char full[64];
        snprintf(full, sizeof full, "core.%s", op->name);
        cr_expect_eq(gn_registry_find(r, GN_KIND_OP, full, &err), op, "%s", full);
    }
    gn_registry_free(r);
}

/* ---- conv2d ------------------------------------------------------------------ */

static const conv_cfg fwd_cases[] = {
    {2, 3, 7, 6, 4, 3, 3, 1, 1, 0, 0, 0, 1}, /* valid */
    {2, 2, 7, 7, 3, 3, 3, 2, 2, 1, 1, 0, 1}, /* stride 2, padding 1 */
    {1, 2, 8, 5, 2, 3, 2, 2, 1, 0, 1, 0, 0}, /* rectangular kernel, mixed strides, no bias */
    {2, 2, 7, 7, 3, 3, 3, 1, 1, 0, 0, 1, 1}, /* same, stride 1 */
    {2, 2, 8, 7, 3, 3, 3, 2, 2, 0, 0, 1, 1}, /* same, stride 2: asymmetric padding */
    {1, 1, 5, 5, 2, 5, 5, 1, 1, 2, 2, 0, 1}, /* 5x5, padding 2 */
    {2, 3, 6, 6, 4, 1, 1, 1, 1, 0, 0, 0, 1}, /* 1x1 */
    {1, 2, 9, 9, 2, 4, 4, 3, 3, 1, 1, 0, 1}, /* even kernel, stride 3 */
    /* 3x3 stride 1 with >= 16 channels in and out: the Winograd path */
    {2, 16, 7, 6, 16, 3, 3, 1, 1, 0, 0, 0, 1}, /* valid, odd output 5x4 */
    {2, 16, 6, 6, 20, 3, 3, 1, 1, 0, 0, 1, 1}, /* same */
    {1, 17, 5, 5, 16, 3, 3, 1, 1, 1, 1, 0, 0}, /* padding 1, no bias */
    {1, 16, 3, 4, 16, 3, 3, 1, 1, 0, 0, 0, 1}, /* a single output row */
    {1, 16, 4, 5, 16, 3, 3, 1, 1, 2, 2, 0, 1}, /* padding 2: border tiles */
};

Test(conv_ops, conv2d_forward_matches_direct) {
    for (size_t t = 0; t < sizeof fwd_cases / sizeof fwd_cases[0]; t++) {
        const conv_cfg *k = &fwd_cases[t];
        int64_t nx = (int64_t)k->n * k->c * k->h * k->w, nw = (int64_t)k->o * k->c * k->kh * k->kw;
        float *x = alloc_uniform(nx, 10 + t), *w = alloc_uniform(nw, 20 + t);
        float *b = alloc_uniform(k->o, 30 + t);
        float *want = malloc(sizeof(float) * (size_t)(k->n * k->o * k->h * k->w * 4 + 16));
        int oh, ow;
        ref_conv(k, x, w, k->bias ? b : NULL, want, &oh, &ow);
        gn_graph *g = graph();
        gn_node *in[3];
        gn_node *y = conv_graph(g, k, x, w, b, 0, in);
        forward(g, y);
        int64_t yd[4] = {k->n, k->o, oh, ow};
        expect_shape(y, 4, yd, "conv2d");
        const float *got = gn_tensor_cdata(gn_node_value(y));
        /* Winograd F(4x4, 3x3) rounds a little more than the direct sum
         * (its transforms scale by up to 8 and 1/24): 3e-5 measured. */
        const double tol = k->kh == 3 && k->sh == 1 && k->c >= 16 ? 1e-4 : 1e-5;
        for (int64_t i = 0; i < gn_tensor_numel(gn_node_value(y)); i++)
            expect_close(got[i], want[i], tol, "case %zu: y[%lld] = %g, want %g", t, (long long)i,
                         got[i], want[i]);
        gn_graph_free(g);
        free(x), free(w), free(b), free(want);
    }
}

/* TensorFlow's "same" with stride 2 on 4x4: total padding 1, all of it at
 * the bottom/right, so the first window starts at (0, 0). */
Test(conv_ops, conv2d_same_stride2_pads_bottom_right) {
    float x[16], w[9];
    for (int i = 0; i < 16; i++)
        x[i] = (float)(i + 1);
    for (int i = 0; i < 9; i++)
        w[i] = 1.0f;
    conv_cfg k = {1, 1, 4, 4, 1, 3, 3, 2, 2, 0, 0, 1, 0};
    gn_graph *g = graph();
    gn_node *in[3];
    gn_node *y = conv_graph(g, &k, x, w, NULL, 0, in);
    forward(g, y);
    int64_t yd[4] = {1, 1, 2, 2};
    expect_shape(y, 4, yd, "same stride 2");
    const float want[4] = {54, 45, 72, 54};
    for (int i = 0; i < 4; i++)
        expect_close(gn_tensor_cdata(gn_node_value(y))[i], want[i], 1e-6, "y[%d] = %g, want %g", i,
                     gn_tensor_cdata(gn_node_value(y))[i], want[i]);
    gn_graph_free(g);
}

/* A batch larger than the work budget runs in several chunks; forward
 * and all three gradients must still match the direct loops. */
static void check_chunked(const conv_cfg *k) {
    int64_t nx = (int64_t)k->n * k->c * k->h * k->w, nw = (int64_t)k->o * k->c * k->kh * k->kw;
    float *x = alloc_uniform(nx, 1), *w = alloc_uniform(nw, 2), *b = alloc_uniform(k->o, 3);
    float *want = malloc(sizeof(float) * (size_t)(k->n * k->o * k->h * k->w));
    int oh, ow;
    ref_conv(k, x, w, b, want, &oh, &ow);
    gn_graph *g = graph();
    gn_node *in[3];
    gn_node *y = conv_graph(g, k, x, w, b, 1, in);
    forward(g, y);
    const float *got = gn_tensor_cdata(gn_node_value(y));
    int bad = 0;
    for (int64_t i = 0; i < gn_tensor_numel(gn_node_value(y)); i++)
        bad += fabs(got[i] - want[i]) > 1e-4 * (1 + fabs(want[i]));
    cr_expect_eq(bad, 0, "%d outputs differ", bad);

    backward(g, y); /* d sum(y) */
    double *dx = calloc((size_t)nx, sizeof *dx), *dw = calloc((size_t)nw, sizeof *dw);
    double *db = calloc((size_t)k->o, sizeof *db);
    ref_conv_grad_ones(k, x, w, dx, dw, db);
    const float *gx = gn_tensor_cdata(gn_node_grad(in[0]));
    const float *gw = gn_tensor_cdata(gn_node_grad(in[1]));
    bad = 0;
    for (int64_t i = 0; i < nx; i++)
        bad += fabs(gx[i] - dx[i]) > 1e-4 * (1 + fabs(dx[i]));
    cr_expect_eq(bad, 0, "%d of dx differ", bad);
    bad = 0;
    for (int64_t i = 0; i < nw; i++)
        /* dW sums n oh ow products (with cancellation: d sum(y) / dW is a
         * sum of inputs); threads change the order of that sum. */
        bad += fabs(gw[i] - dw[i]) > 1e-4 * (1 + fabs(dw[i])) + 4e-7 * k->n * oh * ow;
    cr_expect_eq(bad, 0, "%d of dW differ", bad);
    for (int i = 0; i < k->o; i++)
        expect_close(gn_tensor_cdata(gn_node_grad(in[2]))[i], db[i], 1e-6, "db[%d]", i);
    gn_graph_free(g);
    free(x), free(w), free(b), free(want), free(dx), free(dw), free(db);
}

Test(conv_ops, conv2d_chunked_batch_matches_direct) {
    /* im2col: cols kept from forward for backward (small) or recomputed. */
    const conv_cfg im2col_kept = {100, 4, 28, 28, 32, 3, 3, 1, 1, 0, 0, 0, 1};
    const conv_cfg im2col = {120, 8, 32, 32, 2, 3, 3, 1, 1, 1, 1, 0, 1};
    const conv_cfg winograd = {20, 16, 32, 32, 16, 3, 3, 1, 1, 1, 1, 0, 1};
    /* direct (9 input taps): 33 output channels, so one block of 4 is partial */
    const conv_cfg direct = {100, 1, 28, 28, 33, 3, 3, 1, 1, 1, 1, 0, 1};
    check_chunked(&im2col_kept);
    check_chunked(&im2col);
    check_chunked(&winograd);
    check_chunked(&direct);
}

/* i[7] = 1 fuses a relu: values and gradients equal conv2d then relu. */
Test(conv_ops, conv2d_fused_relu_matches_conv_then_relu) {
    static const conv_cfg cases[] = {
        {2, 3, 7, 6, 4, 3, 3, 1, 1, 1, 1, 0, 1},   /* direct (27 taps) */
        {2, 16, 6, 7, 16, 3, 3, 1, 1, 0, 0, 1, 1}, /* Winograd */
        {2, 4, 7, 6, 4, 3, 3, 1, 1, 1, 1, 0, 1},   /* im2col (36 taps) */
    };
    for (size_t t = 0; t < 3; t++) {
        const conv_cfg *k = &cases[t];
        int64_t nx = (int64_t)k->n * k->c * k->h * k->w, nw = (int64_t)k->o * k->c * 9;
        float *x = alloc_uniform(nx, 60 + t), *w = alloc_uniform(nw, 61 + t);
        float *b = alloc_uniform(k->o, 62 + t);
        gn_graph *g1 = graph(), *g2 = graph();
        gn_node *in1[3], *in2[3];
        gn_node *y1 = conv_graph(g1, k, x, w, b, 1, in1);
        gn_node *y2 = apply(g1, &gn_op_relu, &y1, 1, NULL);
        int64_t xd[4] = {k->n, k->c, k->h, k->w}, wd[4] = {k->o, k->c, 3, 3}, bd[1] = {k->o};
        in2[0] = input(g2, "x", 4, xd, 1, x);
        in2[1] = input(g2, "w", 4, wd, 1, w);
        in2[2] = input(g2, "b", 1, bd, 1, b);
        gn_op_attrs a = conv_attrs(k);
        a.i[7] = 1;
        gn_node *z = apply(g2, &gn_op_conv2d, in2, 3, &a);
        forward(g1, y2);
        forward(g2, z);
        backward(g1, y2);
        backward(g2, z);
        const float *v1 = gn_tensor_cdata(gn_node_value(y2)),
                    *v2 = gn_tensor_cdata(gn_node_value(z));
        int64_t ny = gn_tensor_numel(gn_node_value(z)), zeros = 0;
        for (int64_t i = 0; i < ny; i++) {
            expect_close(v2[i], v1[i], 1e-5, "case %zu y[%lld]", t, (long long)i);
            zeros += v2[i] == 0.0f;
        }
        cr_expect(zeros > 0 && zeros < ny, "case %zu: %lld of %lld clipped", t, (long long)zeros,
                  (long long)ny);
        for (int k2 = 0; k2 < 3; k2++) {
            const float *d1 = gn_tensor_cdata(gn_node_grad(in1[k2]));
            const float *d2 = gn_tensor_cdata(gn_node_grad(in2[k2]));
            for (int64_t i = 0; i < gn_tensor_numel(gn_node_grad(in2[k2])); i++)
                expect_close(d2[i], d1[i], 1e-4, "case %zu d(input %d)[%lld] = %g, want %g", t, k2,
                             (long long)i, d2[i], d1[i]);
        }
        gn_graph_free(g1);
        gn_graph_free(g2);
        free(x), free(w), free(b);
    }
}

/* ---- conv_transpose2d: the adjoint of conv2d ------------------------------------ */

/* Applies conv_transpose2d with conv2d's weight to r and checks
 * <conv(x), r> == <x, conv^T(r)> and that conv^T maps back to x's shape.
 * Output padding is whatever brings the size back to (h, w); same-style
 * attributes come from the layer's rule. */
static void check_adjoint(const conv_cfg *k, uint64_t seed) {
    int64_t nx = (int64_t)k->n * k->c * k->h * k->w, nw = (int64_t)k->o * k->c * k->kh * k->kw;
    float *x = alloc_uniform(nx, seed), *w = alloc_uniform(nw, seed + 1);
    gn_graph *g = graph();
    gn_node *in[3];
    gn_node *y = conv_graph(g, k, x, w, NULL, 0, in);
    forward(g, y);
    gn_tensor *yt = gn_node_value(y);
    int64_t ny = gn_tensor_numel(yt);
    float *r = alloc_uniform(ny, seed + 2);
    int64_t rd[4] = {k->n, k->o, gn_tensor_dim(yt, 2), gn_tensor_dim(yt, 3)};
    gn_node *tin[2] = {input(g, "r", 4, rd, 0, r), in[1]};
    int64_t ph = k->ph, pw = k->pw, oph, opw;
    if (k->same) { /* the layer's rule for "same" */
        ph = k->kh > k->sh ? (k->kh - k->sh) / 2 : 0;
        pw = k->kw > k->sw ? (k->kw - k->sw) / 2 : 0;
    }
    oph = k->h - ((rd[2] - 1) * k->sh + k->kh - 2 * ph);
    opw = k->w - ((rd[3] - 1) * k->sw + k->kw - 2 * pw);
    gn_op_attrs a = {{0}, {k->kh, k->kw, k->sh, k->sw, ph, pw, oph, opw}};
    gn_node *z = apply(g, &gn_op_conv_transpose2d_nobias, tin, 2, &a);
    forward(g, y);
    forward(g, z);
    int64_t zd[4] = {k->n, k->c, k->h, k->w};
    expect_shape(z, 4, zd, "conv_transpose2d");
    double lhs = dot(gn_tensor_cdata(yt), r, ny);
    double rhs = dot(x, gn_tensor_cdata(gn_node_value(z)), nx);
    cr_expect(fabs(lhs - rhs) <= 1e-5 * (1 + fabs(lhs)),
              "<conv(x), r> = %.9g but <x, convT(r)> = %.9g (c %d h %d k %d s %d p %d same %d)",
              lhs, rhs, k->c, k->h, k->kh, k->sh, k->ph, k->same);
    gn_graph_free(g);
    free(x), free(w), free(r);
}

Test(conv_ops, conv_transpose2d_is_adjoint_of_conv2d) {
    static const conv_cfg cases[] = {
        {2, 3, 7, 6, 4, 3, 3, 1, 1, 0, 0, 0, 0}, {2, 2, 7, 7, 3, 3, 3, 2, 2, 1, 1, 0, 0},
        {1, 2, 8, 8, 2, 3, 3, 2, 2, 1, 1, 0, 0}, /* output padding 1 */
        {1, 2, 8, 5, 2, 3, 2, 2, 1, 0, 1, 0, 0}, {2, 2, 8, 8, 3, 3, 3, 2, 2, 0, 0, 1, 0},
        {1, 2, 6, 6, 2, 5, 5, 1, 1, 0, 0, 1, 0}, {1, 1, 8, 8, 2, 2, 2, 2, 2, 0, 0, 1, 0},
        {1, 2, 9, 9, 2, 4, 4, 3, 3, 1, 1, 0, 0}, {1, 2, 6, 6, 3, 1, 1, 2, 2, 0, 0, 1, 0},
    };
    for (size_t t = 0; t < sizeof cases / sizeof cases[0]; t++)
        check_adjoint(&cases[t], 100 + 10 * t);
}

/* Stride 2, 2x2 ones: every input pixel becomes a 2x2 block, plus the bias. */
Test(conv_ops, conv_transpose2d_known_values_and_bias) {
    float x[8] = {1, 2, 3, 4, 5, 6, 7, 8}, w[8], b[2] = {0.5f, -1.0f};
    for (int i = 0; i < 8; i++)
        w[i] = i < 4 ? 1.0f : 2.0f; /* W (1, 2, 2, 2): out channel 1 doubles */
    gn_graph *g = graph();
    int64_t xd[4] = {2, 1, 2, 2}, wd[4] = {1, 2, 2, 2}, bd[1] = {2};
    gn_node *in[3] = {input(g, "x", 4, xd, 0, x), input(g, "w", 4, wd, 0, w),
                      input(g, "b", 1, bd, 0, b)};
    gn_op_attrs a = {{0}, {2, 2, 2, 2, 0, 0, 0, 0}};
    gn_node *y = apply(g, &gn_op_conv_transpose2d, in, 3, &a);
    forward(g, y);
    int64_t yd[4] = {2, 2, 4, 4};
    expect_shape(y, 4, yd, "conv_transpose2d");
    const float *yv = gn_tensor_cdata(gn_node_value(y));
    for (int n = 0; n < 2; n++)
        for (int o = 0; o < 2; o++)
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 4; j++) {
                    float want = x[n * 4 + (i / 2) * 2 + j / 2] * (o ? 2.0f : 1.0f) + b[o];
                    float got = yv[((n * 2 + o) * 4 + i) * 4 + j];
                    cr_expect_float_eq(got, want, 1e-6, "y[%d,%d,%d,%d] = %g, want %g", n, o, i, j,
                                       got, want);
                }
    gn_graph_free(g);
}

/* ---- pooling, upsampling ---------------------------------------------------------- */

static const pool_cfg pool_cases[] = {
    {2, 3, 4, 6, 2, 2, 0, 0},  /* the 2x2 / 2 fast path */
    {1, 2, 5, 7, 2, 2, 0, 0},  /* odd sizes: the last row/column is dropped */
    {2, 2, 7, 7, 3, 2, 0, 0},  /* 3x3 / 2 */
    {1, 2, 5, 6, 3, 1, 1, 0},  /* 3x3 / 1, padding 1 */
    {2, 2, 5, 5, 2, 2, 0, 1},  /* same: a partial window at the bottom/right */
    {1, 3, 6, 7, 3, 2, 0, 1},  /* 3x3 / 2 same */
    {1, 1, 4, 4, 2, 1, 0, 0},  /* overlapping 2x2 / 1 */
    {2, 2, 6, 11, 2, 2, 0, 0}, /* 2x2 / 2, 5 a row: 4 at once and a tail */
};

static void check_pool(const gn_op_vtable *op, int avg) {
    for (size_t t = 0; t < sizeof pool_cases / sizeof pool_cases[0]; t++) {
        const pool_cfg *k = &pool_cases[t];
        int64_t nx = (int64_t)k->n * k->c * k->h * k->w;
        float *x = alloc_uniform(nx, 40 + t), *want = malloc(sizeof(float) * (size_t)nx);
        int oh, ow;
        ref_pool(k, avg, x, want, &oh, &ow);
        gn_graph *g = graph();
        int64_t xd[4] = {k->n, k->c, k->h, k->w};
        gn_node *in = input(g, "x", 4, xd, 0, x);
        gn_op_attrs a = {{0}, {k->k, k->k, k->s, k->s, k->p, k->p, k->same, 0}};
        gn_node *y = apply(g, op, &in, 1, &a);
        forward(g, y);
        int64_t yd[4] = {k->n, k->c, oh, ow};
        expect_shape(y, 4, yd, op->name);
        const float *got = gn_tensor_cdata(gn_node_value(y));
        for (int64_t i = 0; i < gn_tensor_numel(gn_node_value(y)); i++)
            expect_close(got[i], want[i], 1e-6, "%s case %zu: y[%lld] = %g, want %g", op->name, t,
                         (long long)i, got[i], want[i]);
        gn_graph_free(g);
        free(x), free(want);
    }
}

Test(conv_ops, maxpool2d_forward_matches_direct) {
    check_pool(&gn_op_maxpool2d, 0);
}
Test(conv_ops, avgpool2d_forward_matches_direct) {
    check_pool(&gn_op_avgpool2d, 1);
}

/* The gradient goes to the argmax of each window and nowhere else. */
Test(conv_ops, maxpool2d_backward_routes_to_argmax) {
    float x[16] = {1, 9, 2, 3, 4, 5, 8, 6, 7, 0, 1, 1, 2, 3, 4, 9.5f};
    gn_graph *g = graph();
    int64_t xd[4] = {1, 1, 4, 4};
    gn_node *in = input(g, "x", 4, xd, 1, x);
    gn_op_attrs a = {{0}, {2, 2}};
    gn_node *y = apply(g, &gn_op_maxpool2d, &in, 1, &a);
    forward(g, y);
    const float want_y[4] = {9, 8, 7, 9.5f};
    for (int i = 0; i < 4; i++)
        cr_expect_float_eq(gn_tensor_cdata(gn_node_value(y))[i], want_y[i], 0, "y[%d]", i);
    backward(g, y);
    const float *dx = gn_tensor_cdata(gn_node_grad(in));
    for (int i = 0; i < 16; i++)
        cr_expect_float_eq(dx[i], (i == 1 || i == 6 || i == 8 || i == 15) ? 1.0f : 0.0f, 0,
                           "dx[%d] = %g", i, dx[i]);
    gn_graph_free(g);

    /* Ties go to the first element of the window, in the vector path too. */
    float ones[2 * 10];
    for (int i = 0; i < 20; i++)
        ones[i] = 1.0f;
    g = graph();
    int64_t od[4] = {1, 1, 2, 10};
    in = input(g, "x", 4, od, 1, ones);
    y = apply(g, &gn_op_maxpool2d, &in, 1, &a);
    forward(g, y);
    backward(g, y);
    dx = gn_tensor_cdata(gn_node_grad(in));
    for (int i = 0; i < 20; i++)
        cr_expect_float_eq(dx[i], i < 10 && i % 2 == 0 ? 1.0f : 0.0f, 0, "tie: dx[%d] = %g", i,
                           dx[i]);
    gn_graph_free(g);
}

Test(conv_ops, global_avg_pool2d_forward) {
    enum { N = 2, C = 3, H = 3, W = 4 };
    float x[N * C * H * W];
    fill_uniform(x, N * C * H * W, -1, 1, 5);
    gn_graph *g = graph();
    int64_t xd[4] = {N, C, H, W};
    gn_node *in = input(g, "x", 4, xd, 0, x);
    gn_node *y = apply(g, &gn_op_global_avg_pool2d, &in, 1, NULL);
    forward(g, y);
    int64_t yd[2] = {N, C};
    expect_shape(y, 2, yd, "global_avg_pool2d");
    for (int nc = 0; nc < N * C; nc++) {
        double s = 0;
        for (int k = 0; k < H * W; k++)
            s += x[nc * H * W + k];
        expect_close(gn_tensor_cdata(gn_node_value(y))[nc], s / (H * W), 1e-6, "y[%d]", nc);
    }
    gn_graph_free(g);
}

Test(conv_ops, upsample2d_forward_nearest) {
    float x[12];
    for (int i = 0; i < 12; i++)
        x[i] = (float)i;
    gn_graph *g = graph();
    int64_t xd[4] = {1, 2, 2, 3};
    gn_node *in = input(g, "x", 4, xd, 0, x);
    gn_op_attrs a = {{0}, {2, 3}};
    gn_node *y = apply(g, &gn_op_upsample2d, &in, 1, &a);
    forward(g, y);
    int64_t yd[4] = {1, 2, 4, 9};
    expect_shape(y, 4, yd, "upsample2d");
    const float *yv = gn_tensor_cdata(gn_node_value(y));
    for (int c = 0; c < 2; c++)
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 9; j++)
                cr_expect_float_eq(yv[(c * 4 + i) * 9 + j], x[(c * 2 + i / 2) * 3 + j / 3], 0,
                                   "y[%d,%d,%d]", c, i, j);
    gn_graph_free(g);
}

/* ---- batchnorm ------------------------------------------------------------------------ */

/* Checks one training step, then eval with the updated running statistics,
 * on x viewed as (N, C, S). */
static void check_batchnorm(int ndim, const int64_t *dims) {
    const int64_t n = dims[0], c = dims[1], s = ndim == 4 ? dims[2] * dims[3] : 1;
    const int64_t total = n * c * s;
    float *x = alloc_uniform(total, 77), gamma[8], beta[8], rm[8], rv[8];
    cr_assert(c <= 8);
    for (int64_t i = 0; i < total; i++)
        x[i] = 2.0f * x[i] + 0.3f * (float)((i / s) % c); /* per-channel offsets */
    fill_uniform(gamma, c, 0.5f, 1.5f, 78);
    fill_uniform(beta, c, -0.5f, 0.5f, 79);
    for (int j = 0; j < c; j++)
        rm[j] = 0.0f, rv[j] = 1.0f;
    gn_graph *g = graph();
    int64_t cd[1] = {c};
    gn_node *in[5] = {input(g, "x", ndim, dims, 0, x), input(g, "gamma", 1, cd, 0, gamma),
                      input(g, "beta", 1, cd, 0, beta), input(g, "running_mean", 1, cd, 0, rm),
                      input(g, "running_var", 1, cd, 0, rv)};
    gn_op_attrs a = {{0.1f, 1e-5f}, {0}};
    gn_node *y = apply(g, &gn_op_batchnorm, in, 5, &a);
    gn_graph_set_training(g, 1);
    forward(g, y);
    const float *yv = gn_tensor_cdata(gn_node_value(y));
    const float *rmv = gn_tensor_cdata(gn_node_value(in[3]));
    const float *rvv = gn_tensor_cdata(gn_node_value(in[4]));
    double mean[8], var[8];
    for (int64_t j = 0; j < c; j++) {
        double sum = 0, sq = 0;
        for (int64_t i = 0; i < n; i++)
            for (int64_t k = 0; k < s; k++)
                sum += x[(i * c + j) * s + k];
        mean[j] = sum / (double)(n * s);
        for (int64_t i = 0; i < n; i++)
            for (int64_t k = 0; k < s; k++) {
                double d = x[(i * c + j) * s + k] - mean[j];
                sq += d * d;
            }
        var[j] = sq / (double)(n * s);
        /* PyTorch: running = 0.9 running + 0.1 batch, variance unbiased. */
        expect_close(rmv[j], 0.1 * mean[j], 1e-5, "running_mean[%lld] = %g, want %g", (long long)j,
                     rmv[j], 0.1 * mean[j]);
        double uvar = var[j] * (double)(n * s) / (double)(n * s - 1);
        expect_close(rvv[j], 0.9 + 0.1 * uvar, 1e-5, "running_var[%lld] = %g, want %g",
                     (long long)j, rvv[j], 0.9 + 0.1 * uvar);
    }
    for (int64_t i = 0; i < total; i++) {
        int64_t j = (i / s) % c;
        double want = gamma[j] * (x[i] - mean[j]) / sqrt(var[j] + 1e-5) + beta[j];
        expect_close(yv[i], want, 1e-5, "train y[%lld] = %g, want %g", (long long)i, yv[i], want);
    }
    double rm1[8], rv1[8];
    for (int64_t j = 0; j < c; j++)
        rm1[j] = rmv[j], rv1[j] = rvv[j];

    /* Eval: running statistics, which stay put. */
    gn_graph_set_training(g, 0);
    forward(g, y);
    for (int64_t i = 0; i < total; i++) {
        int64_t j = (i / s) % c;
        double want = gamma[j] * (x[i] - rm1[j]) / sqrt(rv1[j] + 1e-5) + beta[j];
        expect_close(yv[i], want, 1e-5, "eval y[%lld] = %g, want %g", (long long)i, yv[i], want);
    }
    for (int64_t j = 0; j < c; j++) {
        cr_expect_float_eq(rmv[j], (float)rm1[j], 0, "eval changed running_mean");
        cr_expect_float_eq(rvv[j], (float)rv1[j], 0, "eval changed running_var");
    }
    /* A second training step moves the running statistics again. */
    gn_graph_set_training(g, 1);
    forward(g, y);
    for (int64_t j = 0; j < c; j++)
        expect_close(rmv[j], 0.9 * rm1[j] + 0.1 * mean[j], 1e-5, "second step running_mean");
    gn_graph_free(g);
    free(x);
}

Test(conv_ops, batchnorm_dense_train_eval_running_stats) {
    int64_t d[2] = {6, 4};
    check_batchnorm(2, d);
}

Test(conv_ops, batchnorm_conv_train_eval_running_stats) {
    int64_t d[4] = {3, 5, 4, 3};
    check_batchnorm(4, d);
}

/* center/scale off: the flagged inputs are ignored (y is plain (x - m) / s). */
Test(conv_ops, batchnorm_without_gamma_beta) {
    float x[8] = {1, 2, 3, 4, 5, 6, 7, 9}, junk[2] = {100, -100}, rm[2] = {0, 0}, rv[2] = {1, 1};
    gn_graph *g = graph();
    int64_t xd[2] = {4, 2}, cd[1] = {2};
    gn_node *j = input(g, "junk", 1, cd, 0, junk);
    gn_node *in[5] = {input(g, "x", 2, xd, 0, x), j, j, input(g, "rm", 1, cd, 0, rm),
                      input(g, "rv", 1, cd, 0, rv)};
    gn_op_attrs a = {{0.1f, 0.0f}, {1, 1}};
    gn_node *y = apply(g, &gn_op_batchnorm, in, 5, &a);
    gn_graph_set_training(g, 1);
    forward(g, y);
    const float *yv = gn_tensor_cdata(gn_node_value(y));
    /* channel 0: 1 3 5 7, mean 4, var 5; channel 1: 2 4 6 9, mean 5.25, var 6.6875 */
    const double m[2] = {4, 5.25}, v[2] = {5, 6.6875};
    for (int i = 0; i < 8; i++)
        expect_close(yv[i], (x[i] - m[i % 2]) / sqrt(v[i % 2]), 1e-6, "y[%d] = %g", i, yv[i]);
    gn_graph_free(g);
}

/* ---- shape errors ------------------------------------------------------------------------ */

/* Expects applying op to fresh inputs of the given shapes to fail with a
 * message containing want. */
static void expect_apply_error(const gn_op_vtable *op, int n_in, const int *ndims,
                               const int64_t (*dims)[4], const gn_op_attrs *a, int training,
                               const char *want) {
    gn_graph *g = graph();
    gn_graph_set_training(g, training);
    gn_node *in[5];
    for (int k = 0; k < n_in; k++)
        in[k] = input(g, "in", ndims[k], dims[k], 0, NULL);
    gn_error err = {0};
    gn_node *y = gn_graph_apply(g, op, in, n_in, a, &err);
    if (y) { /* some checks only fire on forward (training mode) */
        cr_expect_neq(gn_graph_forward(g, y, &err), GN_OK, "%s: accepted", op->name);
    }
    cr_expect_neq(err.status, GN_OK, "%s: no error", op->name);
    cr_expect(strstr(err.msg, want) != NULL, "%s: message \"%s\" lacks \"%s\"", op->name, err.msg,
              want);
    gn_graph_free(g);
}

Test(conv_ops, shape_errors_are_clear) {
    gn_op_attrs none = {{0}, {0}};
    /* kernel larger than the input */
    expect_apply_error(&gn_op_conv2d_nobias, 2, (int[]){4, 4},
                       (const int64_t[][4]){{2, 1, 3, 3}, {4, 1, 5, 5}}, &none, 0,
                       "kernel 5x5 is larger than the (padded) input 3x3");
    /* channels mismatch */
    expect_apply_error(&gn_op_conv2d_nobias, 2, (int[]){4, 4},
                       (const int64_t[][4]){{2, 3, 8, 8}, {4, 1, 3, 3}}, &none, 0,
                       "input has 3 channels, weight expects 1");
    /* not an image */
    expect_apply_error(&gn_op_conv2d_nobias, 2, (int[]){2, 4},
                       (const int64_t[][4]){{2, 784}, {4, 1, 3, 3}}, &none, 0,
                       "input must be 4-D (batch, channels, height, width), got (2, 784)");
    /* bias size */
    expect_apply_error(&gn_op_conv2d, 3, (int[]){4, 4, 1},
                       (const int64_t[][4]){{2, 1, 8, 8}, {4, 1, 3, 3}, {3}}, &none, 0,
                       "bias has 3 elements, weight has 4 output channels");
    /* transposed: channels, and an output that would vanish */
    expect_apply_error(&gn_op_conv_transpose2d_nobias, 2, (int[]){4, 4},
                       (const int64_t[][4]){{2, 3, 4, 4}, {2, 1, 3, 3}}, &none, 0,
                       "input has 3 channels, weight expects 2");
    gn_op_attrs bigpad = {{0}, {0, 0, 1, 1, 3, 3, 0, 0}};
    expect_apply_error(&gn_op_conv_transpose2d_nobias, 2, (int[]){4, 4},
                       (const int64_t[][4]){{1, 1, 2, 2}, {1, 1, 3, 3}}, &bigpad, 0,
                       "reduce the padding");
    /* pools */
    gn_op_attrs p3 = {{0}, {3, 3}};
    expect_apply_error(&gn_op_maxpool2d, 1, (int[]){4}, (const int64_t[][4]){{1, 1, 2, 2}}, &p3, 0,
                       "pool 3x3 is larger than the (padded) input 2x2");
    gn_op_attrs bad_pad = {{0}, {2, 2, 2, 2, 2, 2, 0}};
    expect_apply_error(&gn_op_avgpool2d, 1, (int[]){4}, (const int64_t[][4]){{1, 1, 6, 6}},
                       &bad_pad, 0, "between 0 and half the pool size");
    expect_apply_error(&gn_op_global_avg_pool2d, 1, (int[]){2}, (const int64_t[][4]){{4, 5}}, &none,
                       0, "input must be 4-D");
    expect_apply_error(&gn_op_upsample2d, 1, (int[]){4}, (const int64_t[][4]){{1, 1, 2, 2}}, &none,
                       0, "scale (0, 0) must be >= 1");
    /* batchnorm: statistics of the wrong size; one value per channel in training */
    gn_op_attrs bn = {{0.1f, 1e-5f}, {0}};
    expect_apply_error(&gn_op_batchnorm, 5, (int[]){4, 1, 1, 1, 1},
                       (const int64_t[][4]){{2, 3, 4, 4}, {3}, {3}, {4}, {3}}, &bn, 0,
                       "running_mean has 4 elements, input has 3 channels");
    expect_apply_error(&gn_op_batchnorm, 5, (int[]){2, 1, 1, 1, 1},
                       (const int64_t[][4]){{1, 3}, {3}, {3}, {3}, {3}}, &bn, 1,
                       "more than one value per channel");
}

/* ---- gradient checks ------------------------------------------------------------------------ */

typedef enum { D_SYM, D_DISTINCT, D_POS } data_kind;

typedef struct in_spec {
    int ndim;
    int64_t dims[4];
    data_kind kind;
    int grad;
} in_spec;

typedef struct grad_case {
    const char *label;
    const gn_op_vtable *op;
    int n_in;
    in_spec in[5];
    gn_op_attrs attrs;
    int training;
    float eps; /* 0 = 1e-2; linear maps take larger steps (no curvature, less round-off) */
} grad_case;

#define IMG(...)                                                                                   \
    { 4, {__VA_ARGS__}, D_SYM, 1 }
#define VEC(c)                                                                                     \
    { 1, {c}, D_SYM, 1 }
#define STAT(c, kind)                                                                              \
    { 1, {c}, kind, 0 }
#define A(...)                                                                                     \
    {                                                                                              \
        {0}, {                                                                                     \
            __VA_ARGS__                                                                            \
        }                                                                                          \
    }
#define BN(no_gamma, no_beta)                                                                      \
    {                                                                                              \
        {0.1f, 1e-5f}, {                                                                           \
            no_gamma, no_beta                                                                      \
        }                                                                                          \
    }

static const grad_case grad_cases[] = {
    {.label = "conv2d_valid",
     .op = &gn_op_conv2d,
     .n_in = 3,
     .in = {IMG(2, 2, 5, 5), IMG(3, 2, 3, 3), VEC(3)},
     .attrs = A(3, 3, 1, 1),
     .eps = 5e-2f},
    {.label = "conv2d_stride2_pad1",
     .op = &gn_op_conv2d,
     .n_in = 3,
     .in = {IMG(2, 2, 6, 5), IMG(2, 2, 3, 3), VEC(2)},
     .attrs = A(3, 3, 2, 2, 1, 1),
     .eps = 5e-2f},
    {.label = "conv2d_same_stride2",
     .op = &gn_op_conv2d,
     .n_in = 3,
     .in = {IMG(1, 2, 6, 7), IMG(2, 2, 3, 3), VEC(2)},
     .attrs = A(3, 3, 2, 2, 0, 0, 1),
     .eps = 5e-2f},
    {.label = "conv2d_nobias_rect",
     .op = &gn_op_conv2d_nobias,
     .n_in = 2,
     .in = {IMG(2, 1, 5, 6), IMG(2, 1, 2, 3)},
     .attrs = A(2, 3, 1, 2, 1, 0),
     .eps = 5e-2f},
    {.label = "conv2d_winograd_same",
     .op = &gn_op_conv2d,
     .n_in = 3,
     .in = {IMG(2, 16, 5, 6), IMG(16, 16, 3, 3), VEC(16)},
     .attrs = A(3, 3, 1, 1, 0, 0, 1),
     .eps = 1.0f},
    {.label = "conv2d_winograd_wide_rows", /* 3 tiles a row, the last partial */
     .op = &gn_op_conv2d,
     .n_in = 3,
     .in = {IMG(1, 16, 4, 10), IMG(16, 16, 3, 3), VEC(16)},
     .attrs = A(3, 3, 1, 1, 0, 0, 1),
     .eps = 1.0f},
    {.label = "conv2d_winograd_valid_nobias",
     .op = &gn_op_conv2d_nobias,
     .n_in = 2,
     .in = {IMG(1, 16, 6, 7), IMG(18, 16, 3, 3)},
     .attrs = A(3, 3, 1, 1),
     .eps = 1.0f},
    {.label = "conv_transpose2d_s2_p1_op1",
     .op = &gn_op_conv_transpose2d,
     .n_in = 3,
     .in = {IMG(2, 3, 3, 3), IMG(3, 2, 3, 3), VEC(2)},
     .attrs = A(3, 3, 2, 2, 1, 1, 1, 1),
     .eps = 5e-2f},
    {.label = "conv_transpose2d_nobias_rect",
     .op = &gn_op_conv_transpose2d_nobias,
     .n_in = 2,
     .in = {IMG(1, 2, 3, 4), IMG(2, 2, 2, 3)},
     .attrs = A(2, 3, 2, 1),
     .eps = 5e-2f},
    {.label = "conv_transpose2d_same_trim",
     .op = &gn_op_conv_transpose2d,
     .n_in = 3,
     .in = {IMG(1, 2, 3, 3), IMG(2, 1, 3, 3), VEC(1)},
     .attrs = A(3, 3, 2, 2, 0, 0, -1, -1),
     .eps = 5e-2f},
    {.label = "maxpool2d_2x2",
     .op = &gn_op_maxpool2d,
     .n_in = 1,
     .in = {{4, {2, 2, 4, 6}, D_DISTINCT, 1}},
     .attrs = A(2, 2)},
    {.label = "maxpool2d_3x3_s2_same",
     .op = &gn_op_maxpool2d,
     .n_in = 1,
     .in = {{4, {1, 2, 5, 5}, D_DISTINCT, 1}},
     .attrs = A(3, 3, 2, 2, 0, 0, 1)},
    {.label = "maxpool2d_3x3_s1_pad1",
     .op = &gn_op_maxpool2d,
     .n_in = 1,
     .in = {{4, {1, 2, 4, 5}, D_DISTINCT, 1}},
     .attrs = A(3, 3, 1, 1, 1, 1)},
    {.label = "avgpool2d_2x2",
     .op = &gn_op_avgpool2d,
     .n_in = 1,
     .in = {IMG(2, 2, 4, 5)},
     .attrs = A(2, 2)},
    {.label = "avgpool2d_3x3_s2_same",
     .op = &gn_op_avgpool2d,
     .n_in = 1,
     .in = {IMG(1, 2, 5, 6)},
     .attrs = A(3, 3, 2, 2, 0, 0, 1)},
    {.label = "global_avg_pool2d",
     .op = &gn_op_global_avg_pool2d,
     .n_in = 1,
     .in = {IMG(2, 3, 3, 4)}},
    {.label = "upsample2d",
     .op = &gn_op_upsample2d,
     .n_in = 1,
     .in = {IMG(2, 2, 2, 3)},
     .attrs = A(2, 3)},
    {.label = "batchnorm_conv_eval",
     .op = &gn_op_batchnorm,
     .n_in = 5,
     .in = {IMG(2, 3, 2, 2), VEC(3), VEC(3), STAT(3, D_SYM), STAT(3, D_POS)},
     .attrs = BN(0, 0)},
    {.label = "batchnorm_conv_train",
     .op = &gn_op_batchnorm,
     .n_in = 5,
     .in = {IMG(2, 3, 2, 2), VEC(3), VEC(3), STAT(3, D_SYM), STAT(3, D_POS)},
     .attrs = BN(0, 0),
     .training = 1},
    {.label = "batchnorm_dense_eval",
     .op = &gn_op_batchnorm,
     .n_in = 5,
     .in = {{2, {5, 4}, D_SYM, 1}, VEC(4), VEC(4), STAT(4, D_SYM), STAT(4, D_POS)},
     .attrs = BN(0, 0)},
    {.label = "batchnorm_dense_train",
     .op = &gn_op_batchnorm,
     .n_in = 5,
     .in = {{2, {5, 4}, D_SYM, 1}, VEC(4), VEC(4), STAT(4, D_SYM), STAT(4, D_POS)},
     .attrs = BN(0, 0),
     .training = 1,
     .eps = 3e-3f},
    {.label = "batchnorm_train_no_affine",
     .op = &gn_op_batchnorm,
     .n_in = 5,
     .in = {IMG(3, 2, 2, 2), STAT(2, D_SYM), STAT(2, D_SYM), STAT(2, D_SYM), STAT(2, D_POS)},
     .attrs = BN(1, 1),
     .training = 1},
    {.label = "conv2d_direct_pad1", /* stride 1, 18 taps, 5 channels: blocks of 4 and 1
                                    (last: the cases' seeds follow their index) */
     .op = &gn_op_conv2d,
     .n_in = 3,
     .in = {IMG(2, 2, 5, 6), IMG(5, 2, 3, 3), VEC(5)},
     .attrs = A(3, 3, 1, 1, 1, 1),
     .eps = 5e-2f},
    {.label = "maxpool2d_2x2_odd", /* a last row and column in no window get zero */
     .op = &gn_op_maxpool2d,
     .n_in = 1,
     .in = {{4, {2, 2, 5, 7}, D_DISTINCT, 1}},
     .attrs = A(2, 2)},
};
#define N_GRAD_CASES (sizeof grad_cases / sizeof grad_cases[0])

ParameterizedTestParameters(conv_grad, gradcheck) {
    static int idx[N_GRAD_CASES];
    for (size_t i = 0; i < N_GRAD_CASES; i++)
        idx[i] = (int)i;
    return cr_make_param_array(int, idx, N_GRAD_CASES);
}

static void fill_input(float *x, const in_spec *s, int64_t n, uint64_t seed) {
    gn_rng r;
    gn_rng_seed(&r, seed);
    for (int64_t i = 0; i < n; i++) {
        float u = (float)gn_rng_uniform(&r);
        x[i] = s->kind == D_POS ? 0.5f + u : -1.0f + 2.0f * u;
        if (s->kind == D_DISTINCT) x[i] = 0.1f * (float)i - 0.05f * (float)n;
    }
    if (s->kind == D_DISTINCT) /* shuffled, 0.1 apart: no ties within eps */
        for (int64_t i = n - 1; i > 0; i--) {
            int64_t j = (int64_t)gn_rng_below(&r, (uint64_t)(i + 1));
            float t = x[i];
            x[i] = x[j], x[j] = t;
        }
}

ParameterizedTest(int *ci, conv_grad, gradcheck) {
    const grad_case *gc = &grad_cases[*ci];
    gn_error err = {0};
    gn_graph *g = graph();
    gn_graph_set_training(g, gc->training);
    gn_node *in[5];
    for (int k = 0; k < gc->n_in; k++) {
        const in_spec *s = &gc->in[k];
        int64_t n = 1;
        for (int d = 0; d < s->ndim; d++)
            n *= s->dims[d];
        float *buf = malloc((size_t)n * sizeof *buf);
        cr_assert_not_null(buf);
        fill_input(buf, s, n, 200 + (uint64_t)k + 10 * (uint64_t)*ci);
        in[k] = input(g, "in", s->ndim, s->dims, s->grad, buf);
        free(buf);
    }
    gn_node *y = apply(g, gc->op, in, gc->n_in, &gc->attrs);
    int checked = 0;
    for (int k = 0; k < gc->n_in; k++) {
        if (!gc->in[k].grad) continue;
        gn_gradcheck_result res;
        cr_assert_eq(gn_gradcheck(g, y, in[k], gc->eps > 0 ? gc->eps : 1e-2f, &res, &err), GN_OK,
                     "%s: %s", gc->label, err.msg);
        cr_expect(res.checked > 0);
        cr_log_info("%s: d/d(input %d) max_rel_err %g max_abs_err %g", gc->label, k,
                    res.max_rel_err, res.max_abs_err);
        cr_expect(res.max_rel_err < 5e-3, "%s: d/d(input %d) max_rel_err %g (abs %g)", gc->label, k,
                  res.max_rel_err, res.max_abs_err);
        checked++;
    }
    cr_expect(checked > 0, "%s: nothing checked", gc->label);
    gn_graph_free(g);
}

/* ---- layers ---------------------------------------------------------------------------------- */

static int buffer_index(fixture *f, const char *name) {
    for (int i = 0; i < gn_model_n_buffers(f->m); i++)
        if (strcmp(gn_model_buffer_name(f->m, i), name) == 0) return i;
    return -1;
}

/* Per-sample shape (batch excluded) of a node. */
static void expect_sample_shape(gn_node *n, int ndim, const int64_t *dims, const char *what) {
    gn_tensor *t = gn_node_value(n);
    char s[64];
    gn_tensor_shape_str(t, 1, s, sizeof s);
    cr_assert_eq(gn_tensor_ndim(t), ndim + 1, "%s: shape %s", what, s);
    for (int i = 0; i < ndim; i++)
        cr_expect_eq(gn_tensor_dim(t, i + 1), dims[i], "%s: shape %s", what, s);
}

Test(conv_layers, registered_with_schemas) {
    static const struct {
        const char *name, *pos0, *pos1;
    } layers[] = {
        {"conv2d", "filters", "kernel_size"},
        {"conv2d_transpose", "filters", "kernel_size"},
        {"maxpool2d", "pool_size", NULL},
        {"avgpool2d", "pool_size", NULL},
        {"global_avg_pool2d", NULL, NULL},
        {"upsampling2d", "size", NULL},
        {"batchnorm", NULL, NULL},
    };
    fixture f;
    setup(&f);
    gn_error err = {0};
    for (size_t i = 0; i < sizeof layers / sizeof layers[0]; i++) {
        const gn_layer_vtable *vt = gn_registry_find(f.reg, GN_KIND_LAYER, layers[i].name, &err);
        cr_assert_not_null(vt, "%s: %s", layers[i].name, err.msg);
        cr_expect_eq(vt->struct_size, sizeof(gn_layer_vtable));
        cr_expect(vt->doc && *vt->doc && vt->schema && vt->build, "%s", layers[i].name);
        if (layers[i].pos0) {
            cr_assert_not_null(vt->positional, "%s", layers[i].name);
            cr_expect_str_eq(vt->positional[0], layers[i].pos0);
            if (layers[i].pos1) cr_expect_str_eq(vt->positional[1], layers[i].pos1);
        }
    }
    teardown(&f);
}

/* conv 32 3x3, maxpool 2, conv 64 3x3, maxpool 2, dropout 0.5, dense 10. */
Test(conv_layers, small_cnn_has_34826_params) {
    fixture f;
    setup(&f);
    int64_t in[3] = {1, 28, 28};
    gn_node *x = model_input(&f, 3, in);
    gn_node *h = add(&f, NULL, "conv2d", x,
                     (const char *const[]){"filters=32", "kernel_size=3", "activation=relu", NULL});
    expect_sample_shape(h, 3, (int64_t[]){32, 26, 26}, "conv2d_1");
    /* activation=relu is fused into the conv2d op. */
    cr_expect_eq(gn_node_op(h), &gn_op_conv2d);
    cr_expect_eq(gn_node_attrs(h)->i[7], 1);
    h = add(&f, NULL, "maxpool2d", h, NULL);
    expect_sample_shape(h, 3, (int64_t[]){32, 13, 13}, "maxpool2d_1");
    h = add(&f, NULL, "conv2d", h,
            (const char *const[]){"filters=64", "kernel_size=3", "activation=relu", NULL});
    expect_sample_shape(h, 3, (int64_t[]){64, 11, 11}, "conv2d_2");
    h = add(&f, NULL, "maxpool2d", h, (const char *const[]){"pool_size=2", NULL});
    expect_sample_shape(h, 3, (int64_t[]){64, 5, 5}, "maxpool2d_2");
    h = add(&f, NULL, "dropout", h, (const char *const[]){"rate=0.5", NULL});
    h = add(&f, NULL, "flatten", h, NULL);
    gn_node *y = add(&f, NULL, "dense", h, (const char *const[]){"units=10", NULL});
    finalize(&f, y);
    cr_expect_eq(gn_model_n_params(f.m), 34826, "params %lld", (long long)gn_model_n_params(f.m));
    gn_layer_info info;
    gn_error err = {0};
    cr_assert_eq(gn_model_layer_info(f.m, 0, &info, &err), GN_OK, "%s", err.msg);
    cr_expect_str_eq(info.name, "conv2d_1");
    cr_expect_eq(info.n_params, 320);
    cr_assert_eq(gn_model_layer_info(f.m, 2, &info, &err), GN_OK, "%s", err.msg);
    cr_expect_eq(info.n_params, 18496);
    teardown(&f);
}

/* conv 200 5x5 same, maxpool 2, conv 100 3x3 same, maxpool 2, dense 10. */
Test(conv_layers, wide_cnn_has_234310_params) {
    fixture f;
    setup(&f);
    int64_t in[3] = {1, 28, 28};
    gn_node *x = model_input(&f, 3, in);
    gn_node *h = add(&f, NULL, "conv2d", x,
                     (const char *const[]){"filters=200", "kernel_size=5", "padding=same",
                                           "activation=relu", NULL});
    expect_sample_shape(h, 3, (int64_t[]){200, 28, 28}, "conv2d_1");
    h = add(&f, NULL, "maxpool2d", h, NULL);
    h = add(&f, NULL, "conv2d", h,
            (const char *const[]){"filters=100", "kernel_size=3", "padding=same", "activation=relu",
                                  NULL});
    expect_sample_shape(h, 3, (int64_t[]){100, 14, 14}, "conv2d_2");
    h = add(&f, NULL, "maxpool2d", h, NULL);
    expect_sample_shape(h, 3, (int64_t[]){100, 7, 7}, "maxpool2d_2");
    h = add(&f, NULL, "flatten", h, NULL);
    gn_node *y = add(&f, NULL, "dense", h, (const char *const[]){"units=10", NULL});
    finalize(&f, y);
    cr_expect_eq(gn_model_n_params(f.m), 234310, "params %lld", (long long)gn_model_n_params(f.m));
    teardown(&f);
}

Test(conv_layers, conv2d_weight_layout_and_init) {
    fixture f;
    setup(&f);
    int64_t in[3] = {3, 10, 10};
    gn_node *x = model_input(&f, 3, in);
    gn_node *y =
        add(&f, "c", "conv2d", x, (const char *const[]){"filters=8", "kernel_size=3", NULL});
    gn_node *z = add(&f, "c2", "conv2d", y,
                     (const char *const[]){"filters=4", "kernel_size=1", "use_bias=false", NULL});
    finalize(&f, z);
    int w = tensor_index(&f, "c.weight"), b = tensor_index(&f, "c.bias");
    cr_assert(w >= 0 && b >= 0);
    cr_expect_eq(tensor_index(&f, "c2.bias"), -1, "use_bias=false has no bias");
    gn_tensor *wt = gn_model_tensor(f.m, w);
    int64_t wd[4] = {8, 3, 3, 3};
    for (int i = 0; i < 4; i++)
        cr_expect_eq(gn_tensor_dim(wt, i), wd[i], "weight (out, in, kh, kw)");
    cr_expect_eq(gn_tensor_numel(gn_model_tensor(f.m, b)), 8);
    /* glorot_uniform with fan_in 3*9 = 27 and fan_out 8*9 = 72. */
    double a = sqrt(6.0 / (27 + 72)), maxabs = 0;
    for (int64_t i = 0; i < gn_tensor_numel(wt); i++)
        maxabs = fmax(maxabs, fabs(gn_tensor_cdata(wt)[i]));
    cr_expect(maxabs > 0.5 * a && maxabs <= a, "max |w| %g, limit %g", maxabs, a);
    teardown(&f);
}

Test(conv_layers, conv2d_padding_modes) {
    static const struct {
        const char *padding, *strides;
        int64_t h, w;
    } cases[] = {
        {"valid", "1", 8, 5}, {"same", "1", 10, 7}, {"same", "2", 5, 4},
        {"1", "1", 10, 7},    {"2", "2", 6, 5},     {"valid", "3", 3, 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fixture f;
        setup(&f);
        int64_t in[3] = {2, 10, 7};
        gn_node *x = model_input(&f, 3, in);
        char pad[32], st[32];
        snprintf(pad, sizeof pad, "padding=%s", cases[i].padding);
        snprintf(st, sizeof st, "strides=%s", cases[i].strides);
        gn_node *y = add(&f, "c", "conv2d", x,
                         (const char *const[]){"filters=3", "kernel_size=3", pad, st, NULL});
        expect_sample_shape(y, 3, (int64_t[]){3, cases[i].h, cases[i].w}, pad);
        teardown(&f);
    }
}

Test(conv_layers, conv2d_errors_are_clear) {
    fixture f;
    setup(&f);
    int64_t in[3] = {1, 3, 3};
    gn_node *x = model_input(&f, 3, in);
    add_fails(&f, "c1", "conv2d", x,
              (const char *const[]){"filters=4", "kernel_size=3", "padding=full", NULL},
              "test.ini:7: conv2d 'c1': padding \"full\" must be valid, same or a non-negative "
              "integer");
    add_fails(&f, "c2", "conv2d", x, (const char *const[]){"filters=4", "kernel_size=5", NULL},
              "kernel 5x5 is larger than the (padded) input 3x3");
    add_fails(&f, "c3", "conv2d", x, (const char *const[]){"filters=4", NULL}, "kernel_size");
    add_fails(&f, "c4", "conv2d", x,
              (const char *const[]){"filters=4", "kernel_size=3", "activation=nope", NULL}, "nope");
    add_fails(&f, "p1", "maxpool2d", x, (const char *const[]){"pool_size=4", NULL},
              "pool 4x4 is larger than the (padded) input 3x3");
    teardown(&f);

    setup(&f);
    int64_t flat = 784;
    x = model_input(&f, 1, &flat);
    add_fails(&f, "c5", "conv2d", x, (const char *const[]){"filters=4", "kernel_size=3", NULL},
              "conv2d 'c5': input has shape (None, 784) but conv2d needs (batch, channels, "
              "height, width); add e.g. reshape");
    add_fails(&f, "p2", "maxpool2d", x, NULL, "maxpool2d needs (batch, channels, height, width)");
    teardown(&f);
}

Test(conv_layers, conv2d_transpose_shapes_and_layout) {
    static const struct {
        const char *padding, *strides, *op;
        int64_t h;
    } cases[] = {
        {"valid", "2", "0", 15},                         /* (7 - 1) 2 + 3 */
        {"valid", "2", "1", 16}, {"same", "2", "0", 14}, /* 7 * 2 */
        {"same", "1", "0", 7},   {"1", "2", "1", 14},    /* PyTorch (7 - 1) 2 - 2 + 3 + 1 */
        {"same", "3", "0", 21},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fixture f;
        setup(&f);
        int64_t in[3] = {5, 7, 7};
        gn_node *x = model_input(&f, 3, in);
        char pad[32], st[32], op[32];
        snprintf(pad, sizeof pad, "padding=%s", cases[i].padding);
        snprintf(st, sizeof st, "strides=%s", cases[i].strides);
        snprintf(op, sizeof op, "output_padding=%s", cases[i].op);
        gn_node *y = add(&f, "t", "conv2d_transpose", x,
                         (const char *const[]){"filters=2", "kernel_size=3", pad, st, op, NULL});
        expect_sample_shape(y, 3, (int64_t[]){2, cases[i].h, cases[i].h}, pad);
        finalize(&f, y);
        gn_tensor *w = gn_model_tensor(f.m, tensor_index(&f, "t.weight"));
        int64_t wd[4] = {5, 2, 3, 3};
        for (int d = 0; d < 4; d++)
            cr_expect_eq(gn_tensor_dim(w, d), wd[d], "weight (in, out, kh, kw)");
        cr_expect_eq(gn_model_n_params(f.m), 5 * 2 * 9 + 2);
        teardown(&f);
    }
    fixture f;
    setup(&f);
    int64_t in[3] = {5, 7, 7};
    gn_node *x = model_input(&f, 3, in);
    add_fails(
        &f, "t2", "conv2d_transpose", x,
        (const char *const[]){"filters=2", "kernel_size=3", "strides=2", "output_padding=2", NULL},
        "output_padding 2 must be smaller than strides 2");
    teardown(&f);
}

Test(conv_layers, pool_upsampling_shapes) {
    fixture f;
    setup(&f);
    int64_t in[3] = {3, 9, 8};
    gn_node *x = model_input(&f, 3, in);
    expect_sample_shape(add(&f, "m1", "maxpool2d", x, NULL), 3, (int64_t[]){3, 4, 4}, "m1");
    expect_sample_shape(add(&f, "m2", "maxpool2d", x, (const char *const[]){"pool_size=3", NULL}),
                        3, (int64_t[]){3, 3, 2}, "strides default to pool_size");
    expect_sample_shape(
        add(&f, "m3", "maxpool2d", x, (const char *const[]){"pool_size=3", "strides=1", NULL}), 3,
        (int64_t[]){3, 7, 6}, "m3");
    expect_sample_shape(
        add(&f, "m4", "maxpool2d", x, (const char *const[]){"pool_size=2", "padding=same", NULL}),
        3, (int64_t[]){3, 5, 4}, "same");
    expect_sample_shape(
        add(&f, "a1", "avgpool2d", x, (const char *const[]){"pool_size=2", "padding=same", NULL}),
        3, (int64_t[]){3, 5, 4}, "avg same");
    expect_sample_shape(add(&f, "g", "global_avg_pool2d", x, NULL), 1, (int64_t[]){3}, "global");
    expect_sample_shape(add(&f, "u", "upsampling2d", x, NULL), 3, (int64_t[]){3, 18, 16}, "up");
    expect_sample_shape(add(&f, "u3", "upsampling2d", x, (const char *const[]){"size=3", NULL}), 3,
                        (int64_t[]){3, 27, 24}, "up 3");
    add_fails(&f, "m5", "maxpool2d", x, (const char *const[]){"padding=full", NULL}, "padding");
    teardown(&f);
}

/* batchnorm after dense and after conv: parameters, buffers, a training
 * step that moves the running statistics, eval that uses them. */
Test(conv_layers, batchnorm_params_buffers_and_modes) {
    fixture f;
    setup(&f);
    int64_t in[3] = {2, 4, 4};
    gn_node *x = model_input(&f, 3, in);
    gn_node *c = add(&f, "bn1", "batchnorm", x, NULL);
    expect_sample_shape(c, 3, in, "bn after conv");
    gn_node *h = add(&f, "fl", "flatten", c, NULL);
    h = add(&f, "d", "dense", h, (const char *const[]){"units=5", NULL});
    gn_node *y = add(&f, "bn2", "batchnorm", h, (const char *const[]){"momentum=0.5", NULL});
    gn_node *z =
        add(&f, "bn3", "batchnorm", y, (const char *const[]){"center=false", "scale=false", NULL});
    finalize(&f, z);
    cr_expect_eq(gn_model_n_params(f.m), 2 * 2 + (32 * 5 + 5) + 2 * 5);
    cr_expect(tensor_index(&f, "bn1.weight") >= 0 && tensor_index(&f, "bn1.bias") >= 0);
    cr_expect_eq(tensor_index(&f, "bn3.weight"), -1);
    cr_expect_eq(gn_model_n_buffers(f.m), 6);
    int rm = buffer_index(&f, "bn2.running_mean"), rv = buffer_index(&f, "bn2.running_var");
    cr_assert(rm >= 0 && rv >= 0);
    gn_tensor *rmt = gn_model_buffer(f.m, rm), *rvt = gn_model_buffer(f.m, rv);
    cr_expect_eq(gn_tensor_numel(rmt), 5);
    for (int j = 0; j < 5; j++) {
        cr_expect_float_eq(gn_tensor_cdata(rmt)[j], 0.0f, 0);
        cr_expect_float_eq(gn_tensor_cdata(rvt)[j], 1.0f, 0);
    }
    gn_tensor *g1 = gn_model_tensor(f.m, tensor_index(&f, "bn1.weight"));
    for (int j = 0; j < 2; j++)
        cr_expect_float_eq(gn_tensor_cdata(g1)[j], 1.0f, 0, "gamma starts at ones");

    gn_error err = {0};
    gn_graph *g = gn_model_graph(f.m);
    float data[4 * 32];
    fill_uniform(data, 4 * 32, -2, 2, 3);
    cr_assert_eq(gn_graph_feed(gn_model_input(f.m, 0), data, 4, &err), GN_OK, "%s", err.msg);
    gn_graph_set_training(g, 1);
    forward(g, z);
    /* bn2 saw dense outputs; momentum 0.5 puts half the batch mean in. */
    const float *hv = gn_tensor_cdata(gn_node_value(h));
    for (int j = 0; j < 5; j++) {
        double m = 0;
        for (int i = 0; i < 4; i++)
            m += hv[i * 5 + j] / 4.0;
        expect_close(gn_tensor_cdata(rmt)[j], 0.5 * m, 1e-5, "running_mean[%d]", j);
    }
    /* Train output of bn3 (no affine): zero mean per feature. */
    const float *zv = gn_tensor_cdata(gn_node_value(z));
    for (int j = 0; j < 5; j++) {
        double m = 0;
        for (int i = 0; i < 4; i++)
            m += zv[i * 5 + j];
        expect_close(m / 4, 0.0, 1e-5, "normalised mean %d", j);
    }
    /* Eval leaves the statistics alone. */
    float keep[5];
    memcpy(keep, gn_tensor_cdata(rmt), sizeof keep);
    gn_graph_set_training(g, 0);
    forward(g, z);
    for (int j = 0; j < 5; j++)
        cr_expect_float_eq(gn_tensor_cdata(rmt)[j], keep[j], 0, "eval changed running_mean");
    teardown(&f);

    setup(&f);
    int64_t bad[1] = {7};
    x = model_input(&f, 1, bad);
    h = add(&f, "d", "dense", x, (const char *const[]){"units=3", NULL});
    add_fails(&f, "bn", "batchnorm", h, (const char *const[]){"momentum=2", NULL}, "momentum");
    teardown(&f);
}

/* Finite differences through a small conv stack built from layers. */
Test(conv_layers, gradcheck_conv_stack) {
    fixture f;
    setup(&f);
    gn_error err = {0};
    gn_graph *g = gn_model_graph(f.m);
    int64_t dims[4] = {2, 2, 6, 6};
    gn_node *x = gn_graph_input(g, "x", 4, dims, 1, &err);
    cr_assert_not_null(x, "%s", err.msg);
    gn_node *h = add(&f, "c1", "conv2d", x,
                     (const char *const[]){"filters=3", "kernel_size=3", "padding=same",
                                           "strides=2", "activation=tanh", NULL});
    h = add(&f, "bn", "batchnorm", h, NULL);
    h = add(&f, "t1", "conv2d_transpose", h,
            (const char *const[]){"filters=2", "kernel_size=3", "strides=2", "padding=same",
                                  "activation=tanh", NULL});
    h = add(&f, "ap", "avgpool2d", h, NULL);
    h = add(&f, "up", "upsampling2d", h, NULL);
    h = add(&f, "gap", "global_avg_pool2d", h, NULL);
    gn_node *y = add(&f, "d", "dense", h, (const char *const[]){"units=3", NULL});
    finalize(&f, y);
    float data[2 * 2 * 36], ids[2] = {0, 2};
    for (int i = 0; i < 2 * 2 * 36; i++)
        data[i] = (float)sin(1.3 * i);
    cr_assert_eq(gn_graph_feed(x, data, 2, &err), GN_OK, "%s", err.msg);
    int64_t td[1] = {2};
    gn_node *t = gn_graph_input(g, "t", 1, td, 0, &err);
    cr_assert_not_null(t, "%s", err.msg);
    cr_assert_eq(gn_graph_feed(t, ids, 2, &err), GN_OK, "%s", err.msg);
    gn_node *ins[2] = {y, t};
    gn_node *loss = gn_graph_apply(g, &gn_op_cross_entropy, ins, 2, NULL, &err);
    cr_assert_not_null(loss, "%s", err.msg);
    gn_graph_set_training(g, 1);

    gn_node *wrt[3] = {x, NULL, NULL};
    /* Find the parameter nodes by walking back from the loss. */
    int nw = 1;
    for (gn_node *n = y; n && nw < 3; n = gn_node_input(n, 0)) {
        const gn_op_vtable *op = gn_node_op(n);
        if (!op) break;
        if (op == &gn_op_conv2d || op == &gn_op_conv_transpose2d) wrt[nw++] = gn_node_input(n, 1);
    }
    cr_assert_eq(nw, 3, "found %d weights", nw);
    for (int k = 0; k < 3; k++) {
        gn_gradcheck_result res;
        cr_assert_eq(gn_gradcheck(g, loss, wrt[k], 1e-2f, &res, &err), GN_OK, "%s", err.msg);
        cr_expect_eq(res.checked, gn_tensor_numel(gn_node_value(wrt[k])));
        cr_expect(res.max_rel_err < 5e-3, "d/d(%s): max_rel_err %g (abs %g)", gn_node_name(wrt[k]),
                  res.max_rel_err, res.max_abs_err);
    }
    teardown(&f);
}

/* conv2d and maxpool2d overwrite an unzeroed input gradient when they are
 * its only reader (GN_OP_CAN_ASSIGN_DX): with NaN in the conv's output
 * gradient and in dx when the second backward starts, it must still give
 * the first one's dx and dW. */
Test(conv_ops, unzeroed_input_gradients_are_overwritten) {
    for (int c = 1; c <= 16; c += 15) { /* direct (9 taps), Winograd */
        /* 11x11: the pool leaves the last row and column out of every window */
        const conv_cfg k = {3, c, 11, 11, 16, 3, 3, 1, 1, 1, 1, 0, 1};
        const int64_t nx = 3 * c * 121, nw = 16 * c * 9;
        float *x = alloc_uniform(nx, 70), *w = alloc_uniform(nw, 71), *b = alloc_uniform(16, 72);
        gn_graph *g = graph();
        gn_node *in[3];
        gn_node *y = conv_graph(g, &k, x, w, b, 1, in);
        gn_op_attrs pa = {{0}, {2, 2}};
        gn_node *p = apply(g, &gn_op_maxpool2d, &y, 1, &pa);
        forward(g, p);
        backward(g, p);
        float *dx1 = malloc(sizeof(float) * (size_t)nx), *dw1 = malloc(sizeof(float) * (size_t)nw);
        memcpy(dx1, gn_tensor_cdata(gn_node_grad(in[0])), sizeof(float) * (size_t)nx);
        memcpy(dw1, gn_tensor_cdata(gn_node_grad(in[1])), sizeof(float) * (size_t)nw);
        gn_tensor_fill(gn_node_grad(y), NAN); /* any element left unwritten shows */
        gn_tensor_fill(gn_node_grad(in[0]), NAN);
        backward(g, p);
        cr_expect_eq(memcmp(dx1, gn_tensor_cdata(gn_node_grad(in[0])), sizeof(float) * (size_t)nx),
                     0, "c = %d: dx changed on the second backward", c);
        const float *dw = gn_tensor_cdata(gn_node_grad(in[1]));
        for (int64_t i = 0; i < nw; i++)
            cr_assert_eq(dw[i], dw1[i], "c = %d: dW[%lld] = %g on the second pass, %g on the first",
                         c, (long long)i, dw[i], dw1[i]);
        gn_graph_free(g);
        free(dx1), free(dw1), free(x), free(w), free(b);
    }
}
