/* One experiment, from INI file to run folder. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <ganglion/gemm.h>
#include "config/model_build.h"
#include "report/curves.h"
#include "run/sweep.h"
#include "run/run_impl.h"

/* Sections the host knows; plugins' items bring [train] and [evaluator.*]. */
static int known_section(const char *name) {
    static const char *const exact[] = {"experiment", "data",     "model",
                                        "train",      "evaluate", "sweep"};
    static const char *const prefix[] = {"model.", "layer.", "evaluator."};
    for (size_t i = 0; i < sizeof exact / sizeof *exact; i++)
        if (!strcmp(name, exact[i])) return 1;
    for (size_t i = 0; i < sizeof prefix / sizeof *prefix; i++)
        if (!strncmp(name, prefix[i], strlen(prefix[i]))) return 1;
    return 0;
}

/* The section, created empty when the file lacks it (so defaults apply). */
static gn_section *section_or_empty(gn_run *run, const char *name, gn_error *err) {
    gn_section *s = gn_ini_find(run->ini, name);
    if (s) return s;
    if (gn_ini_add_section(run->ini, name, err)) return NULL;
    return gn_ini_find(run->ini, name);
}

/* Splits a space- or comma-separated list into words (in place). */
static int split_words(char *s, char **words, int max) {
    int n = 0;
    for (char *tok = strtok(s, " ,\t"); tok && n < max; tok = strtok(NULL, " ,\t"))
        words[n++] = tok;
    return n;
}

static gn_status config_error_at(gn_run *run, const char *section, const char *key, gn_error *err) {
    int line = gn_section_line(gn_ini_find(run->ini, section), key);
    if (line > 0)
        return gn_error_prefix(err, "%s:%d: [%s] %s", run->opts->config, line, section, key);
    return gn_error_prefix(err, "%s: [%s] %s", run->opts->config, section, key);
}

static gn_status validate_host_sections(gn_run *run, gn_error *err) {
    for (int i = 0; i < gn_ini_count(run->ini); i++) {
        const char *name = gn_section_name(gn_ini_at(run->ini, i));
        if (!known_section(name))
            return gn_error_set(err, GN_ERR_CONFIG,
                                "%s:%d: unknown section [%s] (known: experiment, data, model, "
                                "model.NAME, layer.NAME, train, evaluate, evaluator.NAME)",
                                run->opts->config, gn_ini_section_line(run->ini, name), name);
    }
    gn_section *exp = gn_ini_find(run->ini, "experiment");
    if (!exp)
        return gn_error_set(err, GN_ERR_CONFIG, "%s: missing section [experiment]",
                            run->opts->config);
    gn_status st = gn_section_validate(exp, gn_schema_experiment, NULL, err);
    if (st) return st;
    /* [data] is optional: toy problems and calculators train on no dataset. */
    gn_section *data = gn_ini_find(run->ini, "data");
    if (data && (st = gn_section_validate(data, gn_schema_data, NULL, err))) return st;
    gn_section *ev = section_or_empty(run, "evaluate", err);
    if (!ev) return GN_ERR_NOMEM;
    return gn_section_validate(ev, gn_schema_evaluate, NULL, err);
}

static gn_status load_plugins(gn_run *run, gn_error *err) {
    run->reg = gn_registry_new(err);
    if (!run->reg) return err->status;
    run->loader = gn_loader_new(run->reg, run->opts->plugin_path, err);
    if (!run->loader) return err->status;
    char list[1024], *words[32];
    snprintf(list, sizeof list, "%s",
             gn_section_str(gn_ini_find(run->ini, "experiment"), "plugins"));
    int n = split_words(list, words, 32);
    for (int i = 0; i < n; i++) {
        gn_status st = gn_loader_load(run->loader, words[i], err);
        if (st) return st == GN_ERR_NOT_FOUND ? GN_ERR_CONFIG : st;
    }
    return GN_OK;
}

static gn_status resolve_items(gn_run *run, gn_error *err) {
    const gn_section *exp = gn_ini_find(run->ini, "experiment");
    const char *tname = gn_section_str(exp, "trainer");
    run->trainer = gn_registry_find(run->reg, GN_KIND_TRAINER, tname, err);
    if (!run->trainer) {
        err->status = GN_ERR_CONFIG;
        return config_error_at(run, "experiment", "trainer", err);
    }
    run->train_params = section_or_empty(run, "train", err);
    if (!run->train_params) return GN_ERR_NOMEM;
    gn_status st = gn_section_validate(run->train_params, run->trainer->schema, NULL, err);
    if (st) return st;

    char list[1024], *words[GN_RUN_MAX_EVALUATORS];
    snprintf(list, sizeof list, "%s", gn_section_str(gn_ini_find(run->ini, "evaluate"), "metrics"));
    int n = split_words(list, words, GN_RUN_MAX_EVALUATORS);
    for (int i = 0; i < n; i++) {
        const gn_evaluator_vtable *vt =
            gn_registry_find(run->reg, GN_KIND_EVALUATOR, words[i], err);
        if (!vt) {
            err->status = GN_ERR_CONFIG;
            return config_error_at(run, "evaluate", "metrics", err);
        }
        char sname[128];
        snprintf(sname, sizeof sname, "evaluator.%s", vt->name);
        const gn_section *given = gn_ini_find(run->ini, sname);
        gn_section *p =
            given ? gn_section_clone(given, err) : gn_section_new(sname, run->opts->config);
        if (!p) return GN_ERR_NOMEM;
        run->evals[run->n_evals].vt = vt;
        run->evals[run->n_evals++].params = p;
        if ((st = gn_section_validate(p, vt->schema, NULL, err))) return st;
    }
    return GN_OK;
}

/* The loader's remarks (unverified files, skipped members) go to the log. */
static void log_notes(gn_run *run, const gn_dataset *ds) {
    if (!ds->notes) return;
    char *copy = strdup(ds->notes), *save = NULL;
    for (char *l = copy ? strtok_r(copy, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save))
        gn_host_services.log(run, GN_LOG_INFO, l);
    free(copy);
}

static gn_status load_data(gn_run *run, gn_error *err) {
    const gn_section *data = gn_ini_find(run->ini, "data");
    if (!data) return GN_OK;
    const char *name = gn_section_str(data, "dataset");
    gn_status st = gn_dataset_load(name, "test", &run->test_set, err);
    if (st) return st;
    log_notes(run, run->test_set);
    if ((st = gn_data_view_new(run->test_set, 0, run->test_set->n, "test", &run->test, err)))
        return st;
    if (run->opts->mode != GN_RUN_TRAIN) return GN_OK;
    if ((st = gn_dataset_load(name, "train", &run->train_set, err))) return st;
    log_notes(run, run->train_set);
    int64_t n = run->train_set->n;
    int64_t n_val = (int64_t)floor(gn_section_float(data, "validation_split") * (double)n);
    int64_t folds = gn_section_int(data, "folds"), fold = gn_section_int(data, "fold");
    if (folds > 0) { /* fold k of K validates, the rest trains */
        if (folds < 2 || fold > folds || folds > n)
            return gn_error_set(err, GN_ERR_CONFIG,
                                "%s: [data] folds = %lld, fold = %lld: need 2 <= folds <= %lld "
                                "samples and 1 <= fold <= folds",
                                run->opts->config, (long long)folds, (long long)fold, (long long)n);
        int64_t a = (fold - 1) * n / folds, b = fold * n / folds;
        if ((st = gn_data_view_new_excluding(run->train_set, n, a, b - a, "train", &run->train,
                                             err)) ||
            (st = gn_data_view_new(run->train_set, a, b - a, "val", &run->val, err)))
            return st;
        n_val = b - a;
    } else {
        if ((st = gn_data_view_new(run->train_set, 0, n - n_val, "train", &run->train, err)))
            return st;
        if (n_val > 0 &&
            (st = gn_data_view_new(run->train_set, n - n_val, n_val, "val", &run->val, err)))
            return st;
    }

    /* Normalisation is one affine map, x = value * scale + shift. */
    const char *norm = gn_section_str(data, "normalize");
    int pixels = run->train_set->pixels != NULL; /* tables hold floats already */
    float scale = pixels ? 1.0f / 255.0f : 1.0f, shift = 0.0f;
    if (!strcmp(norm, "none")) {
        scale = 1.0f;
    } else if (!strcmp(norm, "symmetric")) {
        scale = pixels ? 2.0f / 255.0f : 1.0f;
        shift = pixels ? -1.0f : 0.0f;
    } else if (!strcmp(norm, "standard")) {
        /* Statistics of the training part only, as a user would compute them. */
        double mean, sd;
        /* (with folds: over the whole training set, a small leak kept for simplicity) */
        gn_dataset_moments(run->train_set, 0, folds > 0 ? n : n - n_val, &mean, &sd);
        if (!(sd > 1e-12)) sd = 1;
        scale = (float)(1.0 / sd);
        shift = (float)(-mean / sd);
    }
    gn_data *views[] = {run->train, run->val, run->test};
    for (int i = 0; i < 3; i++)
        if (views[i]) gn_data_view_set_norm(views[i], scale, shift);
    return GN_OK;
}

static int mkdir_p(const char *path) {
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0755) != 0 && errno != EEXIST) return -1;
            *p = '/';
        }
    return mkdir(tmp, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

static gn_status make_run_dir(gn_run *run, gn_error *err) {
    if (run->opts->out_dir) {
        snprintf(run->dir, sizeof run->dir, "%s", run->opts->out_dir);
    } else {
        char stamp[32];
        time_t t = time(NULL);
        struct tm tm;
        localtime_r(&t, &tm);
        strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
        snprintf(run->dir, sizeof run->dir, "runs/%s-%s", run->name, stamp);
        struct stat st;
        for (int k = 2; stat(run->dir, &st) == 0 && k < 1000; k++)
            snprintf(run->dir, sizeof run->dir, "runs/%s-%s-%d", run->name, stamp, k);
    }
    if (mkdir_p(run->dir) != 0) {
        int e = errno;
        gn_status st =
            gn_error_set(err, GN_ERR_IO, "%s: cannot create run folder: %s", run->dir, strerror(e));
        run->dir[0] = '\0';
        return st;
    }
    return GN_OK;
}

static gn_status write_resolved_config(gn_run *run, gn_error *err) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return gn_error_set(err, GN_ERR_NOMEM, "out of memory");
    gn_status st = gn_ini_write(run->ini, f, err);
    fclose(f);
    char path[4200];
    snprintf(path, sizeof path, "%s/config.ini", run->dir);
    if (!st) st = gn_write_atomic(path, buf, len, err);
    free(buf);
    return st;
}

gn_status gn_run_write_reports(gn_run *run, const char *status, gn_error *err) {
    if (!run->dir[0]) return GN_OK;
    char path[4200];
    snprintf(path, sizeof path, "%s/metrics.csv", run->dir);
    gn_status st = gn_results_write_csv(run->results, path, err);
    snprintf(path, sizeof path, "%s/summary.json", run->dir);
    if (!st)
        st = gn_results_write_summary(run->results, path, run->name, run->params,
                                      gn_now() - run->t0, status, err);
    if (!st) { /* the learning curves, redrawn as the epochs come in */
        const gn_results *runs[1] = {run->results};
        static const char *const metrics[] = {"loss", "accuracy", "mae"};
        char *svg = NULL;
        size_t len = 0;
        gn_error cerr = {0};
        gn_status cs = gn_curves_svg(runs, NULL, 1, metrics, 3, &svg, &len, &cerr);
        snprintf(path, sizeof path, "%s/learning_curves.svg", run->dir);
        if (!cs)
            st = gn_write_atomic(path, svg, len, err);
        else if (cs != GN_ERR_NOT_FOUND)
            st = gn_error_set(err, cs, "%s", cerr.msg);
        free(svg);
    }
    snprintf(path, sizeof path, "%s/log.txt", run->dir);
    if (!st && !run->log.failed)
        st = gn_write_atomic(path, run->log.data ? run->log.data : "", run->log.len, err);
    return st;
}

static gn_run_ctx run_ctx(gn_run *run) {
    return (gn_run_ctx){
        .struct_size = sizeof(gn_run_ctx),
        .host = &gn_host_services,
        .run = run,
        .params = run->train_params,
        .rng = &run->rng,
        .registry = run->reg,
        .quick = run->opts->quick,
        .threads = gn_get_threads(),
    };
}

static gn_status check_or_summarise(gn_run *run, gn_error *err) {
    if (!run->test) { /* no dataset: nothing gives the model its input shape */
        if (run->opts->mode == GN_RUN_SUMMARY)
            return gn_error_set(err, GN_ERR_CONFIG,
                                "%s: summary needs a [data] section (it gives the input shape)",
                                run->opts->config);
        fprintf(run->opts->out, "%s: ok (trainer %s, no dataset)\n", run->opts->config,
                run->trainer->name);
        return GN_OK;
    }
    if (run->trainer->check) { /* several models: the trainer knows their input shapes */
        gn_run_ctx ctx = run_ctx(run);
        gn_status st = run->trainer->check(&ctx, err);
        if (st) return st;
        if (run->opts->mode == GN_RUN_CHECK)
            fprintf(run->opts->out,
                    "%s: ok (trainer %s, models of %lld parameters, %d evaluators)\n",
                    run->opts->config, run->trainer->name, (long long)run->params, run->n_evals);
        return GN_OK;
    }
    gn_data_info info;
    gn_data_view_info(run->test, &info);
    gn_model *m = NULL;
    gn_status st = gn_host_services.model_build(run, "model", &info, &m, err);
    if (st) return st;
    if (run->opts->mode == GN_RUN_SUMMARY)
        gn_run_print_summary(m, run->opts->out);
    else
        fprintf(run->opts->out, "%s: ok (trainer %s, model of %lld parameters, %d evaluators)\n",
                run->opts->config, run->trainer->name, (long long)gn_model_n_params(m),
                run->n_evals);
    gn_model_free(m);
    return GN_OK;
}

static void run_name(gn_run *run) {
    const char *n = gn_section_str(gn_ini_find(run->ini, "experiment"), "name");
    if (n && *n) {
        snprintf(run->name, sizeof run->name, "%s", n);
    } else {
        const char *base = strrchr(run->opts->config, '/');
        snprintf(run->name, sizeof run->name, "%s", base ? base + 1 : run->opts->config);
        char *dot = strrchr(run->name, '.');
        if (dot && dot != run->name) *dot = '\0';
    }
    for (char *p = run->name; *p; p++) /* the name becomes a folder name */
        if (*p == '/' || *p == ' ') *p = '_';
}

static gn_status run_phases(gn_run *run, gn_error *err) {
    const gn_run_opts *o = run->opts;
    gn_status st = gn_ini_load(o->config, &run->ini, err);
    if (st) return GN_ERR_CONFIG;
    for (int i = 0; i < o->n_sets; i++)
        if (gn_ini_override(run->ini, o->sets[i], err)) return GN_ERR_CONFIG;
    if (!o->in_sweep && gn_ini_find(run->ini, "sweep")) {
        run->is_sweep = 1;
        return gn_sweep_run(o, run->ini, err);
    }
    if ((st = validate_host_sections(run, err))) return st;
    const gn_section *exp = gn_ini_find(run->ini, "experiment");
    gn_rng_seed(&run->rng, (uint64_t)gn_section_int(exp, "seed"));
    gn_set_threads((int)gn_section_int(exp, "threads"));
    run_name(run);
    if ((st = load_plugins(run, err)) || (st = resolve_items(run, err))) return st;
    if ((st = load_data(run, err))) return st;
    if (o->mode != GN_RUN_TRAIN) return check_or_summarise(run, err);

    if ((st = make_run_dir(run, err)) || (st = write_resolved_config(run, err))) return st;
    gn_buf_printf(&run->log, "[%8.2f] info: run %s, config %s, trainer %s, seed %lld%s\n",
                  gn_now() - run->t0, run->name, o->config, run->trainer->name,
                  (long long)gn_section_int(exp, "seed"), o->quick ? ", quick" : "");
    gn_run_ctx ctx = run_ctx(run);
    st = run->trainer->run(&ctx, err);
    gn_error werr = {0};
    const char *status = st == GN_OK              ? "completed"
                         : st == GN_ERR_CANCELLED ? "cancelled"
                                                  : "failed";
    if (st) gn_buf_printf(&run->log, "[%8.2f] error: %s\n", gn_now() - run->t0, err->msg);
    if (gn_run_write_reports(run, status, &werr) && !st) {
        *err = werr;
        st = werr.status;
    }
    if ((!st || st == GN_ERR_CANCELLED) && !o->in_sweep)
        fprintf(o->out, "run folder: %s\n", run->dir);
    return st;
}

gn_status gn_run_experiment(const gn_run_opts *opts, gn_error *err) {
    return gn_run_experiment_report(opts, NULL, err);
}

gn_status gn_run_experiment_report(const gn_run_opts *opts, gn_run_report *report, gn_error *err) {
    gn_run run;
    memset(&run, 0, sizeof run);
    run.opts = opts;
    run.t0 = gn_now();
    run.results = gn_results_new();
    gn_progress_init(&run.progress, opts->out);
    gn_status st =
        run.results ? run_phases(&run, err) : gn_error_set(err, GN_ERR_NOMEM, "out of memory");
    if (report) {
        report->params = run.params;
        report->wall_seconds = gn_now() - run.t0;
        report->results = run.results; /* handed over */
        run.results = NULL;
        snprintf(report->status, sizeof report->status, "%s",
                 st == GN_OK              ? "completed"
                 : st == GN_ERR_CANCELLED ? "cancelled"
                                          : "failed");
    }
    for (int i = 0; i < run.n_evals; i++)
        gn_section_free(run.evals[i].params);
    gn_data_view_free(run.train);
    gn_data_view_free(run.val);
    gn_data_view_free(run.test);
    gn_dataset_free(run.train_set);
    gn_dataset_free(run.test_set);
    gn_loader_free(run.loader);
    gn_registry_free(run.reg);
    gn_ini_free(run.ini);
    gn_results_free(run.results);
    gn_buf_free(&run.log);
    return st;
}
