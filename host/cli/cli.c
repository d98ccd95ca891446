#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ganglion/ganglion.h>
#include "cli/cli.h"
#include "loader/loader.h"
#include "run/run.h"

#define GN_MAX_SETS 64

int gn_cli_exit_code(gn_status st) {
    switch (st) {
    case GN_OK:
        return 0;
    case GN_ERR_CONFIG:
    case GN_ERR_INVALID:
        return 2;
    case GN_ERR_CANCELLED:
        return 130;
    default:
        return 1;
    }
}

static void usage(FILE *f) {
    fputs("usage: ganglion COMMAND [ARGS]\n"
          "\n"
          "commands:\n"
          "  run CONFIG.ini [--set SECTION.KEY=VALUE]... [--out DIR] [--quick]\n"
          "                     train and evaluate an experiment\n"
          "  check CONFIG.ini   validate an experiment without running it\n"
          "  summary CONFIG.ini print the model's layers, output shapes and parameters\n"
          "  plugins            list the plugins found and what they register\n"
          "  version            print the version and ABI\n"
          "  COMMAND ...        a command registered by a plugin (see 'ganglion plugins')\n"
          "\n"
          "common options: --plugin-path DIR[:DIR...], --help\n"
          "environment: GANGLION_PLUGIN_PATH, GANGLION_DATA_PATH, GANGLION_MANIFEST_PATH\n",
          f);
    /* Commands come from plugins: list what the search path offers. */
    gn_error err = {0};
    gn_registry *reg = gn_registry_new(&err);
    gn_loader *l = reg ? gn_loader_new(reg, NULL, &err) : NULL;
    if (l) {
        gn_loader_load_all(l, NULL, NULL);
        int n = gn_registry_count(reg, GN_KIND_COMMAND);
        if (n) fputs("\nplugin commands (ganglion COMMAND --help):\n", f);
        for (int i = 0; i < n; i++) {
            const char *plugin, *name;
            const gn_command_vtable *c = gn_registry_at(reg, GN_KIND_COMMAND, i, &plugin, &name);
            const char *doc = c->doc ? c->doc : ""; /* its first line is the summary */
            fprintf(f, "  %s\n      %.*s [plugin %s]\n", c->usage ? c->usage : name,
                    (int)strcspn(doc, "\n"), doc, plugin);
        }
    }
    gn_loader_free(l);
    gn_registry_free(reg);
}

static const char *const run_help =
    "usage: ganglion %s CONFIG.ini [--set SECTION.KEY=VALUE]... [--out DIR] [--quick]\n"
    "                  [--plugin-path DIR]\n"
    "\n"
    "  --set S.K=V     override key K of section [S] (repeatable; S may contain dots)\n"
    "  --out DIR       run folder (default runs/NAME-TIMESTAMP)\n"
    "  --quick         use the short budget the trainer defines (for tests)\n"
    "  --plugin-path D extra plugin folders, searched first\n"
    "\n"
    "exit status: 0 ok, 1 runtime failure, 2 usage or config error, 130 interrupted\n";

static void on_sigint(int sig) {
    (void)sig;
    gn_run_request_cancel();
}

static int fail(gn_status st, const gn_error *err) {
    fprintf(stderr, "ganglion: %s\n", err->msg[0] ? err->msg : gn_status_name(st));
    return gn_cli_exit_code(st);
}

static int cmd_experiment(int argc, char **argv, gn_run_mode mode) {
    const char *sets[GN_MAX_SETS];
    gn_run_opts o = {.mode = mode, .out = stdout, .sets = sets};
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            printf(run_help, argv[1]);
            return 0;
        } else if (!strcmp(a, "--quick")) {
            o.quick = 1;
        } else if ((!strcmp(a, "--set") || !strcmp(a, "--out") || !strcmp(a, "--plugin-path")) &&
                   i + 1 < argc) {
            const char *v = argv[++i];
            if (!strcmp(a, "--out"))
                o.out_dir = v;
            else if (!strcmp(a, "--plugin-path"))
                o.plugin_path = v;
            else if (o.n_sets < GN_MAX_SETS)
                sets[o.n_sets++] = v;
            else {
                fprintf(stderr, "ganglion: too many --set options (at most %d)\n", GN_MAX_SETS);
                return 2;
            }
        } else if (!strncmp(a, "--set=", 6) && o.n_sets < GN_MAX_SETS) {
            sets[o.n_sets++] = a + 6;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "ganglion: %s: unknown or incomplete option '%s' (see --help)\n",
                    argv[1], a);
            return 2;
        } else if (!o.config) {
            o.config = a;
        } else {
            fprintf(stderr, "ganglion: %s: unexpected argument '%s'\n", argv[1], a);
            return 2;
        }
    }
    if (!o.config) {
        fprintf(stderr, "ganglion: %s: missing CONFIG.ini (see ganglion %s --help)\n", argv[1],
                argv[1]);
        return 2;
    }
    if (mode == GN_RUN_TRAIN) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_sigint;
        sigaction(SIGINT, &sa, NULL);
    }
    gn_error err = {0};
    gn_status st = gn_run_experiment(&o, &err);
    if (st == GN_ERR_CANCELLED) {
        fprintf(stderr, "ganglion: interrupted: %s\n", err.msg);
        return 130;
    }
    return st ? fail(st, &err) : 0;
}

static const char *plugin_path_arg(int argc, char **argv) {
    for (int i = 2; i + 1 < argc; i++)
        if (!strcmp(argv[i], "--plugin-path")) return argv[i + 1];
    return NULL;
}

static void print_refusal(const gn_error *e, void *ud) {
    (void)ud;
    fprintf(stderr, "ganglion: %s\n", e->msg);
}

/* "NAME VERSION  description [license] (where)", then what it registers. */
static void print_plugin(const gn_registry *reg, const char *name, const char *version,
                         const char *desc, const char *license, const char *where) {
    printf("%s %s  %s [%s] (%s)\n", name, version, desc ? desc : "", license ? license : "?",
           where);
    for (int k = 0; k < GN_KIND_COUNT; k++) {
        int shown = 0;
        for (int i = 0; i < gn_registry_count(reg, (gn_kind)k); i++) {
            const char *plugin, *item;
            gn_registry_at(reg, (gn_kind)k, i, &plugin, &item);
            if (strcmp(plugin, name)) continue;
            if (!shown++) printf("    %ss:", gn_kind_name((gn_kind)k));
            printf(" %s", item);
        }
        if (shown) printf("\n");
    }
}

static int cmd_plugins(int argc, char **argv) {
    for (int i = 2; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            puts("usage: ganglion plugins [--plugin-path DIR]\n\n"
                 "Lists every plugin in the search path: name, version, description, then what\n"
                 "it registers. Plugins that cannot be loaded are reported on stderr.");
            return 0;
        }
    gn_error err = {0};
    gn_registry *reg = gn_registry_new(&err);
    gn_loader *l = reg ? gn_loader_new(reg, plugin_path_arg(argc, argv), &err) : NULL;
    if (!l) {
        gn_registry_free(reg);
        return fail(err.status, &err);
    }
    int refused = gn_loader_load_all(l, print_refusal, NULL);
    print_plugin(reg, "core", GN_VERSION, "built-in ops and layers of libganglion", "MIT",
                 "libganglion");
    for (int i = 0; i < gn_loader_count(l); i++) {
        const gn_plugin_desc *d = gn_loader_desc(l, i);
        print_plugin(reg, d->name, d->version, d->description, d->license, gn_loader_path(l, i));
    }
    gn_loader_free(l);
    gn_registry_free(reg);
    return refused ? 1 : 0;
}

/* A command some plugin registers: load every plugin, then dispatch. */
static int cmd_plugin_command(int argc, char **argv) {
    gn_error err = {0};
    gn_registry *reg = gn_registry_new(&err);
    gn_loader *l = reg ? gn_loader_new(reg, NULL, &err) : NULL;
    if (!l) {
        gn_registry_free(reg);
        return fail(err.status, &err);
    }
    gn_loader_load_all(l, NULL, NULL);
    const gn_command_vtable *c = gn_registry_find(reg, GN_KIND_COMMAND, argv[1], &err);
    int rc;
    if (!c) {
        fprintf(stderr, "ganglion: unknown command '%s' (see ganglion --help)\n", argv[1]);
        rc = 2;
    } else if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
        printf("usage: ganglion %s\n\n%s\n", c->usage, c->doc ? c->doc : "");
        rc = 0;
    } else {
        gn_status st = c->run(argc - 1, argv + 1, stdout, &err);
        rc = st ? fail(st, &err) : 0;
    }
    gn_loader_free(l);
    gn_registry_free(reg);
    return rc;
}

int gn_cli_main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("ganglion %s (ABI %d.%d, %s)\n", GN_VERSION, GN_ABI_MAJOR, GN_ABI_MINOR,
               GN_BUILD_SIGNATURE);
        return 0;
    }
    if (!strcmp(cmd, "run")) return cmd_experiment(argc, argv, GN_RUN_TRAIN);
    if (!strcmp(cmd, "check")) return cmd_experiment(argc, argv, GN_RUN_CHECK);
    if (!strcmp(cmd, "summary")) return cmd_experiment(argc, argv, GN_RUN_SUMMARY);
    if (!strcmp(cmd, "plugins")) return cmd_plugins(argc, argv);
    if (cmd[0] == '-') {
        fprintf(stderr, "ganglion: unknown option '%s'\n", cmd);
        usage(stderr);
        return 2;
    }
    return cmd_plugin_command(argc, argv);
}
