/* Experiment files: INI parsing, sequential specs and model building. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "config/ini.h"
#include "config/model_build.h"
#include "config/spec.h"

static char tmpdir[256];

static void make_tmpdir(void) {
    snprintf(tmpdir, sizeof tmpdir, "%s/gn_test_config_XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : P_tmpdir);
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void remove_tmpdir(void) {
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    cr_expect_eq(system(cmd), 0);
}

/* Writes len bytes of text to tmpdir/name; returns the path (static). */
static const char *write_bytes(const char *name, const char *text, size_t len) {
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(text, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
    return path;
}

static const char *write_file(const char *name, const char *text) {
    return write_bytes(name, text, strlen(text));
}

/* Loads text as tmpdir/f.ini and expects success. */
static gn_ini *load_ok(const char *text) {
    gn_ini *ini = NULL;
    gn_error err = {0};
    gn_status st = gn_ini_load(write_file("f.ini", text), &ini, &err);
    cr_assert_eq(st, GN_OK, "load failed: %s", err.msg);
    cr_assert_not_null(ini);
    return ini;
}

/* Loads text and expects an error whose message contains "f.ini:LINE:" and
 * `what`. */
static void load_fails(const char *text, int line, const char *what) {
    gn_ini *ini = (gn_ini *)1;
    gn_error err = {0};
    gn_status st = gn_ini_load(write_file("f.ini", text), &ini, &err);
    cr_assert_neq(st, GN_OK, "expected an error for:\n%s", text);
    cr_assert_null(ini);
    char where[64];
    snprintf(where, sizeof where, "f.ini:%d: ", line);
    cr_assert_not_null(strstr(err.msg, where), "'%s' lacks '%s'", err.msg, where);
    cr_assert_not_null(strstr(err.msg, what), "'%s' lacks '%s'", err.msg, what);
}

static const char quickstart[] = "[experiment]\n"
                                 "name = quickstart\n"
                                 "plugins = classifiers\n"
                                 "seed = 42\n"
                                 "threads = 0\n"
                                 "trainer = supervised\n"
                                 "[data]\n"
                                 "dataset = fashion-mnist\n"
                                 "validation_split = 0.1\n"
                                 "[model]\n"
                                 "layers = flatten dense(200) relu dense(10)\n"
                                 "[train]\n"
                                 "epochs = 10\n"
                                 "batch_size = 128\n"
                                 "optimizer = adam\n"
                                 "lr = 0.001\n"
                                 "[evaluate]\n"
                                 "metrics = accuracy loss confusion_matrix\n";

/* ---------------- config_ini ---------------- */

TestSuite(config_ini, .init = make_tmpdir, .fini = remove_tmpdir);

Test(config_ini, parses_sections_keys_and_lines) {
    gn_ini *ini = load_ok(quickstart);
    cr_assert_eq(gn_ini_count(ini), 5);
    const char *order[] = {"experiment", "data", "model", "train", "evaluate"};
    for (int i = 0; i < 5; i++)
        cr_expect_str_eq(gn_section_name(gn_ini_at(ini, i)), order[i]);
    cr_expect_null(gn_ini_at(ini, 5));
    gn_section *train = gn_ini_find(ini, "train");
    cr_assert_not_null(train);
    cr_expect_str_eq(gn_section_str(train, "lr"), "0.001");
    cr_expect_eq(gn_section_line(train, "lr"), 16);
    cr_expect_eq(gn_section_line(train, "epochs"), 13);
    cr_expect_eq(gn_ini_section_line(ini, "train"), 12);
    cr_expect_eq(gn_ini_section_line(ini, "nope"), -1);
    cr_expect_null(gn_ini_find(ini, "nope"));
    cr_expect_str_eq(gn_section_str(gn_ini_find(ini, "model"), "layers"),
                     "flatten dense(200) relu dense(10)");
    cr_expect_str_eq(gn_section_str(gn_ini_find(ini, "evaluate"), "metrics"),
                     "accuracy loss confusion_matrix");
    cr_expect_str_eq(gn_section_file(train), gn_ini_file(ini));
    cr_expect_not_null(strstr(gn_ini_file(ini), "f.ini"));
    gn_ini_free(ini);
}

Test(config_ini, empty_file_and_empty_sections) {
    gn_ini *ini = load_ok("");
    cr_expect_eq(gn_ini_count(ini), 0);
    gn_ini_free(ini);
    ini = load_ok("; only a comment\n\n[a]\n[b]\n");
    cr_expect_eq(gn_ini_count(ini), 2);
    cr_expect_eq(gn_section_count(gn_ini_find(ini, "a")), 0);
    cr_expect_eq(gn_ini_section_line(ini, "b"), 4);
    gn_ini_free(ini);
}

Test(config_ini, comments_colon_and_whitespace) {
    gn_ini *ini = load_ok("; semicolon comment\n"
                          "# hash comment\n"
                          "[ train ]   ; trailing comment\n"
                          "  ; indented comment\n"
                          "lr=0.1 ; inline comment\n"
                          "epochs : 3\n"
                          "name = a;b\n"
                          "empty =\n"
                          "hash = x # not a comment\n");
    gn_section *s = gn_ini_find(ini, "train");
    cr_assert_not_null(s);
    cr_expect_str_eq(gn_section_str(s, "lr"), "0.1");
    cr_expect_eq(gn_section_line(s, "lr"), 5);
    cr_expect_str_eq(gn_section_str(s, "epochs"), "3");
    cr_expect_str_eq(gn_section_str(s, "name"), "a;b");
    cr_expect_str_eq(gn_section_str(s, "empty"), "");
    cr_expect_str_eq(gn_section_str(s, "hash"), "x # not a comment");
    gn_ini_free(ini);
}

Test(config_ini, crlf_and_bom) {
    gn_ini *ini = load_ok("\xEF\xBB\xBF[a]\r\nk = v\r\n\r\nj = w\r\n");
    gn_section *s = gn_ini_find(ini, "a");
    cr_assert_not_null(s);
    cr_expect_str_eq(gn_section_str(s, "k"), "v");
    cr_expect_eq(gn_section_line(s, "j"), 4);
    gn_ini_free(ini);
}

Test(config_ini, continuation_lines_join_with_a_space) {
    gn_ini *ini = load_ok("[model]\n"
                          "layers = flatten\n"
                          "    dense(200) relu ; first block\n"
                          "\n"
                          "    dense(10)\n"
                          "[train]\n"
                          "lr = 1\n");
    gn_section *m = gn_ini_find(ini, "model");
    cr_expect_str_eq(gn_section_str(m, "layers"), "flatten dense(200) relu dense(10)");
    cr_expect_eq(gn_section_line(m, "layers"), 2);
    cr_expect_str_eq(gn_section_str(gn_ini_find(ini, "train"), "lr"), "1");
    gn_ini_free(ini);
}

Test(config_ini, duplicate_key) {
    load_fails("[train]\nepochs = 3\nlr = 0.1\nlr = 0.2\n", 4,
               "[train] duplicate key 'lr' (first at line 3)");
}

Test(config_ini, key_outside_section) {
    load_fails("name = x\n[a]\n", 1, "key 'name' outside any section");
    load_fails("\n\n  name = x\n", 3, "outside any section");
}

Test(config_ini, duplicate_section_names_both_lines) {
    load_fails("[train]\nlr = 1\n[data]\n\n[train]\nepochs = 2\n", 5,
               "duplicate section [train] (first at line 1)");
}

Test(config_ini, syntax_errors) {
    load_fails("[a]\n[b\nk = v\n", 2, "missing ']'");
    load_fails("[a]\nk = v\nnoequals\n", 3, "expected 'key = value'");
    load_fails("[a]\n= v\n", 2, "missing key before '='");
    load_fails("[a]\nbad key = v\n", 2, "key 'bad key'");
    load_fails("[a]\nk.x = v\n", 2, "key 'k.x'");
    load_fails("[a]\n[layer fc1]\n", 2, "section name 'layer fc1'");
    load_fails("[a]\n[]\n", 2, "section name '' is empty");
    load_fails("[a] junk\n", 1, "unexpected text 'junk'");
}

Test(config_ini, long_lines) {
    /* 300 and 4000 bytes: longer than inih's own buffer, within ours. */
    size_t sizes[] = {300, 4000};
    for (int t = 0; t < 2; t++) {
        size_t n = sizes[t];
        char *value = malloc(n + 1);
        for (size_t i = 0; i < n; i++)
            value[i] = (char)('a' + i % 26);
        value[n - 20] = ' ';
        value[n] = '\0';
        char *text = malloc(2 * n + 200);
        snprintf(text, 2 * n + 200,
                 "[a]\nlong = %s ; comment\nnext = 1\n  %.100s\n[b]\nk = v\nk = w\n", value, value);
        gn_ini *ini = NULL;
        gn_error err = {0};
        /* The duplicate on line 7 proves line numbers survive long lines. */
        cr_expect_neq(gn_ini_load(write_file("f.ini", text), &ini, &err), GN_OK);
        cr_expect_not_null(strstr(err.msg, "f.ini:7: [b] duplicate key 'k' (first at line 6)"),
                           "%s", err.msg);
        char *end = strstr(text, "k = w\n");
        *end = '\0';
        ini = load_ok(text);
        gn_section *a = gn_ini_find(ini, "a");
        cr_assert_not_null(a);
        cr_expect_str_eq(gn_section_str(a, "long"), value);
        cr_expect_eq(gn_section_line(a, "next"), 3);
        char joined[200];
        snprintf(joined, sizeof joined, "1 %.100s", value);
        cr_expect_str_eq(gn_section_str(a, "next"), joined);
        gn_ini_free(ini);
        free(text);
        free(value);
    }
    /* A long continuation line takes the same path. */
    char *text = malloc(5000);
    int k = snprintf(text, 5000, "[a]\nk = x\n   ");
    memset(text + k, 'y', 1000);
    strcpy(text + k + 1000, "  ; c\n");
    gn_ini *ini = load_ok(text);
    const char *v = gn_section_str(gn_ini_find(ini, "a"), "k");
    cr_expect_eq(strlen(v), 1002);
    cr_expect_eq(strncmp(v, "x yyy", 5), 0);
    gn_ini_free(ini);
    free(text);
}

Test(config_ini, line_longer_than_4096_bytes) {
    char *text = malloc(6000);
    int k = snprintf(text, 6000, "[a]\nok = 1\nk = ");
    memset(text + k, 'z', 5000);
    strcpy(text + k + 5000, "\nj = 2\n");
    load_fails(text, 3, "line longer than 4096 bytes");
    free(text);
    /* Exactly 4096 bytes (plus CR LF) is fine. */
    text = malloc(6000);
    k = snprintf(text, 6000, "[a]\nk = ");
    memset(text + k, 'z', 4096 - 4);
    strcpy(text + 4 + 4096, "\r\n");
    gn_ini *ini = load_ok(text);
    cr_expect_eq(strlen(gn_section_str(gn_ini_find(ini, "a"), "k")), 4092);
    gn_ini_free(ini);
    free(text);
}

Test(config_ini, ten_megabyte_single_line_is_refused) {
    size_t n = 10u * 1024 * 1024;
    char *text = malloc(n);
    cr_assert_not_null(text);
    memcpy(text, "[a]\nk = ", 8);
    memset(text + 8, 'q', n - 8);
    gn_ini *ini = (gn_ini *)1;
    gn_error err = {0};
    cr_expect_neq(gn_ini_load(write_bytes("big.ini", text, n), &ini, &err), GN_OK);
    cr_expect_null(ini);
    cr_expect_not_null(strstr(err.msg, "big.ini: file larger than 1 MiB"), "%s", err.msg);
    free(text);
}

Test(config_ini, nul_byte) {
    gn_ini *ini = (gn_ini *)1;
    gn_error err = {0};
    const char text[] = "[a]\nk = v\0w\n";
    cr_expect_neq(gn_ini_load(write_bytes("f.ini", text, sizeof text - 1), &ini, &err), GN_OK);
    cr_expect_not_null(strstr(err.msg, "f.ini:2: NUL byte"), "%s", err.msg);
}

Test(config_ini, missing_file_and_directory) {
    gn_ini *ini = (gn_ini *)1;
    gn_error err = {0};
    char path[512];
    snprintf(path, sizeof path, "%s/absent.ini", tmpdir);
    cr_expect_eq(gn_ini_load(path, &ini, &err), GN_ERR_IO);
    cr_expect_null(ini);
    char want[600];
    snprintf(want, sizeof want, "%s: cannot open: No such file or directory", path);
    cr_expect_str_eq(err.msg, want);
    cr_expect_eq(gn_ini_load(tmpdir, &ini, &err), GN_ERR_IO);
    cr_expect_not_null(strstr(err.msg, "cannot open: Is a directory"), "%s", err.msg);
}

Test(config_ini, overrides_with_dotted_sections) {
    gn_ini *ini = load_ok("[train]\nlr = 0.1\n[layer.fc1]\ntype = dense\nunits = 10\n");
    gn_error err = {0};
    cr_assert_eq(gn_ini_override(ini, "train.lr=0.5", &err), GN_OK, "%s", err.msg);
    cr_expect_str_eq(gn_section_str(gn_ini_find(ini, "train"), "lr"), "0.5");
    cr_expect_eq(gn_section_line(gn_ini_find(ini, "train"), "lr"), 0);
    cr_assert_eq(gn_ini_override(ini, "layer.fc1.units=3", &err), GN_OK, "%s", err.msg);
    gn_section *fc1 = gn_ini_find(ini, "layer.fc1");
    cr_expect_str_eq(gn_section_str(fc1, "units"), "3");
    cr_expect_str_eq(gn_section_str(fc1, "type"), "dense");
    /* A new section, with spaces around key and value. */
    cr_assert_eq(gn_ini_override(ini, "layer.fc 2 .units = 4 ", &err), GN_ERR_CONFIG);
    cr_assert_eq(gn_ini_override(ini, "layer.fc2. units = 4 ", &err), GN_OK, "%s", err.msg);
    cr_expect_str_eq(gn_section_str(gn_ini_find(ini, "layer.fc2"), "units"), "4");
    cr_expect_eq(gn_ini_section_line(ini, "layer.fc2"), 0);
    cr_expect_eq(gn_ini_count(ini), 3);
    /* The value may contain '=' and dots. */
    cr_assert_eq(gn_ini_override(ini, "data.path=a=b.c", &err), GN_OK, "%s", err.msg);
    cr_expect_str_eq(gn_section_str(gn_ini_find(ini, "data"), "path"), "a=b.c");
    cr_expect_eq(gn_ini_override(ini, "train.lr", &err), GN_ERR_CONFIG);
    cr_expect_not_null(strstr(err.msg, "expected SECTION.KEY=VALUE"), "%s", err.msg);
    cr_expect_eq(gn_ini_override(ini, "lr=1", &err), GN_ERR_CONFIG);
    cr_expect_eq(gn_ini_override(ini, ".lr=1", &err), GN_ERR_CONFIG);
    cr_expect_eq(gn_ini_override(ini, "train.=1", &err), GN_ERR_CONFIG);
    gn_ini_free(ini);
}

Test(config_ini, write_round_trips) {
    gn_ini *ini = load_ok(quickstart);
    gn_error err = {0};
    cr_assert_eq(gn_ini_override(ini, "train.lr=0.01", &err), GN_OK);
    cr_assert_eq(gn_ini_override(ini, "layer.x.units=5", &err), GN_OK);
    /* A value longer than one line is written as continuation lines. */
    char big[6000];
    int k = snprintf(big, sizeof big, "model.layers=");
    for (int i = 0; i < 900; i++)
        k += snprintf(big + k, sizeof big - (size_t)k, "relu ");
    big[k - 1] = '\0';
    cr_assert_eq(gn_ini_override(ini, big, &err), GN_OK, "%s", err.msg);
    char path[512];
    snprintf(path, sizeof path, "%s/resolved.ini", tmpdir);
    FILE *f = fopen(path, "w");
    cr_assert_eq(gn_ini_write(ini, f, &err), GN_OK, "%s", err.msg);
    fclose(f);
    gn_ini *back = NULL;
    cr_assert_eq(gn_ini_load(path, &back, &err), GN_OK, "%s", err.msg);
    cr_assert_eq(gn_ini_count(back), gn_ini_count(ini));
    for (int i = 0; i < gn_ini_count(ini); i++) {
        gn_section *a = gn_ini_at(ini, i), *b = gn_ini_at(back, i);
        cr_expect_str_eq(gn_section_name(a), gn_section_name(b));
        cr_assert_eq(gn_section_count(a), gn_section_count(b));
        for (int j = 0; j < gn_section_count(a); j++) {
            const char *key = gn_section_key_at(a, j);
            cr_expect_str_eq(gn_section_key_at(b, j), key);
            cr_expect_str_eq(gn_section_str(b, key), gn_section_str(a, key));
        }
    }
    gn_ini_free(back);
    gn_ini_free(ini);
}

/* ---------------- config_spec ---------------- */

static gn_registry *reg;

static void spec_init(void) {
    gn_error err = {0};
    reg = gn_registry_new(&err);
    cr_assert_not_null(reg, "%s", err.msg);
}

static void spec_fini(void) {
    gn_registry_free(reg);
}

TestSuite(config_spec, .init = spec_init, .fini = spec_fini);

static gn_spec *parse_ok(const char *text) {
    gn_spec *s = NULL;
    gn_error err = {0};
    cr_assert_eq(gn_spec_parse(text, reg, "f.ini", 7, &s, &err), GN_OK, "%s: %s", text, err.msg);
    return s;
}

static void parse_fails(const char *text, const char *what) {
    gn_spec *s = (gn_spec *)1;
    gn_error err = {0};
    cr_assert_neq(gn_spec_parse(text, reg, "f.ini", 7, &s, &err), GN_OK, "accepted: %s", text);
    cr_assert_null(s);
    cr_expect_eq(strncmp(err.msg, "f.ini:7: [model] layers: ", 25), 0, "%s", err.msg);
    cr_expect_not_null(strstr(err.msg, what), "'%s' lacks '%s'", err.msg, what);
}

Test(config_spec, sequential_layers_and_positional_args) {
    gn_spec *s = parse_ok("  flatten dense(200) relu\tdense(10) relu ");
    cr_assert_eq(s->n, 5);
    const char *types[] = {"flatten", "dense", "relu", "dense", "relu"};
    const char *names[] = {"flatten_1", "dense_1", "relu_1", "dense_2", "relu_2"};
    for (int i = 0; i < 5; i++) {
        cr_expect_str_eq(s->layers[i].type, types[i]);
        cr_expect_str_eq(gn_section_name(s->layers[i].params), names[i]);
        cr_expect_str_eq(gn_section_file(s->layers[i].params), "f.ini");
    }
    cr_expect_eq(gn_section_count(s->layers[0].params), 0);
    cr_expect_str_eq(gn_section_str(s->layers[1].params, "units"), "200");
    cr_expect_eq(gn_section_line(s->layers[1].params, "units"), 7);
    cr_expect_str_eq(gn_section_str(s->layers[3].params, "units"), "10");
    gn_spec_free(s);
    s = parse_ok("");
    cr_expect_eq(s->n, 0);
    gn_spec_free(s);
}

Test(config_spec, key_value_and_quoted_args) {
    gn_spec *s = parse_ok("dense(200, activation=relu,use_bias = false) "
                          "reshape(shape=\"7 7 4\") core.dropout(0.5) "
                          "reshape(\"a, (b) \\\"c\\\" \\\\\") dense(units=3)");
    cr_assert_eq(s->n, 5);
    gn_section *d = s->layers[0].params;
    cr_expect_str_eq(gn_section_str(d, "units"), "200");
    cr_expect_str_eq(gn_section_str(d, "activation"), "relu");
    cr_expect_str_eq(gn_section_str(d, "use_bias"), "false");
    cr_expect_str_eq(gn_section_str(s->layers[1].params, "shape"), "7 7 4");
    cr_expect_str_eq(s->layers[2].type, "core.dropout");
    cr_expect_str_eq(gn_section_name(s->layers[2].params), "dropout_1");
    cr_expect_str_eq(gn_section_str(s->layers[2].params, "rate"), "0.5");
    cr_expect_str_eq(gn_section_str(s->layers[3].params, "shape"), "a, (b) \"c\" \\");
    cr_expect_str_eq(gn_section_name(s->layers[3].params), "reshape_2");
    cr_expect_str_eq(gn_section_str(s->layers[4].params, "units"), "3");
    gn_spec_free(s);
}

Test(config_spec, malformed_specs) {
    parse_fails("flatten foo dense(3)", "unknown layer 'foo'");
    parse_fails("dense(200 relu", "missing ')'");
    parse_fails("dense(200))", "expected a space before ')'");
    parse_fails("dense(10)relu", "expected a space before 'r'");
    parse_fails("dense((200))", "nested '('");
    parse_fails("dense(200, (3))", "nested '('");
    parse_fails("dense(,200)", "empty argument");
    parse_fails("dense(200,)", "empty argument");
    parse_fails("dense(200,,x=1)", "empty argument");
    parse_fails("dense()", "empty argument list");
    parse_fails("dense(1, 2)", "too many positional arguments (dense takes 1)");
    parse_fails("relu(1)", "relu takes no positional arguments");
    parse_fails("dense(units=1, 2)", "positional argument after key=value");
    parse_fails("dense(200, units=3)", "'units' given twice");
    parse_fails("dense(units=)", "empty value for 'units'");
    parse_fails("dense(=3)", "missing key before '='");
    parse_fails("dense(a b=3)", "bad key 'a b'");
    parse_fails("(200)", "unexpected '('");
    parse_fails(")", "unexpected ')'");
    parse_fails("dense (200)", "unexpected '('");
    parse_fails("reshape(shape=\"7 7)", "unterminated quote");
    parse_fails("reshape(shape=\"7 7) relu", "unterminated quote");
    parse_fails("reshape(shape=a\"7\")", "a quote must enclose the whole value");
    parse_fails("reshape(shape=\"7\"x)", "unexpected text after a closing quote");
}

Test(config_spec, errors_without_line_or_file) {
    gn_spec *s = NULL;
    gn_error err = {0};
    cr_expect_neq(gn_spec_parse("foo", reg, "f.ini", 0, &s, &err), GN_OK);
    cr_expect_str_eq(err.msg, "f.ini: [model] layers: unknown layer 'foo'");
    cr_expect_neq(gn_spec_parse_in("foo", reg, "f.ini", 3, "model.big", &s, &err), GN_OK);
    cr_expect_str_eq(err.msg, "f.ini:3: [model.big] layers: unknown layer 'foo'");
    cr_expect_neq(gn_spec_parse("foo", reg, NULL, 0, &s, &err), GN_OK);
    cr_expect_str_eq(err.msg, "[model] layers: unknown layer 'foo'");
}

Test(config_spec, to_string_round_trips) {
    const char *text =
        "flatten dense(200, activation=relu) reshape(\"7 7 4\") dense(use_bias=false, "
        "units=3) reshape(\"a \\\"b\\\", (c)\") dropout(rate=0.25)";
    gn_spec *s = parse_ok(text);
    char *out = gn_spec_to_string(s);
    cr_assert_not_null(out);
    cr_expect_str_eq(out, "flatten dense(200, activation=relu) reshape(\"7 7 4\") "
                          "dense(use_bias=false, units=3) reshape(\"a \\\"b\\\", (c)\") "
                          "dropout(0.25)");
    gn_spec *t = parse_ok(out);
    char *again = gn_spec_to_string(t);
    cr_expect_str_eq(again, out);
    cr_assert_eq(t->n, s->n);
    for (int i = 0; i < s->n; i++) {
        gn_section *a = s->layers[i].params, *b = t->layers[i].params;
        cr_assert_eq(gn_section_count(a), gn_section_count(b));
        for (int k = 0; k < gn_section_count(a); k++) {
            const char *key = gn_section_key_at(a, k);
            cr_expect_str_eq(gn_section_str(b, key), gn_section_str(a, key));
        }
    }
    free(out);
    free(again);
    gn_spec_free(s);
    gn_spec_free(t);
    s = parse_ok("");
    out = gn_spec_to_string(s);
    cr_expect_str_eq(out, "");
    free(out);
    gn_spec_free(s);
}

/* ---------------- config_model ---------------- */

/* A two-input layer for graph tests: y = a + b. */
static const gn_param_schema sum2_schema[] = {GN_PARAM_END};

static gn_status sum2_build(gn_build *b, const gn_section *params, gn_node *const *inputs,
                            int n_inputs, gn_node **out, gn_error *err) {
    (void)params;
    if (n_inputs != 2) return gn_error_set(err, GN_ERR_CONFIG, "sum2: takes 2 inputs");
    *out = gn_build_op(b, "add", inputs, 2, NULL, err);
    return *out ? GN_OK : GN_ERR_INVALID;
}

static const gn_layer_vtable sum2_layer = {
    .struct_size = sizeof(gn_layer_vtable),
    .name = "sum2",
    .doc = "a + b",
    .schema = sum2_schema,
    .build = sum2_build,
};

static gn_rng rng;

static void model_init(void) {
    make_tmpdir();
    spec_init();
    gn_error err = {0};
    cr_assert_eq(gn_registry_add(reg, GN_KIND_LAYER, "test", "sum2", &sum2_layer, &err), GN_OK,
                 "%s", err.msg);
    gn_rng_seed(&rng, 42);
}

static void model_fini(void) {
    spec_fini();
    remove_tmpdir();
}

TestSuite(config_model, .init = model_init, .fini = model_fini);

static const int64_t image[3] = {1, 28, 28};
static const int64_t vec8[1] = {8};

static gn_model *build_ok(const char *text, const char *name, int ndim, const int64_t *dims) {
    gn_ini *ini = load_ok(text);
    gn_model *m = NULL;
    gn_error err = {0};
    gn_status st = gn_config_build_model(ini, name, reg, &rng, ndim, dims, &m, &err);
    gn_ini_free(ini);
    cr_assert_eq(st, GN_OK, "%s", err.msg);
    cr_assert_not_null(m);
    return m;
}

static void build_fails(const char *text, const char *name, int ndim, const int64_t *dims,
                        const char *what) {
    gn_ini *ini = load_ok(text);
    gn_model *m = (gn_model *)1;
    gn_error err = {0};
    gn_status st = gn_config_build_model(ini, name, reg, &rng, ndim, dims, &m, &err);
    gn_ini_free(ini);
    cr_assert_neq(st, GN_OK, "built:\n%s", text);
    cr_assert_null(m);
    cr_expect_not_null(strstr(err.msg, what), "'%s' lacks '%s'", err.msg, what);
}

Test(config_model, sequential_quickstart) {
    gn_model *m = build_ok(quickstart, "model", 3, image);
    cr_expect_eq(gn_model_n_params(m), 159010);
    cr_expect_str_eq(gn_model_name(m), "model");
    cr_assert_eq(gn_model_n_layers(m), 4);
    const char *names[] = {"flatten_1", "dense_1", "relu_1", "dense_2"};
    for (int i = 0; i < 4; i++) {
        gn_layer_info li;
        cr_assert_eq(gn_model_layer_info(m, i, &li, NULL), GN_OK);
        cr_expect_str_eq(li.name, names[i]);
    }
    cr_expect_not_null(gn_model_output(m));
    gn_model_free(m);
}

Test(config_model, named_models) {
    const char *text = "[model]\nlayers = flatten dense(10)\n"
                       "[train]\nlr = 1\n"
                       "[model.small]\nlayers = flatten dense(4, use_bias=false)\n";
    gn_ini *ini = load_ok(text);
    const char *names[4];
    cr_assert_eq(gn_config_model_names(ini, names, 4), 2);
    cr_expect_str_eq(names[0], "model");
    cr_expect_str_eq(names[1], "small");
    cr_expect_eq(gn_config_model_names(ini, names, 1), 2);
    cr_expect_eq(gn_config_model_names(ini, NULL, 0), 2);
    gn_ini_free(ini);
    gn_model *m = build_ok(text, "small", 3, image);
    cr_expect_eq(gn_model_n_params(m), 784 * 4);
    cr_expect_str_eq(gn_model_name(m), "small");
    gn_model_free(m);
    build_fails(text, "big", 3, image,
                "f.ini: no [model.big] section (declared models: model, small)");
}

/* Sections in reverse order; two layers share the model input, a third
 * adds them. */
static const char graph[] = "[model]\n"           /* 1 */
                            "output = out\n"      /* 2 */
                            "[layer.out]\n"       /* 3 */
                            "type = dense\n"      /* 4 */
                            "input = s\n"         /* 5 */
                            "units = 2\n"         /* 6 */
                            "[layer.s]\n"         /* 7 */
                            "type = sum2\n"       /* 8 */
                            "input = a b\n"       /* 9 */
                            "[layer.b]\n"         /* 10 */
                            "type = dense\n"      /* 11 */
                            "input = input\n"     /* 12 */
                            "units = 4\n"         /* 13 */
                            "[layer.a]\n"         /* 14 */
                            "type = dense\n"      /* 15 */
                            "units = 4\n"         /* 16 */
                            "input = input\n"     /* 17 */
                            "activation = relu\n" /* 18 */
                            "[layer.other]\n"     /* 19 */
                            "type = dense\n"      /* 20 */
                            "model = second\n"    /* 21 */
                            "input = input\n"     /* 22 */
                            "units = 1\n";        /* 23 */

Test(config_model, graph_with_shared_input) {
    gn_model *m = build_ok(graph, "model", 1, vec8);
    cr_expect_eq(gn_model_n_params(m), (8 * 4 + 4) * 2 + 4 * 2 + 2);
    cr_assert_eq(gn_model_n_layers(m), 4);
    /* Built in dependency order, named after their sections. */
    gn_layer_info li;
    cr_assert_eq(gn_model_layer_info(m, 3, &li, NULL), GN_OK);
    cr_expect_str_eq(li.name, "out");
    cr_expect_eq(li.output, gn_model_output(m));
    cr_assert_eq(gn_model_layer_info(m, 2, &li, NULL), GN_OK);
    cr_expect_str_eq(li.name, "s");
    cr_expect_str_eq(li.type, "sum2");
    int found_a = 0;
    for (int i = 0; i < gn_model_n_tensors(m); i++)
        found_a += strcmp(gn_model_tensor_name(m, i), "a.weight") == 0;
    cr_expect_eq(found_a, 1);
    gn_model_free(m);
}

/* Copies src to dst with the first `from` replaced by `to`. */
static void subst(char *dst, size_t size, const char *src, const char *from, const char *to) {
    const char *p = strstr(src, from);
    cr_assert_not_null(p);
    snprintf(dst, size, "%.*s%s%s", (int)(p - src), src, to, p + strlen(from));
}

Test(config_model, graph_reference_errors) {
    char text[2048];
    /* An unknown reference names the line of its input key. */
    subst(text, sizeof text, graph, "input = a b", "input = a z");
    build_fails(text, "model", 1, vec8, "f.ini:9: [layer.s] input: unknown layer 'z'");
    /* A layer of another model. */
    subst(text, sizeof text, graph, "input = a b", "input = other b");
    build_fails(text, "model", 1, vec8,
                "f.ini:9: [layer.s] input: layer 'other' belongs to model 'second'");
    build_fails("[model]\noutput = nope\n[layer.a]\ntype = relu\ninput = input\n", "model", 1, vec8,
                "f.ini:2: [model] output: unknown layer 'nope'");
    build_fails("[model]\noutput = a\n[layer.a]\ninput = input\n", "model", 1, vec8,
                "f.ini:3: [layer.a] type: missing required key");
    build_fails("[model]\noutput = a\n[layer.a]\ntype = relu\n", "model", 1, vec8,
                "f.ini:3: [layer.a] input: missing required key");
    build_fails("[model]\noutput = a\n[layer.a]\ntype = relu\ninput = \n", "model", 1, vec8,
                "f.ini:5: [layer.a] input: empty");
    build_fails("[model]\noutput = a\n[layer.a]\ntype = relu\ninput = input\n"
                "[layer.b]\ntype = relu\ninput = a\n",
                "model", 1, vec8, "f.ini:6: [layer.b] does not feed the output 'a'");
    build_fails("[model]\noutput = a\n[layer.a]\ntype = nosuch\ninput = input\n", "model", 1, vec8,
                "f.ini:3: [layer.a] unknown layer 'nosuch'");
    build_fails("[model]\noutput = a.b\n[layer.a.b]\ntype = relu\ninput = input\n", "model", 1,
                vec8, "f.ini:3: [layer.a.b]: a layer name must be");
    /* The second model builds on its own. */
    gn_model *m = build_ok("[model.second]\noutput = other\n[layer.other]\ntype = dense\n"
                           "model = second\ninput = input\nunits = 1\n",
                           "second", 1, vec8);
    cr_expect_eq(gn_model_n_params(m), 9);
    gn_model_free(m);
}

Test(config_model, graph_cycle) {
    build_fails("[model]\n"
                "output = c\n"
                "[layer.c]\ntype = relu\ninput = b\n"       /* 3-5 */
                "[layer.b]\ntype = sum2\ninput = input a\n" /* 6-8 */
                "[layer.a]\ntype = relu\ninput = c\n",      /* 9-11 */
                "model", 1, vec8, "f.ini:11: [layer.a] input: cycle: c -> b -> a -> c");
    build_fails("[model]\noutput = a\n[layer.a]\ntype = relu\ninput = a\n", "model", 1, vec8,
                "f.ini:5: [layer.a] input: cycle: a -> a");
}

Test(config_model, layer_key_errors_carry_file_and_line) {
    /* Unknown key in a graph layer: the line of the key. */
    build_fails("[model]\noutput = fc\n[layer.fc]\ntype = dense\ninput = input\nunits = 3\n"
                "unitz = 4\n",
                "model", 1, vec8, "f.ini:7: [layer.fc] unitz: unknown key");
    /* Bad value in a graph layer. */
    build_fails("[model]\noutput = fc\n[layer.fc]\ntype = dense\ninput = input\nunits = x\n",
                "model", 1, vec8, "f.ini:6: [layer.fc] units: expected an integer");
    /* Missing required key: the line of the section header. */
    build_fails("[model]\noutput = fc\n\n[layer.fc]\ntype = dense\ninput = input\n", "model", 1,
                vec8, "f.ini:4: [layer.fc] units: missing required key");
    /* The same in a sequential spec: the line of `layers`. */
    build_fails("[experiment]\nname = x\n[model]\nlayers = flatten dense(10, foo=1)\n", "model", 3,
                image, "f.ini:4: [dense_1] foo: unknown key");
    build_fails("[model]\n\nlayers = flatten dense\n", "model", 3, image,
                "f.ini:3: [dense_1] units: missing required key");
    build_fails("[model]\nlayers = flatten dense(abc)\n", "model", 3, image,
                "f.ini:2: [dense_1] units: expected an integer");
    build_fails("[model]\nlayers = flatten dense(10) dropout(2)\n", "model", 3, image,
                "f.ini:2: [dropout_1] rate:");
    build_fails("[model]\nlayers = flatten foo\n", "model", 3, image,
                "f.ini:2: [model] layers: unknown layer 'foo'");
    /* A layer's own build error gets FILE:LINE and context. */
    build_fails("[model]\nlayers = dense(10)\n", "model", 3, image,
                "f.ini:2: [model] layers: dense 'dense_1': input has shape");
}

Test(config_model, model_section_errors) {
    build_fails("[model]\nlayers = relu\nfoo = 1\n", "model", 1, vec8,
                "f.ini:3: [model] foo: unknown key");
    build_fails("[model]\nlayers = relu\noutput = a\n", "model", 1, vec8,
                "f.ini:3: [model] give either layers (sequential) or output");
    build_fails("[x]\na = 1\n[model]\n", "model", 1, vec8, "f.ini:3: [model] needs layers");
    build_fails("[model]\nlayers =\n", "model", 1, vec8, "f.ini:2: [model] layers: no layers");
    build_fails("[model]\nlayers = relu\n[layer.a]\ntype = relu\ninput = input\n", "model", 1, vec8,
                "f.ini:3: [layer.a] belongs to model 'model', which is sequential");
    build_fails("[x]\na = 1\n", "model", 1, vec8,
                "f.ini: no [model] section (declared models: none)");
}

Test(config_model, overrides_reach_the_model) {
    gn_ini *ini = load_ok(graph);
    gn_error err = {0};
    cr_assert_eq(gn_ini_override(ini, "layer.out.units=3", &err), GN_OK);
    gn_model *m = NULL;
    cr_assert_eq(gn_config_build_model(ini, "model", reg, &rng, 1, vec8, &m, &err), GN_OK, "%s",
                 err.msg);
    cr_expect_eq(gn_model_n_params(m), (8 * 4 + 4) * 2 + 4 * 3 + 3);
    gn_model_free(m);
    /* A bad --set value has no line: the error names the section header. */
    cr_assert_eq(gn_ini_override(ini, "layer.out.units=zero", &err), GN_OK);
    m = (gn_model *)1;
    cr_expect_neq(gn_config_build_model(ini, "model", reg, &rng, 1, vec8, &m, NULL), GN_OK);
    cr_expect_null(m);
    cr_expect_neq(gn_config_build_model(ini, "model", reg, &rng, 1, vec8, &m, &err), GN_OK);
    cr_expect_not_null(strstr(err.msg, "f.ini:3: [layer.out] units: expected an integer"), "%s",
                       err.msg);
    gn_ini_free(ini);
}

Test(config_spec, repeated_groups) {
    gn_spec *s = parse_ok("flatten (dense(8, activation=\"relu\") (tanh)*2)*3 dense(2)");
    cr_assert_eq(s->n, 1 + 3 * 3 + 1);
    cr_expect_str_eq(s->layers[1].type, "dense");
    cr_expect_str_eq(gn_section_str(s->layers[1].params, "activation"), "relu");
    cr_expect_str_eq(s->layers[2].type, "tanh");
    cr_expect_str_eq(s->layers[3].type, "tanh");
    cr_expect_str_eq(s->layers[4].type, "dense");
    cr_expect_str_eq(gn_section_name(s->layers[7].params), "dense_3");
    gn_spec_free(s);
    parse_fails("flatten (dense(8))", "a repeated group is written (LAYERS)*N");
    parse_fails("flatten (dense(8))*0", "N from 1 to 1000");
    parse_fails("flatten (dense(8))*1001", "N from 1 to 1000");
    parse_fails("((dense(8))*1000)*1000", "longer than");
    parse_fails("flatten (dense(8)", "(LAYERS)*N");
}
