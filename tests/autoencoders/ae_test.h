/* Test helpers for the autoencoder trainers: experiments on the tiny
 * synthetic dataset (tests/fixtures/tiny: 8x8 images, 3 classes), run
 * through the real binary in a temporary folder. */
#ifndef GN_AE_TEST_H
#define GN_AE_TEST_H

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define AE_FIX GN_TEST_SOURCE_DIR "/tests/fixtures"

static char ae_tmp[256];
static char ae_out[1 << 16];

static inline void ae_setup(void) {
    const char *t = getenv("TMPDIR");
    snprintf(ae_tmp, sizeof ae_tmp, "%s/gn-ae-XXXXXX", t ? t : P_tmpdir);
    cr_assert_not_null(mkdtemp(ae_tmp));
    setenv("GANGLION_DATA_PATH", AE_FIX, 1);
    setenv("GANGLION_MANIFEST_PATH", AE_FIX, 1);
}

static inline void ae_teardown(void) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", ae_tmp);
    cr_assert_eq(system(cmd), 0);
}

/* Common head of every test experiment; the trainer and models follow. */
#define AE_HEAD(trainer)                                                                           \
    "[experiment]\nplugins = autoencoders\nseed = 1\nthreads = 1\ntrainer = " trainer "\n"         \
    "[data]\ndataset = tiny\nvalidation_split = 0.25\nnormalize = scale\n"

/* A dense autoencoder 64-16-4-16-64 ending in sigmoid. */
#define AE_DENSE                                                                                   \
    AE_HEAD("autoencoder")                                                                         \
    "[model.encoder]\nlayers = flatten dense(16) relu dense(4)\n"                                  \
    "[model.decoder]\nlayers = dense(16) relu dense(64) sigmoid reshape(\"1 8 8\")\n"              \
    "[train]\nepochs = 15\nbatch_size = 16\nlr = 0.01\nloss = bce\nquick_epochs = 2\n"

/* Writes ini as NAME.ini, runs `ganglion VERB NAME.ini ARGS` (run: with
 * --out TMP/NAME); returns the exit code, with stdout and stderr in ae_out. */
static inline int ae_exec(const char *verb, const char *name, const char *ini, const char *args) {
    char path[512], cmd[4096];
    snprintf(path, sizeof path, "%s/%s.ini", ae_tmp, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(ini, f);
    fclose(f);
    char out[512] = "";
    if (!strcmp(verb, "run")) snprintf(out, sizeof out, "--out '%s/%s'", ae_tmp, name);
    snprintf(cmd, sizeof cmd, "'%s' %s '%s' %s %s > '%s/out.txt' 2>&1", GN_TEST_BINARY, verb, path,
             out, args ? args : "", ae_tmp);
    int rc = system(cmd);
    snprintf(path, sizeof path, "%s/out.txt", ae_tmp);
    f = fopen(path, "r");
    size_t n = f ? fread(ae_out, 1, sizeof ae_out - 1, f) : 0;
    ae_out[n] = '\0';
    if (f) fclose(f);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static inline int ae_run(const char *name, const char *ini, const char *args) {
    return ae_exec("run", name, ini, args);
}

/* Contents of TMP/dir/file (NUL-terminated, at most 64 KiB; binary files
 * are cut at their first NUL byte), or NULL; *size gets the file size. */
static inline char *ae_slurp(const char *dir, const char *file, long *size) {
    static char buf[4][1 << 16];
    static int k;
    char path[512];
    snprintf(path, sizeof path, "%s/%s/%s", ae_tmp, dir, file);
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *b = buf[k++ % 4];
    size_t n = fread(b, 1, sizeof buf[0] - 1, f);
    b[n] = '\0';
    if (size) {
        fseek(f, 0, SEEK_END);
        *size = ftell(f);
    }
    fclose(f);
    return b;
}

/* Value of "name": in a JSON text (first occurrence), NAN when absent. */
static inline double ae_json_num(const char *js, const char *name) {
    char key[96];
    snprintf(key, sizeof key, "\"%s\": ", name);
    const char *p = js ? strstr(js, key) : NULL;
    return p ? strtod(p + strlen(key), NULL) : NAN;
}

/* Training losses from metrics.csv rows "E,train,LOSS,..." in epoch order. */
static inline int ae_train_losses(const char *csv, double *out, int max) {
    int n = 0;
    for (const char *p = csv; p && *p && n < max;
         p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        const char *c = strchr(p, ',');
        if (c && !strncmp(c, ",train,", 7)) out[n++] = strtod(c + 7, NULL);
    }
    return n;
}

#endif
