/* Deliberately broken plugins for the loader tests; one source, built once
 * per defect with -DGN_BROKEN_<DEFECT>. */
#include <ganglion/ganglion.h>

static const gn_param_schema no_params[] = {GN_PARAM_END};

static gn_status id_build(gn_build *b, const gn_section *p, gn_node *const *in, int n,
                          gn_node **out, gn_error *err) {
    (void)b, (void)p, (void)n, (void)err;
    *out = in[0];
    return GN_OK;
}

static const gn_layer_vtable identity __attribute__((unused)) = {
    .struct_size = sizeof(gn_layer_vtable),
    .name = "identity",
    .doc = "y = x",
    .schema = no_params,
    .build = id_build,
};

static gn_status broken_init(gn_plugin_ctx *ctx, gn_error *err) {
#ifdef GN_BROKEN_INIT_FAILS
    (void)ctx;
    return gn_error_set(err, GN_ERR_IO, "cannot open /nonexistent/weights.bin");
#else
    gn_status st = gn_plugin_register(ctx, GN_KIND_LAYER, "identity", &identity, err);
#ifdef GN_BROKEN_DUP_ITEM
    if (!st) st = gn_plugin_register(ctx, GN_KIND_LAYER, "identity", &identity, err);
#endif
    return st;
#endif
}

static const gn_plugin_desc desc = {
    .struct_size = sizeof(gn_plugin_desc),
#ifdef GN_BROKEN_ABI_MAJOR
    .abi_major = GN_ABI_MAJOR + 1,
#else
    .abi_major = GN_ABI_MAJOR,
#endif
#ifdef GN_BROKEN_ABI_MINOR
    .abi_minor = GN_ABI_MINOR + 1,
#else
    .abi_minor = GN_ABI_MINOR,
#endif
    .build_signature = GN_BUILD_SIGNATURE,
#ifdef GN_BROKEN_DUP_NAME
    .name = "classifiers", /* a name the real classifiers plugin already has */
#else
    .name = GN_BROKEN_NAME,
#endif
    .version = "0.0.1",
    .description = "a deliberately broken plugin",
    .license = "MIT",
    .init = broken_init,
};

#ifndef GN_BROKEN_NO_ENTRY
GN_PLUGIN_DEFINE(desc)
#else
GN_EXPORT const gn_plugin_desc *not_the_entry(void);
GN_EXPORT const gn_plugin_desc *not_the_entry(void) {
    return &desc;
}
#endif
