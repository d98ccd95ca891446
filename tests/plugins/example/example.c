/* A complete minimal Ganglion plugin: a "scale" layer (y = k x, k from the
 * INI file) and a "hello" command. Built against the installed SDK. */
/* clang-format off: kept compact for the README */
#include <ganglion/ganglion.h>

static gn_status scale_infer(gn_node *n, gn_error *err) { /* output shape = input shape */
    gn_tensor *x = gn_node_value(gn_node_input(n, 0));
    int64_t dims[GN_MAX_DIMS];
    for (int i = 0; i < gn_tensor_ndim(x); i++) dims[i] = gn_tensor_dim(x, i);
    return gn_node_set_shape(n, gn_tensor_ndim(x), dims, err);
}
static gn_status scale_forward(gn_node *n, gn_error *err) { /* y = k x */
    const float *x = gn_tensor_cdata(gn_node_value(gn_node_input(n, 0)));
    float *y = gn_tensor_data(gn_node_value(n)), k = gn_node_attrs(n)->f[0];
    for (int64_t i = 0; i < gn_tensor_numel(gn_node_value(n)); i++) y[i] = k * x[i];
    return (void)err, GN_OK;
}
static gn_status scale_backward(gn_node *n, gn_error *err) { /* dx += k dy */
    gn_tensor *gx = gn_node_grad(gn_node_input(n, 0));
    const float *dy = gn_tensor_cdata(gn_node_grad(n));
    float k = gn_node_attrs(n)->f[0];
    for (int64_t i = 0; gx && i < gn_tensor_numel(gx); i++) gn_tensor_data(gx)[i] += k * dy[i];
    return (void)err, GN_OK;
}
static const gn_op_vtable scale_op = {.struct_size = sizeof(gn_op_vtable), .name = "scale",
    .doc = "y = k x", .n_inputs = 1, .infer = scale_infer, .forward = scale_forward,
    .backward = scale_backward}; /* designated: fields appended later stay 0 */

static const gn_param_schema scale_schema[] = {
    GN_PARAM_FLOAT("k", "2", -1e6, 1e6, "the factor"), GN_PARAM_END};
static const char *const scale_positional[] = {"k", NULL}; /* scale(3) sets k */
static gn_status scale_build(gn_build *b, const gn_section *p, gn_node *const *in, int n_in,
                             gn_node **out, gn_error *err) {
    gn_op_attrs a = {{(float)gn_section_float(p, "k")}, {0}};
    *out = gn_graph_apply(gn_build_graph(b), &scale_op, in, n_in, &a, err);
    return *out ? GN_OK : err->status;
}
static const gn_layer_vtable scale_layer = {sizeof(gn_layer_vtable), "scale", "y = k x",
                                            scale_schema, scale_positional, scale_build, {0}};

static gn_status hello_run(int argc, char **argv, FILE *out, gn_error *err) {
    fprintf(out, "hello from a plugin, %s\n", argc > 1 ? argv[1] : "world");
    return (void)err, GN_OK;
}
static const gn_command_vtable hello_cmd = {sizeof(gn_command_vtable), "hello", "hello [NAME]",
                                            "greets NAME", hello_run, {0}};

static gn_status example_init(gn_plugin_ctx *ctx, gn_error *err) {
    gn_status st = gn_plugin_register(ctx, GN_KIND_OP, "scale", &scale_op, err);
    if (!st) st = gn_plugin_register(ctx, GN_KIND_LAYER, "scale", &scale_layer, err);
    if (!st) st = gn_plugin_register(ctx, GN_KIND_COMMAND, "hello", &hello_cmd, err);
    return st;
}
static const gn_plugin_desc example_desc = {
    GN_PLUGIN_HEADER, .name = "example", .version = "1.0.0", .license = "MIT",
    .description = "minimal example: a scale layer and a hello command", .init = example_init};
GN_PLUGIN_DEFINE(example_desc)
