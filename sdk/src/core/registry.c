/* Registry of named items, one list per kind. Lookups are linear: a
 * registry holds tens of items and lookups happen at build time only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ganglion/registry.h>
#include "../core_register.h"

#define GN_NAME_MAX 64

typedef struct gn_item {
    char plugin[GN_NAME_MAX], name[GN_NAME_MAX];
    const void *vtable;
} gn_item;

struct gn_registry {
    gn_item *items[GN_KIND_COUNT];
    int n[GN_KIND_COUNT], cap[GN_KIND_COUNT];
};

static const char *const kind_names[] = {"op", "layer", "trainer", "evaluator", "command"};
_Static_assert(sizeof kind_names / sizeof kind_names[0] == GN_KIND_COUNT,
               "kind_names must follow gn_kind");

const char *gn_kind_name(gn_kind kind) {
    return (unsigned)kind < GN_KIND_COUNT ? kind_names[kind] : "unknown";
}

gn_registry *gn_registry_new(gn_error *err) {
    gn_registry *r = calloc(1, sizeof *r);
    if (!r) {
        gn_error_set(err, GN_ERR_NOMEM, "registry: out of memory");
        return NULL;
    }
    if (gn_ops_register_core(r, err) || gn_layers_register_core(r, err)) {
        gn_registry_free(r);
        return NULL;
    }
    return r;
}

void gn_registry_free(gn_registry *r) {
    if (!r) return;
    for (int k = 0; k < GN_KIND_COUNT; k++)
        free(r->items[k]);
    free(r);
}

static int valid_name(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n >= GN_NAME_MAX) return 0;
    for (; *s; s++)
        if (!(*s == '_' || *s == '-' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9')))
            return 0;
    return 1;
}

gn_status gn_registry_add(gn_registry *r, gn_kind kind, const char *plugin, const char *name,
                          const void *vtable, gn_error *err) {
    if ((unsigned)kind >= GN_KIND_COUNT || !vtable)
        return gn_error_set(err, GN_ERR_INVALID, "registry: bad kind or NULL vtable for '%s'",
                            name ? name : "(null)");
    if (!plugin || !name || !valid_name(plugin) || !valid_name(name))
        return gn_error_set(err, GN_ERR_INVALID,
                            "registry: invalid %s name '%s.%s' (letters, digits, '_' and '-', "
                            "under %d characters)",
                            kind_names[kind], plugin ? plugin : "", name ? name : "", GN_NAME_MAX);
    for (int i = 0; i < r->n[kind]; i++) {
        gn_item *it = &r->items[kind][i];
        if (strcmp(it->plugin, plugin) == 0 && strcmp(it->name, name) == 0)
            return gn_error_set(err, GN_ERR_INVALID,
                                "duplicate %s '%s.%s': plugin '%s' registered it already",
                                kind_names[kind], plugin, name, it->plugin);
    }
    if (r->n[kind] == r->cap[kind]) {
        int cap = r->cap[kind] ? r->cap[kind] * 2 : 32;
        gn_item *p = realloc(r->items[kind], (size_t)cap * sizeof *p);
        if (!p) return gn_error_set(err, GN_ERR_NOMEM, "registry: out of memory");
        r->items[kind] = p;
        r->cap[kind] = cap;
    }
    gn_item *it = &r->items[kind][r->n[kind]++];
    snprintf(it->plugin, sizeof it->plugin, "%s", plugin);
    snprintf(it->name, sizeof it->name, "%s", name);
    it->vtable = vtable;
    return GN_OK;
}

const void *gn_registry_find(const gn_registry *r, gn_kind kind, const char *name, gn_error *err) {
    if ((unsigned)kind >= GN_KIND_COUNT || !name) {
        gn_error_set(err, GN_ERR_INVALID, "registry: bad lookup");
        return NULL;
    }
    const char *dot = strchr(name, '.');
    const gn_item *hit = NULL;
    for (int i = 0; i < r->n[kind]; i++) {
        const gn_item *it = &r->items[kind][i];
        if (dot) {
            size_t pl = (size_t)(dot - name);
            if (strlen(it->plugin) == pl && strncmp(it->plugin, name, pl) == 0 &&
                strcmp(it->name, dot + 1) == 0)
                return it->vtable;
        } else if (strcmp(it->name, name) == 0) {
            if (hit) {
                gn_error_set(err, GN_ERR_CONFIG,
                             "%s '%s' is ambiguous: plugins '%s' and '%s' both register it; "
                             "write %s.%s or %s.%s",
                             kind_names[kind], name, hit->plugin, it->plugin, hit->plugin, name,
                             it->plugin, name);
                return NULL;
            }
            hit = it;
        }
    }
    if (!hit) gn_error_set(err, GN_ERR_NOT_FOUND, "unknown %s '%s'", kind_names[kind], name);
    return hit ? hit->vtable : NULL;
}

int gn_registry_count(const gn_registry *r, gn_kind kind) {
    return (unsigned)kind < GN_KIND_COUNT ? r->n[kind] : 0;
}

const void *gn_registry_at(const gn_registry *r, gn_kind kind, int i, const char **plugin,
                           const char **name) {
    if ((unsigned)kind >= GN_KIND_COUNT || i < 0 || i >= r->n[kind]) return NULL;
    const gn_item *it = &r->items[kind][i];
    if (plugin) *plugin = it->plugin;
    if (name) *name = it->name;
    return it->vtable;
}
