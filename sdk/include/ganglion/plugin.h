/* Ganglion SDK: the plugin ABI.
 *
 * A plugin exports exactly one symbol, GN_PLUGIN_ENTRY_NAME, returning a
 * const descriptor. The host accepts a plugin when abi_major equals its own,
 * abi_minor is not newer, and build_signature matches; it then calls init,
 * which registers the plugin's items through the context. Plugins that
 * registered anything are never unloaded. */
#ifndef GANGLION_PLUGIN_H
#define GANGLION_PLUGIN_H

#include <stdint.h>
#include <ganglion/registry.h>

#define GN_PLUGIN_ENTRY gn_plugin_entry
#define GN_PLUGIN_ENTRY_NAME "gn_plugin_entry"

typedef struct gn_plugin_ctx gn_plugin_ctx; /* given to init */

typedef struct gn_plugin_desc {
    uint32_t struct_size; /* sizeof(gn_plugin_desc) */
    uint16_t abi_major;
    uint16_t abi_minor;
    const char *build_signature; /* GN_BUILD_SIGNATURE */
    const char *name;            /* plugin name, also its file name: NAME.so */
    const char *version;
    const char *description;
    const char *license;
    const char *const *requires; /* NULL-terminated plugin names, or NULL */
    gn_status (*init)(gn_plugin_ctx *ctx, gn_error *err);
    void (*fini)(void); /* may be NULL; called at host exit */
    void *reserved[8];
} gn_plugin_desc;

typedef const gn_plugin_desc *(*gn_plugin_entry_fn)(void);

/* Registration, for use inside init. vtables are borrowed (static data). */
GN_EXPORT gn_status gn_plugin_register(gn_plugin_ctx *ctx, gn_kind kind, const char *name,
                                       const void *vtable, gn_error *err);
GN_EXPORT const char *gn_plugin_ctx_name(const gn_plugin_ctx *ctx);

/* Defines the entry point from a descriptor variable:
 *     static const gn_plugin_desc desc = { GN_PLUGIN_HEADER, .name = ... };
 *     GN_PLUGIN_DEFINE(desc)                                              */
#define GN_PLUGIN_HEADER                                                                           \
    .struct_size = sizeof(gn_plugin_desc), .abi_major = GN_ABI_MAJOR, .abi_minor = GN_ABI_MINOR,   \
    .build_signature = GN_BUILD_SIGNATURE
#define GN_PLUGIN_DEFINE(desc)                                                                     \
    GN_EXPORT const gn_plugin_desc *GN_PLUGIN_ENTRY(void);                                         \
    GN_EXPORT const gn_plugin_desc *GN_PLUGIN_ENTRY(void) {                                        \
        return &(desc);                                                                            \
    }

/* Host side: a context that registers into r under plugin_name. Caller
 * owns (free with gn_plugin_ctx_free). */
GN_EXPORT gn_plugin_ctx *gn_plugin_ctx_new(gn_registry *r, const char *plugin_name, gn_error *err);
GN_EXPORT void gn_plugin_ctx_free(gn_plugin_ctx *ctx);
GN_EXPORT int gn_plugin_ctx_registered(const gn_plugin_ctx *ctx); /* items added */

#endif
