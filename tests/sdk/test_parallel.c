/* Threads: GEMMs with 2 threads equal the reference loop in every
 * transpose, for tall and wide shapes; the SDK's batch-parallel
 * convolutions (core/parallel.h) are bit-identical run to run for a given
 * thread count and close to one thread's. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <ganglion/ganglion.h>
#include <ganglion/gemm.h>

static float *uniform(int64_t n, uint64_t seed) {
    gn_rng r;
    gn_rng_seed(&r, seed);
    float *p = malloc(sizeof(float) * (size_t)n);
    for (int64_t i = 0; i < n; i++)
        p[i] = (float)gn_rng_uniform(&r) - 0.5f;
    return p;
}

Test(parallel, split_gemm_matches_reference) {
    gn_set_threads(2);
    /* (m, n, k): tall (split by rows) and wide (split by columns), both
     * above the split threshold, with odd sizes. */
    const int64_t shapes[2][3] = {{301, 97, 77}, {45, 517, 93}};
    for (int s = 0; s < 2; s++)
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++) {
                const int64_t m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
                float *a = uniform(m * k, 1), *b = uniform(k * n, 2);
                float *c = uniform(m * n, 3), *r = malloc(sizeof(float) * (size_t)(m * n));
                memcpy(r, c, sizeof(float) * (size_t)(m * n));
                int64_t lda = ta ? m : k, ldb = tb ? k : n;
                gn_gemm(ta, tb, m, n, k, 0.5f, a, lda, b, ldb, 0.25f, c, n);
                gn_gemm_ref(ta, tb, m, n, k, 0.5f, a, lda, b, ldb, 0.25f, r, n);
                for (int64_t i = 0; i < m * n; i++)
                    cr_assert(fabsf(c[i] - r[i]) < 1e-4f, "shape %d ta %d tb %d: c[%lld] %g vs %g",
                              s, ta, tb, (long long)i, c[i], r[i]);
                free(a), free(b), free(c), free(r);
            }
    gn_set_threads(0);
}

/* Forward and backward of a direct, an im2col and a Winograd convolution. */
static void conv_run(int threads, int64_t c, float *out, int64_t n_out) {
    gn_set_threads(threads);
    gn_error err = {0};
    gn_graph *g = gn_graph_new(&err);
    int64_t xd[4] = {64, c, 12, 12}, wd[4] = {16, c, 3, 3}, bd[1] = {16};
    gn_node *x = gn_graph_input(g, "x", 4, xd, 1, &err);
    gn_node *w = gn_graph_input(g, "w", 4, wd, 1, &err);
    gn_node *b = gn_graph_input(g, "b", 1, bd, 1, &err);
    float *xv = uniform(64 * c * 144, 7), *wv = uniform(16 * c * 9, 8), *bv = uniform(16, 9);
    gn_graph_feed(x, xv, 64, &err);
    gn_graph_feed(w, wv, 16, &err);
    gn_graph_feed(b, bv, 16, &err);
    gn_node *in[3] = {x, w, b};
    gn_op_attrs a = {0};
    a.i[7] = 1;
    gn_node *y = gn_graph_apply(g, &gn_op_conv2d, in, 3, &a, &err);
    cr_assert(y, "%s", err.msg);
    cr_assert_eq(gn_graph_forward(g, y, &err), GN_OK, "%s", err.msg);
    cr_assert_eq(gn_graph_backward(g, y, &err), GN_OK, "%s", err.msg);
    const gn_tensor *parts[4] = {gn_node_value(y), gn_node_grad(x), gn_node_grad(w),
                                 gn_node_grad(b)};
    int64_t at = 0;
    for (int i = 0; i < 4; i++) {
        int64_t cnt = gn_tensor_numel(parts[i]);
        cr_assert_leq(at + cnt, n_out);
        memcpy(out + at, gn_tensor_cdata(parts[i]), sizeof(float) * (size_t)cnt);
        at += cnt;
    }
    gn_graph_free(g);
    free(xv), free(wv), free(bv);
    gn_set_threads(0);
}

Test(parallel, conv_same_threads_bit_identical_and_close_to_one_thread) {
    static const int64_t paths[3] = {1, 4, 16}; /* direct (9 taps), im2col (36), Winograd */
    for (int pi = 0; pi < 3; pi++) {
        const int64_t c = paths[pi];
        const int64_t n = 64 * 16 * 100 + 64 * c * 144 + 16 * c * 9 + 16;
        float *one = calloc((size_t)n, sizeof(float)), *two = calloc((size_t)n, sizeof(float));
        float *again = calloc((size_t)n, sizeof(float));
        conv_run(1, c, one, n);
        conv_run(2, c, two, n);
        conv_run(2, c, again, n);
        cr_expect_eq(memcmp(two, again, sizeof(float) * (size_t)n), 0,
                     "c = %lld: two runs with 2 threads differ", (long long)c);
        for (int64_t i = 0; i < n; i++)
            cr_assert(fabsf(one[i] - two[i]) <= 1e-3f * (1 + fabsf(one[i])),
                      "c = %lld: [%lld] %g (1 thread) vs %g (2 threads)", (long long)c,
                      (long long)i, one[i], two[i]);
        free(one), free(two), free(again);
    }
}

/* Elementwise work split over threads (activations, dropout, the bce_logits
 * loss and its gradient, optimizer steps) gives the same bits as one thread. */
static void elementwise_run(int threads, const char *optim, float *out, int64_t n_out) {
    gn_set_threads(threads);
    gn_error err = {0};
    const int64_t rows = 64, cols = 1000; /* 64000 elements: split at 2 threads */
    gn_graph *g = gn_graph_new(&err);
    int64_t d[2] = {rows, cols};
    gn_node *x = gn_graph_input(g, "x", 2, d, 1, &err);
    gn_node *t = gn_graph_input(g, "t", 2, d, 0, &err);
    float *xv = uniform(rows * cols, 11), *tv = uniform(rows * cols, 12);
    for (int64_t i = 0; i < rows * cols; i++)
        tv[i] += 0.5f; /* targets in [0, 1) */
    gn_graph_feed(x, xv, rows, &err);
    gn_graph_feed(t, tv, rows, &err);
    gn_op_attrs none = {0}, per_sample = {0};
    per_sample.i[0] = 1;
    gn_node *h = gn_graph_apply(g, &gn_op_tanh, &x, 1, &none, &err);
    gn_rng rng; /* dropout: its draws are made in order, its masks split */
    gn_rng_seed(&rng, 5);
    gn_graph_set_rng(g, &rng);
    gn_graph_set_training(g, 1);
    gn_op_attrs rate = {0};
    rate.f[0] = 0.3f;
    gn_node *dr = gn_graph_apply(g, &gn_op_dropout, &h, 1, &rate, &err);
    gn_node *r = gn_graph_apply(g, &gn_op_relu, &dr, 1, &none, &err);
    gn_node *in[2] = {r, t};
    gn_node *loss = gn_graph_apply(g, &gn_op_bce_logits, in, 2, &per_sample, &err);
    cr_assert(loss, "%s", err.msg);
    cr_assert_eq(gn_graph_forward(g, loss, &err), GN_OK, "%s", err.msg);
    cr_assert_eq(gn_graph_backward(g, loss, &err), GN_OK, "%s", err.msg);
    const int64_t n = rows * cols;
    cr_assert_eq(n_out, 2 * n + 1);
    out[0] = gn_tensor_cdata(gn_node_value(loss))[0];
    /* Three optimizer steps on x with its gradient. */
    gn_optim_hparams hp;
    cr_assert_eq(gn_optim_defaults(optim, &hp, &err), GN_OK, "%s", err.msg);
    gn_optim *o = gn_optim_new(optim, n, &hp, &err);
    cr_assert(o, "%s", err.msg);
    for (int s = 0; s < 3; s++)
        cr_assert_eq(gn_optim_step(o, xv, gn_tensor_cdata(gn_node_grad(x)), &err), GN_OK);
    memcpy(out + 1, gn_tensor_cdata(gn_node_grad(x)), sizeof(float) * (size_t)n);
    memcpy(out + 1 + n, xv, sizeof(float) * (size_t)n);
    gn_optim_free(o);
    gn_graph_free(g);
    free(xv), free(tv);
    gn_set_threads(0);
}

Test(parallel, elementwise_and_optimizers_same_bits_for_any_thread_count) {
    const char *optims[] = {"adam", "adamw", "momentum", "rmsprop", "adadelta", "adagrad"};
    const int64_t n = 2 * 64 * 1000 + 1;
    for (size_t k = 0; k < sizeof optims / sizeof *optims; k++) {
        float *one = calloc((size_t)n, sizeof(float)), *two = calloc((size_t)n, sizeof(float));
        elementwise_run(1, optims[k], one, n);
        elementwise_run(2, optims[k], two, n);
        cr_assert(one[0] > 0.5f && isfinite(one[0]), "loss %g", one[0]);
        for (int64_t i = 0; i < n; i++)
            cr_assert_eq(memcmp(one + i, two + i, sizeof(float)), 0,
                         "%s: [%lld] %.9g (1 thread) vs %.9g (2 threads)", optims[k], (long long)i,
                         one[i], two[i]);
        free(one), free(two);
    }
}
