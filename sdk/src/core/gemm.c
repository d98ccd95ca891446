/* The GEMM seam: OpenBLAS for speed, single-threaded; large products are
 * split into one block of C per SDK thread (see core/parallel.h). A plain
 * loop is the reference. */
#include <cblas.h>
#include <pthread.h>
#include <ganglion/gemm.h>
#include "core/parallel.h"

/* Below this many multiply-adds a split costs more than it saves. */
#define GN_GEMM_SPLIT ((double)(1 << 20))

static void blas(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                 const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c,
                 int64_t ldc) {
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, (blasint)m, (blasint)n, (blasint)k, alpha, a,
                (blasint)lda, b, (blasint)ldb, beta, c, (blasint)ldc);
}

typedef struct gemm_job {
    int ta, tb, by_rows;
    int64_t m, n, k, lda, ldb, ldc, block;
    float alpha, beta;
    const float *a, *b;
    float *c;
} gemm_job;

/* Block i: rows (or columns) [i block, (i + 1) block) of C. */
static void gemm_block(void *ctx, int64_t i, int tid) {
    const gemm_job *j = ctx;
    (void)tid;
    const int64_t total = j->by_rows ? j->m : j->n, lo = i * j->block;
    const int64_t len = total - lo < j->block ? total - lo : j->block;
    if (len <= 0) return;
    if (j->by_rows) /* rows of op(A): A's rows, or its columns when transposed */
        blas(j->ta, j->tb, len, j->n, j->k, j->alpha, j->a + (j->ta ? lo : lo * j->lda), j->lda,
             j->b, j->ldb, j->beta, j->c + lo * j->ldc, j->ldc);
    else /* columns of op(B) */
        blas(j->ta, j->tb, j->m, len, j->k, j->alpha, j->a, j->lda,
             j->b + (j->tb ? lo * j->ldb : lo), j->ldb, j->beta, j->c + lo, j->ldc);
}

static pthread_once_t blas_once = PTHREAD_ONCE_INIT;
static void blas_single(void) {
    openblas_set_num_threads(1);
}

void gn_gemm(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float *a,
             int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc) {
    pthread_once(&blas_once, blas_single);
    const int by_rows = m >= n;
    const int64_t total = by_rows ? m : n;
    int width =
        (double)m * (double)n * (double)k >= GN_GEMM_SPLIT ? gn_parallel_width(total / 16) : 1;
    if (width <= 1) {
        blas(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return;
    }
    /* Blocks of a multiple of 16 rows or columns keep the kernels' vectors full. */
    int64_t block = (total + width - 1) / width;
    block = (block + 15) / 16 * 16;
    gemm_job j = {trans_a, trans_b, by_rows, m, n, k, lda, ldb, ldc, block, alpha, beta, a, b, c};
    gn_parallel_for((total + block - 1) / block, gemm_block, &j);
}

void gn_gemm_ref(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                 const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c,
                 int64_t ldc) {
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            double acc = 0;
            for (int64_t p = 0; p < k; p++) {
                float av = trans_a ? a[p * lda + i] : a[i * lda + p];
                float bv = trans_b ? b[j * ldb + p] : b[p * ldb + j];
                acc += (double)av * bv;
            }
            float prev = beta == 0.0f ? 0.0f : beta * c[i * ldc + j];
            c[i * ldc + j] = alpha * (float)acc + prev;
        }
}

static int gn_threads = 0;

void gn_set_threads(int n) {
    pthread_once(&blas_once, blas_single);
    gn_threads = n < 1 ? openblas_get_num_procs() : n;
}

int gn_get_threads(void) {
    return gn_threads ? gn_threads : openblas_get_num_procs();
}
