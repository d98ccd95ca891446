/* Host: finding, checking and loading plugins.
 *
 * Plugins are NAME.so files in the search path: --plugin-path, then
 * GANGLION_PLUGIN_PATH, then the build's plugin folder, then the install
 * folder. A plugin is accepted when its ABI major equals the host's, its
 * minor is not newer and its build signature matches; then its required
 * plugins are loaded and its init registers items. Plugins that registered
 * anything stay mapped until exit (their vtables live in them). */
#ifndef GN_HOST_LOADER_H
#define GN_HOST_LOADER_H

#include <ganglion/plugin.h>

typedef struct gn_loader gn_loader;

/* Caller owns; registry borrowed for the loader's lifetime. extra_path (may
 * be NULL) is the --plugin-path value, ':'-separated. */
gn_loader *gn_loader_new(gn_registry *reg, const char *extra_path, gn_error *err);
/* Calls every plugin's fini. */
void gn_loader_free(gn_loader *l);

/* Loads plugin NAME (and its requirements) from the search path; loading
 * an already loaded plugin is a no-op. */
gn_status gn_loader_load(gn_loader *l, const char *name, gn_error *err);
/* Loads one file. */
gn_status gn_loader_load_file(gn_loader *l, const char *path, gn_error *err);

/* Loads every .so in the search path; each refusal is passed to on_error
 * (which may be NULL) and the rest still load. Returns the number refused. */
int gn_loader_load_all(gn_loader *l, void (*on_error)(const gn_error *e, void *ud), void *ud);

int gn_loader_count(const gn_loader *l);
const gn_plugin_desc *gn_loader_desc(const gn_loader *l, int i);
const char *gn_loader_path(const gn_loader *l, int i);

/* The search path as one ':'-separated string (for messages). */
const char *gn_loader_search_path(const gn_loader *l);

#endif
