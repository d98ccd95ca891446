/* ganglion gan-sample CONF CHECKPOINT OUT.png [--seed N] [--rows R --cols C]:
 * a grid of samples from a generator checkpoint. Building [model.generator]
 * from CONF needs the host's model builder, which commands cannot reach, so
 * this runs the gan_sample trainer through the host binary itself into a
 * temporary run folder and copies its samples.png to OUT.png. */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "gan.h"

extern char **environ;

static gn_status copy_file(const char *from, const char *to, gn_error *err) {
    FILE *in = fopen(from, "rb");
    if (!in) return gn_error_set(err, GN_ERR_IO, "gan-sample: no %s was written", from);
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", to, (long)getpid());
    FILE *out = fopen(tmp, "wb");
    if (!out) {
        fclose(in);
        return gn_error_set(err, GN_ERR_IO, "gan-sample: cannot write %s", to);
    }
    char buf[65536];
    size_t n;
    int bad = 0;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        bad |= fwrite(buf, 1, n, out) != n;
    bad |= ferror(in);
    fclose(in);
    bad |= fclose(out) != 0;
    if (bad || rename(tmp, to) != 0) { /* atomic: all of OUT.png or nothing */
        remove(tmp);
        return gn_error_set(err, GN_ERR_IO, "gan-sample: cannot write %s", to);
    }
    return GN_OK;
}

static gn_status sample_run(int argc, char **argv, FILE *out, gn_error *err) {
    if (argc < 4)
        return gn_error_set(err, GN_ERR_INVALID,
                            "usage: ganglion gan-sample CONF CHECKPOINT OUT.png [--seed N] "
                            "[--rows R] [--cols C]");
    char sets[3][96] = {"", "", ""};
    for (int i = 4; i < argc; i++) {
        const char *key = !strcmp(argv[i], "--seed")   ? "experiment.seed"
                          : !strcmp(argv[i], "--rows") ? "train.grid_rows"
                          : !strcmp(argv[i], "--cols") ? "train.grid_cols"
                                                       : NULL;
        char *end = NULL;
        long v = i + 1 < argc ? strtol(argv[i + 1], &end, 10) : -1;
        if (!key || !end || *end || v < 0)
            return gn_error_set(err, GN_ERR_INVALID, "gan-sample: unknown or bad option '%s'",
                                argv[i]);
        snprintf(sets[key[0] == 'e' ? 0 : key[11] == 'r' ? 1 : 2], 96, "%s=%ld", key, v);
        i++;
    }
    const char *tdir = getenv("TMPDIR") ? getenv("TMPDIR") : P_tmpdir;
    char dir[4096], run_dir[4200], from[4300], ckpt[4200];
    snprintf(dir, sizeof dir, "%s/gn-gan-sample-XXXXXX", tdir);
    if (!mkdtemp(dir)) return gn_error_set(err, GN_ERR_IO, "gan-sample: cannot create %s", dir);
    snprintf(run_dir, sizeof run_dir, "%s/run", dir);
    snprintf(ckpt, sizeof ckpt, "train.sample_from=%s", argv[2]);
    char *args[20];
    int n = 0;
    args[n++] = "ganglion";
    args[n++] = "run";
    args[n++] = argv[1];
    args[n++] = "--set", args[n++] = "experiment.trainer=gan_sample";
    args[n++] = "--set", args[n++] = ckpt;
    args[n++] = "--set", args[n++] = "train.score_samples=0";
    for (int k = 0; k < 3; k++)
        if (sets[k][0]) args[n++] = "--set", args[n++] = sets[k];
    args[n++] = "--out", args[n++] = run_dir;
    args[n] = NULL;
    fflush(out);
    pid_t pid;
    int rc = posix_spawn(&pid, "/proc/self/exe", NULL, NULL, args, environ), status = 0;
    gn_status st = GN_OK;
    if (rc != 0)
        st = gn_error_set(err, GN_ERR_IO, "gan-sample: cannot start the host: %s", strerror(rc));
    else if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        st = gn_error_set(err,
                          WIFEXITED(status) && WEXITSTATUS(status) == 2 ? GN_ERR_CONFIG : GN_ERR_IO,
                          "gan-sample: sampling failed (see the messages above)");
    snprintf(from, sizeof from, "%s/samples.png", run_dir);
    if (!st) st = copy_file(from, argv[3], err);
    if (!st) fprintf(out, "wrote %s\n", argv[3]);
    char cmd[4400]; /* the temporary run folder */
    const char *files[] = {"samples.png", "config.ini",   "log.txt",
                           "metrics.csv", "summary.json", "learning_curves.svg"};
    for (size_t k = 0; k < sizeof files / sizeof *files; k++) {
        snprintf(cmd, sizeof cmd, "%s/%s", run_dir, files[k]);
        remove(cmd);
    }
    rmdir(run_dir);
    rmdir(dir);
    return st;
}

const gn_command_vtable gn_gan_cmd_sample = {
    sizeof(gn_command_vtable),
    "gan-sample",
    "gan-sample CONF CHECKPOINT OUT.png [--seed N] [--rows R] [--cols C]",
    "writes a grid of samples from a generator checkpoint (its [model.generator] is in CONF)",
    sample_run,
    {0},
};
