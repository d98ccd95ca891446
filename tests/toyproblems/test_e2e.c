/* The toyproblems plugin through the real ganglion binary: every
 * conf/toy-*.ini runs with --quick and writes its files, reruns are
 * identical, and bad values exit 2 naming FILE:LINE. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "toy_test.h"

static char tmp[256];
static char out[1 << 20];

static void setup(void) {
    snprintf(tmp, sizeof tmp, "%s/gn-toy-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : P_tmpdir);
    cr_assert_not_null(mkdtemp(tmp));
    setenv("GANGLION_PLUGIN_PATH", GN_TEST_PLUGIN_DIR, 1);
}

static void teardown(void) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(toy_e2e, .init = setup, .fini = teardown, .timeout = 120);

/* Runs `ganglion ARGS` with stdout and stderr in out; returns the exit code. */
static int ganglion(const char *args) {
    char cmd[2048], path[512];
    snprintf(cmd, sizeof cmd, "'%s' %s > '%s/out.txt' 2>&1", GN_TEST_BINARY, args, tmp);
    int rc = system(cmd);
    snprintf(path, sizeof path, "%s/out.txt", tmp);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(out, 1, sizeof out - 1, f) : 0;
    out[n] = '\0';
    if (f) fclose(f);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* Contents of tmp/rel (malloc'ed), NULL when missing. */
static char *slurp(const char *rel) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", tmp, rel);
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    cr_assert_not_null(buf);
    buf[fread(buf, 1, (size_t)n, f)] = '\0';
    fclose(f);
    return buf;
}

static void expect_files(const char *dir, const char *const *names) {
    for (int i = 0; names[i]; i++) {
        char rel[256];
        snprintf(rel, sizeof rel, "%s/%s", dir, names[i]);
        char *text = slurp(rel);
        cr_assert_not_null(text, "%s missing; output:\n%s", rel, out);
        cr_assert_gt(strlen(text), 20, "%s is nearly empty", rel);
        if (strstr(names[i], ".svg")) {
            cr_assert(!strncmp(text, "<svg", 4) && strstr(text, "</svg>"), "%s", rel);
            if (!strncmp(names[i], "plot", 4))
                cr_assert(strstr(text, "<circle"), "%s has optimizer paths", rel);
        }
        if (!strcmp(names[i], "summary.json"))
            cr_assert(strstr(text, "\"status\": \"completed\""), "%s", text);
        free(text);
    }
}

static double json_number(const char *json, const char *obj, const char *key) {
    const char *o = strstr(json, obj);
    cr_assert_not_null(o, "no %s in %s", obj, json);
    char k[64];
    snprintf(k, sizeof k, "\"%s\": ", key);
    const char *p = strstr(o, k);
    cr_assert_not_null(p, "no %s in %s", key, json);
    return strtod(p + strlen(k), NULL);
}

/* Every shipped toy config runs as is under --quick. */
Test(toy_e2e, every_toy_conf_runs_quick) {
    DIR *d = opendir(GN_TEST_SOURCE_DIR "/conf");
    cr_assert_not_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (strncmp(e->d_name, "toy-", 4) || len < 5 || strcmp(e->d_name + len - 4, ".ini"))
            continue;
        char args[1024];
        snprintf(args, sizeof args, "run '%s/conf/%s' --quick --out '%s/%.*s'", GN_TEST_SOURCE_DIR,
                 e->d_name, tmp, (int)(len - 4), e->d_name);
        cr_assert_eq(ganglion(args), 0, "%s:\n%s", e->d_name, out);
        n++;
    }
    closedir(d);
    cr_assert_geq(n, 4, "conf/toy-*.ini");
    expect_files("toy-adam-escape",
                 (const char *const[]){"summary.json", "bisection.csv", "trace_adam_escapes.csv",
                                       "trace_adam_trapped.csv", "plot_adam.svg", NULL});
    expect_files("toy-momentum-vs-adam",
                 (const char *const[]){"summary.json", "trace_momentum.csv", "trace_adam.csv",
                                       "plot.svg", "loss.svg", NULL});
    expect_files("toy-rosenbrock",
                 (const char *const[]){"summary.json", "trace_sgd.csv", "trace_momentum.csv",
                                       "trace_adam.csv", "plot.svg", "loss.svg", NULL});
    for (int k = 1; k <= 3; k++) { /* the sweep: relu, sigmoid, abs */
        char dir[64];
        snprintf(dir, sizeof dir, "toy-adam-start2/run-%03d", k);
        expect_files(dir, (const char *const[]){"summary.json", "trace_adam.csv", "plot.svg",
                                                "loss.svg", NULL});
    }
    /* quick budgets: 40 steps (header + 41 rows), coarse bisection */
    char *trace = slurp("toy-momentum-vs-adam/trace_adam.csv");
    int lines = 0;
    for (char *p = trace; *p; p++)
        lines += *p == '\n';
    cr_assert_eq(lines, 42, "%s", trace);
    cr_assert(!strncmp(trace, "step,x,loss,grad,m,v,m_hat,v_hat\n0,0,1,-1,0,0,0,0\n", 50), "%s",
              trace);
    free(trace);
    char *js = slurp("toy-adam-escape/summary.json");
    double lo = json_number(js, "\"adam\"", "escapes_at"),
           hi = json_number(js, "\"adam\"", "trapped_at");
    cr_assert(hi > lo && hi - lo <= 1e-3, "quick tolerance 1e-3: [%g, %g]", lo, hi);
    free(js);
}

/* The full budget of the Adam-escape exercise: the threshold it reports. */
Test(toy_e2e, adam_escape_threshold) {
    char args[1024];
    snprintf(args, sizeof args, "run '%s/conf/toy-adam-escape.ini' --out '%s/full'",
             GN_TEST_SOURCE_DIR, tmp);
    cr_assert_eq(ganglion(args), 0, "%s", out);
    cr_assert(strstr(out, "adam: escapes at h = "), "%s", out);
    char *js = slurp("full/summary.json");
    double t = json_number(js, "\"adam\"", "threshold");
    double lo = json_number(js, "\"adam\"", "escapes_at"),
           hi = json_number(js, "\"adam\"", "trapped_at");
    cr_assert(hi - lo <= 1e-4 && lo < hi, "[%g, %g]", lo, hi);
    cr_assert(t > 0.37 && t < 0.39, "threshold %g (0.3799 measured)", t);
    free(js);
    /* the trapped run ends near x = 1, the escaping one near x = 3 */
    char *trapped = slurp("full/trace_adam_trapped.csv"),
         *escapes = slurp("full/trace_adam_escapes.csv");
    const char *last_t = strrchr(trapped, '\n'), *last_e = strrchr(escapes, '\n');
    while (last_t > trapped && last_t[-1] != '\n')
        last_t--;
    while (last_e > escapes && last_e[-1] != '\n')
        last_e--;
    double xt = 0, xe = 0;
    cr_assert_eq(sscanf(last_t, "200,%lf,", &xt), 1, "%s", last_t);
    cr_assert_eq(sscanf(last_e, "200,%lf,", &xe), 1, "%s", last_e);
    cr_assert(xt > 0.5 && xt < 1.5 && xe > 2.5 && xe < 3.5, "trapped at %g, escaped to %g", xt, xe);
    free(trapped);
    free(escapes);
}

Test(toy_e2e, same_config_same_files) {
    char args[1024];
    static const char *const files[] = {"trace_sgd.csv", "trace_adam.csv", "plot.svg", "loss.svg"};
    for (int k = 0; k < 2; k++) {
        snprintf(args, sizeof args, "run '%s/conf/toy-rosenbrock.ini' --quick --out '%s/r%d'",
                 GN_TEST_SOURCE_DIR, tmp, k);
        cr_assert_eq(ganglion(args), 0, "%s", out);
    }
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char a[64], b[64];
        snprintf(a, sizeof a, "r0/%s", files[i]);
        snprintf(b, sizeof b, "r1/%s", files[i]);
        char *x = slurp(a), *y = slurp(b);
        cr_assert(x && y && !strcmp(x, y), "%s differs between identical runs", files[i]);
        free(x);
        free(y);
    }
}

/* Writes tmp/bad.ini: a valid optimize config with `line` in [train]. */
static void bad_ini(const char *line) {
    char path[512];
    snprintf(path, sizeof path, "%s/bad.ini", tmp);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f,
            "[experiment]\nplugins = toyproblems\ntrainer = optimize\n[train]\n"
            "function = piecewise\npoints = 0:1, 1:0, 2:1\nstart = 0\n%s\n"
            "[evaluate]\nmetrics =\n",
            line);
    fclose(f);
}

Test(toy_e2e, bad_values_exit_2_with_file_and_line) {
    static const char *const cases[][2] = {
        {"steps = 0", ":8: [train] steps: 0 is out of range"},
        {"optimizers = adam lion", ":8: [train] optimizers: 'lion' is not one of"},
        {"adam_lr = fast", ":8: [train] adam_lr: expected a finite number, got 'fast'"},
        {"start2 = 1", ":8: [train] start2: unknown key"},
        {"plot_x = 2 1", ":8: [train] plot_x: expected LO HI with LO < HI"},
        {"sgd_lr = 0.1", ":8: [train] sgd_lr: sgd is not in optimizers"},
        {"curvature = 2", ":8: [train] curvature: only function = quadratic reads it"},
    };
    char args[1024], want[600];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        bad_ini(cases[i][0]);
        snprintf(args, sizeof args, "run '%s/bad.ini' --out '%s/bad'", tmp, tmp);
        cr_assert_eq(ganglion(args), 2, "%s:\n%s", cases[i][0], out);
        snprintf(want, sizeof want, "ganglion: %s/bad.ini%s", tmp, cases[i][1]);
        cr_assert(strstr(out, want), "want '%s' in '%s'", want, out);
    }
    /* a bad points list: its own line */
    char path[512];
    snprintf(path, sizeof path, "%s/bad.ini", tmp);
    FILE *f = fopen(path, "w");
    fputs("[experiment]\nplugins = toyproblems\ntrainer = optimize\n[train]\n"
          "function = piecewise\npoints = 0:1, 1:0, 1:1\nstart = 0\n[evaluate]\nmetrics =\n",
          f);
    fclose(f);
    snprintf(args, sizeof args, "run '%s' --out '%s/bad'", path, tmp);
    cr_assert_eq(ganglion(args), 2, "%s", out);
    snprintf(want, sizeof want, "%s:6: [train] points: x must increase", path);
    cr_assert(strstr(out, want), "want '%s' in '%s'", want, out);
    /* threshold: a symbol that appears nowhere */
    snprintf(args, sizeof args,
             "run '%s/conf/toy-adam-escape.ini' --set train.search=q --out '%s/bad'",
             GN_TEST_SOURCE_DIR, tmp);
    cr_assert_eq(ganglion(args), 2, "%s", out);
    cr_assert(strstr(out, "[train] points: point 3 '1.5:h' is not X:Y with numbers or q"), "%s",
              out);
}
