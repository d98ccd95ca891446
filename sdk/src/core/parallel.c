/* A small pool of worker threads (see parallel.h). The caller is thread 0
 * and works too; workers wait on a condition variable, so an idle pool
 * costs no CPU. One job runs at a time (ops run one after another). */
#include "core/parallel.h"
#include <cblas.h>
#include <pthread.h>
#include <ganglion/gemm.h>

#define GN_POOL_MAX 64

static struct {
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    int started; /* worker threads created (they live as long as the process) */
    uint64_t gen;
    int pending;
    int width;
    int64_t count;
    void (*fn)(void *, int64_t, int);
    void *ctx;
} pool = {.mu = PTHREAD_MUTEX_INITIALIZER,
          .go = PTHREAD_COND_INITIALIZER,
          .done = PTHREAD_COND_INITIALIZER};

static __thread int in_item; /* nested calls run serially */

static void run_items(int64_t count, int width, int tid, void (*fn)(void *, int64_t, int),
                      void *ctx) {
    in_item = 1;
    for (int64_t i = tid; i < count; i += width)
        fn(ctx, i, tid);
    in_item = 0;
}

static void *worker(void *arg) {
    const int tid = (int)(intptr_t)arg;
    uint64_t seen = 0;
    pthread_mutex_lock(&pool.mu);
    for (;;) {
        while (pool.gen == seen)
            pthread_cond_wait(&pool.go, &pool.mu);
        seen = pool.gen;
        if (tid >= pool.width) continue; /* not needed for this job */
        int64_t count = pool.count;
        int width = pool.width;
        void (*fn)(void *, int64_t, int) = pool.fn;
        void *ctx = pool.ctx;
        pthread_mutex_unlock(&pool.mu);
        run_items(count, width, tid, fn, ctx);
        pthread_mutex_lock(&pool.mu);
        if (--pool.pending == 0) pthread_cond_signal(&pool.done);
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
    if (width == 1) {
        pthread_mutex_unlock(&pool.mu);
        run_items(count, 1, 0, fn, ctx);
        return;
    }
    /* The items' GEMMs run single-threaded, each in its item's thread. */
    openblas_set_num_threads(1);
    pool.width = width, pool.count = count, pool.fn = fn, pool.ctx = ctx;
    pool.pending = width - 1;
    pool.gen++;
    pthread_cond_broadcast(&pool.go);
    pthread_mutex_unlock(&pool.mu);
    run_items(count, width, 0, fn, ctx);
    pthread_mutex_lock(&pool.mu);
    while (pool.pending > 0)
        pthread_cond_wait(&pool.done, &pool.mu);
    pthread_mutex_unlock(&pool.mu);
    openblas_set_num_threads(gn_get_threads());
}
