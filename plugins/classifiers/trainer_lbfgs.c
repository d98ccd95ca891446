/* Full-batch L-BFGS for small problems (optimizer = lbfgs): each iteration
 * evaluates the loss and gradient over the whole training split; one
 * iteration is reported as one epoch, so learning curves still work. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <ganglion/lbfgs.h>
#include "trainer.h"

typedef struct lbfgs_ctx {
    trainer *t;
    gn_data *train, *val;
    int64_t n;
    int iter;
    double last_score;
    gn_status st;
    gn_error *err;
} lbfgs_ctx;

/* Loss and gradient over the training split at x: batch by batch, each
 * batch's mean-loss gradient weighted by its share of the samples. */
static double full_batch(const float *x, float *g, void *ud, gn_error *err) {
    lbfgs_ctx *c = ud;
    trainer *t = c->t;
    const gn_host_api *h = t->ctx->host;
    int64_t np = gn_model_n_params(t->model);
    float *params = gn_model_params(t->model), *grads = gn_model_grads(t->model);
    if (x != params) memcpy(params, x, (size_t)np * sizeof(float));
    memset(g, 0, (size_t)np * sizeof(float));
    gn_graph_set_training(t->g, 1);
    double sum = 0, hits = 0;
    for (int64_t s = 0; s < c->n; s += t->o.eval_batch) {
        int64_t m = c->n - s < t->o.eval_batch ? c->n - s : t->o.eval_batch;
        gn_batch b;
        gn_model_zero_grad(t->model);
        gn_status st = h->data_batch(c->train, s, m, &b, err);
        if (!st) st = gn_forward_batch(t, &b, NULL, err);
        if (!st) st = gn_graph_backward(t->g, t->loss, err);
        if (st) return NAN;
        float share = (float)((double)m / (double)c->n);
        for (int64_t i = 0; i < np; i++)
            g[i] += share * grads[i];
        sum += gn_tensor_cdata(gn_node_value(t->loss))[0] * (double)m;
        const float *o = gn_tensor_cdata(gn_node_value(t->out));
        for (int64_t i = 0; i < m && !t->tdim; i++)
            hits += gn_argmax(o + i * t->classes, t->classes) == b.labels[i];
        for (int64_t i = 0; i < m * t->tdim; i++)
            hits += fabs((double)o[i] - b.y[i]) / t->tdim;
    }
    /* Penalties add their own gradient on top of the data term. */
    memcpy(grads, g, (size_t)np * sizeof(float));
    double penalty = gn_penalty_apply(t);
    memcpy(g, grads, (size_t)np * sizeof(float));
    c->last_score = hits / (double)c->n;
    return sum / (double)c->n + penalty;
}

static int on_iteration(int64_t iter, double loss, void *ud) {
    lbfgs_ctx *c = ud;
    trainer *t = c->t;
    const gn_host_api *h = t->ctx->host;
    double vloss, vscore;
    gn_metric m[4] = {{"loss", loss}, {t->tdim ? "mae" : "accuracy", c->last_score}};
    int nm = 2;
    if (c->val) {
        c->st = gn_evaluate_split(t, c->val, &vloss, &vscore, NULL, NULL, c->err);
        if (c->st) return 1;
        m[2] = (gn_metric){"val_loss", vloss};
        m[3] = (gn_metric){t->tdim ? "val_mae" : "val_accuracy", vscore};
        nm = 4;
    }
    h->epoch_begin(t->ctx->run, (int)iter, t->o.epochs, 1);
    h->epoch_end(t->ctx->run, (int)iter, m, nm);
    return h->cancelled(t->ctx->run);
}

gn_status gn_train_lbfgs(trainer *t, gn_data *train, gn_data *val, gn_error *err) {
    gn_data_info info = {.struct_size = sizeof info};
    t->ctx->host->data_info(train, &info);
    lbfgs_ctx c = {t, train, val, info.n, 0, 0, GN_OK, err};
    if (t->o.limit > 0 && t->o.limit < c.n) c.n = t->o.limit;
    gn_lbfgs_params p;
    gn_lbfgs_defaults(&p);
    p.max_iter = t->o.epochs;
    p.max_eval =
        t->o.epochs * (p.max_ls + 1); /* an epoch is an iteration, whatever its line search costs */
    if (gn_section_has(t->ctx->params, "lr")) p.lr = gn_section_float(t->ctx->params, "lr");
    gn_lbfgs_result res = {.struct_size = sizeof res};
    gn_status st = gn_lbfgs_minimize(gn_model_params(t->model), gn_model_n_params(t->model),
                                     full_batch, &c, &p, &res, on_iteration, err);
    if (c.st) return c.st;
    if (!st && res.stop == GN_LBFGS_STOP_CALLBACK && t->ctx->host->cancelled(t->ctx->run))
        return gn_error_set(err, GN_ERR_CANCELLED, "stopped after L-BFGS iteration %lld",
                            (long long)res.iterations);
    char msg[160];
    snprintf(msg, sizeof msg, "L-BFGS: %lld iterations, %lld evaluations, loss %.6g (%s)",
             (long long)res.iterations, (long long)res.evaluations, res.loss,
             gn_lbfgs_stop_name(res.stop));
    t->ctx->host->log(t->ctx->run, GN_LOG_INFO, msg);
    return st;
}
