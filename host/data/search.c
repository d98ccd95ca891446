/* The data search path. */
#include "data/search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "data/read.h"

static const char *const gn_data_system_dirs[] = {"/usr/share/datasets",
                                                  "/usr/local/share/datasets"};

static int is_regular(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Tries DIR/subdir/file then DIR/file; dir is len bytes (not terminated). */
static int try_dir(const char *dir, size_t len, const char *subdir, const char *file, char *out,
                   size_t outsz) {
    int w;
    if (len == 0) return 0;
    if (subdir && subdir[0]) {
        w = snprintf(out, outsz, "%.*s/%s/%s", (int)len, dir, subdir, file);
        if (w > 0 && (size_t)w < outsz && is_regular(out)) return 1;
    }
    w = snprintf(out, outsz, "%.*s/%s", (int)len, dir, file);
    if (w > 0 && (size_t)w < outsz && is_regular(out)) return 1;
    return 0;
}

/* Appends s (len bytes) to the list of places searched, for the message. */
static void note(char *list, size_t cap, const char *s, size_t len) {
    size_t used = strlen(list);
    if (used + 1 >= cap) return;
    snprintf(list + used, cap - used, "%s%.*s", used ? ", " : "", (int)len, s);
}

gn_status gn_data_find(const char *file, const char *subdir, char *out, size_t outsz,
                       gn_error *err) {
    if (outsz) out[0] = '\0';
    if (!gn_path_is_safe_relative(file))
        return gn_error_set(err, GN_ERR_INVALID,
                            "data file name '%s' must be a relative path without '..'",
                            file ? file : "(null)");
    if (subdir && subdir[0] && !gn_path_is_safe_relative(subdir))
        return gn_error_set(err, GN_ERR_INVALID,
                            "data subfolder '%s' must be a relative path without '..'", subdir);
    char searched[400] = "";
    const char *env = getenv(GN_DATA_PATH_ENV);
    if (env) {
        const char *p = env;
        for (;;) {
            const char *end = strchr(p, ':');
            size_t len = end ? (size_t)(end - p) : strlen(p);
            if (try_dir(p, len, subdir, file, out, outsz)) return GN_OK;
            if (len) note(searched, sizeof searched, p, len);
            if (!end) break;
            p = end + 1;
        }
    }
    for (size_t i = 0; i < sizeof gn_data_system_dirs / sizeof *gn_data_system_dirs; i++) {
        const char *d = gn_data_system_dirs[i];
        if (try_dir(d, strlen(d), subdir, file, out, outsz)) return GN_OK;
        note(searched, sizeof searched, d, strlen(d));
    }
    if (outsz) out[0] = '\0';
    int sub = subdir && subdir[0];
    return gn_error_set(err, GN_ERR_NOT_FOUND,
                        "data file '%s' not found in %s%s%sDIR for DIR in: %s (add folders with "
                        "GANGLION_DATA_PATH, colon-separated)",
                        file, sub ? "DIR/" : "", sub ? subdir : "", sub ? " or " : "", searched);
}
