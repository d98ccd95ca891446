/* A small pool of worker threads (see parallel.h). The caller is thread 0
 * and works too. A job is published by bumping an atomic generation; idle
 * workers spin on it for a short while (an op's next elementwise loop or
 * GEMM usually follows within microseconds, and waking a sleeping thread
 * costs tens of them), then sleep on a condition variable, so an idle pool
 * costs no CPU. One job runs at a time (ops run one after another); every
 * started worker acknowledges every job, so a job's fields are never
 * rewritten while a worker still reads them. */
#include "core/parallel.h"
#include <cblas.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <ganglion/gemm.h>

#define GN_POOL_MAX 64
/* Spin iterations before a worker sleeps: some 100 microseconds. */
#define GN_POOL_SPIN 20000

static struct {
    pthread_mutex_t mu;
    pthread_cond_t go;
    int sleepers;             /* workers in pthread_cond_wait (under mu) */
    int started;              /* worker threads created (they live as long as the process) */
    atomic_uint_fast64_t gen; /* bumped once per job, after its fields are written */
    atomic_int pending;       /* workers yet to finish the current job */
    int width;
    int64_t count;
    void (*fn)(void *, int64_t, int);
    void *ctx;
} pool = {.mu = PTHREAD_MUTEX_INITIALIZER, .go = PTHREAD_COND_INITIALIZER};

static __thread int in_item; /* nested calls run serially */

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

static void run_items(int64_t count, int width, int tid, void (*fn)(void *, int64_t, int),
                      void *ctx) {
    in_item = 1;
    for (int64_t i = tid; i < count; i += width)
        fn(ctx, i, tid);
    in_item = 0;
}

static uint64_t wait_job(uint64_t seen) {
    uint64_t g;
    for (int s = 0; s < GN_POOL_SPIN; s++) {
        g = atomic_load_explicit(&pool.gen, memory_order_acquire);
        if (g != seen) return g;
        cpu_relax();
    }
    pthread_mutex_lock(&pool.mu);
    pool.sleepers++;
    while ((g = atomic_load_explicit(&pool.gen, memory_order_acquire)) == seen)
        pthread_cond_wait(&pool.go, &pool.mu);
    pool.sleepers--;
    pthread_mutex_unlock(&pool.mu);
    return g;
}

static void *worker(void *arg) {
    const int tid = (int)(intptr_t)arg;
    uint64_t seen = 0;
    for (;;) {
        seen = wait_job(seen);
        if (tid < pool.width) run_items(pool.count, pool.width, tid, pool.fn, pool.ctx);
        atomic_fetch_sub_explicit(&pool.pending, 1, memory_order_release);
    }
    return NULL;
}

int gn_parallel_width(int64_t count) {
    if (in_item) return 1;
    int t = gn_get_threads();
    if (t > GN_POOL_MAX) t = GN_POOL_MAX;
    if (t < 1) t = 1;
    return count < t ? (int)(count > 0 ? count : 1) : t;
}

void gn_parallel_for(int64_t count, void (*fn)(void *ctx, int64_t i, int tid), void *ctx) {
    int width = gn_parallel_width(count);
    if (width == 1) {
        run_items(count, 1, 0, fn, ctx);
        return;
    }
    pthread_mutex_lock(&pool.mu);
    while (pool.started < width - 1) { /* lazily; a failure leaves fewer threads */
        pthread_t th;
        pthread_attr_t at;
        pthread_attr_init(&at);
        pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
        int rc = pthread_create(&th, &at, worker, (void *)(intptr_t)(pool.started + 1));
        pthread_attr_destroy(&at);
        if (rc) break;
        pool.started++;
    }
    if (width > pool.started + 1) width = pool.started + 1;
    pool.width = width, pool.count = count, pool.fn = fn, pool.ctx = ctx;
    atomic_store_explicit(&pool.pending, pool.started, memory_order_relaxed);
    atomic_fetch_add_explicit(&pool.gen, 1, memory_order_release);
    if (pool.sleepers) pthread_cond_broadcast(&pool.go);
    pthread_mutex_unlock(&pool.mu);
    run_items(count, width, 0, fn, ctx);
    /* The others usually finish within microseconds; when the cores are
     * shared with other programs a worker may be waiting for one, and
     * yielding lets it run instead of this thread spinning. */
    for (int s = 0; atomic_load_explicit(&pool.pending, memory_order_acquire) > 0; s++) {
        if (s < GN_POOL_SPIN / 10)
            cpu_relax();
        else
            sched_yield();
    }
}

typedef struct range_job {
    void (*fn)(void *ctx, int64_t lo, int64_t hi);
    void *ctx;
    int64_t n, chunk;
} range_job;

static void range_item(void *ctx, int64_t i, int tid) {
    const range_job *j = ctx;
    (void)tid;
    const int64_t lo = i * j->chunk, hi = lo + j->chunk < j->n ? lo + j->chunk : j->n;
    if (lo < hi) j->fn(j->ctx, lo, hi);
}

void gn_parallel_range(int64_t n, int64_t min_chunk, void (*fn)(void *ctx, int64_t lo, int64_t hi),
                       void *ctx) {
    if (min_chunk < 16) min_chunk = 16;
    int width = n >= 2 * min_chunk ? gn_parallel_width(n / min_chunk) : 1;
    if (width <= 1) {
        if (n > 0) fn(ctx, 0, n);
        return;
    }
    /* Chunks of whole cache lines (16 floats), so no two threads write one line. */
    int64_t chunk = (n + width - 1) / width;
    chunk = (chunk + 15) / 16 * 16;
    range_job j = {fn, ctx, n, chunk};
    gn_parallel_for((n + chunk - 1) / chunk, range_item, &j);
}

static void zero_range(void *ctx, int64_t lo, int64_t hi) {
    memset((float *)ctx + lo, 0, (size_t)(hi - lo) * sizeof(float));
}

void gn_parallel_zero(float *p, int64_t n) {
    gn_parallel_range(n, 1 << 15, zero_range, p);
}
