/* Evaluators: accuracy, loss and the confusion matrix of a split. */
#include <stdio.h>
#include <stdlib.h>
#include "classifiers.h"

static gn_status eval_accuracy(const gn_eval_ctx *ctx, const gn_eval_input *in, gn_error *err) {
    (void)err;
    int64_t hits = 0;
    for (int64_t i = 0; i < in->n; i++)
        hits += gn_argmax(in->scores + i * in->n_classes, in->n_classes) == in->labels[i];
    ctx->host->result(ctx->run, in->split, "accuracy", in->n ? (double)hits / (double)in->n : 0);
    return GN_OK;
}

static gn_status eval_loss(const gn_eval_ctx *ctx, const gn_eval_input *in, gn_error *err) {
    (void)err;
    ctx->host->result(ctx->run, in->split, "loss", in->loss);
    return GN_OK;
}

/* Rows are true classes, columns predicted ones (scikit-learn's layout). */
static gn_status eval_confusion(const gn_eval_ctx *ctx, const gn_eval_input *in, gn_error *err) {
    int c = in->n_classes;
    int64_t *m = calloc((size_t)c * (size_t)c, sizeof *m);
    if (!m) return gn_error_set(err, GN_ERR_NOMEM, "confusion matrix: out of memory");
    for (int64_t i = 0; i < in->n; i++) {
        int t = in->labels[i];
        if (t >= 0 && t < c) m[(int64_t)t * c + gn_argmax(in->scores + i * c, c)]++;
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        free(m);
        return gn_error_set(err, GN_ERR_NOMEM, "confusion matrix: out of memory");
    }
    fprintf(f, "true\\predicted");
    for (int j = 0; j < c; j++)
        fprintf(f, ",%d", j);
    fputc('\n', f);
    for (int t = 0; t < c; t++) {
        fprintf(f, "%d", t);
        for (int j = 0; j < c; j++)
            fprintf(f, ",%lld", (long long)m[(int64_t)t * c + j]);
        fputc('\n', f);
    }
    fclose(f);
    free(m);
    char name[96];
    snprintf(name, sizeof name, "confusion_matrix_%s.csv", in->split);
    gn_status st = ctx->host->artifact(ctx->run, name, buf, len, err);
    free(buf);
    return st;
}

static const gn_param_schema no_params[] = {GN_PARAM_END};

const gn_evaluator_vtable gn_classifiers_accuracy = {
    .struct_size = sizeof(gn_evaluator_vtable),
    .name = "accuracy",
    .doc = "fraction of samples whose top-scoring class is the label",
    .schema = no_params,
    .evaluate = eval_accuracy,
};

const gn_evaluator_vtable gn_classifiers_loss = {
    .struct_size = sizeof(gn_evaluator_vtable),
    .name = "loss",
    .doc = "mean loss over the split",
    .schema = no_params,
    .evaluate = eval_loss,
};

const gn_evaluator_vtable gn_classifiers_confusion = {
    .struct_size = sizeof(gn_evaluator_vtable),
    .name = "confusion_matrix",
    .doc = "confusion_matrix_SPLIT.csv: counts, rows true class, columns predicted",
    .schema = no_params,
    .evaluate = eval_confusion,
};
