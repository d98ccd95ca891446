/* The classifier-based inception score (Salimans et al. 2016, with an
 * MNIST classifier instead of Inception): IS = exp(E_x KL(p(y|x) || p(y))),
 * p(y) the mean of p(y|x) over the samples. One split of all samples (the
 * original averages 10 splits). 1 = every sample gets the same prediction;
 * C = confident predictions spread evenly over C classes. */
#include <math.h>
#include "gan.h"

void gn_gan_softmax_rows(float *x, int64_t n, int c) {
    for (int64_t i = 0; i < n; i++) {
        float *r = x + i * c, mx = r[0];
        for (int j = 1; j < c; j++)
            mx = r[j] > mx ? r[j] : mx;
        double s = 0;
        for (int j = 0; j < c; j++)
            s += (r[j] = expf(r[j] - mx));
        for (int j = 0; j < c; j++)
            r[j] = (float)(r[j] / s);
    }
}

double gn_gan_inception_score(const float *probs, int64_t n, int c, int64_t *counts) {
    double py[1024] = {0};
    if (n < 1 || c < 1 || c > 1024) return NAN;
    for (int j = 0; counts && j < c; j++)
        counts[j] = 0;
    for (int64_t i = 0; i < n; i++) {
        const float *r = probs + i * c;
        int best = 0;
        for (int j = 0; j < c; j++) {
            py[j] += r[j];
            if (r[j] > r[best]) best = j;
        }
        if (counts) counts[best]++;
    }
    for (int j = 0; j < c; j++)
        py[j] /= (double)n;
    double kl = 0; /* sum_i sum_y p(y|x_i) (log p(y|x_i) - log p(y)); 0 log 0 = 0 */
    for (int64_t i = 0; i < n; i++)
        for (int j = 0; j < c; j++) {
            double p = probs[i * c + j];
            if (p > 0) kl += p * (log(p) - log(py[j]));
        }
    return exp(kl / (double)n);
}
