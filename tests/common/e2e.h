/* End-to-end test helpers shared by the plugin suites: experiments run
 * through the real `ganglion` binary in a temporary folder, on the tiny
 * synthetic dataset (tests/fixtures/tiny: 8x8 images, 3 classes), and the
 * files they write read back. Header-only: each suite is one binary. */
#ifndef GN_TEST_E2E_H
#define GN_TEST_E2E_H

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define E2E_FIX GN_TEST_SOURCE_DIR "/tests/fixtures"

static char e2e_tmp[256];     /* the test's folder */
static char e2e_out[1 << 16]; /* stdout and stderr of the last command */

/* A fresh folder TMPDIR/gn-PREFIX-XXXXXX; data and plugins from the build. */
static inline void e2e_setup(const char *prefix) {
    const char *t = getenv("TMPDIR");
    snprintf(e2e_tmp, sizeof e2e_tmp, "%s/gn-%s-XXXXXX", t ? t : P_tmpdir, prefix);
    cr_assert_not_null(mkdtemp(e2e_tmp));
    setenv("GANGLION_DATA_PATH", E2E_FIX, 1);
    setenv("GANGLION_MANIFEST_PATH", E2E_FIX, 1);
    setenv("GANGLION_PLUGIN_PATH", GN_TEST_PLUGIN_DIR, 1);
}

static inline void e2e_teardown(void) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", e2e_tmp);
    cr_assert_eq(system(cmd), 0);
}

/* Runs `ganglion VERB CONFIG [--out TMP/DIR] ARGS` (--out when dir is not
 * NULL); returns the exit code, with stdout and stderr in e2e_out. */
static inline int e2e_exec_file(const char *verb, const char *config, const char *dir,
                                const char *args) {
    char cmd[4096], out[512] = "", path[512];
    if (dir) snprintf(out, sizeof out, "--out '%s/%s'", e2e_tmp, dir);
    snprintf(cmd, sizeof cmd, "'%s' %s '%s' %s %s > '%s/out.txt' 2>&1", GN_TEST_BINARY, verb,
             config, out, args ? args : "", e2e_tmp);
    int rc = system(cmd);
    snprintf(path, sizeof path, "%s/out.txt", e2e_tmp);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(e2e_out, 1, sizeof e2e_out - 1, f) : 0;
    e2e_out[n] = '\0';
    if (f) fclose(f);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* Writes ini as TMP/NAME.ini and runs `ganglion VERB` on it (run: with
 * --out TMP/NAME). */
static inline int e2e_exec(const char *verb, const char *name, const char *ini, const char *args) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s.ini", e2e_tmp, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(ini, f);
    fclose(f);
    return e2e_exec_file(verb, path, strcmp(verb, "run") ? NULL : name, args);
}

static inline int e2e_run(const char *name, const char *ini, const char *args) {
    return e2e_exec("run", name, ini, args);
}

/* Contents of TMP/dir/file, NUL-terminated (at most 256 KiB; binary files
 * are cut at their first NUL byte when used as text), or NULL; *len gets
 * the number of bytes read. Four buffers rotate. */
static inline char *e2e_slurp(const char *dir, const char *file, size_t *len) {
    static char buf[4][1 << 18];
    static int k;
    char path[512];
    snprintf(path, sizeof path, "%s/%s/%s", e2e_tmp, dir, file);
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *b = buf[k++ % 4];
    size_t n = fread(b, 1, sizeof buf[0] - 1, f);
    b[n] = '\0';
    fclose(f);
    if (len) *len = n;
    return b;
}

/* Value of "name": in a JSON text (first occurrence), NAN when absent. */
static inline double e2e_json_num(const char *js, const char *name) {
    char key[96];
    snprintf(key, sizeof key, "\"%s\": ", name);
    const char *p = js ? strstr(js, key) : NULL;
    return p ? strtod(p + strlen(key), NULL) : NAN;
}

/* Column `name` of metrics.csv ("epoch,split,...") for rows of split
 * `split`, epoch by epoch; returns how many. */
static inline int e2e_column(const char *csv, const char *split, const char *name, double *v,
                             int max) {
    char head[512];
    snprintf(head, sizeof head, "%.*s", (int)strcspn(csv, "\n"), csv);
    int col = -1, c = 0;
    for (char *s, *tok = strtok_r(head, ",", &s); tok; tok = strtok_r(NULL, ",", &s), c++)
        if (!strcmp(tok, name)) col = c;
    cr_assert_geq(col, 0, "no column %s in %s", name, csv);
    int n = 0;
    for (const char *line = strchr(csv, '\n'); line && line[1] && n < max;
         line = strchr(line + 1, '\n')) {
        char row[512];
        snprintf(row, sizeof row, "%.*s", (int)strcspn(line + 1, "\n"), line + 1);
        char *s, *tok = strtok_r(row, ",", &s);
        tok = strtok_r(NULL, ",", &s); /* split */
        if (!tok || strcmp(tok, split)) continue;
        for (int k = 2; k <= col; k++)
            tok = strtok_r(NULL, ",", &s);
        v[n++] = tok ? atof(tok) : -1;
    }
    return n;
}

#endif
