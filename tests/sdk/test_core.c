/* Core runtime: arenas, tensors, RNG, the GEMM seam, config sections and
 * schemas, the registry, errors, graphs with autodiff, models and
 * initializers. Values are asserted, not just "no crash". */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include <ganglion/arena.h>
#include <ganglion/error.h>
#include <ganglion/gemm.h>
#include <ganglion/graph.h>
#include <ganglion/init.h>
#include <ganglion/model.h>
#include <ganglion/ops.h>
#include <ganglion/registry.h>
#include <ganglion/rng.h>
#include <ganglion/schema.h>
#include <ganglion/tensor.h>

#define expect_close(actual, expected, tol, ...)                                                   \
    do {                                                                                           \
        double a_ = (actual), e_ = (expected);                                                     \
        cr_expect(fabs(a_ - e_) <= (tol) * (1.0 + fabs(e_)), __VA_ARGS__);                         \
    } while (0)

/* err.msg contains sub. */
#define expect_msg(err, sub)                                                                       \
    cr_expect(strstr((err).msg, (sub)) != NULL, "message '%s' lacks '%s'", (err).msg, (sub))

static int is_aligned(const void *p, size_t a) {
    return (uintptr_t)p % a == 0;
}

static int all_zero(const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i]) return 0;
    return 1;
}

/* ======================================================================== */
/* arena                                                                    */
/* ======================================================================== */

Test(core_arena, alloc_is_64_aligned_and_zero_filled) {
    gn_arena *a = gn_arena_new(4096);
    cr_assert_not_null(a);
    gn_error err = {0};
    static const size_t sizes[] = {1, 3, 63, 64, 65, 100, 1000, 4000, 7};
    for (int round = 0; round < 20; round++)
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            unsigned char *p = gn_arena_alloc(a, sizes[i], &err);
            cr_assert_not_null(p, "%s", err.msg);
            cr_expect(is_aligned(p, 64), "%zu bytes at %p", sizes[i], (void *)p);
            cr_expect(all_zero(p, sizes[i]), "%zu bytes not zeroed", sizes[i]);
            memset(p, 0xAB, sizes[i]); /* dirty it: later blocks must still be zero */
        }
    gn_arena_free(a);
}

/* Any block size must work, not only multiples of the alignment. */
Test(core_arena, block_size_not_a_multiple_of_64) {
    gn_error err = {0};
    static const size_t blocks[] = {100, 1, 65, 1000};
    for (size_t b = 0; b < sizeof blocks / sizeof blocks[0]; b++) {
        gn_arena *a = gn_arena_new(blocks[b]);
        cr_assert_not_null(a);
        for (int i = 0; i < 50; i++) {
            size_t n = (size_t)(i % 7) * 13 + 1;
            unsigned char *p = gn_arena_alloc(a, n, &err);
            cr_assert_not_null(p, "block %zu: %s", blocks[b], err.msg);
            cr_expect(is_aligned(p, 64), "block %zu: %p", blocks[b], (void *)p);
            cr_expect(all_zero(p, n));
            memset(p, 0xCD, n);
        }
        gn_arena_free(a);
    }
}

Test(core_arena, zero_byte_request_gives_distinct_pointers) {
    gn_arena *a = gn_arena_new(0);
    gn_error err = {0};
    void *p = gn_arena_alloc(a, 0, &err), *q = gn_arena_alloc(a, 0, &err);
    cr_assert_not_null(p, "%s", err.msg);
    cr_assert_not_null(q, "%s", err.msg);
    cr_expect_neq(p, q);
    cr_expect(is_aligned(p, 64) && is_aligned(q, 64));
    gn_arena_free(a);
}

Test(core_arena, grows_beyond_block_size_without_overlap) {
    gn_arena *a = gn_arena_new(256);
    gn_error err = {0};
    enum { N = 100, SZ = 200 };
    unsigned char *p[N];
    for (int i = 0; i < N; i++) {
        p[i] = gn_arena_alloc(a, SZ, &err);
        cr_assert_not_null(p[i], "allocation %d: %s", i, err.msg);
        cr_expect(is_aligned(p[i], 64));
        cr_expect(all_zero(p[i], SZ));
        memset(p[i], i + 1, SZ);
    }
    /* Each chunk still holds its own pattern: nothing was handed out twice. */
    for (int i = 0; i < N; i++)
        for (int k = 0; k < SZ; k++)
            cr_assert_eq(p[i][k], (unsigned char)(i + 1), "chunk %d byte %d overwritten", i, k);
    cr_expect_geq(gn_arena_used(a), (size_t)N * SZ);
    gn_arena_free(a);
}

Test(core_arena, large_single_allocation) {
    gn_arena *a = gn_arena_new(1024);
    gn_error err = {0};
    unsigned char *small = gn_arena_alloc(a, 10, &err);
    cr_assert_not_null(small);
    memset(small, 0x5A, 10);
    size_t big = ((size_t)1 << 22) + 3; /* 4 MiB + 3, far beyond the block size */
    unsigned char *p = gn_arena_alloc(a, big, &err);
    cr_assert_not_null(p, "%s", err.msg);
    cr_expect(is_aligned(p, 64));
    cr_expect(all_zero(p, big));
    memset(p, 0x11, big);
    cr_expect_eq(p[big - 1], 0x11);
    /* Small allocations keep working afterwards, and the first is intact. */
    unsigned char *q = gn_arena_alloc(a, 32, &err);
    cr_assert_not_null(q);
    cr_expect(all_zero(q, 32));
    cr_expect(q + 32 <= p || q >= p + big, "small block overlaps the big one");
    for (int i = 0; i < 10; i++)
        cr_expect_eq(small[i], 0x5A);
    cr_expect_geq(gn_arena_used(a), big + 10 + 32);
    gn_arena_free(a);
}

Test(core_arena, reset_forgets_and_keeps_working) {
    gn_arena *a = gn_arena_new(512);
    gn_error err = {0};
    for (int i = 0; i < 50; i++) {
        unsigned char *p = gn_arena_alloc(a, 300, &err);
        cr_assert_not_null(p);
        memset(p, 0xFF, 300);
    }
    unsigned char *big = gn_arena_alloc(a, 100000, &err);
    cr_assert_not_null(big);
    memset(big, 0xFF, 100000);
    cr_expect_gt(gn_arena_used(a), 0);
    gn_arena_reset(a);
    cr_expect_eq(gn_arena_used(a), 0);
    /* Memory handed out after a reset is zero-filled again even though the
     * kept block was dirtied. */
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 40; i++) {
            unsigned char *p = gn_arena_alloc(a, 2000, &err);
            cr_assert_not_null(p, "%s", err.msg);
            cr_expect(is_aligned(p, 64));
            cr_assert(all_zero(p, 2000), "round %d alloc %d not zeroed", round, i);
            memset(p, 0xEE, 2000);
        }
        cr_expect_geq(gn_arena_used(a), 40u * 2000u);
        gn_arena_reset(a);
        cr_expect_eq(gn_arena_used(a), 0);
    }
    gn_arena_free(a);
}

Test(core_arena, used_counts_bytes_since_reset) {
    gn_arena *a = gn_arena_new(0);
    gn_error err = {0};
    cr_expect_eq(gn_arena_used(a), 0);
    cr_expect_eq(gn_arena_used(NULL), 0);
    static const size_t sizes[] = {1, 100, 64, 4096, 5};
    size_t sum = 0, prev = 0;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        cr_assert_not_null(gn_arena_alloc(a, sizes[i], &err));
        sum += sizes[i];
        size_t used = gn_arena_used(a);
        cr_expect_gt(used, prev, "used must grow");
        /* At least what was asked for; at most one alignment pad per request. */
        cr_expect(used >= sum && used <= sum + 63 * (i + 1), "used %zu for %zu requested", used,
                  sum);
        prev = used;
    }
    gn_arena_reset(a);
    cr_expect_eq(gn_arena_used(a), 0);
    cr_assert_not_null(gn_arena_alloc(a, 10, &err));
    cr_expect(gn_arena_used(a) >= 10 && gn_arena_used(a) <= 64);
    gn_arena_free(a);
    /* NULL-safe teardown. */
    gn_arena_free(NULL);
    gn_arena_reset(NULL);
    gn_arena *empty = gn_arena_new(0);
    gn_arena_reset(empty);
    cr_expect_eq(gn_arena_used(empty), 0);
    gn_arena_free(empty);
}

/* ======================================================================== */
/* tensor                                                                   */
/* ======================================================================== */

Test(core_tensor, new_heap_shape_and_zero_fill) {
    gn_error err = {0};
    int64_t dims[3] = {2, 3, 4};
    gn_tensor *t = gn_tensor_new(NULL, 3, dims, &err);
    cr_assert_not_null(t, "%s", err.msg);
    cr_expect_eq(gn_tensor_ndim(t), 3);
    cr_expect_eq(gn_tensor_dim(t, 0), 2);
    cr_expect_eq(gn_tensor_dim(t, 1), 3);
    cr_expect_eq(gn_tensor_dim(t, 2), 4);
    cr_expect_eq(gn_tensor_dim(t, 3), 1, "dims past ndim read as 1");
    cr_expect_eq(gn_tensor_dim(t, 7), 1);
    cr_expect_eq(gn_tensor_dim(t, -1), 1);
    cr_expect_eq(gn_tensor_numel(t), 24);
    cr_assert_not_null(gn_tensor_data(t));
    cr_expect_eq(gn_tensor_data(t), gn_tensor_cdata(t));
    for (int i = 0; i < 24; i++)
        cr_expect_eq(gn_tensor_cdata(t)[i], 0.0f);
    gn_tensor_free(t);
    gn_tensor_free(NULL);

    /* A scalar (0 dims) has one element; a zero dim has none. */
    gn_tensor *s = gn_tensor_new(NULL, 0, NULL, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_expect_eq(gn_tensor_ndim(s), 0);
    cr_expect_eq(gn_tensor_numel(s), 1);
    gn_tensor_free(s);
    int64_t z[2] = {0, 5};
    gn_tensor *e = gn_tensor_new(NULL, 2, z, &err);
    cr_assert_not_null(e, "%s", err.msg);
    cr_expect_eq(gn_tensor_numel(e), 0);
    cr_expect_eq(gn_tensor_dim(e, 1), 5);
    gn_tensor_free(e);

    int64_t four[4] = {2, 1, 3, 2};
    gn_tensor *f = gn_tensor_new(NULL, 4, four, &err);
    cr_assert_not_null(f, "4 dims are allowed: %s", err.msg);
    cr_expect_eq(gn_tensor_numel(f), 12);
    gn_tensor_free(f);
}

Test(core_tensor, new_in_arena) {
    gn_arena *a = gn_arena_new(0);
    gn_error err = {0};
    int64_t dims[2] = {5, 7};
    size_t before = gn_arena_used(a);
    gn_tensor *t = gn_tensor_new(a, 2, dims, &err);
    cr_assert_not_null(t, "%s", err.msg);
    cr_expect_geq(gn_arena_used(a) - before, 35 * sizeof(float), "data comes from the arena");
    cr_expect(is_aligned(gn_tensor_data(t), 64));
    for (int i = 0; i < 35; i++)
        cr_expect_eq(gn_tensor_cdata(t)[i], 0.0f);
    gn_tensor_fill(t, 3.0f);
    gn_tensor_free(t); /* no-op for arena tensors */
    cr_expect_eq(gn_tensor_numel(t), 35);
    cr_expect_eq(gn_tensor_cdata(t)[34], 3.0f);
    gn_arena_free(a);
}

Test(core_tensor, view_borrows_memory) {
    gn_error err = {0};
    float buf[6] = {1, 2, 3, 4, 5, 6};
    int64_t dims[2] = {2, 3};
    gn_tensor *v = gn_tensor_view(NULL, buf, 2, dims, &err);
    cr_assert_not_null(v, "%s", err.msg);
    cr_expect_eq(gn_tensor_data(v), buf);
    cr_expect_eq(gn_tensor_numel(v), 6);
    cr_expect_eq(gn_tensor_cdata(v)[4], 5.0f, "not zeroed: the view sees the caller's data");
    gn_tensor_data(v)[0] = 9.0f;
    cr_expect_eq(buf[0], 9.0f);
    gn_tensor_fill(v, -1.0f);
    for (int i = 0; i < 6; i++)
        cr_expect_eq(buf[i], -1.0f);
    gn_tensor_free(v); /* frees the struct, never the (stack) data */
    cr_expect_eq(buf[5], -1.0f);

    gn_arena *a = gn_arena_new(0);
    gn_tensor *av = gn_tensor_view(a, buf, 2, dims, &err);
    cr_assert_not_null(av, "%s", err.msg);
    cr_expect_eq(gn_tensor_data(av), buf);
    gn_arena_free(a);

    int64_t bad[1] = {-1};
    err = (gn_error){0};
    cr_expect_null(gn_tensor_view(NULL, buf, 1, bad, &err));
    cr_expect_eq(err.status, GN_ERR_INVALID);
}

Test(core_tensor, rejects_more_than_four_dims) {
    gn_error err = {0};
    int64_t dims[5] = {1, 2, 3, 4, 5};
    cr_expect_null(gn_tensor_new(NULL, 5, dims, &err));
    cr_expect_eq(err.status, GN_ERR_INVALID);
    cr_expect_str_eq(err.msg, "tensor: 5 dimensions (at most 4)");
    err = (gn_error){0};
    cr_expect_null(gn_tensor_new(NULL, -1, dims, &err));
    cr_expect_str_eq(err.msg, "tensor: -1 dimensions (at most 4)");
    float buf[120];
    err = (gn_error){0};
    cr_expect_null(gn_tensor_view(NULL, buf, 5, dims, &err));
    cr_expect_eq(err.status, GN_ERR_INVALID);
    /* Resize refuses too and leaves the shape alone. */
    gn_tensor *t = gn_tensor_new(NULL, 2, dims, &err);
    cr_assert_not_null(t);
    err = (gn_error){0};
    cr_expect_eq(gn_tensor_resize(t, 5, dims, &err), GN_ERR_INVALID);
    cr_expect_str_eq(err.msg, "tensor: 5 dimensions (at most 4)");
    cr_expect_eq(gn_tensor_ndim(t), 2);
    cr_expect_eq(gn_tensor_numel(t), 2);
    gn_tensor_free(t);
}

Test(core_tensor, rejects_negative_and_absurd_dims) {
    gn_error err = {0};
    int64_t neg[2] = {2, -3};
    cr_expect_null(gn_tensor_new(NULL, 2, neg, &err));
    cr_expect_eq(err.status, GN_ERR_INVALID);
    cr_expect_str_eq(err.msg, "tensor: negative dimension -3");

    int64_t huge[2] = {INT64_C(1) << 21, INT64_C(1) << 21}; /* 2^42 elements */
    err = (gn_error){0};
    cr_expect_null(gn_tensor_new(NULL, 2, huge, &err));
    cr_expect_eq(err.status, GN_ERR_INVALID);
    cr_expect_str_eq(err.msg, "tensor: absurd size");

    int64_t max[1] = {INT64_MAX};
    err = (gn_error){0};
    cr_expect_null(gn_tensor_new(NULL, 1, max, &err));
    cr_expect_str_eq(err.msg, "tensor: absurd size");

    /* Overflowing products must be caught, not wrapped into a small size. */
    int64_t wrap[4] = {INT64_C(1) << 16, INT64_C(1) << 16, INT64_C(1) << 16, INT64_C(1) << 16};
    err = (gn_error){0};
    cr_expect_null(gn_tensor_new(NULL, 4, wrap, &err));
    cr_expect_str_eq(err.msg, "tensor: absurd size");

    gn_arena *a = gn_arena_new(0);
    int64_t ok[1] = {4};
    gn_tensor *t = gn_tensor_new(a, 1, ok, &err);
    cr_assert_not_null(t);
    err = (gn_error){0};
    cr_expect_eq(gn_tensor_resize(t, 2, neg, &err), GN_ERR_INVALID);
    cr_expect_str_eq(err.msg, "tensor: negative dimension -3");
    err = (gn_error){0};
    cr_expect_eq(gn_tensor_resize(t, 2, huge, &err), GN_ERR_INVALID);
    cr_expect_str_eq(err.msg, "tensor: absurd size");
    cr_expect_eq(gn_tensor_numel(t), 4, "failed resize keeps the shape");
    gn_arena_free(a);
}

Test(core_tensor, resize_within_capacity_keeps_buffer) {
    gn_error err = {0};
    int64_t d46[2] = {4, 6}, d23[2] = {2, 3}, d38[2] = {3, 8}, d24[1] = {24};
    gn_tensor *t = gn_tensor_new(NULL, 2, d46, &err);
    cr_assert_not_null(t);
    for (int i = 0; i < 24; i++)
        gn_tensor_data(t)[i] = (float)i;
    float *data = gn_tensor_data(t);
    cr_assert_eq(gn_tensor_resize(t, 2, d23, &err), GN_OK, "%s", err.msg);
    cr_expect_eq(gn_tensor_data(t), data, "shrinking never reallocates");
    cr_expect_eq(gn_tensor_numel(t), 6);
    cr_expect_eq(gn_tensor_dim(t, 0), 2);
    cr_expect_eq(gn_tensor_dim(t, 1), 3);
    cr_expect_eq(gn_tensor_cdata(t)[5], 5.0f);
    /* Growing back up to the capacity is free as well. */
    cr_assert_eq(gn_tensor_resize(t, 2, d38, &err), GN_OK, "%s", err.msg);
    cr_expect_eq(gn_tensor_data(t), data);
    cr_expect_eq(gn_tensor_numel(t), 24);
    cr_expect_eq(gn_tensor_cdata(t)[23], 23.0f);
    cr_assert_eq(gn_tensor_resize(t, 1, d24, &err), GN_OK, "%s", err.msg);
    cr_expect_eq(gn_tensor_ndim(t), 1);
    cr_expect_eq(gn_tensor_dim(t, 1), 1);
    cr_expect_eq(gn_tensor_data(t), data);
    gn_tensor_free(t);
}

Test(core_tensor, resize_grows_on_heap) {
    gn_error err = {0};
    int64_t small[2] = {2, 2}, big[3] = {10, 10, 3};
    gn_tensor *t = gn_tensor_new(NULL, 2, small, &err);
    cr_assert_not_null(t);
    gn_tensor_fill(t, 1.0f);
    cr_assert_eq(gn_tensor_resize(t, 3, big, &err), GN_OK, "%s", err.msg);
    cr_expect_eq(gn_tensor_ndim(t), 3);
    cr_expect_eq(gn_tensor_numel(t), 300);
    cr_expect_eq(gn_tensor_dim(t, 2), 3);
    gn_tensor_fill(t, 2.0f); /* every element writable (valgrind/ASan would notice) */
    for (int i = 0; i < 300; i++)
        cr_assert_eq(gn_tensor_cdata(t)[i], 2.0f);
    gn_tensor_free(t);
}

Test(core_tensor, resize_grows_in_arena) {
    gn_arena *a = gn_arena_new(4096);
    gn_error err = {0};
    int64_t small[1] = {4}, big[2] = {64, 64};
    gn_tensor *t = gn_tensor_new(a, 1, small, &err);
    cr_assert_not_null(t);
    size_t before = gn_arena_used(a);
    cr_assert_eq(gn_tensor_resize(t, 2, big, &err), GN_OK, "%s", err.msg);
    cr_expect_geq(gn_arena_used(a) - before, 64 * 64 * sizeof(float), "grew from its arena");
    cr_expect_eq(gn_tensor_numel(t), 4096);
    cr_expect(is_aligned(gn_tensor_data(t), 64));
    gn_tensor_fill(t, 0.5f);
    cr_expect_eq(gn_tensor_cdata(t)[4095], 0.5f);
    gn_arena_free(a);
}

Test(core_tensor, views_cannot_grow) {
    gn_error err = {0};
    float buf[6] = {0};
    int64_t d23[2] = {2, 3}, d22[2] = {2, 2}, d44[2] = {4, 4}, d32[2] = {3, 2};
    gn_tensor *v = gn_tensor_view(NULL, buf, 2, d23, &err);
    cr_assert_not_null(v);
    cr_expect_eq(gn_tensor_resize(v, 2, d22, &err), GN_OK, "shrinking a view is fine");
    cr_expect_eq(gn_tensor_numel(v), 4);
    err = (gn_error){0};
    cr_expect_eq(gn_tensor_resize(v, 2, d44, &err), GN_ERR_INVALID);
    cr_expect_eq(err.status, GN_ERR_INVALID);
    cr_expect_str_eq(err.msg, "tensor: a view cannot grow (16 > 6)");
    cr_expect_eq(gn_tensor_numel(v), 4, "shape unchanged after the refusal");
    cr_expect_eq(gn_tensor_data(v), buf);
    cr_expect_eq(gn_tensor_resize(v, 2, d32, &err), GN_OK, "back up to the borrowed size");
    cr_expect_eq(gn_tensor_numel(v), 6);
    cr_expect_eq(gn_tensor_data(v), buf);
    gn_tensor_free(v);
}

Test(core_tensor, shape_str) {
    gn_error err = {0};
    int64_t d[2] = {128, 784};
    gn_tensor *t = gn_tensor_new(NULL, 2, d, &err);
    cr_assert_not_null(t);
    char buf[64];
    gn_tensor_shape_str(t, 1, buf, sizeof buf);
    cr_expect_str_eq(buf, "(None, 784)");
    gn_tensor_shape_str(t, 0, buf, sizeof buf);
    cr_expect_str_eq(buf, "(128, 784)");

    int64_t d1[1] = {5}, d4[4] = {2, 3, 4, 5};
    cr_assert_eq(gn_tensor_resize(t, 1, d1, &err), GN_OK);
    gn_tensor_shape_str(t, 0, buf, sizeof buf);
    cr_expect_str_eq(buf, "(5)");
    gn_tensor_shape_str(t, 1, buf, sizeof buf);
    cr_expect_str_eq(buf, "(None)");
    cr_assert_eq(gn_tensor_resize(t, 4, d4, &err), GN_OK);
    gn_tensor_shape_str(t, 1, buf, sizeof buf);
    cr_expect_str_eq(buf, "(None, 3, 4, 5)");
    cr_assert_eq(gn_tensor_resize(t, 0, NULL, &err), GN_OK);
    gn_tensor_shape_str(t, 0, buf, sizeof buf);
    cr_expect_str_eq(buf, "()");

    /* A short buffer is truncated, NUL-terminated and never overrun. */
    cr_assert_eq(gn_tensor_resize(t, 2, d, &err), GN_OK);
    char small[8];
    memset(small, '#', sizeof small);
    gn_tensor_shape_str(t, 0, small, 5);
    cr_expect_str_eq(small, "(128");
    cr_expect_eq(small[5], '#');
    cr_expect_eq(small[7], '#');
    gn_tensor_free(t);
}

Test(core_tensor, fill_and_zero) {
    gn_error err = {0};
    int64_t d[2] = {3, 5};
    gn_tensor *t = gn_tensor_new(NULL, 2, d, &err);
    cr_assert_not_null(t);
    gn_tensor_fill(t, 2.5f);
    for (int i = 0; i < 15; i++)
        cr_expect_eq(gn_tensor_cdata(t)[i], 2.5f);
    gn_tensor_zero(t);
    for (int i = 0; i < 15; i++)
        cr_expect_eq(gn_tensor_cdata(t)[i], 0.0f);
    /* fill/zero touch only the elements in use, not the spare capacity. */
    gn_tensor_fill(t, 7.0f);
    int64_t d2[1] = {4};
    cr_assert_eq(gn_tensor_resize(t, 1, d2, &err), GN_OK);
    gn_tensor_zero(t);
    cr_expect_eq(gn_tensor_cdata(t)[3], 0.0f);
    cr_expect_eq(gn_tensor_cdata(t)[4], 7.0f);
    gn_tensor_free(t);
}

Test(core_tensor, rebind_points_at_other_memory) {
    gn_error err = {0};
    int64_t d[2] = {2, 3};
    gn_tensor *t = gn_tensor_new(NULL, 2, d, &err);
    cr_assert_not_null(t);
    gn_tensor_fill(t, 1.0f);
    float other[6] = {10, 11, 12, 13, 14, 15};
    gn_tensor_rebind(t, other);
    cr_expect_eq(gn_tensor_data(t), other);
    cr_expect_eq(gn_tensor_numel(t), 6);
    cr_expect_eq(gn_tensor_cdata(t)[2], 12.0f);
    gn_tensor_fill(t, -2.0f);
    cr_expect_eq(other[5], -2.0f);
    /* Rebound memory is borrowed: it cannot grow, but may shrink. */
    int64_t big[2] = {4, 4}, small[1] = {3};
    err = (gn_error){0};
    cr_expect_eq(gn_tensor_resize(t, 2, big, &err), GN_ERR_INVALID);
    expect_msg(err, "view cannot grow");
    cr_expect_eq(gn_tensor_resize(t, 1, small, &err), GN_OK);
    cr_expect_eq(gn_tensor_data(t), other);
    gn_tensor_free(t); /* must not free `other` (a stack array) */
    cr_expect_eq(other[0], -2.0f);
}

Test(core_tensor, dims_numel) {
    int64_t d[3] = {2, 3, 4}, z[2] = {7, 0};
    cr_expect_eq(gn_dims_numel(0, NULL), 1);
    cr_expect_eq(gn_dims_numel(1, d), 2);
    cr_expect_eq(gn_dims_numel(3, d), 24);
    cr_expect_eq(gn_dims_numel(2, z), 0);
}

/* ======================================================================== */
/* rng                                                                      */
/* ======================================================================== */

/* Independent transcription of splitmix64 + xoshiro256** (Vigna), to pin
 * the stream: a seed must reproduce a run on every platform and release. */
static uint64_t ref_splitmix(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static uint64_t ref_rotl(uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}
static uint64_t ref_next(uint64_t s[4]) {
    uint64_t result = ref_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = ref_rotl(s[3], 45);
    return result;
}

Test(core_rng, stream_is_xoshiro256starstar_seeded_by_splitmix64) {
    uint64_t seeds[] = {0, 1, 42, 0xDEADBEEFull, UINT64_MAX};
    for (size_t k = 0; k < sizeof seeds / sizeof seeds[0]; k++) {
        uint64_t x = seeds[k], s[4];
        for (int i = 0; i < 4; i++)
            s[i] = ref_splitmix(&x);
        gn_rng r;
        gn_rng_seed(&r, seeds[k]);
        for (int i = 0; i < 100; i++) {
            uint64_t want = ref_next(s);
            cr_assert_eq(gn_rng_u64(&r), want, "seed %llu draw %d", (unsigned long long)seeds[k],
                         i);
        }
    }
}

Test(core_rng, same_seed_same_stream) {
    gn_rng a, b;
    gn_rng_seed(&a, 1234);
    gn_rng_seed(&b, 1234);
    for (int i = 0; i < 1000; i++)
        cr_assert_eq(gn_rng_u64(&a), gn_rng_u64(&b), "draw %d", i);
    for (int i = 0; i < 1000; i++)
        cr_assert_eq(gn_rng_uniform(&a), gn_rng_uniform(&b));
    for (int i = 0; i < 1000; i++)
        cr_assert_eq(gn_rng_normal(&a), gn_rng_normal(&b));
    for (int i = 0; i < 1000; i++)
        cr_assert_eq(gn_rng_below(&a, 17), gn_rng_below(&b, 17));
    /* Re-seeding restarts the stream. */
    gn_rng_seed(&a, 99);
    uint64_t first = gn_rng_u64(&a);
    gn_rng_u64(&a);
    gn_rng_seed(&a, 99);
    cr_expect_eq(gn_rng_u64(&a), first);
}

/* gn_rng_fill_u64 gives the stream gn_rng_u64 gives, and leaves the
 * generator where n single draws would. */
Test(core_rng, fill_matches_single_draws) {
    gn_rng a, b;
    gn_rng_seed(&a, 77);
    gn_rng_seed(&b, 77);
    uint64_t buf[37];
    gn_rng_fill_u64(&a, buf, 37);
    for (int i = 0; i < 37; i++)
        cr_assert_eq(buf[i], gn_rng_u64(&b), "draw %d", i);
    cr_expect_eq(gn_rng_u64(&a), gn_rng_u64(&b));
    gn_rng_fill_u64(&a, buf, 0);
    cr_expect_eq(gn_rng_u64(&a), gn_rng_u64(&b));
}

Test(core_rng, different_seeds_differ) {
    gn_rng a, b;
    gn_rng_seed(&a, 1);
    gn_rng_seed(&b, 2);
    int same = 0;
    for (int i = 0; i < 1000; i++)
        same += gn_rng_u64(&a) == gn_rng_u64(&b);
    cr_expect_eq(same, 0);
    /* Seed 0 must not give xoshiro's all-zero state (which only yields 0). */
    gn_rng z;
    gn_rng_seed(&z, 0);
    cr_expect(z.s[0] | z.s[1] | z.s[2] | z.s[3]);
    int nonzero = 0;
    for (int i = 0; i < 10; i++)
        nonzero += gn_rng_u64(&z) != 0;
    cr_expect_eq(nonzero, 10);
}

Test(core_rng, uniform_in_unit_interval_with_mean_half) {
    gn_rng r;
    gn_rng_seed(&r, 7);
    const int n = 100000;
    double sum = 0, sq = 0, lo = 1, hi = 0;
    int below_quarter = 0;
    for (int i = 0; i < n; i++) {
        double u = gn_rng_uniform(&r);
        cr_assert(u >= 0.0 && u < 1.0, "draw %d = %.17g", i, u);
        sum += u;
        sq += u * u;
        lo = fmin(lo, u);
        hi = fmax(hi, u);
        below_quarter += u < 0.25;
    }
    double mean = sum / n, var = sq / n - mean * mean;
    cr_expect(mean > 0.49 && mean < 0.51, "mean %g", mean);
    cr_expect(var > 1.0 / 12 - 0.003 && var < 1.0 / 12 + 0.003, "variance %g", var);
    cr_expect(lo < 0.001 && hi > 0.999, "range [%g, %g]", lo, hi);
    cr_expect(below_quarter > 24000 && below_quarter < 26000, "%d below 0.25", below_quarter);
}

/* Both the one-at-a-time and the pairwise (fill) normals; an odd count
 * checks the fill's last, unpaired value. Consecutive fill values (the two
 * of a pair) must be uncorrelated. */
static void check_normals(int fill) {
    gn_rng r;
    gn_rng_seed(&r, 11);
    const int n = 100001;
    float *zs = malloc(sizeof(float) * n);
    cr_assert_not_null(zs);
    if (fill)
        gn_rng_normal_fill(&r, zs, n);
    else
        for (int i = 0; i < n; i++)
            zs[i] = gn_rng_normal(&r);
    double sum = 0, sq = 0, lag = 0;
    int within1 = 0, beyond3 = 0;
    for (int i = 0; i < n; i++) {
        float z = zs[i];
        if (i) lag += (double)z * zs[i - 1];
        cr_assert(isfinite(z));
        sum += z;
        sq += (double)z * z;
        within1 += fabsf(z) < 1.0f;
        beyond3 += fabsf(z) > 3.0f;
    }
    double mean = sum / n, var = sq / n - mean * mean;
    cr_expect(fabs(mean) < 0.02, "mean %g", mean);
    cr_expect(var > 0.97 && var < 1.03, "variance %g", var);
    /* 68.27% within one sigma, 0.27% beyond three. */
    cr_expect(within1 > 67270 && within1 < 69270, "%d within 1 sd", within1);
    cr_expect(beyond3 > 150 && beyond3 < 420, "%d beyond 3 sd", beyond3);
    cr_expect(fabs(lag / (n - 1)) < 0.02, "lag-1 correlation %g", lag / (n - 1));
    free(zs);
}

Test(core_rng, normal_mean_zero_variance_one) {
    check_normals(0);
    check_normals(1);
}

Test(core_rng, below_bounds_and_rough_uniformity) {
    gn_rng r;
    gn_rng_seed(&r, 5);
    cr_expect_eq(gn_rng_below(&r, 0), 0);
    for (int i = 0; i < 100; i++)
        cr_expect_eq(gn_rng_below(&r, 1), 0);
    enum { K = 7, N = 70000 };
    int counts[K] = {0};
    for (int i = 0; i < N; i++) {
        uint64_t x = gn_rng_below(&r, K);
        cr_assert_lt(x, (uint64_t)K);
        counts[x]++;
    }
    for (int k = 0; k < K; k++)
        cr_expect(counts[k] > 9400 && counts[k] < 10600, "bucket %d: %d of %d", k, counts[k], N);
    /* Near the top of the range (worst case for modulo bias) and huge n. */
    uint64_t big = (UINT64_MAX / 2) + 2;
    int upper = 0;
    for (int i = 0; i < 2000; i++) {
        uint64_t x = gn_rng_below(&r, big);
        cr_assert_lt(x, big);
        upper += x >= big / 2;
    }
    cr_expect(upper > 900 && upper < 1100, "%d of 2000 in the upper half", upper);
    for (int i = 0; i < 1000; i++)
        cr_assert_lt(gn_rng_below(&r, UINT64_MAX), UINT64_MAX);
}

Test(core_rng, shuffle_is_a_deterministic_permutation) {
    enum { N = 1000 };
    int64_t a[N], b[N];
    for (int i = 0; i < N; i++)
        a[i] = b[i] = i;
    gn_rng r1, r2;
    gn_rng_seed(&r1, 2024);
    gn_rng_seed(&r2, 2024);
    gn_rng_shuffle_i64(&r1, a, N);
    gn_rng_shuffle_i64(&r2, b, N);
    unsigned char seen[N] = {0};
    int fixed = 0;
    for (int i = 0; i < N; i++) {
        cr_assert(a[i] >= 0 && a[i] < N, "a[%d] = %lld", i, (long long)a[i]);
        cr_assert_eq(seen[a[i]], 0, "%lld appears twice", (long long)a[i]);
        seen[a[i]] = 1;
        fixed += a[i] == i;
        cr_assert_eq(a[i], b[i], "same seed, same permutation (index %d)", i);
    }
    cr_expect_lt(fixed, 20, "%d fixed points: hardly shuffled", fixed);

    int64_t c[N];
    for (int i = 0; i < N; i++)
        c[i] = i;
    gn_rng r3;
    gn_rng_seed(&r3, 2025);
    gn_rng_shuffle_i64(&r3, c, N);
    int same = 0;
    for (int i = 0; i < N; i++)
        same += a[i] == c[i];
    cr_expect_lt(same, 20, "another seed gives another permutation");

    /* Every position is reachable: first element over many small shuffles. */
    int first[4] = {0};
    for (int t = 0; t < 4000; t++) {
        int64_t s[4] = {0, 1, 2, 3};
        gn_rng_shuffle_i64(&r3, s, 4);
        first[s[0]]++;
    }
    for (int k = 0; k < 4; k++)
        cr_expect(first[k] > 850 && first[k] < 1150, "%d", first[k]);

    int64_t one[1] = {42};
    gn_rng_shuffle_i64(&r3, one, 1);
    cr_expect_eq(one[0], 42);
    gn_rng_shuffle_i64(&r3, one, 0);
    cr_expect_eq(one[0], 42);
}

/* ======================================================================== */
/* gemm                                                                     */
/* ======================================================================== */

static void fill_rand(float *x, int64_t n, uint64_t seed) {
    gn_rng r;
    gn_rng_seed(&r, seed);
    for (int64_t i = 0; i < n; i++)
        x[i] = (float)(gn_rng_uniform(&r) * 2.0 - 1.0);
}

/* Runs gn_gemm and gn_gemm_ref on the same padded operands and compares all
 * of C, padding included (which both must leave alone). */
static void gemm_case(int ta, int tb, int64_t m, int64_t n, int64_t k, float alpha, float beta,
                      int64_t pad_a, int64_t pad_b, int64_t pad_c) {
    int64_t ar = ta ? k : m, ac = ta ? m : k; /* stored shapes */
    int64_t br = tb ? n : k, bc = tb ? k : n;
    int64_t lda = ac + pad_a, ldb = bc + pad_b, ldc = n + pad_c;
    float *a = malloc((size_t)(ar * lda) * sizeof *a);
    float *b = malloc((size_t)(br * ldb) * sizeof *b);
    float *c1 = malloc((size_t)(m * ldc) * sizeof *c1);
    float *c2 = malloc((size_t)(m * ldc) * sizeof *c2);
    cr_assert(a && b && c1 && c2);
    fill_rand(a, ar * lda, 1 + (uint64_t)m);
    fill_rand(b, br * ldb, 2 + (uint64_t)n);
    fill_rand(c1, m * ldc, 3 + (uint64_t)k);
    memcpy(c2, c1, (size_t)(m * ldc) * sizeof *c2);
    gn_gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c1, ldc);
    gn_gemm_ref(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c2, ldc);
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < ldc; j++) {
            double x = c1[i * ldc + j], y = c2[i * ldc + j];
            if (j >= n) {
                cr_assert_eq(x, y, "padding C[%lld][%lld] changed", (long long)i, (long long)j);
                continue;
            }
            cr_assert(fabs(x - y) <= 1e-4 * fmax(1.0, fabs(y)),
                      "ta=%d tb=%d m=%lld n=%lld k=%lld: C[%lld][%lld] %g vs ref %g", ta, tb,
                      (long long)m, (long long)n, (long long)k, (long long)i, (long long)j, x, y);
        }
    free(a);
    free(b);
    free(c1);
    free(c2);
}

Test(core_gemm, matches_reference_for_all_transposes) {
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) {
            gemm_case(ta, tb, 5, 7, 3, 1.0f, 0.0f, 0, 0, 0);
            gemm_case(ta, tb, 8, 8, 8, 1.0f, 1.0f, 0, 0, 0);
            gemm_case(ta, tb, 33, 17, 65, 1.0f, 0.0f, 0, 0, 0);
        }
}

Test(core_gemm, alpha_beta_and_padded_leading_dims) {
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) {
            gemm_case(ta, tb, 5, 7, 3, 1.5f, -0.5f, 2, 3, 1);
            gemm_case(ta, tb, 13, 4, 29, -0.25f, 2.0f, 5, 1, 7);
            gemm_case(ta, tb, 1, 9, 1, 3.0f, 0.5f, 1, 1, 1);
            gemm_case(ta, tb, 40, 1, 6, 0.5f, 1.0f, 0, 4, 2);
        }
}

Test(core_gemm, hand_computed_values) {
    /* A = [1 2; 3 4], B = [5 6; 7 8]: AB = [19 22; 43 50], A^T B = [26 30; 38 44],
     * A B^T = [17 23; 39 53], A^T B^T = [23 31; 34 46]. */
    const float a[4] = {1, 2, 3, 4}, b[4] = {5, 6, 7, 8};
    const float want[4][4] = {
        {19, 22, 43, 50}, {17, 23, 39, 53}, {26, 30, 38, 44}, {23, 31, 34, 46}};
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) {
            float c1[4] = {1, 1, 1, 1}, c2[4] = {1, 1, 1, 1};
            gn_gemm(ta, tb, 2, 2, 2, 2.0f, a, 2, b, 2, 3.0f, c1, 2);
            gn_gemm_ref(ta, tb, 2, 2, 2, 2.0f, a, 2, b, 2, 3.0f, c2, 2);
            for (int i = 0; i < 4; i++) {
                float w = 2.0f * want[ta * 2 + tb][i] + 3.0f;
                cr_expect_float_eq(c1[i], w, 1e-4, "gemm ta=%d tb=%d [%d]: %g", ta, tb, i, c1[i]);
                cr_expect_float_eq(c2[i], w, 1e-4, "ref ta=%d tb=%d [%d]: %g", ta, tb, i, c2[i]);
            }
        }
    /* Non-square: (2x3)(3x1). */
    const float x[6] = {1, 0, -1, 2, 3, 4}, y[3] = {1, 2, 3};
    float z1[2] = {0}, z2[2] = {0};
    gn_gemm(0, 0, 2, 1, 3, 1.0f, x, 3, y, 1, 0.0f, z1, 1);
    gn_gemm_ref(0, 0, 2, 1, 3, 1.0f, x, 3, y, 1, 0.0f, z2, 1);
    cr_expect_float_eq(z1[0], -2.0f, 1e-6);
    cr_expect_float_eq(z1[1], 20.0f, 1e-6);
    cr_expect_float_eq(z2[0], -2.0f, 1e-6);
    cr_expect_float_eq(z2[1], 20.0f, 1e-6);
}

Test(core_gemm, beta_zero_ignores_c) {
    /* BLAS semantics: with beta = 0, C is output only (NaN in C must vanish). */
    const float a[4] = {1, 2, 3, 4}, b[4] = {5, 6, 7, 8};
    float c1[4] = {NAN, NAN, INFINITY, NAN}, c2[4] = {NAN, NAN, INFINITY, NAN};
    gn_gemm(0, 0, 2, 2, 2, 1.0f, a, 2, b, 2, 0.0f, c1, 2);
    gn_gemm_ref(0, 0, 2, 2, 2, 1.0f, a, 2, b, 2, 0.0f, c2, 2);
    const float want[4] = {19, 22, 43, 50};
    for (int i = 0; i < 4; i++) {
        cr_expect_float_eq(c1[i], want[i], 1e-4, "gemm [%d] = %g", i, c1[i]);
        cr_expect_float_eq(c2[i], want[i], 1e-4, "ref [%d] = %g", i, c2[i]);
    }
}

/* ======================================================================== */
/* section / schema                                                         */
/* ======================================================================== */

static const gn_param_schema train_schema[] = {
    GN_PARAM_INT("epochs", NULL, 1, 1000, "passes over the data"),
    GN_PARAM_FLOAT("lr", "0.01", 0, 10, "learning rate"),
    GN_PARAM_CHOICE("optimizer", "sgd", "sgd|adam|rmsprop_x", "update rule"),
    GN_PARAM_BOOL("shuffle", "true", "shuffle every epoch"),
    GN_PARAM_STRING("tag", "run", "free text"),
    GN_PARAM_FLOAT("clip", "", 0, GN_INF, "optional gradient clip"),
    GN_PARAM_INT("patience", "", 0, GN_INF, "optional early stopping"),
    GN_PARAM_END,
};

/* A section from "key=value" strings; the i-th gets line first_line + i. */
static gn_section *section_of(const char *name, const char *file, int first_line,
                              const char *const *kv) {
    gn_section *s = gn_section_new(name, file);
    cr_assert_not_null(s);
    gn_error err = {0};
    for (int i = 0; kv && kv[i]; i++) {
        char key[64];
        const char *eq = strchr(kv[i], '=');
        cr_assert_not_null(eq, "bad fixture '%s'", kv[i]);
        snprintf(key, sizeof key, "%.*s", (int)(eq - kv[i]), kv[i]);
        cr_assert_eq(gn_section_set(s, key, eq + 1, first_line ? first_line + i : 0, &err), GN_OK,
                     "%s", err.msg);
    }
    return s;
}

/* Validates one key=value against train_schema (with epochs supplied) and
 * expects failure with exactly msg. */
static void expect_invalid(const char *kv, int line, const char *msg) {
    gn_section *s = section_of("train", "f.ini", 0, (const char *const[]){"epochs=3", NULL});
    gn_error err = {0};
    const char *eq = strchr(kv, '=');
    char key[64];
    snprintf(key, sizeof key, "%.*s", (int)(eq - kv), kv);
    cr_assert_eq(gn_section_set(s, key, eq + 1, line, &err), GN_OK);
    cr_expect_eq(gn_section_validate(s, train_schema, NULL, &err), GN_ERR_CONFIG, "%s accepted",
                 kv);
    cr_expect_eq(err.status, GN_ERR_CONFIG);
    cr_expect_str_eq(err.msg, msg);
    gn_section_free(s);
}

Test(core_section, set_get_and_iteration) {
    gn_section *s = gn_section_new("train", "conf/a.ini");
    cr_assert_not_null(s);
    cr_expect_str_eq(gn_section_name(s), "train");
    cr_expect_str_eq(gn_section_file(s), "conf/a.ini");
    gn_error err = {0};
    cr_expect_eq(gn_section_count(s), 0);
    cr_expect_eq(gn_section_set(s, "lr", "0.1", 4, &err), GN_OK);
    cr_expect_eq(gn_section_set(s, "epochs", "5", 5, &err), GN_OK);
    cr_expect_eq(gn_section_set(s, "lr", "0.2", 9, &err), GN_OK, "replacing keeps one entry");
    cr_expect_eq(gn_section_count(s), 2);
    cr_expect_str_eq(gn_section_key_at(s, 0), "lr");
    cr_expect_str_eq(gn_section_key_at(s, 1), "epochs");
    cr_expect_null(gn_section_key_at(s, 2));
    cr_expect_null(gn_section_key_at(s, -1));
    cr_expect_str_eq(gn_section_str(s, "lr"), "0.2");
    cr_expect_eq(gn_section_line(s, "lr"), 9);
    cr_expect_eq(gn_section_line(s, "epochs"), 5);
    cr_expect_eq(gn_section_line(s, "nope"), 0);
    cr_expect(gn_section_has(s, "epochs"));
    cr_expect_not(gn_section_has(s, "nope"));
    cr_expect_null(gn_section_str(s, "nope"));
    cr_expect_eq(gn_section_int(s, "nope"), 0);
    cr_expect_eq(gn_section_float(s, "nope"), 0.0);
    cr_expect_eq(gn_section_bool(s, "nope"), 0);
    /* Copies are taken: the caller's buffers may change. */
    char key[8] = "k", val[8] = "v1";
    cr_expect_eq(gn_section_set(s, key, val, 1, &err), GN_OK);
    strcpy(key, "x");
    strcpy(val, "zz");
    cr_expect_str_eq(gn_section_str(s, "k"), "v1");
    gn_section_free(s);
    gn_section_free(NULL);

    gn_section *anon = gn_section_new(NULL, NULL);
    cr_assert_not_null(anon);
    cr_expect_str_eq(gn_section_name(anon), "");
    cr_expect_str_eq(gn_section_file(anon), "");
    gn_section_free(anon);
}

Test(core_section, validate_converts_types) {
    gn_section *s =
        section_of("train", "f.ini", 2,
                   (const char *const[]){"epochs=42", "lr=2.5e-1", "optimizer=adam", "shuffle=no",
                                         "tag=hello world", "clip=1", NULL});
    gn_error err = {0};
    cr_assert_eq(gn_section_validate(s, train_schema, NULL, &err), GN_OK, "%s", err.msg);
    cr_expect_eq(gn_section_int(s, "epochs"), 42);
    cr_expect_eq(gn_section_float(s, "epochs"), 42.0);
    cr_expect_eq(gn_section_float(s, "lr"), 0.25);
    cr_expect_str_eq(gn_section_str(s, "optimizer"), "adam");
    cr_expect_eq(gn_section_bool(s, "shuffle"), 0);
    cr_expect_str_eq(gn_section_str(s, "tag"), "hello world");
    cr_expect_eq(gn_section_float(s, "clip"), 1.0);
    cr_expect_str_eq(gn_section_str(s, "lr"), "2.5e-1", "raw text kept");
    gn_section_free(s);

    /* Every spelling of a boolean, case-insensitively. */
    static const char *const yes[] = {"true", "yes", "on", "1", "TRUE", "Yes", "ON"};
    static const char *const no[] = {"false", "no", "off", "0", "False", "NO", "Off"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        gn_section *b = section_of("t", "", 0, (const char *const[]){"epochs=1", NULL});
        cr_assert_eq(gn_section_set(b, "shuffle", no[i], 0, &err), GN_OK);
        cr_assert_eq(gn_section_validate(b, train_schema, NULL, &err), GN_OK, "%s: %s", no[i],
                     err.msg);
        cr_expect_eq(gn_section_bool(b, "shuffle"), 0, "%s", no[i]);
        cr_assert_eq(gn_section_set(b, "shuffle", yes[i], 0, &err), GN_OK);
        cr_assert_eq(gn_section_validate(b, train_schema, NULL, &err), GN_OK, "%s: %s", yes[i],
                     err.msg);
        cr_expect_eq(gn_section_bool(b, "shuffle"), 1, "%s", yes[i]);
        gn_section_free(b);
    }

    /* Range bounds are inclusive; whitespace around numbers is tolerated. */
    gn_section *r =
        section_of("t", "", 0, (const char *const[]){"epochs=1000", "lr=10", "patience=0", NULL});
    cr_assert_eq(gn_section_validate(r, train_schema, NULL, &err), GN_OK, "%s", err.msg);
    cr_expect_eq(gn_section_int(r, "epochs"), 1000);
    cr_expect_eq(gn_section_float(r, "lr"), 10.0);
    cr_expect(gn_section_has(r, "patience"));
    cr_expect_eq(gn_section_int(r, "patience"), 0);
    gn_section_free(r);
    gn_section *w = section_of("t", "", 0, (const char *const[]){"epochs= 7 ", "lr=0.5 ", NULL});
    cr_assert_eq(gn_section_validate(w, train_schema, NULL, &err), GN_OK, "%s", err.msg);
    cr_expect_eq(gn_section_int(w, "epochs"), 7);
    cr_expect_eq(gn_section_float(w, "lr"), 0.5);
    gn_section_free(w);
}

Test(core_section, bad_values_name_file_line_and_key) {
    expect_invalid("lr=abc", 7, "f.ini:7: [train] lr: expected a finite number, got 'abc'");
    expect_invalid("lr=nan", 3, "f.ini:3: [train] lr: expected a finite number, got 'nan'");
    expect_invalid("lr=inf", 3, "f.ini:3: [train] lr: expected a finite number, got 'inf'");
    expect_invalid("lr=1e999", 3, "f.ini:3: [train] lr: expected a finite number, got '1e999'");
    expect_invalid("lr=", 3, "f.ini:3: [train] lr: expected a finite number, got ''");
    expect_invalid("lr=0.1x", 3, "f.ini:3: [train] lr: expected a finite number, got '0.1x'");
    expect_invalid("lr=11", 4, "f.ini:4: [train] lr: 11 is out of range [0, 10]");
    expect_invalid("lr=-0.5", 4, "f.ini:4: [train] lr: -0.5 is out of range [0, 10]");
    expect_invalid("epochs=1.5", 2, "f.ini:2: [train] epochs: expected an integer, got '1.5'");
    expect_invalid("epochs=ten", 2, "f.ini:2: [train] epochs: expected an integer, got 'ten'");
    expect_invalid("epochs=99999999999999999999", 2,
                   "f.ini:2: [train] epochs: expected an integer, got '99999999999999999999'");
    expect_invalid("epochs=0", 2, "f.ini:2: [train] epochs: 0 is out of range [1, 1000]");
    expect_invalid("patience=-1", 2, "f.ini:2: [train] patience: -1 is out of range [0, inf]");
    expect_invalid("shuffle=maybe", 5,
                   "f.ini:5: [train] shuffle: expected true or false, got 'maybe'");
    expect_invalid("optimizer=rmsprop", 6,
                   "f.ini:6: [train] optimizer: 'rmsprop' is not one of sgd|adam|rmsprop_x");
    expect_invalid("optimizer=sg", 6,
                   "f.ini:6: [train] optimizer: 'sg' is not one of sgd|adam|rmsprop_x");
    expect_invalid("optimizer=ADAM", 6,
                   "f.ini:6: [train] optimizer: 'ADAM' is not one of sgd|adam|rmsprop_x");
    /* Line 0 (a --set value or a default) names the file only, or nothing. */
    expect_invalid("lr=abc", 0, "f.ini: [train] lr: expected a finite number, got 'abc'");
    gn_section *s = section_of("train", "", 0, (const char *const[]){"epochs=x", NULL});
    gn_error err = {0};
    cr_expect_eq(gn_section_validate(s, train_schema, NULL, &err), GN_ERR_CONFIG);
    cr_expect_str_eq(err.msg, "[train] epochs: expected an integer, got 'x'");
    gn_section_free(s);
}

Test(core_section, unknown_key_lists_known_keys) {
    gn_section *s = section_of("train", "f.ini", 3,
                               (const char *const[]){"epochs=1", "learning_rate=0.1", NULL});
    gn_error err = {0};
    cr_expect_eq(gn_section_validate(s, train_schema, NULL, &err), GN_ERR_CONFIG);
    cr_expect_str_eq(err.msg, "f.ini:4: [train] learning_rate: unknown key (known keys: epochs, "
                              "lr, optimizer, shuffle, tag, clip, patience)");
    gn_section_free(s);

    static const gn_param_schema none[] = {GN_PARAM_END};
    gn_section *t = section_of("flatten", "m.ini", 9, (const char *const[]){"units=3", NULL});
    cr_expect_eq(gn_section_validate(t, none, NULL, &err), GN_ERR_CONFIG);
    cr_expect_str_eq(err.msg, "m.ini:9: [flatten] units: unknown key (known keys: none)");
    cr_expect_eq(gn_section_validate(t, NULL, NULL, &err), GN_ERR_CONFIG, "NULL schema = none");
    gn_section_free(t);
}

Test(core_section, missing_required_key) {
    gn_section *s = section_of("train", "f.ini", 1, (const char *const[]){"lr=0.1", NULL});
    gn_error err = {0};
    cr_expect_eq(gn_section_validate(s, train_schema, NULL, &err), GN_ERR_CONFIG);
    cr_expect_str_eq(err.msg, "f.ini: [train] epochs: missing required key");
    gn_section_free(s);
    gn_section *t = gn_section_new("train", NULL);
    cr_expect_eq(gn_section_validate(t, train_schema, NULL, &err), GN_ERR_CONFIG);
    cr_expect_str_eq(err.msg, "[train] epochs: missing required key");
    gn_section_free(t);
}

Test(core_section, defaults_are_filled_after_user_keys) {
    gn_section *s = section_of("train", "f.ini", 10, (const char *const[]){"epochs=3", NULL});
    gn_error err = {0};
    cr_assert_eq(gn_section_validate(s, train_schema, NULL, &err), GN_OK, "%s", err.msg);
    cr_expect_eq(gn_section_float(s, "lr"), 0.01);
    cr_expect_str_eq(gn_section_str(s, "lr"), "0.01");
    cr_expect_str_eq(gn_section_str(s, "optimizer"), "sgd");
    cr_expect_eq(gn_section_bool(s, "shuffle"), 1);
    cr_expect_str_eq(gn_section_str(s, "tag"), "run");
    cr_expect_eq(gn_section_line(s, "epochs"), 10);
    cr_expect_eq(gn_section_line(s, "lr"), 0, "defaults have line 0");
    cr_expect_eq(gn_section_count(s), 5, "epochs + 4 defaults; the optional keys stay absent");
    static const char *const order[] = {"epochs", "lr", "optimizer", "shuffle", "tag"};
    for (int i = 0; i < 5; i++)
        cr_expect_str_eq(gn_section_key_at(s, i), order[i]);
    /* Validating again is harmless. */
    cr_assert_eq(gn_section_validate(s, train_schema, NULL, &err), GN_OK, "%s", err.msg);
    cr_expect_eq(gn_section_count(s), 5);
    gn_section_free(s);
}

Test(core_section, optional_numeric_default_leaves_key_absent) {
    gn_section *s = section_of("train", "", 0, (const char *const[]){"epochs=3", NULL});
    gn_error err = {0};
    cr_assert_eq(gn_section_validate(s, train_schema, NULL, &err), GN_OK, "%s", err.msg);
    cr_expect_not(gn_section_has(s, "clip"));
    cr_expect_not(gn_section_has(s, "patience"));
    cr_expect_eq(gn_section_float(s, "clip"), 0.0);
    cr_expect_null(gn_section_str(s, "clip"));
    gn_section_free(s);

    gn_section *t = section_of("train", "", 0, (const char *const[]){"epochs=3", "clip=0.5", NULL});
    cr_assert_eq(gn_section_validate(t, train_schema, NULL, &err), GN_OK, "%s", err.msg);
    cr_expect(gn_section_has(t, "clip"));
    cr_expect_eq(gn_section_float(t, "clip"), 0.5);
    gn_section_free(t);

    /* A string whose default is "" is present (as ""), unlike numbers. */
    static const gn_param_schema str[] = {GN_PARAM_STRING("activation", "", "op"), GN_PARAM_END};
    gn_section *u = gn_section_new("d", "");
    cr_assert_eq(gn_section_validate(u, str, NULL, &err), GN_OK, "%s", err.msg);
    cr_expect(gn_section_has(u, "activation"));
    cr_expect_str_eq(gn_section_str(u, "activation"), "");
    gn_section_free(u);
}

Test(core_section, extra_keys_are_allowed_as_strings) {
    static const char *const extra[] = {"type", "input", NULL};
    gn_section *s = section_of("layer.d1", "m.ini", 1,
                               (const char *const[]){"type=dense", "epochs=2", "input=x", NULL});
    gn_error err = {0};
    cr_assert_eq(gn_section_validate(s, train_schema, extra, &err), GN_OK, "%s", err.msg);
    cr_expect_str_eq(gn_section_str(s, "type"), "dense");
    cr_expect_str_eq(gn_section_str(s, "input"), "x");
    cr_expect_eq(gn_section_int(s, "epochs"), 2);
    gn_section_free(s);
    /* Without the extra list the same key is unknown. */
    gn_section *t =
        section_of("layer.d1", "m.ini", 1, (const char *const[]){"type=dense", "epochs=2", NULL});
    cr_expect_eq(gn_section_validate(t, train_schema, NULL, &err), GN_ERR_CONFIG);
    expect_msg(err, "m.ini:1: [layer.d1] type: unknown key");
    gn_section_free(t);
}

Test(core_section, clone_is_deep) {
    gn_section *s = section_of("train", "f.ini", 5,
                               (const char *const[]){"epochs=8", "lr=0.5", "shuffle=off", NULL});
    gn_error err = {0};
    cr_assert_eq(gn_section_validate(s, train_schema, NULL, &err), GN_OK, "%s", err.msg);
    gn_section *c = gn_section_clone(s, &err);
    cr_assert_not_null(c, "%s", err.msg);
    cr_expect_str_eq(gn_section_name(c), "train");
    cr_expect_str_eq(gn_section_file(c), "f.ini");
    cr_expect_eq(gn_section_count(c), gn_section_count(s));
    for (int i = 0; i < gn_section_count(s); i++) {
        const char *k = gn_section_key_at(s, i);
        cr_expect_str_eq(gn_section_key_at(c, i), k);
        cr_expect_str_eq(gn_section_str(c, k), gn_section_str(s, k));
        cr_expect_eq(gn_section_line(c, k), gn_section_line(s, k));
    }
    /* Typed values survive without re-validation. */
    cr_expect_eq(gn_section_int(c, "epochs"), 8);
    cr_expect_eq(gn_section_float(c, "lr"), 0.5);
    cr_expect_eq(gn_section_bool(c, "shuffle"), 0);
    /* Independent: changing one leaves the other alone, and outlives it. */
    cr_assert_eq(gn_section_set(c, "lr", "0.75", 1, &err), GN_OK);
    cr_assert_eq(gn_section_set(c, "extra", "1", 2, &err), GN_OK);
    cr_expect_str_eq(gn_section_str(s, "lr"), "0.5");
    cr_expect_not(gn_section_has(s, "extra"));
    gn_section_free(s);
    cr_expect_str_eq(gn_section_str(c, "lr"), "0.75");
    cr_expect_str_eq(gn_section_name(c), "train");
    gn_section_free(c);
}

/* ======================================================================== */
/* registry                                                                 */
/* ======================================================================== */

static const gn_op_vtable fake_op_a = {.struct_size = sizeof(gn_op_vtable), .name = "fake_a"};
static const gn_op_vtable fake_op_b = {.struct_size = sizeof(gn_op_vtable), .name = "fake_b"};
static const int fake_trainers[3] = {1, 2, 3};

static gn_registry *registry(void) {
    gn_error err = {0};
    gn_registry *r = gn_registry_new(&err);
    cr_assert_not_null(r, "%s", err.msg);
    return r;
}

Test(core_registry, core_ops_and_layers_present) {
    gn_registry *r = registry();
    gn_error err = {0};
    cr_expect_eq(gn_registry_find(r, GN_KIND_OP, "relu", &err), &gn_op_relu, "%s", err.msg);
    cr_expect_eq(gn_registry_find(r, GN_KIND_OP, "core.relu", &err), &gn_op_relu);
    cr_expect_eq(gn_registry_find(r, GN_KIND_OP, "linear", &err), &gn_op_linear);
    cr_expect_eq(gn_registry_find(r, GN_KIND_OP, "mse", &err), &gn_op_mse);
    cr_expect_eq(gn_registry_find(r, GN_KIND_OP, "core.cross_entropy", &err), &gn_op_cross_entropy);
    static const char *const layers[] = {"dense",   "flatten", "reshape",
                                         "dropout", "relu",    "softmax"};
    for (size_t i = 0; i < sizeof layers / sizeof layers[0]; i++) {
        const gn_layer_vtable *l = gn_registry_find(r, GN_KIND_LAYER, layers[i], &err);
        cr_assert_not_null(l, "%s: %s", layers[i], err.msg);
        cr_expect_str_eq(l->name, layers[i]);
        char q[64];
        snprintf(q, sizeof q, "core.%s", layers[i]);
        cr_expect_eq(gn_registry_find(r, GN_KIND_LAYER, q, &err), l);
    }
    cr_expect_geq(gn_registry_count(r, GN_KIND_OP), 21);
    cr_expect_geq(gn_registry_count(r, GN_KIND_LAYER), 16);
    cr_expect_eq(gn_registry_count(r, GN_KIND_TRAINER), 0);
    cr_expect_eq(gn_registry_count(r, GN_KIND_EVALUATOR), 0);
    cr_expect_eq(gn_registry_count(r, GN_KIND_COMMAND), 0);
    /* Kinds are separate namespaces. */
    err = (gn_error){0};
    cr_expect_null(gn_registry_find(r, GN_KIND_OP, "dense", &err));
    cr_expect_eq(err.status, GN_ERR_NOT_FOUND);
    cr_expect_str_eq(err.msg, "unknown op 'dense'");
    cr_expect_null(gn_registry_find(r, GN_KIND_TRAINER, "relu", &err));
    cr_expect_str_eq(err.msg, "unknown trainer 'relu'");
    gn_registry_free(r);
    gn_registry_free(NULL);
}

Test(core_registry, add_and_find_qualified_and_bare) {
    gn_registry *r = registry();
    gn_error err = {0};
    int before = gn_registry_count(r, GN_KIND_OP);
    cr_assert_eq(gn_registry_add(r, GN_KIND_OP, "mine", "fake_a", &fake_op_a, &err), GN_OK, "%s",
                 err.msg);
    cr_expect_eq(gn_registry_count(r, GN_KIND_OP), before + 1);
    cr_expect_eq(gn_registry_find(r, GN_KIND_OP, "fake_a", &err), &fake_op_a);
    cr_expect_eq(gn_registry_find(r, GN_KIND_OP, "mine.fake_a", &err), &fake_op_a);
    err = (gn_error){0};
    cr_expect_null(gn_registry_find(r, GN_KIND_OP, "core.fake_a", &err));
    cr_expect_eq(err.status, GN_ERR_NOT_FOUND);
    cr_expect_str_eq(err.msg, "unknown op 'core.fake_a'");
    cr_expect_null(gn_registry_find(r, GN_KIND_OP, "min.fake_a", &err), "plugin prefix match");
    cr_expect_null(gn_registry_find(r, GN_KIND_OP, "mine.fake", &err), "name prefix match");
    cr_expect_null(gn_registry_find(r, GN_KIND_OP, "fake", &err));
    cr_expect_null(gn_registry_find(r, GN_KIND_OP, "mine.", &err));
    cr_expect_null(gn_registry_find(r, GN_KIND_OP, ".fake_a", &err));
    cr_expect_null(gn_registry_find(r, GN_KIND_OP, NULL, &err));
    cr_expect_eq(err.status, GN_ERR_INVALID);
    /* A name may be shared across kinds; each kind finds its own. */
    cr_assert_eq(gn_registry_add(r, GN_KIND_TRAINER, "mine", "fake_a", &fake_trainers[0], &err),
                 GN_OK, "%s", err.msg);
    cr_expect_eq(gn_registry_find(r, GN_KIND_TRAINER, "fake_a", &err), &fake_trainers[0]);
    cr_expect_eq(gn_registry_find(r, GN_KIND_OP, "fake_a", &err), &fake_op_a);
    gn_registry_free(r);
}

Test(core_registry, duplicate_is_an_error) {
    gn_registry *r = registry();
    gn_error err = {0};
    cr_assert_eq(gn_registry_add(r, GN_KIND_OP, "mine", "fake_a", &fake_op_a, &err), GN_OK);
    int n = gn_registry_count(r, GN_KIND_OP);
    cr_expect_eq(gn_registry_add(r, GN_KIND_OP, "mine", "fake_a", &fake_op_b, &err),
                 GN_ERR_INVALID);
    cr_expect_str_eq(err.msg, "duplicate op 'mine.fake_a': plugin 'mine' registered it already");
    cr_expect_eq(gn_registry_count(r, GN_KIND_OP), n);
    cr_expect_eq(gn_registry_find(r, GN_KIND_OP, "fake_a", &err), &fake_op_a, "first one kept");
    cr_expect_eq(gn_registry_add(r, GN_KIND_OP, "core", "relu", &fake_op_b, &err), GN_ERR_INVALID);
    cr_expect_str_eq(err.msg, "duplicate op 'core.relu': plugin 'core' registered it already");
    cr_expect_eq(gn_registry_add(r, GN_KIND_LAYER, "core", "dense", &fake_op_b, &err),
                 GN_ERR_INVALID);
    cr_expect_str_eq(err.msg, "duplicate layer 'core.dense': plugin 'core' registered it already");
    gn_registry_free(r);
}

Test(core_registry, ambiguous_bare_name_names_both_plugins) {
    gn_registry *r = registry();
    gn_error err = {0};
    cr_assert_eq(gn_registry_add(r, GN_KIND_OP, "mine", "relu", &fake_op_a, &err), GN_OK, "%s",
                 err.msg);
    err = (gn_error){0};
    cr_expect_null(gn_registry_find(r, GN_KIND_OP, "relu", &err));
    cr_expect_eq(err.status, GN_ERR_CONFIG);
    cr_expect_str_eq(err.msg, "op 'relu' is ambiguous: plugins 'core' and 'mine' both register "
                              "it; write core.relu or mine.relu");
    cr_expect_eq(gn_registry_find(r, GN_KIND_OP, "core.relu", &err), &gn_op_relu);
    cr_expect_eq(gn_registry_find(r, GN_KIND_OP, "mine.relu", &err), &fake_op_a);

    cr_assert_eq(gn_registry_add(r, GN_KIND_COMMAND, "p1", "go", &fake_trainers[0], &err), GN_OK);
    cr_assert_eq(gn_registry_add(r, GN_KIND_COMMAND, "p2", "go", &fake_trainers[1], &err), GN_OK);
    cr_expect_null(gn_registry_find(r, GN_KIND_COMMAND, "go", &err));
    cr_expect_str_eq(err.msg, "command 'go' is ambiguous: plugins 'p1' and 'p2' both register "
                              "it; write p1.go or p2.go");
    cr_expect_eq(gn_registry_find(r, GN_KIND_COMMAND, "p2.go", &err), &fake_trainers[1]);
    gn_registry_free(r);
}

Test(core_registry, invalid_names_are_refused) {
    gn_registry *r = registry();
    gn_error err = {0};
    int n = gn_registry_count(r, GN_KIND_OP);
    char long_name[80];
    memset(long_name, 'a', 64);
    long_name[64] = '\0'; /* 64 characters: one too many */
    const char *bad_names[] = {"has.dot", "", "with space", "slash/", "ünï", long_name};
    for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
        err = (gn_error){0};
        cr_expect_eq(gn_registry_add(r, GN_KIND_OP, "mine", bad_names[i], &fake_op_a, &err),
                     GN_ERR_INVALID, "name '%s' accepted", bad_names[i]);
        expect_msg(err, "invalid op name");
        err = (gn_error){0};
        cr_expect_eq(gn_registry_add(r, GN_KIND_OP, bad_names[i], "fake_a", &fake_op_a, &err),
                     GN_ERR_INVALID, "plugin '%s' accepted", bad_names[i]);
    }
    err = (gn_error){0};
    cr_expect_eq(gn_registry_add(r, GN_KIND_OP, "mine", "has.dot", &fake_op_a, &err),
                 GN_ERR_INVALID);
    cr_expect_str_eq(err.msg, "registry: invalid op name 'mine.has.dot' (letters, digits, '_' and "
                              "'-', under 64 characters)");
    cr_expect_eq(gn_registry_add(r, GN_KIND_OP, NULL, "x", &fake_op_a, &err), GN_ERR_INVALID);
    cr_expect_eq(gn_registry_add(r, GN_KIND_OP, "mine", NULL, &fake_op_a, &err), GN_ERR_INVALID);
    cr_expect_eq(gn_registry_add(r, GN_KIND_OP, "mine", "x", NULL, &err), GN_ERR_INVALID);
    cr_expect_str_eq(err.msg, "registry: bad kind or NULL vtable for 'x'");
    cr_expect_eq(gn_registry_add(r, GN_KIND_COUNT, "mine", "x", &fake_op_a, &err), GN_ERR_INVALID);
    cr_expect_eq(gn_registry_add(r, (gn_kind)-1, "mine", "x", &fake_op_a, &err), GN_ERR_INVALID);
    cr_expect_eq(gn_registry_count(r, GN_KIND_OP), n, "nothing was added");
    /* The edges of what is allowed. */
    long_name[63] = '\0';
    cr_expect_eq(gn_registry_add(r, GN_KIND_OP, "my-plugin_2", "Op-9_x", &fake_op_a, &err), GN_OK,
                 "%s", err.msg);
    cr_expect_eq(gn_registry_add(r, GN_KIND_OP, "mine", long_name, &fake_op_b, &err), GN_OK,
                 "63 characters: %s", err.msg);
    cr_expect_eq(gn_registry_find(r, GN_KIND_OP, long_name, &err), &fake_op_b);
    cr_expect_eq(gn_registry_find(r, GN_KIND_OP, "my-plugin_2.Op-9_x", &err), &fake_op_a);
    gn_registry_free(r);
}

Test(core_registry, count_and_at_iterate_in_order) {
    gn_registry *r = registry();
    gn_error err = {0};
    static const char *const names[] = {"zeta", "alpha", "mid"};
    for (int i = 0; i < 3; i++)
        cr_assert_eq(gn_registry_add(r, GN_KIND_TRAINER, i == 1 ? "p2" : "p1", names[i],
                                     &fake_trainers[i], &err),
                     GN_OK, "%s", err.msg);
    cr_expect_eq(gn_registry_count(r, GN_KIND_TRAINER), 3);
    for (int i = 0; i < 3; i++) {
        const char *plugin = NULL, *name = NULL;
        cr_expect_eq(gn_registry_at(r, GN_KIND_TRAINER, i, &plugin, &name), &fake_trainers[i]);
        cr_expect_str_eq(name, names[i], "registration order, not sorted");
        cr_expect_str_eq(plugin, i == 1 ? "p2" : "p1");
    }
    cr_expect_eq(gn_registry_at(r, GN_KIND_TRAINER, 1, NULL, NULL), &fake_trainers[1]);
    cr_expect_null(gn_registry_at(r, GN_KIND_TRAINER, 3, NULL, NULL));
    cr_expect_null(gn_registry_at(r, GN_KIND_TRAINER, -1, NULL, NULL));
    cr_expect_null(gn_registry_at(r, GN_KIND_COUNT, 0, NULL, NULL));
    cr_expect_eq(gn_registry_count(r, GN_KIND_COUNT), 0);
    /* Every op found by iteration is found again by its qualified name, and
     * the core op names are their vtable names. */
    for (int i = 0; i < gn_registry_count(r, GN_KIND_OP); i++) {
        const char *plugin, *name;
        const gn_op_vtable *op = gn_registry_at(r, GN_KIND_OP, i, &plugin, &name);
        cr_assert_not_null(op);
        cr_expect_str_eq(plugin, "core");
        cr_expect_str_eq(op->name, name);
        char q[160];
        snprintf(q, sizeof q, "%s.%s", plugin, name);
        cr_expect_eq(gn_registry_find(r, GN_KIND_OP, q, &err), op, "%s", q);
    }
    /* Growth past the initial capacity keeps earlier items. */
    for (int i = 0; i < 100; i++) {
        char nm[16];
        snprintf(nm, sizeof nm, "cmd%d", i);
        cr_assert_eq(gn_registry_add(r, GN_KIND_COMMAND, "bulk", nm, &fake_trainers[i % 3], &err),
                     GN_OK, "%s", err.msg);
    }
    cr_expect_eq(gn_registry_count(r, GN_KIND_COMMAND), 100);
    const char *name;
    cr_expect_eq(gn_registry_at(r, GN_KIND_COMMAND, 0, NULL, &name), &fake_trainers[0]);
    cr_expect_str_eq(name, "cmd0");
    cr_expect_eq(gn_registry_find(r, GN_KIND_COMMAND, "bulk.cmd99", &err), &fake_trainers[0]);
    gn_registry_free(r);
}

Test(core_registry, kind_names) {
    cr_expect_str_eq(gn_kind_name(GN_KIND_OP), "op");
    cr_expect_str_eq(gn_kind_name(GN_KIND_LAYER), "layer");
    cr_expect_str_eq(gn_kind_name(GN_KIND_TRAINER), "trainer");
    cr_expect_str_eq(gn_kind_name(GN_KIND_EVALUATOR), "evaluator");
    cr_expect_str_eq(gn_kind_name(GN_KIND_COMMAND), "command");
    cr_expect_str_eq(gn_kind_name(GN_KIND_COUNT), "unknown");
    cr_expect_str_eq(gn_kind_name((gn_kind)-1), "unknown");
}

/* ======================================================================== */
/* error                                                                    */
/* ======================================================================== */

Test(core_error, set_returns_status_and_formats) {
    gn_error err = {0};
    cr_expect_eq(gn_error_set(&err, GN_ERR_IO, "cannot open '%s' (%d)", "x.csv", 2), GN_ERR_IO);
    cr_expect_eq(err.status, GN_ERR_IO);
    cr_expect_str_eq(err.msg, "cannot open 'x.csv' (2)");
    cr_expect_eq(gn_error_set(NULL, GN_ERR_FORMAT, "ignored %d", 1), GN_ERR_FORMAT,
                 "NULL err still returns the status");
    cr_expect_eq(gn_error_set(&err, GN_OK, "fine"), GN_OK);
    cr_expect_eq(err.status, GN_OK);
    /* Long messages are truncated to the buffer, NUL-terminated. */
    char big[2000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    gn_error_set(&err, GN_ERR_INVALID, "%s", big);
    cr_expect_eq(strlen(err.msg), GN_ERROR_MSG_MAX - 1);
    gn_error_clear(&err);
    cr_expect_eq(err.status, GN_OK);
    cr_expect_str_eq(err.msg, "");
    gn_error_clear(NULL);
}

Test(core_error, prefix_adds_context_and_keeps_status) {
    gn_error err = {0};
    gn_error_set(&err, GN_ERR_CONFIG, "units must be >= 1");
    cr_expect_eq(gn_error_prefix(&err, "dense '%s'", "d1"), GN_ERR_CONFIG);
    cr_expect_str_eq(err.msg, "dense 'd1': units must be >= 1");
    cr_expect_eq(err.status, GN_ERR_CONFIG);
    gn_error_prefix(&err, "model.ini:%d", 4);
    cr_expect_str_eq(err.msg, "model.ini:4: dense 'd1': units must be >= 1");
    cr_expect_eq(gn_error_prefix(NULL, "x"), GN_ERR_INVALID, "never reports success for NULL");
    /* Overlong results are cut at the buffer size, NUL-terminated. */
    char big[600];
    memset(big, 'p', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    gn_error_set(&err, GN_ERR_IO, "tail");
    cr_expect_eq(gn_error_prefix(&err, "%s", big), GN_ERR_IO);
    cr_expect_eq(strlen(err.msg), GN_ERROR_MSG_MAX - 1);
    cr_expect_eq(err.msg[0], 'p');
    gn_error_set(&err, GN_ERR_IO, "%s", big); /* already full */
    gn_error_prefix(&err, "ctx");
    cr_expect_eq(strncmp(err.msg, "ctx: ppp", 8), 0);
    cr_expect_eq(strlen(err.msg), GN_ERROR_MSG_MAX - 1);
}

Test(core_error, status_names) {
    static const char *const want[GN_STATUS_COUNT] = {
        [GN_OK] = "ok",
        [GN_ERR_INVALID] = "invalid",
        [GN_ERR_NOMEM] = "out of memory",
        [GN_ERR_IO] = "io",
        [GN_ERR_FORMAT] = "format",
        [GN_ERR_NUMERIC] = "numeric",
        [GN_ERR_NOT_FOUND] = "not found",
        [GN_ERR_CONFIG] = "config",
        [GN_ERR_ABI] = "abi",
        [GN_ERR_CANCELLED] = "cancelled",
        [GN_ERR_UNSUPPORTED] = "unsupported",
    };
    for (int s = 0; s < GN_STATUS_COUNT; s++) {
        cr_assert_not_null(want[s], "status %d has no expected name", s);
        cr_expect_str_eq(gn_status_name((gn_status)s), want[s], "status %d", s);
        for (int t = 0; t < s; t++)
            cr_expect_str_neq(gn_status_name((gn_status)s), gn_status_name((gn_status)t));
    }
    cr_expect_str_eq(gn_status_name(GN_STATUS_COUNT), "unknown");
    cr_expect_str_eq(gn_status_name((gn_status)-1), "unknown");
    cr_expect_str_eq(gn_status_name((gn_status)1000), "unknown");
}

/* ======================================================================== */
/* graph                                                                    */
/* ======================================================================== */

static gn_graph *graph(void) {
    gn_error err = {0};
    gn_graph *g = gn_graph_new(&err);
    cr_assert_not_null(g, "%s", err.msg);
    return g;
}

static gn_node *input2(gn_graph *g, const char *name, int64_t rows, int64_t cols, int grad) {
    gn_error err = {0};
    int64_t d[2] = {rows, cols};
    gn_node *n = gn_graph_input(g, name, 2, d, grad, &err);
    cr_assert_not_null(n, "%s", err.msg);
    return n;
}

static gn_node *apply(gn_graph *g, const gn_op_vtable *op, gn_node *const *in, int n) {
    gn_error err = {0};
    gn_node *y = gn_graph_apply(g, op, in, n, NULL, &err);
    cr_assert_not_null(y, "%s: %s", op->name, err.msg);
    return y;
}

static void feed(gn_node *x, const float *data, int64_t batch) {
    gn_error err = {0};
    cr_assert_eq(gn_graph_feed(x, data, batch, &err), GN_OK, "%s", err.msg);
}

static void forward(gn_graph *g, gn_node *y) {
    gn_error err = {0};
    cr_assert_eq(gn_graph_forward(g, y, &err), GN_OK, "%s", err.msg);
}

static void backward(gn_graph *g, gn_node *y) {
    gn_error err = {0};
    cr_assert_eq(gn_graph_backward(g, y, &err), GN_OK, "%s", err.msg);
}

Test(core_graph, input_feed_follows_batch_changes) {
    gn_graph *g = graph();
    gn_node *x = input2(g, "x", 2, 3, 1);
    cr_expect_str_eq(gn_node_name(x), "x");
    cr_expect_null(gn_node_op(x));
    cr_expect_eq(gn_node_n_inputs(x), 0);
    cr_expect_null(gn_node_input(x, 0));
    cr_expect_eq(gn_node_graph(x), g);
    cr_expect_eq(gn_tensor_dim(gn_node_value(x), 0), 2, "declared batch until the first feed");
    cr_expect_eq(gn_tensor_dim(gn_node_value(x), 1), 3);
    cr_assert_not_null(gn_node_grad(x), "requires_grad gives a gradient tensor");

    float d5[15];
    for (int i = 0; i < 15; i++)
        d5[i] = (float)i * 0.5f;
    feed(x, d5, 5);
    gn_tensor *v = gn_node_value(x);
    cr_expect_eq(gn_tensor_ndim(v), 2);
    cr_expect_eq(gn_tensor_dim(v, 0), 5);
    cr_expect_eq(gn_tensor_dim(v, 1), 3);
    for (int i = 0; i < 15; i++)
        cr_expect_eq(gn_tensor_cdata(v)[i], d5[i]);
    cr_expect_eq(gn_tensor_numel(gn_node_grad(x)), 15, "the gradient follows the batch");

    float d1[3] = {-1, -2, -3};
    feed(x, d1, 1);
    cr_expect_eq(gn_tensor_dim(v, 0), 1);
    cr_expect_eq(gn_tensor_numel(v), 3);
    cr_expect_eq(gn_tensor_cdata(v)[2], -3.0f);
    cr_expect_eq(gn_tensor_numel(gn_node_grad(x)), 3);

    /* Batch 0 is a valid (empty) batch. */
    feed(x, d1, 0);
    cr_expect_eq(gn_tensor_numel(v), 0);

    gn_node *c = input2(g, "c", 4, 2, 0);
    cr_expect_null(gn_node_grad(c), "no gradient unless asked");
    gn_graph_free(g);
}

Test(core_graph, input_errors) {
    gn_graph *g = graph();
    gn_error err = {0};
    int64_t d[5] = {1, 2, 3, 4, 5};
    cr_expect_null(gn_graph_input(g, "x", 0, d, 0, &err));
    cr_expect_str_eq(err.msg, "graph: input 'x' needs 1 to 4 dimensions");
    cr_expect_null(gn_graph_input(g, "y", 5, d, 0, &err));
    cr_expect_eq(err.status, GN_ERR_INVALID);
    cr_expect_null(gn_graph_param(g, "w", NULL, NULL, &err));
    cr_expect_str_eq(err.msg, "graph: parameter 'w' has no value");
    gn_node *x = input2(g, "x", 2, 2, 0);
    gn_node *y = apply(g, &gn_op_relu, &x, 1);
    float data[4] = {0};
    cr_expect_eq(gn_graph_feed(y, data, 2, &err), GN_ERR_INVALID);
    cr_expect_str_eq(err.msg, "graph: 'relu' is not an input");
    cr_expect_eq(gn_graph_feed(x, data, -1, &err), GN_ERR_INVALID);
    expect_msg(err, "negative dimension");
    gn_graph_free(g);
}

Test(core_graph, forward_through_registered_op) {
    gn_registry *r = registry();
    gn_error err = {0};
    const gn_op_vtable *relu = gn_registry_find(r, GN_KIND_OP, "relu", &err);
    cr_assert_not_null(relu, "%s", err.msg);
    gn_graph *g = graph();
    gn_node *x = input2(g, "x", 2, 3, 0);
    gn_node *y = apply(g, relu, &x, 1);
    cr_expect_eq(gn_node_op(y), relu);
    cr_expect_str_eq(gn_node_name(y), "relu");
    cr_expect_eq(gn_node_n_inputs(y), 1);
    cr_expect_eq(gn_node_input(y, 0), x);
    cr_expect_null(gn_node_input(y, 1));
    cr_expect_null(gn_node_grad(y), "no gradient flows into a constant input's op");
    cr_expect_eq(gn_tensor_dim(gn_node_value(y), 0), 2, "shape inferred at apply");
    cr_expect_eq(gn_tensor_dim(gn_node_value(y), 1), 3);

    const float in[6] = {-1, 0, 2, 3.5f, -0.25f, 7};
    feed(x, in, 2);
    forward(g, y);
    const float want[6] = {0, 0, 2, 3.5f, 0, 7};
    for (int i = 0; i < 6; i++)
        cr_expect_eq(gn_tensor_cdata(gn_node_value(y))[i], want[i]);

    /* Shapes are re-inferred per pass: a new batch size flows through. */
    const float in4[12] = {1, -1, 1, -1, 2, -2, 2, -2, 3, -3, 3, -3};
    feed(x, in4, 4);
    forward(g, y);
    cr_expect_eq(gn_tensor_dim(gn_node_value(y), 0), 4);
    cr_expect_eq(gn_tensor_numel(gn_node_value(y)), 12);
    for (int i = 0; i < 12; i++)
        cr_expect_eq(gn_tensor_cdata(gn_node_value(y))[i], in4[i] > 0 ? in4[i] : 0.0f);

    /* Attributes are copied into the node. */
    gn_op_attrs attrs = {{0}, {0}};
    attrs.f[0] = 0.5f;
    const gn_op_vtable *leaky = gn_registry_find(r, GN_KIND_OP, "leaky_relu", &err);
    gn_node *z = gn_graph_apply(g, leaky, &x, 1, &attrs, &err);
    cr_assert_not_null(z, "%s", err.msg);
    attrs.f[0] = 99.0f;
    cr_expect_eq(gn_node_attrs(z)->f[0], 0.5f);
    forward(g, z);
    cr_expect_eq(gn_tensor_cdata(gn_node_value(z))[1], -0.5f);
    cr_expect_eq(gn_node_attrs(y)->f[0], 0.0f, "NULL attrs are zeros");
    gn_graph_free(g);
    gn_registry_free(r);
}

/* L = mse(x + p, t) with p a parameter the test owns. */
typedef struct add_mse {
    gn_graph *g;
    gn_node *x, *t, *p, *y, *loss;
    gn_tensor *pv, *pg;
} add_mse;

static void add_mse_build(add_mse *f, int x_grad) {
    gn_error err = {0};
    f->g = graph();
    int64_t d[2] = {2, 3};
    f->pv = gn_tensor_new(NULL, 2, d, &err);
    f->pg = gn_tensor_new(NULL, 2, d, &err);
    cr_assert(f->pv && f->pg);
    for (int i = 0; i < 6; i++)
        gn_tensor_data(f->pv)[i] = 0.1f * (float)i;
    f->x = input2(f->g, "x", 2, 3, x_grad);
    f->t = input2(f->g, "t", 2, 3, 0);
    f->p = gn_graph_param(f->g, "p", f->pv, f->pg, &err);
    cr_assert_not_null(f->p, "%s", err.msg);
    cr_expect_str_eq(gn_node_name(f->p), "p");
    cr_expect_eq(gn_node_value(f->p), f->pv);
    cr_expect_eq(gn_node_grad(f->p), f->pg);
    f->y = apply(f->g, &gn_op_add, (gn_node *const[]){f->x, f->p}, 2);
    f->loss = apply(f->g, &gn_op_mse, (gn_node *const[]){f->y, f->t}, 2);
    static const float xs[6] = {1, 2, 3, 4, 5, 6}, ts[6] = {0, 1, 0, 1, 0, 1};
    feed(f->x, xs, 2);
    feed(f->t, ts, 2);
}

static void add_mse_free(add_mse *f) {
    gn_graph_free(f->g);
    gn_tensor_free(f->pv);
    gn_tensor_free(f->pg);
}

/* dL/dy = 2 (x + p - t) / 6. */
static float add_mse_dy(int i) {
    static const float xs[6] = {1, 2, 3, 4, 5, 6}, ts[6] = {0, 1, 0, 1, 0, 1};
    return 2.0f * (xs[i] + 0.1f * (float)i - ts[i]) / 6.0f;
}

Test(core_graph, backward_accumulates_param_grads_but_clears_others) {
    add_mse f;
    add_mse_build(&f, 1);
    cr_assert_not_null(gn_node_grad(f.y));
    cr_assert_not_null(gn_node_grad(f.loss));
    forward(f.g, f.loss);
    double want_loss = 0;
    for (int i = 0; i < 6; i++)
        want_loss += pow(add_mse_dy(i) * 3.0, 2);
    expect_close(gn_tensor_cdata(gn_node_value(f.loss))[0], want_loss / 6.0, 1e-5, "loss");

    backward(f.g, f.loss);
    cr_expect_eq(gn_tensor_cdata(gn_node_grad(f.loss))[0], 1.0f, "seeded with ones");
    for (int i = 0; i < 6; i++) {
        expect_close(gn_tensor_cdata(f.pg)[i], add_mse_dy(i), 1e-5, "dp[%d] first", i);
        expect_close(gn_tensor_cdata(gn_node_grad(f.x))[i], add_mse_dy(i), 1e-5, "dx[%d]", i);
        expect_close(gn_tensor_cdata(gn_node_grad(f.y))[i], add_mse_dy(i), 1e-5, "dy[%d]", i);
    }
    /* Second backward without zeroing: parameters accumulate (2x), op and
     * input gradients are recomputed from scratch (1x). */
    forward(f.g, f.loss);
    backward(f.g, f.loss);
    for (int i = 0; i < 6; i++) {
        expect_close(gn_tensor_cdata(f.pg)[i], 2.0f * add_mse_dy(i), 1e-5, "dp[%d] accumulated", i);
        expect_close(gn_tensor_cdata(gn_node_grad(f.x))[i], add_mse_dy(i), 1e-5,
                     "dx[%d] cleared first", i);
        expect_close(gn_tensor_cdata(gn_node_grad(f.y))[i], add_mse_dy(i), 1e-5,
                     "dy[%d] cleared first", i);
    }
    cr_expect_eq(gn_tensor_cdata(gn_node_grad(f.loss))[0], 1.0f);
    /* Zeroing the parameter gradient restarts the accumulation. */
    gn_tensor_zero(f.pg);
    backward(f.g, f.loss);
    for (int i = 0; i < 6; i++)
        expect_close(gn_tensor_cdata(f.pg)[i], add_mse_dy(i), 1e-5, "dp");
    add_mse_free(&f);
}

Test(core_graph, requires_grad_input_gets_dl_dx) {
    /* L = mse(x, t): dL/dx = 2 (x - t) / n; the target gets nothing. */
    gn_graph *g = graph();
    gn_node *x = input2(g, "x", 1, 4, 1), *t = input2(g, "t", 1, 4, 0);
    gn_node *l = apply(g, &gn_op_mse, (gn_node *const[]){x, t}, 2);
    const float xs[8] = {1, 2, 3, 4, 5, 6, 7, 8}, ts[8] = {0, 0, 0, 0, 1, 1, 1, 1};
    feed(x, xs, 2);
    feed(t, ts, 2);
    forward(g, l);
    backward(g, l);
    cr_expect_null(gn_node_grad(t));
    const gn_tensor *dx = gn_node_grad(x);
    cr_assert_eq(gn_tensor_numel(dx), 8);
    for (int i = 0; i < 8; i++)
        expect_close(gn_tensor_cdata(dx)[i], 2.0 * (xs[i] - ts[i]) / 8.0, 1e-6, "dx[%d]", i);

    /* Through relu: zero where x <= 0. */
    gn_graph *h = graph();
    gn_node *u = input2(h, "u", 1, 4, 1), *v = input2(h, "v", 1, 4, 0);
    gn_node *r = apply(h, &gn_op_relu, &u, 1);
    gn_node *l2 = apply(h, &gn_op_mse, (gn_node *const[]){r, v}, 2);
    const float us[4] = {-1, 2, -3, 4}, vs[4] = {0, 0, 0, 0};
    feed(u, us, 1);
    feed(v, vs, 1);
    forward(h, l2);
    backward(h, l2);
    const float want[4] = {0, 1.0f, 0, 2.0f}; /* 2 * relu(u) / 4 */
    for (int i = 0; i < 4; i++)
        expect_close(gn_tensor_cdata(gn_node_grad(u))[i], want[i], 1e-6, "du[%d]", i);
    gn_graph_free(g);
    gn_graph_free(h);
}

Test(core_graph, target_from_another_graph_is_an_error) {
    gn_graph *g = graph(), *h = graph();
    gn_node *x = input2(g, "x", 2, 2, 1);
    gn_node *y = apply(g, &gn_op_relu, &x, 1);
    gn_node *u = input2(h, "u", 2, 2, 1);
    gn_error err = {0};
    cr_expect_eq(gn_graph_forward(h, y, &err), GN_ERR_INVALID);
    cr_expect_str_eq(err.msg, "graph: target is not a node of this graph");
    err = (gn_error){0};
    cr_expect_eq(gn_graph_backward(h, y, &err), GN_ERR_INVALID);
    cr_expect_str_eq(err.msg, "graph: target is not a node of this graph");
    err = (gn_error){0};
    cr_expect_eq(gn_graph_forward(g, NULL, &err), GN_ERR_INVALID);
    /* Ops cannot mix nodes of two graphs either. */
    err = (gn_error){0};
    cr_expect_null(gn_graph_apply(h, &gn_op_add, (gn_node *const[]){u, x}, 2, NULL, &err));
    cr_expect_str_eq(err.msg, "add: input 1 is not a node of this graph");
    cr_expect_null(gn_graph_apply(h, &gn_op_relu, (gn_node *const[]){NULL}, 1, NULL, &err));
    cr_expect_str_eq(err.msg, "relu: input 0 is not a node of this graph");
    /* Both graphs still work. */
    float d[4] = {1, -1, 2, -2};
    feed(x, d, 2);
    forward(g, y);
    cr_expect_eq(gn_tensor_cdata(gn_node_value(y))[3], 0.0f);
    gn_node *v = apply(h, &gn_op_relu, &u, 1);
    feed(u, d, 2);
    forward(h, v);
    cr_expect_eq(gn_tensor_cdata(gn_node_value(v))[2], 2.0f);
    gn_graph_free(g);
    gn_graph_free(h);
}

Test(core_graph, apply_errors_leave_graph_usable) {
    gn_graph *g = graph();
    gn_node *a = input2(g, "a", 2, 3, 0), *b = input2(g, "b", 2, 4, 0);
    gn_error err = {0};
    cr_expect_null(gn_graph_apply(g, &gn_op_relu, (gn_node *const[]){a, b}, 2, NULL, &err));
    cr_expect_eq(err.status, GN_ERR_INVALID);
    cr_expect_str_eq(err.msg, "relu: takes 1 inputs, given 2");
    cr_expect_null(gn_graph_apply(g, &gn_op_mse, (gn_node *const[]){a}, 1, NULL, &err));
    cr_expect_str_eq(err.msg, "mse: takes 2 inputs, given 1");
    cr_expect_null(gn_graph_apply(g, &gn_op_add, (gn_node *const[]){a, b}, 2, NULL, &err));
    cr_expect_str_eq(err.msg, "add: shapes (2, 3) and (2, 4) differ");
    static const gn_op_vtable incomplete = {
        .struct_size = sizeof(gn_op_vtable), .name = "half", .n_inputs = 1};
    cr_expect_null(gn_graph_apply(g, &incomplete, &a, 1, NULL, &err));
    cr_expect_str_eq(err.msg, "graph: op 'half' has an incomplete vtable");
    cr_expect_null(gn_graph_apply(g, NULL, &a, 1, NULL, &err));
    cr_expect_eq(err.status, GN_ERR_INVALID);
    /* Later nodes are fine and compute the right thing. */
    gn_node *y = apply(g, &gn_op_relu, &a, 1);
    const float d[6] = {-1, 1, -2, 2, -3, 3};
    feed(a, d, 2);
    forward(g, y);
    for (int i = 0; i < 6; i++)
        cr_expect_eq(gn_tensor_cdata(gn_node_value(y))[i], d[i] > 0 ? d[i] : 0);
    gn_graph_free(g);
}

/* A custom op without a backward: y = 2x. */
static gn_status twice_infer(gn_node *n, gn_error *err) {
    gn_tensor *x = gn_node_value(gn_node_input(n, 0));
    int64_t dims[GN_MAX_DIMS];
    for (int i = 0; i < gn_tensor_ndim(x); i++)
        dims[i] = gn_tensor_dim(x, i);
    return gn_node_set_shape(n, gn_tensor_ndim(x), dims, err);
}
static gn_status twice_forward(gn_node *n, gn_error *err) {
    (void)err;
    const float *x = gn_tensor_cdata(gn_node_value(gn_node_input(n, 0)));
    gn_tensor *y = gn_node_value(n);
    for (int64_t i = 0; i < gn_tensor_numel(y); i++)
        gn_tensor_data(y)[i] = 2.0f * x[i];
    return GN_OK;
}
static const gn_op_vtable twice_op = {
    .struct_size = sizeof(gn_op_vtable),
    .name = "twice",
    .doc = "y = 2x",
    .n_inputs = 1,
    .infer = twice_infer,
    .forward = twice_forward,
};

Test(core_graph, backward_needs_gradients_and_backward_functions) {
    gn_graph *g = graph();
    gn_node *c = input2(g, "c", 1, 2, 0), *x = input2(g, "x", 1, 2, 1);
    gn_node *l = apply(g, &gn_op_mse, (gn_node *const[]){c, c}, 2);
    forward(g, l);
    gn_error err = {0};
    cr_expect_eq(gn_graph_backward(g, l, &err), GN_ERR_INVALID);
    cr_expect_str_eq(err.msg, "graph: 'mse' does not depend on anything with a gradient");

    gn_node *y = apply(g, &twice_op, &x, 1);
    const float d[2] = {1.5f, -2};
    feed(x, d, 1);
    forward(g, y);
    cr_expect_eq(gn_tensor_cdata(gn_node_value(y))[0], 3.0f);
    cr_expect_eq(gn_tensor_cdata(gn_node_value(y))[1], -4.0f);
    cr_assert_not_null(gn_node_grad(y));
    err = (gn_error){0};
    cr_expect_eq(gn_graph_backward(g, y, &err), GN_ERR_UNSUPPORTED);
    cr_expect_str_eq(err.msg, "twice: no gradient defined");
    gn_graph_free(g);
}

Test(core_graph, forward_computes_only_what_the_target_needs) {
    gn_graph *g = graph();
    gn_node *x = input2(g, "x", 1, 2, 0);
    gn_node *a = apply(g, &gn_op_relu, &x, 1);
    gn_node *b = apply(g, &twice_op, &x, 1);
    const float d[2] = {3, -3};
    feed(x, d, 1);
    forward(g, a);
    cr_expect_eq(gn_tensor_cdata(gn_node_value(a))[0], 3.0f);
    cr_expect_eq(gn_tensor_cdata(gn_node_value(b))[0], 0.0f, "b is not an ancestor of a");
    forward(g, b);
    cr_expect_eq(gn_tensor_cdata(gn_node_value(b))[1], -6.0f);
    gn_graph_free(g);
}

Test(core_graph, training_flag_rng_and_scratch) {
    gn_graph *g = graph();
    cr_expect_eq(gn_graph_training(g), 0, "inference mode by default");
    gn_graph_set_training(g, 1);
    cr_expect_eq(gn_graph_training(g), 1);
    gn_graph_set_training(g, 0);
    cr_expect_eq(gn_graph_training(g), 0);
    cr_expect_null(gn_graph_rng(g));
    gn_rng r;
    gn_rng_seed(&r, 1);
    gn_graph_set_rng(g, &r);
    cr_expect_eq(gn_graph_rng(g), &r);

    /* The step scratch arena is reset at the start of every forward pass. */
    gn_arena *s = gn_graph_scratch(g);
    cr_assert_not_null(s);
    gn_error err = {0};
    cr_assert_not_null(gn_arena_alloc(s, 1000, &err));
    cr_expect_gt(gn_arena_used(s), 0);
    gn_node *x = input2(g, "x", 1, 1, 0);
    gn_node *y = apply(g, &gn_op_relu, &x, 1);
    forward(g, y);
    cr_expect_eq(gn_arena_used(s), 0);
    gn_graph_free(g);
    gn_graph_free(NULL);
}

Test(core_graph, node_aux_persists_and_grows) {
    gn_graph *g = graph();
    gn_node *x = input2(g, "x", 1, 1, 0);
    gn_error err = {0};
    float *p = gn_node_aux(x, 0, 10, &err);
    cr_assert_not_null(p, "%s", err.msg);
    for (int i = 0; i < 10; i++)
        cr_expect_eq(p[i], 0.0f);
    p[9] = 4.0f;
    cr_expect_eq(gn_node_aux(x, 0, 5, &err), p, "smaller requests reuse the buffer");
    cr_expect_eq(gn_node_aux(x, 0, 10, &err)[9], 4.0f, "contents persist");
    float *q = gn_node_aux(x, 0, 1000, &err);
    cr_assert_not_null(q);
    q[999] = 1.0f;
    float *other = gn_node_aux(x, 3, 4, &err);
    cr_assert_not_null(other);
    cr_expect_neq(other, q);
    cr_expect_null(gn_node_aux(x, 4, 1, &err));
    cr_expect_str_eq(err.msg, "graph: bad aux slot 4");
    cr_expect_null(gn_node_aux(x, -1, 1, &err));
    cr_expect_null(gn_node_aux(x, 0, -5, &err));
    gn_graph_free(g);
}

/* ======================================================================== */
/* model + init                                                             */
/* ======================================================================== */

typedef struct mfix {
    gn_registry *reg;
    gn_rng rng;
    gn_model *m;
} mfix;

static void mfix_init(mfix *f, const char *name) {
    f->reg = registry();
    gn_rng_seed(&f->rng, 42);
    gn_error err = {0};
    f->m = gn_model_new(name, f->reg, &f->rng, &err);
    cr_assert_not_null(f->m, "%s", err.msg);
}

static void mfix_free(mfix *f) {
    gn_model_free(f->m);
    gn_registry_free(f->reg);
}

static gn_node *layer(mfix *f, const char *name, const char *type, gn_node *in,
                      const char *const *kv) {
    gn_section *s = kv ? section_of(name ? name : type, "", 0, kv) : NULL;
    gn_error err = {0};
    gn_node *out = NULL;
    cr_assert_eq(gn_model_add_layer(f->m, name, type, s, &in, 1, &out, &err), GN_OK, "%s", err.msg);
    gn_section_free(s);
    cr_assert_not_null(out);
    return out;
}

static gn_node *model_input(mfix *f, int64_t features) {
    gn_error err = {0};
    gn_node *x = gn_model_add_input(f->m, "x", 1, &features, &err);
    cr_assert_not_null(x, "%s", err.msg);
    return x;
}

Test(core_model, params_are_named_after_layers) {
    mfix f;
    mfix_init(&f, "net");
    cr_expect_str_eq(gn_model_name(f.m), "net");
    gn_node *x = model_input(&f, 4);
    cr_expect_eq(gn_model_n_inputs(f.m), 1);
    cr_expect_eq(gn_model_input(f.m, 0), x);
    cr_expect_null(gn_model_input(f.m, 1));
    cr_expect_eq(gn_tensor_ndim(gn_node_value(x)), 2, "batch dimension added");
    cr_expect_eq(gn_tensor_dim(gn_node_value(x), 1), 4);

    gn_node *h = layer(&f, NULL, "dense", x, (const char *const[]){"units=3", NULL});
    gn_node *h2 = layer(&f, NULL, "relu", h, NULL);
    gn_node *y = layer(&f, NULL, "dense", h2, (const char *const[]){"units=2", NULL});
    gn_node *z =
        layer(&f, "head", "dense", y, (const char *const[]){"units=1", "use_bias=0", NULL});
    (void)z;
    static const char *const names[] = {"dense_1.weight", "dense_1.bias", "dense_2.weight",
                                        "dense_2.bias", "head.weight"};
    static const int64_t shapes[][2] = {{3, 4}, {3, 1}, {2, 3}, {2, 1}, {1, 2}};
    static const int ndims[] = {2, 1, 2, 1, 2};
    cr_assert_eq(gn_model_n_tensors(f.m), 5);
    for (int i = 0; i < 5; i++) {
        cr_expect_str_eq(gn_model_tensor_name(f.m, i), names[i]);
        gn_tensor *t = gn_model_tensor(f.m, i);
        cr_expect_eq(gn_tensor_ndim(t), ndims[i], "%s", names[i]);
        cr_expect_eq(gn_tensor_dim(t, 0), shapes[i][0], "%s", names[i]);
        cr_expect_eq(gn_tensor_dim(t, 1), shapes[i][1], "%s", names[i]);
        cr_expect_eq(gn_tensor_numel(gn_model_tensor_grad(f.m, i)), gn_tensor_numel(t));
    }
    cr_expect_null(gn_model_tensor_name(f.m, 5));
    cr_expect_null(gn_model_tensor(f.m, -1));
    cr_expect_null(gn_model_tensor_grad(f.m, 5));
    cr_expect_eq(gn_model_n_params(f.m), 12 + 3 + 6 + 2 + 2, "counted before finalize too");
    cr_expect_null(gn_model_params(f.m), "no flat vector before finalize");
    cr_expect_eq(gn_model_n_layers(f.m), 4);
    mfix_free(&f);
}

Test(core_model, finalize_collates_params_into_flat_vectors) {
    mfix f;
    mfix_init(&f, "m");
    gn_node *x = model_input(&f, 5);
    gn_node *h =
        layer(&f, "a", "dense", x, (const char *const[]){"units=4", "bias_initializer=ones", NULL});
    gn_node *y = layer(&f, "b", "dense", h, (const char *const[]){"units=3", NULL});
    int n = gn_model_n_tensors(f.m);
    cr_assert_eq(n, 4);
    float before[64];
    int64_t total = 0;
    for (int i = 0; i < n; i++) {
        gn_tensor *t = gn_model_tensor(f.m, i);
        memcpy(before + total, gn_tensor_cdata(t), (size_t)gn_tensor_numel(t) * sizeof(float));
        total += gn_tensor_numel(t);
    }
    cr_assert_eq(total, 20 + 4 + 12 + 3);
    gn_error err = {0};
    cr_assert_eq(gn_model_finalize(f.m, y, &err), GN_OK, "%s", err.msg);
    cr_expect_eq(gn_model_output(f.m), y);
    cr_expect_eq(gn_model_n_params(f.m), total);
    float *p = gn_model_params(f.m), *g = gn_model_grads(f.m);
    cr_assert_not_null(p);
    cr_assert_not_null(g);
    /* Values kept, and every tensor is now a window into the flat vectors,
     * in tensor order. */
    int64_t off = 0;
    for (int i = 0; i < n; i++) {
        gn_tensor *t = gn_model_tensor(f.m, i);
        cr_expect_eq(gn_tensor_data(t), p + off, "%s", gn_model_tensor_name(f.m, i));
        cr_expect_eq(gn_tensor_data(gn_model_tensor_grad(f.m, i)), g + off);
        off += gn_tensor_numel(t);
    }
    for (int64_t i = 0; i < total; i++)
        cr_expect_eq(p[i], before[i], "param %lld", (long long)i);
    for (int64_t i = 0; i < total; i++)
        cr_expect_eq(g[i], 0.0f);
    for (int i = 20; i < 24; i++)
        cr_expect_eq(p[i], 1.0f, "a.bias is ones");
    /* Writing the flat vector is writing the parameters. */
    for (int64_t i = 0; i < total; i++)
        p[i] = (float)i;
    cr_expect_eq(gn_tensor_cdata(gn_model_tensor(f.m, 0))[7], 7.0f);
    cr_expect_eq(gn_tensor_cdata(gn_model_tensor(f.m, 1))[0], 20.0f);
    cr_expect_eq(gn_tensor_cdata(gn_model_tensor(f.m, 3))[2], 38.0f);
    /* ...and the graph computes with them: set a = identity-ish, b = ones. */
    memset(p, 0, (size_t)total * sizeof(float));
    for (int i = 0; i < 4; i++)
        p[i * 5 + i] = 1.0f; /* a.weight (4, 5) */
    for (int i = 24; i < 36; i++)
        p[i] = 1.0f; /* b.weight (3, 4) */
    p[36] = 0.5f;    /* b.bias[0] */
    const float xs[5] = {1, 2, 3, 4, 5};
    feed(x, xs, 1);
    forward(gn_model_graph(f.m), y);
    const float *yd = gn_tensor_cdata(gn_node_value(y));
    cr_expect_float_eq(yd[0], 10.5f, 1e-5);
    cr_expect_float_eq(yd[1], 10.0f, 1e-5);
    cr_expect_float_eq(yd[2], 10.0f, 1e-5);

    cr_expect_eq(gn_model_finalize(f.m, y, &err), GN_ERR_INVALID);
    cr_expect_str_eq(err.msg, "model: finalized twice");
    gn_node *out = NULL;
    cr_expect_eq(gn_model_add_layer(f.m, "c", "relu", NULL, &y, 1, &out, &err), GN_ERR_INVALID);
    cr_expect_str_eq(err.msg, "model: finalized, cannot add layers");
    mfix_free(&f);
}

Test(core_model, backward_fills_flat_grads_and_zero_grad_clears) {
    mfix f;
    mfix_init(&f, "m");
    gn_node *x = model_input(&f, 2);
    gn_node *y = layer(&f, "fc", "dense", x,
                       (const char *const[]){"units=1", "kernel_initializer=ones", NULL});
    gn_error err = {0};
    cr_assert_eq(gn_model_finalize(f.m, y, &err), GN_OK, "%s", err.msg);
    gn_graph *g = gn_model_graph(f.m);
    gn_node *t = input2(g, "t", 1, 1, 0);
    gn_node *l = apply(g, &gn_op_mse, (gn_node *const[]){y, t}, 2);
    /* y = x1 + x2 (+ bias 0) = 3; t = 1; L = (y - t)^2, dL/dy = 2(y - t) = 4:
     * dW = 4 x = (4, 8), db = 4. */
    const float xs[2] = {1, 2}, ts[1] = {1};
    feed(x, xs, 1);
    feed(t, ts, 1);
    forward(g, l);
    cr_expect_float_eq(gn_tensor_cdata(gn_node_value(l))[0], 4.0f, 1e-5);
    backward(g, l);
    float *gr = gn_model_grads(f.m);
    cr_assert_eq(gn_model_n_params(f.m), 3);
    cr_expect_float_eq(gr[0], 4.0f, 1e-5);
    cr_expect_float_eq(gr[1], 8.0f, 1e-5);
    cr_expect_float_eq(gr[2], 4.0f, 1e-5);
    cr_expect_float_eq(gn_tensor_cdata(gn_model_tensor_grad(f.m, 1))[0], 4.0f, 1e-5);
    backward(g, l);
    cr_expect_float_eq(gr[1], 16.0f, 1e-5, "accumulated");
    gn_model_zero_grad(f.m);
    for (int i = 0; i < 3; i++)
        cr_expect_eq(gr[i], 0.0f);
    cr_expect_eq(gn_tensor_cdata(gn_model_tensor_grad(f.m, 0))[1], 0.0f);
    backward(g, l);
    cr_expect_float_eq(gr[1], 8.0f, 1e-5, "fresh after zero_grad");
    mfix_free(&f);
}

Test(core_model, layer_info) {
    mfix f;
    mfix_init(&f, "m");
    gn_node *x = model_input(&f, 6);
    gn_node *h = layer(&f, "hidden", "dense", x, (const char *const[]){"units=5", NULL});
    gn_node *a = layer(&f, NULL, "tanh", h, NULL);
    gn_node *y = layer(&f, NULL, "dense", a, (const char *const[]){"units=2", NULL});
    cr_assert_eq(gn_model_n_layers(f.m), 3);
    gn_layer_info info;
    gn_error err = {0};
    cr_assert_eq(gn_model_layer_info(f.m, 0, &info, &err), GN_OK, "%s", err.msg);
    cr_expect_eq(info.struct_size, sizeof info);
    cr_expect_str_eq(info.name, "hidden");
    cr_expect_str_eq(info.type, "dense");
    cr_expect_eq(info.output, h);
    cr_expect_eq(info.n_params, 35);
    cr_assert_eq(gn_model_layer_info(f.m, 1, &info, &err), GN_OK);
    cr_expect_str_eq(info.name, "tanh_1");
    cr_expect_str_eq(info.type, "tanh");
    cr_expect_eq(info.output, a);
    cr_expect_eq(info.n_params, 0);
    cr_assert_eq(gn_model_layer_info(f.m, 2, &info, &err), GN_OK);
    cr_expect_str_eq(info.name, "dense_2", "hidden was the first dense");
    cr_expect_eq(info.output, y);
    cr_expect_eq(info.n_params, 12);
    cr_expect_eq(gn_model_layer_info(f.m, 3, &info, &err), GN_ERR_INVALID);
    cr_expect_str_eq(err.msg, "model: no layer 3");
    cr_expect_eq(gn_model_layer_info(f.m, -1, &info, &err), GN_ERR_INVALID);
    mfix_free(&f);
}

Test(core_model, add_layer_errors) {
    mfix f;
    mfix_init(&f, "m");
    gn_node *x = model_input(&f, 3);
    layer(&f, "fc", "dense", x, (const char *const[]){"units=2", NULL});
    gn_error err = {0};
    gn_node *out = NULL;
    gn_section *s = section_of("fc", "", 0, (const char *const[]){"units=2", NULL});
    cr_expect_eq(gn_model_add_layer(f.m, "fc", "dense", s, &x, 1, &out, &err), GN_ERR_CONFIG);
    cr_expect_str_eq(err.msg, "model 'm': two layers named 'fc'");
    cr_expect_eq(gn_model_add_layer(f.m, "z", "nope", s, &x, 1, &out, &err), GN_ERR_NOT_FOUND);
    cr_expect_str_eq(err.msg, "unknown layer 'nope'");
    cr_expect_eq(gn_model_add_layer(f.m, NULL, "dense", NULL, &x, 1, &out, &err), GN_ERR_CONFIG);
    cr_expect_str_eq(err.msg, "[dense_2] units: missing required key");
    gn_section_free(s);
    cr_expect_eq(gn_model_n_layers(f.m), 1);
    cr_expect_eq(gn_model_finalize(f.m, NULL, &err), GN_ERR_INVALID);
    cr_expect_str_eq(err.msg, "model 'm': no output");
    int64_t five[4] = {1, 2, 3, 4};
    cr_expect_null(gn_model_add_input(f.m, "img", 4, five, &err), "4 + batch > 4 dims");
    cr_expect_eq(err.status, GN_ERR_INVALID);
    mfix_free(&f);
}

/* A layer whose build fails part-way (the activation is looked up after the
 * weight and bias are created) must leave the model as it was: the name can
 * be used again and the parameter count matches the layers. */
Test(core_model, failed_layer_leaves_no_parameters) {
    mfix f;
    mfix_init(&f, "m");
    gn_node *x = model_input(&f, 3);
    gn_error err = {0};
    gn_node *out = NULL;
    gn_section *bad =
        section_of("d", "", 0, (const char *const[]){"units=2", "activation=no_such_op", NULL});
    cr_expect_neq(gn_model_add_layer(f.m, "d", "dense", bad, &x, 1, &out, &err), GN_OK);
    gn_section_free(bad);
    cr_expect_eq(gn_model_n_layers(f.m), 0);
    cr_expect_eq(gn_model_n_tensors(f.m), 0, "orphan parameters left behind");
    cr_expect_eq(gn_model_n_params(f.m), 0);
    gn_section *good = section_of("d", "", 0, (const char *const[]){"units=2", NULL});
    cr_expect_eq(gn_model_add_layer(f.m, "d", "dense", good, &x, 1, &out, &err), GN_OK, "%s",
                 err.msg);
    gn_section_free(good);
    cr_expect_eq(gn_model_n_params(f.m), 8);
    mfix_free(&f);
}

/* Mean, variance and max |w| of n draws of an initializer. */
typedef struct stats {
    double mean, var, maxabs;
} stats;

static stats init_stats(gn_init_kind k, int64_t fan_in, int64_t fan_out, int64_t n, uint64_t seed) {
    float *w = malloc((size_t)n * sizeof *w);
    cr_assert_not_null(w);
    gn_rng r;
    gn_rng_seed(&r, seed);
    gn_error err = {0};
    cr_assert_eq(gn_init_fill(w, n, k, fan_in, fan_out, &r, &err), GN_OK, "%s", err.msg);
    double s = 0, sq = 0, mx = 0;
    for (int64_t i = 0; i < n; i++) {
        s += w[i];
        sq += (double)w[i] * w[i];
        mx = fmax(mx, fabs(w[i]));
    }
    free(w);
    stats st = {s / (double)n, sq / (double)n - (s / (double)n) * (s / (double)n), mx};
    return st;
}

Test(core_model, init_statistics) {
    const int64_t n = 200000;
    /* Uniform families: bounded by a, reaching close to it, variance a^2/3. */
    struct {
        gn_init_kind k;
        int64_t in, out;
        double a;
    } uni[] = {
        {GN_INIT_GLOROT_UNIFORM, 300, 100, sqrt(6.0 / 400.0)},
        {GN_INIT_HE_UNIFORM, 50, 10, sqrt(6.0 / 50.0)},
        {GN_INIT_LECUN_UNIFORM, 80, 7, sqrt(3.0 / 80.0)},
        {GN_INIT_HE_UNIFORM, 0, 0, sqrt(6.0)}, /* fans below 1 count as 1 */
    };
    for (size_t i = 0; i < sizeof uni / sizeof uni[0]; i++) {
        stats s = init_stats(uni[i].k, uni[i].in, uni[i].out, n, 100 + i);
        const char *nm = gn_init_name(uni[i].k);
        cr_expect(s.maxabs <= uni[i].a, "%s: max %g > bound %g", nm, s.maxabs, uni[i].a);
        cr_expect(s.maxabs > 0.999 * uni[i].a, "%s: max %g, bound %g", nm, s.maxabs, uni[i].a);
        cr_expect(fabs(s.mean) < 0.01 * uni[i].a, "%s: mean %g", nm, s.mean);
        cr_expect(fabs(s.var / (uni[i].a * uni[i].a / 3.0) - 1.0) < 0.03, "%s: var %g", nm, s.var);
    }
    /* Normal families: variance 2/(in+out), 2/in, 1/in, 0.02^2. */
    struct {
        gn_init_kind k;
        int64_t in, out;
        double var;
    } nor[] = {
        {GN_INIT_GLOROT_NORMAL, 300, 100, 2.0 / 400.0},
        {GN_INIT_HE_NORMAL, 50, 10, 2.0 / 50.0},
        {GN_INIT_LECUN_NORMAL, 80, 7, 1.0 / 80.0},
        {GN_INIT_DCGAN_NORMAL, 900, 5, 0.02 * 0.02}, /* fans ignored */
    };
    for (size_t i = 0; i < sizeof nor / sizeof nor[0]; i++) {
        stats s = init_stats(nor[i].k, nor[i].in, nor[i].out, n, 200 + i);
        const char *nm = gn_init_name(nor[i].k);
        double sd = sqrt(nor[i].var);
        cr_expect(fabs(s.var / nor[i].var - 1.0) < 0.03, "%s: var %g, want %g", nm, s.var,
                  nor[i].var);
        cr_expect(fabs(s.mean) < 0.02 * sd, "%s: mean %g", nm, s.mean);
        cr_expect(s.maxabs > 3.0 * sd, "%s: a normal has tails (max %g)", nm, s.maxabs);
    }
    /* Constants are exact; nothing is drawn from the rng. */
    float w[100];
    gn_rng r, r0;
    gn_rng_seed(&r, 9);
    r0 = r;
    gn_error err = {0};
    cr_assert_eq(gn_init_fill(w, 100, GN_INIT_ZEROS, 3, 3, &r, &err), GN_OK);
    for (int i = 0; i < 100; i++)
        cr_expect_eq(w[i], 0.0f);
    cr_assert_eq(gn_init_fill(w, 100, GN_INIT_ONES, 3, 3, &r, &err), GN_OK);
    for (int i = 0; i < 100; i++)
        cr_expect_eq(w[i], 1.0f);
    cr_expect_eq(gn_rng_u64(&r), gn_rng_u64(&r0));
    /* Same seed, same weights. */
    float w1[50], w2[50];
    gn_rng a, b;
    gn_rng_seed(&a, 77);
    gn_rng_seed(&b, 77);
    gn_init_fill(w1, 50, GN_INIT_HE_NORMAL, 10, 10, &a, &err);
    gn_init_fill(w2, 50, GN_INIT_HE_NORMAL, 10, 10, &b, &err);
    cr_expect_arr_eq(w1, w2, sizeof w1);
    /* A bad kind is refused. */
    err = (gn_error){0};
    cr_expect_eq(gn_init_fill(w, 10, GN_INIT_COUNT, 1, 1, &r, &err), GN_ERR_INVALID);
    cr_expect_str_eq(err.msg, "unknown initializer 9");
}

Test(core_model, init_parse_and_names) {
    gn_error err = {0};
    for (int k = 0; k < GN_INIT_COUNT; k++) {
        gn_init_kind got = GN_INIT_COUNT;
        const char *nm = gn_init_name((gn_init_kind)k);
        cr_assert_eq(gn_init_parse(nm, &got, &err), GN_OK, "%s: %s", nm, err.msg);
        cr_expect_eq(got, (gn_init_kind)k, "%s", nm);
        cr_expect(strstr(GN_INIT_CHOICES, nm) != NULL, "%s missing from GN_INIT_CHOICES", nm);
    }
    cr_expect_str_eq(gn_init_name(GN_INIT_GLOROT_UNIFORM), "glorot_uniform");
    cr_expect_str_eq(gn_init_name(GN_INIT_HE_NORMAL), "he_normal");
    cr_expect_str_eq(gn_init_name(GN_INIT_COUNT), "unknown");
    cr_expect_str_eq(gn_init_name((gn_init_kind)-1), "unknown");
    gn_init_kind out = GN_INIT_ONES;
    cr_expect_eq(gn_init_parse("Glorot_Uniform", &out, &err), GN_ERR_NOT_FOUND);
    cr_expect_str_eq(err.msg, "unknown initializer 'Glorot_Uniform' (one of zeros|ones|"
                              "glorot_uniform|glorot_normal|he_uniform|he_normal|lecun_uniform|"
                              "lecun_normal|dcgan_normal)");
    cr_expect_eq(out, GN_INIT_ONES, "output untouched on error");
    cr_expect_eq(gn_init_parse("", &out, &err), GN_ERR_NOT_FOUND);
    cr_expect_eq(gn_init_parse("he", &out, &err), GN_ERR_NOT_FOUND);
    /* A dense layer rejects a bad initializer through its schema. */
    mfix f;
    mfix_init(&f, "m");
    gn_node *x = model_input(&f, 2);
    gn_section *s = section_of("d", "m.ini", 4,
                               (const char *const[]){"units=1", "kernel_initializer=he", NULL});
    gn_node *o = NULL;
    cr_expect_eq(gn_model_add_layer(f.m, "d", "dense", s, &x, 1, &o, &err), GN_ERR_CONFIG);
    expect_msg(err, "m.ini:5: [d] kernel_initializer: 'he' is not one of zeros|ones");
    gn_section_free(s);
    mfix_free(&f);
}
