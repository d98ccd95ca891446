/* Ganglion SDK: the registry of named ops, layers, trainers, evaluators and
 * commands. Items are known as "plugin.name" and by the bare name when only
 * one plugin registers it. The SDK's own items belong to plugin "core". */
#ifndef GANGLION_REGISTRY_H
#define GANGLION_REGISTRY_H

#include <ganglion/error.h>

typedef enum gn_kind {
    GN_KIND_OP = 0,
    GN_KIND_LAYER,
    GN_KIND_TRAINER,
    GN_KIND_EVALUATOR,
    GN_KIND_COMMAND,
    GN_KIND_COUNT
} gn_kind;

typedef struct gn_registry gn_registry;

/* Caller owns. The new registry already holds the core ops and layers. */
GN_EXPORT gn_registry *gn_registry_new(gn_error *err);
GN_EXPORT void gn_registry_free(gn_registry *r);

/* Adds item (transfer none: the vtable must outlive the registry, as a
 * plugin's static data does). Error if plugin.name already exists. */
GN_EXPORT gn_status gn_registry_add(gn_registry *r, gn_kind kind, const char *plugin,
                                    const char *name, const void *vtable, gn_error *err);

/* Looks up "plugin.name" or a bare name; a bare name that two plugins
 * register is an error naming both. Returns the vtable, NULL with err. */
GN_EXPORT const void *gn_registry_find(const gn_registry *r, gn_kind kind, const char *name,
                                       gn_error *err);

/* Iteration over the items of a kind, in registration order. */
GN_EXPORT int gn_registry_count(const gn_registry *r, gn_kind kind);
GN_EXPORT const void *gn_registry_at(const gn_registry *r, gn_kind kind, int i, const char **plugin,
                                     const char **name);

GN_EXPORT const char *gn_kind_name(gn_kind kind); /* "op", "layer", ... */

#endif
