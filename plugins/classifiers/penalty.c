/* Weight penalties (Keras kernel_regularizer): lambda1 sum|w| + lambda2 sum w^2
 * on the weights of dense and convolution layers, never on biases or
 * batch-norm scales. A layer's own l1/l2 keys override the [train] values. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "trainer.h"

static int penalised_type(const char *type) {
    return !strcmp(type, "dense") || !strcmp(type, "conv2d") || !strcmp(type, "conv2d_transpose");
}

gn_status gn_penalty_setup(trainer *t, gn_error *err) {
    int nt = gn_model_n_tensors(t->model);
    t->pen = calloc((size_t)(nt ? nt : 1), sizeof *t->pen);
    if (!t->pen) return gn_error_set(err, GN_ERR_NOMEM, "supervised: out of memory");
    for (int i = 0; i < nt; i++) {
        const char *name = gn_model_tensor_name(t->model, i);
        const char *dot = strrchr(name, '.');
        if (!dot || strcmp(dot, ".weight")) continue;
        for (int k = 0; k < gn_model_n_layers(t->model); k++) {
            gn_layer_info li = {.struct_size = sizeof li};
            if (gn_model_layer_info(t->model, k, &li, err)) return err->status;
            if (strlen(li.name) != (size_t)(dot - name) ||
                strncmp(li.name, name, (size_t)(dot - name)))
                continue;
            if (!penalised_type(li.type)) break;
            double l1 = li.l1 >= 0 ? li.l1 : t->o.l1, l2 = li.l2 >= 0 ? li.l2 : t->o.l2;
            if (l1 == 0 && l2 == 0) break;
            gn_penalty *p = &t->pen[t->n_pen++];
            p->w = gn_tensor_data(gn_model_tensor(t->model, i));
            p->g = gn_tensor_data(gn_model_tensor_grad(t->model, i));
            p->n = gn_tensor_numel(gn_model_tensor(t->model, i));
            p->l1 = l1;
            p->l2 = l2;
            break;
        }
    }
    return GN_OK;
}

double gn_penalty_apply(trainer *t) {
    double total = 0;
    for (int k = 0; k < t->n_pen; k++) {
        const gn_penalty *p = &t->pen[k];
        double s1 = 0, s2 = 0;
        float l1 = (float)p->l1, l2x2 = (float)(2 * p->l2);
        for (int64_t i = 0; i < p->n; i++) {
            float w = p->w[i];
            s1 += fabsf(w);
            s2 += (double)w * w;
            p->g[i] += l1 * (float)((w > 0) - (w < 0)) + l2x2 * w; /* d/dw of the penalty */
        }
        total += p->l1 * s1 + p->l2 * s2;
    }
    return total;
}
