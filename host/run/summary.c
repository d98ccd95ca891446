/* Keras-style model.summary() table. */
#include "run/run_impl.h"

static void rule(FILE *out, char c) {
    for (int i = 0; i < 65; i++)
        fputc(c, out);
    fputc('\n', out);
}

void gn_run_print_summary(gn_model *m, FILE *out) {
    fprintf(out, "Model: \"%s\"\n", gn_model_name(m));
    rule(out, '_');
    fprintf(out, " %-28s %-25s %s\n", "Layer (type)", "Output Shape", "Param #");
    rule(out, '=');
    for (int i = 0; i < gn_model_n_layers(m); i++) {
        gn_layer_info li;
        if (gn_model_layer_info(m, i, &li, NULL)) continue;
        char label[160], shape[96];
        snprintf(label, sizeof label, "%s (%s)", li.name, li.type);
        gn_tensor_shape_str(gn_node_value(li.output), 1, shape, sizeof shape);
        fprintf(out, " %-28s %-25s %lld\n", label, shape, (long long)li.n_params);
    }
    rule(out, '=');
    fprintf(out, "Total params: %lld\n", (long long)gn_model_n_params(m));
}
