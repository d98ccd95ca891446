/* Plugin loading with the GStreamer-style accept rule and sqlite-grade
 * refusal messages. */
#include <dirent.h>
#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "loader/loader.h"

#ifndef GN_BUILD_PLUGIN_DIR
#define GN_BUILD_PLUGIN_DIR ""
#endif
#ifndef GN_INSTALL_PLUGIN_DIR
#define GN_INSTALL_PLUGIN_DIR ""
#endif

#define GN_MAX_PLUGINS 64
#define GN_MAX_DIRS 32
#define GN_PATH_MAX 4096

typedef struct gn_loaded {
    void *handle;
    const gn_plugin_desc *desc;
    char path[GN_PATH_MAX];
} gn_loaded;

struct gn_loader {
    gn_registry *reg;
    gn_loaded plugins[GN_MAX_PLUGINS];
    int n;
    char *dirs[GN_MAX_DIRS];
    int n_dirs;
    char search[GN_PATH_MAX * 2];
    char loading[GN_MAX_PLUGINS][64]; /* requirement chain, for cycles */
    int depth;
};

static void add_dirs(gn_loader *l, const char *list) {
    if (!list) return;
    const char *p = list;
    while (*p && l->n_dirs < GN_MAX_DIRS) {
        const char *c = strchr(p, ':');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        if (len > 0 && len < GN_PATH_MAX) {
            char *d = strndup(p, len);
            if (d) l->dirs[l->n_dirs++] = d;
        }
        if (!c) break;
        p = c + 1;
    }
}

gn_loader *gn_loader_new(gn_registry *reg, const char *extra_path, gn_error *err) {
    gn_loader *l = calloc(1, sizeof *l);
    if (!l) {
        gn_error_set(err, GN_ERR_NOMEM, "out of memory");
        return NULL;
    }
    l->reg = reg;
    add_dirs(l, extra_path);
    add_dirs(l, getenv("GANGLION_PLUGIN_PATH"));
    add_dirs(l, GN_BUILD_PLUGIN_DIR);
    add_dirs(l, GN_INSTALL_PLUGIN_DIR);
    size_t off = 0;
    for (int i = 0; i < l->n_dirs && off < sizeof l->search; i++)
        off += (size_t)snprintf(l->search + off, sizeof l->search - off, "%s%s", i ? ":" : "",
                                l->dirs[i]);
    return l;
}

void gn_loader_free(gn_loader *l) {
    if (!l) return;
    for (int i = l->n - 1; i >= 0; i--)
        if (l->plugins[i].desc->fini) l->plugins[i].desc->fini();
    /* Never dlclose: registered vtables point into the plugins. */
    for (int i = 0; i < l->n_dirs; i++)
        free(l->dirs[i]);
    free(l);
}

static const gn_loaded *find_loaded(const gn_loader *l, const char *name) {
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->plugins[i].desc->name, name) == 0) return &l->plugins[i];
    return NULL;
}

static gn_status check_desc(const char *path, const gn_plugin_desc *d, gn_error *err) {
    if (!d) return gn_error_set(err, GN_ERR_ABI, "plugin %s: entry returned no descriptor", path);
    if (d->struct_size < offsetof(gn_plugin_desc, reserved))
        return gn_error_set(err, GN_ERR_ABI,
                            "plugin %s: descriptor of %u bytes is too small (expected at least "
                            "%zu)",
                            path, d->struct_size, offsetof(gn_plugin_desc, reserved));
    if (d->abi_major != GN_ABI_MAJOR || d->abi_minor > GN_ABI_MINOR)
        return gn_error_set(err, GN_ERR_ABI, "plugin %s built for ABI %u.%u, host is %d.%d (%s)",
                            path, d->abi_major, d->abi_minor, GN_ABI_MAJOR, GN_ABI_MINOR,
                            d->abi_major != GN_ABI_MAJOR ? "major versions differ"
                                                         : "plugin needs a newer host");
    if (!d->build_signature || strcmp(d->build_signature, GN_BUILD_SIGNATURE) != 0)
        return gn_error_set(err, GN_ERR_ABI, "plugin %s: build signature '%s', host is '%s'", path,
                            d->build_signature ? d->build_signature : "(none)", GN_BUILD_SIGNATURE);
    if (!d->name || !*d->name || !d->version || !d->init)
        return gn_error_set(err, GN_ERR_ABI, "plugin %s: descriptor lacks name, version or init",
                            path);
    return GN_OK;
}

static int find_file(const gn_loader *l, const char *name, char *out, size_t n) {
    struct stat st;
    for (int i = 0; i < l->n_dirs; i++) {
        snprintf(out, n, "%s/%s.so", l->dirs[i], name);
        if (stat(out, &st) == 0 && S_ISREG(st.st_mode)) return 1;
    }
    return 0;
}

gn_status gn_loader_load(gn_loader *l, const char *name, gn_error *err) {
    if (find_loaded(l, name)) return GN_OK;
    if (strchr(name, '/') || strchr(name, '.'))
        return gn_error_set(err, GN_ERR_CONFIG, "invalid plugin name '%s'", name);
    char path[GN_PATH_MAX];
    if (!find_file(l, name, path, sizeof path))
        return gn_error_set(err, GN_ERR_NOT_FOUND,
                            "plugin '%s' not found (looked for %s.so in %s; set "
                            "GANGLION_PLUGIN_PATH or --plugin-path)",
                            name, name, l->n_dirs ? l->search : "no folders");
    gn_status st = gn_loader_load_file(l, path, err);
    if (!st && !find_loaded(l, name))
        return gn_error_set(err, GN_ERR_ABI, "plugin %s calls itself '%s', expected '%s'", path,
                            l->plugins[l->n - 1].desc->name, name);
    return st;
}

gn_status gn_loader_load_file(gn_loader *l, const char *path, gn_error *err) {
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->plugins[i].path, path) == 0) return GN_OK;
    if (l->n == GN_MAX_PLUGINS)
        return gn_error_set(err, GN_ERR_INVALID, "too many plugins (%d)", GN_MAX_PLUGINS);
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) return gn_error_set(err, GN_ERR_ABI, "plugin %s: cannot load: %s", path, dlerror());
    gn_plugin_entry_fn entry;
    *(void **)&entry = dlsym(h, GN_PLUGIN_ENTRY_NAME);
    if (!entry) {
        dlclose(h);
        return gn_error_set(err, GN_ERR_ABI,
                            "plugin %s: no entry symbol '%s' (not a Ganglion plugin?)", path,
                            GN_PLUGIN_ENTRY_NAME);
    }
    const gn_plugin_desc *d = entry();
    gn_status st = check_desc(path, d, err);
    if (!st) {
        const gn_loaded *other = find_loaded(l, d->name);
        if (other)
            st = gn_error_set(err, GN_ERR_CONFIG,
                              "plugin %s: name '%s' is already taken by plugin %s", path, d->name,
                              other->path);
    }
    if (!st && (strcmp(d->name, "core") == 0 || strchr(d->name, '.')))
        st = gn_error_set(err, GN_ERR_CONFIG, "plugin %s: '%s' is not a valid plugin name", path,
                          d->name);
    if (st) {
        dlclose(h);
        return st;
    }
    for (int i = 0; i < l->depth; i++)
        if (strcmp(l->loading[i], d->name) == 0) {
            dlclose(h);
            return gn_error_set(err, GN_ERR_CONFIG, "plugin %s: circular requirement on '%s'", path,
                                d->name);
        }
    if (d->requires) {
        snprintf(l->loading[l->depth++], sizeof l->loading[0], "%s", d->name);
        for (const char *const *r = d->requires; *r && !st; r++) {
            st = gn_loader_load(l, *r, err);
            if (st) gn_error_prefix(err, "plugin %s requires '%s'", path, *r);
        }
        l->depth--;
        if (st) {
            dlclose(h);
            return st;
        }
    }
    gn_plugin_ctx *ctx = gn_plugin_ctx_new(l->reg, d->name, err);
    if (!ctx) {
        dlclose(h);
        return err ? err->status : GN_ERR_NOMEM;
    }
    gn_error ierr = {0};
    st = d->init(ctx, &ierr);
    int registered = gn_plugin_ctx_registered(ctx);
    gn_plugin_ctx_free(ctx);
    if (st) {
        /* A plugin that registered something must stay mapped. */
        if (!registered) dlclose(h);
        return gn_error_set(err, st, "plugin %s: init failed: %s", path,
                            ierr.msg[0] ? ierr.msg : gn_status_name(st));
    }
    gn_loaded *p = &l->plugins[l->n++];
    p->handle = h;
    p->desc = d;
    snprintf(p->path, sizeof p->path, "%s", path);
    return GN_OK;
}

static const char *file_base(const char *path) {
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

/* A plugin with this file name is already loaded from an earlier folder. */
static int shadowed(const gn_loader *l, const char *base) {
    for (int i = 0; i < l->n; i++)
        if (!strcmp(file_base(l->plugins[i].path), base)) return 1;
    return 0;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int gn_loader_load_all(gn_loader *l, void (*on_error)(const gn_error *e, void *ud), void *ud) {
    int refused = 0;
    for (int i = 0; i < l->n_dirs; i++) {
        DIR *dir = opendir(l->dirs[i]);
        if (!dir) continue;
        char *names[256];
        int n = 0;
        struct dirent *e;
        while ((e = readdir(dir)) && n < 256) {
            size_t len = strlen(e->d_name);
            if (len > 3 && strcmp(e->d_name + len - 3, ".so") == 0) {
                names[n] = strdup(e->d_name);
                if (names[n]) n++;
            }
        }
        closedir(dir);
        qsort(names, (size_t)n, sizeof *names, cmp_str); /* stable listing order */
        for (int k = 0; k < n; k++) {
            char path[GN_PATH_MAX];
            snprintf(path, sizeof path, "%s/%s", l->dirs[i], names[k]);
            free(names[k]);
            /* The same file name earlier in the path wins, as for NAME lookups
             * (a build folder before the install folder); anything else that
             * claims a taken name is loaded and refused, naming both files. */
            if (shadowed(l, file_base(path))) continue;
            gn_error err = {0};
            if (gn_loader_load_file(l, path, &err)) {
                refused++;
                if (on_error) on_error(&err, ud);
            }
        }
    }
    return refused;
}

int gn_loader_count(const gn_loader *l) {
    return l->n;
}
const gn_plugin_desc *gn_loader_desc(const gn_loader *l, int i) {
    return i >= 0 && i < l->n ? l->plugins[i].desc : NULL;
}
const char *gn_loader_path(const gn_loader *l, int i) {
    return i >= 0 && i < l->n ? l->plugins[i].path : NULL;
}
const char *gn_loader_search_path(const gn_loader *l) {
    return l->search;
}
