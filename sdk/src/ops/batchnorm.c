/* batchnorm: y = gamma (x - mean) / sqrt(var + eps) + beta per channel
 * (axis 1) of x (N, C) or (N, C, H, W). Inputs: x, gamma, beta,
 * running_mean, running_var (each (C)). Training uses the batch's mean and
 * biased variance and updates the running statistics in place, PyTorch's
 * way: r = (1 - m) r + m batch, the variance unbiased (M / (M - 1)). Eval
 * uses the running statistics. f[0] momentum m, f[1] eps; i[0] != 0: no
 * gamma (input 1 ignored), i[1] != 0: no beta (input 2 ignored). */
#include <math.h>
#include "ops/ops_internal.h"

enum { STATS = 0, MODE = 1, SUMS = 2 };

static gn_status bn_check(gn_node *n, gn_error *err) {
    const gn_op_attrs *a = gn_node_attrs(n);
    gn_tensor *x = gn_in_value(n, 0);
    if (gn_tensor_ndim(x) < 2) {
        char s[64];
        gn_tensor_shape_str(x, 0, s, sizeof s);
        return gn_error_set(err, GN_ERR_INVALID,
                            "batchnorm: input must be (batch, channels, ...), got %s", s);
    }
    int64_t c = gn_tensor_dim(x, 1);
    static const char *const what[5] = {"", "gamma", "beta", "running_mean", "running_var"};
    for (int k = 1; k < 5; k++) {
        if ((k == 1 && a->i[0]) || (k == 2 && a->i[1])) continue;
        gn_tensor *t = gn_in_value(n, k);
        if (gn_tensor_ndim(t) != 1 || gn_tensor_numel(t) != c)
            return gn_error_set(err, GN_ERR_INVALID,
                                "batchnorm: %s has %lld elements, input has %lld channels", what[k],
                                (long long)gn_tensor_numel(t), (long long)c);
    }
    if (!(a->f[0] >= 0.0f && a->f[0] <= 1.0f) || !(a->f[1] >= 0.0f))
        return gn_error_set(err, GN_ERR_INVALID,
                            "batchnorm: momentum %g must be in [0, 1] and eps %g >= 0",
                            (double)a->f[0], (double)a->f[1]);
    return GN_OK;
}

static gn_status bn_infer(gn_node *n, gn_error *err) {
    gn_status st = bn_check(n, err);
    return st ? st : gn_ops_copy_shape(n, gn_in_value(n, 0), err);
}

/* x viewed as (N, C, S). */
static void bn_dims(gn_tensor *x, int64_t *nb, int64_t *c, int64_t *s) {
    *nb = gn_tensor_dim(x, 0);
    *c = gn_tensor_dim(x, 1);
    *s = 1;
    for (int i = 2; i < gn_tensor_ndim(x); i++)
        *s *= gn_tensor_dim(x, i);
}

static gn_status bn_forward(gn_node *n, gn_error *err) {
    gn_status st = bn_check(n, err);
    if (st) return st;
    const gn_op_attrs *a = gn_node_attrs(n);
    gn_tensor *xt = gn_in_value(n, 0);
    int64_t nb, c, s;
    bn_dims(xt, &nb, &c, &s);
    const int64_t m = nb * s;
    const float *x = gn_tensor_cdata(xt);
    float *y = gn_tensor_data(gn_node_value(n));
    const float *gamma = a->i[0] ? NULL : gn_tensor_cdata(gn_in_value(n, 1));
    const float *beta = a->i[1] ? NULL : gn_tensor_cdata(gn_in_value(n, 2));
    float *rmean = gn_tensor_data(gn_in_value(n, 3)), *rvar = gn_tensor_data(gn_in_value(n, 4));
    float *stats = gn_node_aux(n, STATS, 2 * c, err); /* mean, then 1 / std */
    float *mode = gn_node_aux(n, MODE, 1, err);
    double *sums = (double *)gn_node_aux(n, SUMS, 4 * c, err); /* 2c doubles */
    if (!stats || !mode || !sums) return err ? err->status : GN_ERR_NOMEM;
    float *mean = stats, *istd = stats + c;
    const int training = gn_graph_training(gn_node_graph(n));
    /* Backward must use the mode forward ran in. */
    mode[0] = training ? 1.0f : 0.0f;
    if (training) {
        if (m < 2) {
            char sh[64];
            gn_tensor_shape_str(xt, 0, sh, sizeof sh);
            return gn_error_set(err, GN_ERR_INVALID,
                                "batchnorm: training needs more than one value per channel, "
                                "input is %s",
                                sh);
        }
        /* Two passes (mean, then squared deviations) for accuracy. */
        for (int64_t j = 0; j < c; j++)
            sums[j] = 0.0;
        for (int64_t i = 0; i < nb; i++)
            for (int64_t j = 0; j < c; j++) {
                const float *p = x + (i * c + j) * s;
                float acc = 0.0f;
                for (int64_t k = 0; k < s; k++)
                    acc += p[k];
                sums[j] += acc;
            }
        for (int64_t j = 0; j < c; j++) {
            mean[j] = (float)(sums[j] / (double)m);
            sums[j] = 0.0;
        }
        for (int64_t i = 0; i < nb; i++)
            for (int64_t j = 0; j < c; j++) {
                const float *p = x + (i * c + j) * s;
                const float mu = mean[j];
                float acc = 0.0f;
                for (int64_t k = 0; k < s; k++)
                    acc += (p[k] - mu) * (p[k] - mu);
                sums[j] += acc;
            }
        const float mom = a->f[0];
        for (int64_t j = 0; j < c; j++) {
            double var = sums[j] / (double)m;
            istd[j] = (float)(1.0 / sqrt(var + (double)a->f[1]));
            rmean[j] = (1.0f - mom) * rmean[j] + mom * mean[j];
            rvar[j] = (1.0f - mom) * rvar[j] + mom * (float)(var * (double)m / (double)(m - 1));
        }
    } else {
        for (int64_t j = 0; j < c; j++) {
            mean[j] = rmean[j];
            istd[j] = (float)(1.0 / sqrt((double)rvar[j] + (double)a->f[1]));
        }
    }
    for (int64_t i = 0; i < nb; i++)
        for (int64_t j = 0; j < c; j++) { /* y = x scale + shift */
            const float scale = (gamma ? gamma[j] : 1.0f) * istd[j];
            const float shift = (beta ? beta[j] : 0.0f) - mean[j] * scale;
            const float *p = x + (i * c + j) * s;
            float *q = y + (i * c + j) * s;
            for (int64_t k = 0; k < s; k++)
                q[k] = p[k] * scale + shift;
        }
    return GN_OK;
}

static gn_status bn_backward(gn_node *n, gn_error *err) {
    const gn_op_attrs *a = gn_node_attrs(n);
    gn_tensor *xt = gn_in_value(n, 0);
    int64_t nb, c, s;
    bn_dims(xt, &nb, &c, &s);
    const int64_t m = nb * s;
    const float *x = gn_tensor_cdata(xt), *dy = gn_tensor_cdata(gn_node_grad(n));
    const float *gamma = a->i[0] ? NULL : gn_tensor_cdata(gn_in_value(n, 1));
    gn_tensor *dxt = gn_in_grad(n, 0);
    gn_tensor *dgt = a->i[0] ? NULL : gn_in_grad(n, 1), *dbt = a->i[1] ? NULL : gn_in_grad(n, 2);
    float *stats = gn_node_aux(n, STATS, 2 * c, err);
    float *mode = gn_node_aux(n, MODE, 1, err);
    double *sums = (double *)gn_node_aux(n, SUMS, 4 * c, err); /* 2c doubles */
    if (!stats || !mode || !sums) return err ? err->status : GN_ERR_NOMEM;
    const float *mean = stats, *istd = stats + c;
    double *sdy = sums, *sdyx = sums + c; /* sum dy, sum dy (x - mean) per channel */
    for (int64_t j = 0; j < c; j++)
        sdy[j] = sdyx[j] = 0.0;
    for (int64_t i = 0; i < nb; i++)
        for (int64_t j = 0; j < c; j++) {
            const float *p = x + (i * c + j) * s, *d = dy + (i * c + j) * s;
            const float mu = mean[j];
            float a0 = 0.0f, a1 = 0.0f;
            for (int64_t k = 0; k < s; k++) {
                a0 += d[k];
                a1 += d[k] * (p[k] - mu);
            }
            sdy[j] += a0;
            sdyx[j] += a1;
        }
    if (dbt)
        for (int64_t j = 0; j < c; j++)
            gn_tensor_data(dbt)[j] += (float)sdy[j];
    if (dgt)
        for (int64_t j = 0; j < c; j++)
            gn_tensor_data(dgt)[j] += (float)(sdyx[j] * istd[j]);
    if (!dxt) return GN_OK;
    const int training = mode[0] != 0.0f;
    float *dx = gn_tensor_data(dxt);
    for (int64_t i = 0; i < nb; i++)
        for (int64_t j = 0; j < c; j++) {
            /* Training: dx = g is (dy - mean(dy) - xhat mean(dy xhat)), written as
             * dx = k0 dy + k1 (x - mean) + k2; eval: the statistics are constants. */
            const double gi = (gamma ? gamma[j] : 1.0f) * (double)istd[j];
            const float k0 = (float)gi;
            const float k1 =
                training ? (float)(-gi * istd[j] * istd[j] * sdyx[j] / (double)m) : 0.0f;
            const float k2 = training ? (float)(-gi * sdy[j] / (double)m) : 0.0f;
            const float mu = mean[j];
            const float *p = x + (i * c + j) * s, *d = dy + (i * c + j) * s;
            float *q = dx + (i * c + j) * s;
            for (int64_t k = 0; k < s; k++)
                q[k] += k0 * d[k] + k1 * (p[k] - mu) + k2;
        }
    return GN_OK;
}

const gn_op_vtable gn_op_batchnorm = {
    .struct_size = sizeof(gn_op_vtable),
    .name = "batchnorm",
    .doc = "y = gamma (x - mean) / sqrt(var + eps) + beta per channel; inputs x, gamma, beta, "
           "running_mean, running_var",
    .n_inputs = 5,
    .infer = bn_infer,
    .forward = bn_forward,
    .backward = bn_backward,
};
