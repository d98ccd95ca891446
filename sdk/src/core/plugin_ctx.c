/* The registration context a plugin's init receives. */
#include <stdio.h>
#include <stdlib.h>
#include <ganglion/plugin.h>

struct gn_plugin_ctx {
    gn_registry *registry;
    char name[64];
    int registered;
};

gn_plugin_ctx *gn_plugin_ctx_new(gn_registry *r, const char *plugin_name, gn_error *err) {
    gn_plugin_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        gn_error_set(err, GN_ERR_NOMEM, "out of memory");
        return NULL;
    }
    c->registry = r;
    snprintf(c->name, sizeof c->name, "%s", plugin_name);
    return c;
}

void gn_plugin_ctx_free(gn_plugin_ctx *ctx) {
    free(ctx);
}

gn_status gn_plugin_register(gn_plugin_ctx *ctx, gn_kind kind, const char *name, const void *vtable,
                             gn_error *err) {
    gn_status st = gn_registry_add(ctx->registry, kind, ctx->name, name, vtable, err);
    if (st == GN_OK) ctx->registered++;
    return st;
}

const char *gn_plugin_ctx_name(const gn_plugin_ctx *ctx) {
    return ctx->name;
}
int gn_plugin_ctx_registered(const gn_plugin_ctx *ctx) {
    return ctx->registered;
}
