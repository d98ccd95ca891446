/* Helpers shared by the host's data suites: a temporary folder per test
 * (g_dir, made by each suite's setup), files written into it, and its
 * removal. */
#ifndef GN_DATA_TEST_H
#define GN_DATA_TEST_H

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char g_dir[256];

static void rm_rf(const char *path) {
    struct stat st;
    if (lstat(path, &st) != 0) return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            char sub[1024];
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            rm_rf(sub);
        }
        if (d) closedir(d);
    }
    remove(path);
}

static inline void teardown(void) {
    if (g_dir[0]) rm_rf(g_dir);
}

/* Path of name inside the temp dir (a rotating set of static buffers). */
static inline const char *tmp(const char *name) {
    static char buf[8][512];
    static int k;
    char *p = buf[k++ % 8];
    snprintf(p, 512, "%s/%s", g_dir, name);
    return p;
}

static inline void write_file(const char *name, const void *data, size_t n) {
    FILE *f = fopen(tmp(name), "wb");
    cr_assert_not_null(f, "cannot create %s", name);
    cr_assert_eq(fwrite(data, 1, n, f), n);
    fclose(f);
}

static inline void write_text(const char *name, const char *text) {
    write_file(name, text, strlen(text));
}

static inline void mkdir_tmp(const char *name) {
    cr_assert_eq(mkdir(tmp(name), 0755), 0);
}

#endif
