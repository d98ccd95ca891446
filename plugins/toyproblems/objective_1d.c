/* One-variable objectives: quadratic, |x|, relu, sigmoid, tanh. */
#include <math.h>
#include "toyproblems.h"

double gn_toy_eval_1d(const gn_toy_fn *f, double u, double *g) {
    double v, d;
    switch (f->kind) {
    case GN_TOY_QUADRATIC: /* k/2 u^2 */
        v = 0.5 * f->curvature[0] * u * u;
        d = f->curvature[0] * u;
        break;
    case GN_TOY_ABS: /* sign(0) = 0, as torch.abs backward */
        v = fabs(u);
        d = u > 0 ? 1 : u < 0 ? -1 : 0;
        break;
    case GN_TOY_RELU: /* no gradient at 0, as torch.relu */
        v = u > 0 ? u : 0;
        d = u > 0 ? 1 : 0;
        break;
    case GN_TOY_SIGMOID: { /* written so that exp never overflows */
        double e = exp(-fabs(u));
        v = u >= 0 ? 1 / (1 + e) : e / (1 + e);
        d = v * (1 - v);
        break;
    }
    case GN_TOY_TANH:
        v = tanh(u);
        d = 1 - v * v;
        break;
    default:
        v = NAN;
        d = NAN;
    }
    if (g) *g = d;
    return v;
}
