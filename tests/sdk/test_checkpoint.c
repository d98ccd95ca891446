/* Checkpoints: the safetensors layout read back as JSON, bit-exact round
 * trips, every malformed file, strict/non-strict matching, atomic saves. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <criterion/criterion.h>
#include <jansson.h>
#include <ganglion/checkpoint.h>
#include <ganglion/model.h>

/* ---- a small model: x(4) -> dense_1(units) -> relu -> stats -> dense_2(2) --- */

/* A test layer with one buffer, "stats_1.running_mean" (2 floats, ones);
 * it passes its input through. */
static const gn_param_schema stats_schema[] = {GN_PARAM_END};

static gn_status stats_build(gn_build *b, const gn_section *params, gn_node *const *inputs,
                             int n_inputs, gn_node **out, gn_error *err) {
    (void)params;
    (void)n_inputs;
    int64_t dims[1] = {2};
    if (!gn_build_buffer(b, "running_mean", 1, dims, GN_INIT_ONES, err)) return err->status;
    *out = inputs[0];
    return GN_OK;
}

static const gn_layer_vtable stats_layer = {
    .struct_size = sizeof(gn_layer_vtable),
    .name = "stats",
    .doc = "test: a buffer, identity",
    .schema = stats_schema,
    .build = stats_build,
};

typedef struct net {
    gn_registry *reg;
    gn_rng rng;
    gn_model *m;
} net;

static gn_node *add(net *t, const char *type, gn_node *in, const char *units) {
    gn_error err = {0};
    gn_section *s = NULL;
    if (units) {
        s = gn_section_new("layer", "test.ini");
        cr_assert_eq(gn_section_set(s, "units", units, 0, &err), GN_OK, "%s", err.msg);
    }
    gn_node *out = NULL;
    gn_status st = gn_model_add_layer(t->m, NULL, type, s, &in, 1, &out, &err);
    gn_section_free(s);
    cr_assert_eq(st, GN_OK, "%s: %s", type, err.msg);
    return out;
}

/* hidden units of dense_1; extra adds a third dense layer (dense_3). The
 * buffer gets seed-dependent values so round trips can tell models apart. */
static net *net_new(uint64_t seed, const char *hidden, int extra) {
    net *t = calloc(1, sizeof *t);
    cr_assert_not_null(t);
    gn_error err = {0};
    t->reg = gn_registry_new(&err);
    cr_assert_not_null(t->reg, "%s", err.msg);
    cr_assert_eq(gn_registry_add(t->reg, GN_KIND_LAYER, "test", "stats", &stats_layer, &err), GN_OK,
                 "%s", err.msg);
    gn_rng_seed(&t->rng, seed);
    t->m = gn_model_new("m", t->reg, &t->rng, &err);
    cr_assert_not_null(t->m, "%s", err.msg);
    int64_t dims[1] = {4};
    gn_node *x = gn_model_add_input(t->m, "x", 1, dims, &err);
    cr_assert_not_null(x, "%s", err.msg);
    gn_node *y = add(t, "dense", x, hidden);
    y = add(t, "relu", y, NULL);
    y = add(t, "stats", y, NULL);
    y = add(t, "dense", y, "2");
    if (extra) y = add(t, "dense", y, "2");
    cr_assert_eq(gn_model_finalize(t->m, y, &err), GN_OK, "%s", err.msg);
    for (int i = 0; i < gn_model_n_buffers(t->m); i++) {
        gn_tensor *b = gn_model_buffer(t->m, i);
        for (int64_t j = 0; j < gn_tensor_numel(b); j++)
            gn_tensor_data(b)[j] = (float)gn_rng_normal(&t->rng);
    }
    return t;
}

static void net_free(net *t) {
    gn_model_free(t->m);
    gn_registry_free(t->reg);
    free(t);
}

/* All values of the model, parameters then buffers, in model order. */
typedef struct snapshot {
    size_t n;
    float v[256];
} snapshot;

static void snap(gn_model *m, snapshot *s) {
    s->n = 0;
    for (int i = 0; i < gn_model_n_tensors(m) + gn_model_n_buffers(m); i++) {
        int p = i < gn_model_n_tensors(m);
        gn_tensor *t = p ? gn_model_tensor(m, i) : gn_model_buffer(m, i - gn_model_n_tensors(m));
        int64_t k = gn_tensor_numel(t);
        cr_assert_leq(s->n + (size_t)k, sizeof s->v / sizeof s->v[0]);
        memcpy(s->v + s->n, gn_tensor_cdata(t), (size_t)k * sizeof(float));
        s->n += (size_t)k;
    }
}

static int same_bits(const snapshot *a, const snapshot *b) {
    return a->n == b->n && memcmp(a->v, b->v, a->n * sizeof(float)) == 0;
}

/* ---- a scratch folder --------------------------------------------------- */

static char dir[64];

static void make_dir(void) {
    snprintf(dir, sizeof dir, "%s/gn-ckpt-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : P_tmpdir);
    cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void) {
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char p[512];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (rmdir(p) != 0) unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

TestSuite(checkpoint, .init = make_dir, .fini = remove_dir);

static char *path_in_dir(const char *name) {
    static char p[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
    return p[k];
}

static int count_tmp_files(void) {
    int n = 0;
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    struct dirent *e;
    while ((e = readdir(d)))
        n += strstr(e->d_name, ".tmp.") != NULL;
    closedir(d);
    return n;
}

/* ---- file helpers -------------------------------------------------------- */

static unsigned char *slurp(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)len + 1);
    cr_assert_not_null(b);
    cr_assert_eq(fread(b, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    *n = (size_t)len;
    return b;
}

static void spit(const char *path, const void *data, size_t n) {
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(data, 1, n, f), n);
    fclose(f);
}

static uint64_t le64(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* A parsed checkpoint: header JSON and data section. */
typedef struct parsed {
    json_t *header;
    unsigned char *file;
    size_t size;
    uint64_t hlen;
    const unsigned char *data;
    size_t data_len;
} parsed;

static parsed parse(const char *path) {
    parsed p = {0};
    p.file = slurp(path, &p.size);
    cr_assert_geq(p.size, 8);
    p.hlen = le64(p.file);
    cr_assert_leq(8 + p.hlen, p.size);
    json_error_t je;
    p.header = json_loadb((const char *)p.file + 8, p.hlen, JSON_REJECT_DUPLICATES, &je);
    cr_assert_not_null(p.header, "header: %s", je.text);
    p.data = p.file + 8 + p.hlen;
    p.data_len = p.size - 8 - p.hlen;
    return p;
}

static void parsed_free(parsed *p) {
    json_decref(p->header);
    free(p->file);
}

/* Writes a safetensors file: header text padded to 8 bytes, then data. */
static void write_raw(const char *path, const char *header, const void *data, size_t n) {
    size_t hl = strlen(header), pad = (8 - hl % 8) % 8;
    size_t total = 8 + hl + pad + n;
    unsigned char *b = malloc(total);
    cr_assert_not_null(b);
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)((uint64_t)(hl + pad) >> (8 * i));
    memcpy(b + 8, header, hl);
    memset(b + 8 + hl, ' ', pad);
    if (n) memcpy(b + 8 + hl + pad, data, n);
    spit(path, b, total);
    free(b);
}

static void write_json(const char *path, json_t *header, const void *data, size_t n) {
    char *h = json_dumps(header, JSON_COMPACT);
    cr_assert_not_null(h);
    write_raw(path, h, data, n);
    free(h);
}

/* ---- expectations -------------------------------------------------------- */

static const char *const meta_keys[] = {"epoch", "val_loss"};
static const char *const meta_values[] = {"7", "0.3125"};

static void save(gn_model *m, const char *path, int with_meta) {
    gn_checkpoint_meta meta = {sizeof meta, 2, meta_keys, meta_values};
    gn_error err = {0};
    cr_assert_eq(gn_checkpoint_save(m, path, with_meta ? &meta : NULL, &err), GN_OK, "%s", err.msg);
}

/* Loading path into a fresh model fails with status and a message holding
 * want, and leaves the model bit-for-bit unchanged. */
static void expect_load_fails(const char *path, int strict, gn_status status, const char *want) {
    net *t = net_new(99, "3", 0);
    snapshot before, after;
    snap(t->m, &before);
    gn_error err = {0};
    gn_status st = gn_checkpoint_load(t->m, path, strict, &err);
    cr_expect_eq(st, status, "status %s (%s), expected %s", gn_status_name(st), err.msg,
                 gn_status_name(status));
    cr_expect(strstr(err.msg, want) != NULL, "message \"%s\" lacks \"%s\"", err.msg, want);
    snap(t->m, &after);
    cr_expect(same_bits(&before, &after), "a failed load changed the model");
    net_free(t);
}

/* A good checkpoint of the standard net, parsed, for crafting bad ones. */
static parsed good_checkpoint(void) {
    net *t = net_new(1, "3", 0);
    char *p = path_in_dir("good.safetensors");
    save(t->m, p, 1);
    net_free(t);
    return parse(p);
}

/* ---- layout -------------------------------------------------------------- */

Test(checkpoint, header_is_safetensors_json) {
    net *t = net_new(1, "3", 0);
    char *p = path_in_dir("m.safetensors");
    save(t->m, p, 1);
    parsed f = parse(p);
    cr_expect_eq(f.hlen % 8, 0, "header length %llu is not a multiple of 8",
                 (unsigned long long)f.hlen);
    cr_expect_eq(f.file[8], '{');
    cr_expect_eq((8 + f.hlen) % 8, 0, "data section not 8-byte aligned");

    /* names: every parameter and buffer, plus __metadata__, nothing else */
    const char *names[] = {"dense_1.bias", "dense_1.weight", "dense_2.bias", "dense_2.weight",
                           "stats_1.running_mean"};
    int64_t shapes[][2] = {{3, 0}, {3, 4}, {2, 0}, {2, 3}, {2, 0}};
    int ranks[] = {1, 2, 1, 2, 1};
    const int n = 5;
    cr_expect_eq(json_object_size(f.header), (size_t)n + 1);
    cr_expect_eq(gn_model_n_tensors(t->m) + gn_model_n_buffers(t->m), n);

    /* sorted by name, contiguous offsets from 0, sizes = shape * 4 */
    uint64_t at = 0;
    for (int i = 0; i < n; i++) {
        json_t *e = json_object_get(f.header, names[i]);
        cr_assert(json_is_object(e), "no tensor '%s' in the header", names[i]);
        cr_expect_str_eq(json_string_value(json_object_get(e, "dtype")), "F32");
        json_t *shape = json_object_get(e, "shape");
        cr_assert(json_is_array(shape));
        cr_expect_eq(json_array_size(shape), (size_t)ranks[i], "%s rank", names[i]);
        int64_t numel = 1;
        for (int d = 0; d < ranks[i]; d++) {
            json_int_t v = json_integer_value(json_array_get(shape, (size_t)d));
            cr_expect_eq(v, shapes[i][d], "%s dim %d = %lld", names[i], d, (long long)v);
            numel *= v;
        }
        json_t *offs = json_object_get(e, "data_offsets");
        cr_assert(json_is_array(offs) && json_array_size(offs) == 2);
        uint64_t b = (uint64_t)json_integer_value(json_array_get(offs, 0));
        uint64_t en = (uint64_t)json_integer_value(json_array_get(offs, 1));
        cr_expect_eq(b, at, "%s begins at %llu, expected %llu", names[i], (unsigned long long)b,
                     (unsigned long long)at);
        cr_expect_eq(en - b, (uint64_t)numel * 4, "%s spans %llu bytes", names[i],
                     (unsigned long long)(en - b));
        /* the bytes are the model's floats, little-endian */
        gn_tensor *mt = NULL;
        for (int k = 0; k < gn_model_n_tensors(t->m); k++)
            if (!strcmp(gn_model_tensor_name(t->m, k), names[i])) mt = gn_model_tensor(t->m, k);
        for (int k = 0; k < gn_model_n_buffers(t->m); k++)
            if (!strcmp(gn_model_buffer_name(t->m, k), names[i])) mt = gn_model_buffer(t->m, k);
        cr_assert_not_null(mt, "%s not in the model", names[i]);
        for (int64_t j = 0; j < numel; j++) {
            const unsigned char *q = f.data + b + 4 * j;
            uint32_t u =
                (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
            float v;
            memcpy(&v, &u, 4);
            cr_expect_eq(memcmp(&v, gn_tensor_cdata(mt) + j, 4), 0, "%s[%lld]", names[i],
                         (long long)j);
        }
        at = en;
    }
    cr_expect_eq(at, f.data_len, "data section %zu bytes, offsets cover %llu", f.data_len,
                 (unsigned long long)at);

    /* header order is data order: keys after __metadata__ appear sorted */
    const char *prev = "";
    const char *key;
    json_t *v;
    json_object_foreach(f.header, key, v) {
        if (!strcmp(key, "__metadata__")) continue;
        cr_expect(strcmp(prev, key) < 0, "'%s' after '%s'", key, prev);
        prev = key;
    }
    json_t *md = json_object_get(f.header, "__metadata__");
    cr_assert(json_is_object(md));
    cr_expect_str_eq(json_string_value(json_object_get(md, "epoch")), "7");
    cr_expect_str_eq(json_string_value(json_object_get(md, "val_loss")), "0.3125");
    parsed_free(&f);
    net_free(t);
}

Test(checkpoint, no_metadata_without_meta) {
    net *t = net_new(1, "3", 0);
    char *p = path_in_dir("m.safetensors");
    save(t->m, p, 0);
    parsed f = parse(p);
    cr_expect_null(json_object_get(f.header, "__metadata__"));
    cr_expect_eq(json_object_size(f.header), 5);
    parsed_free(&f);
    char v[16];
    gn_error err = {0};
    cr_expect_eq(gn_checkpoint_read_meta(p, "epoch", v, sizeof v, &err), GN_ERR_NOT_FOUND);
    net_free(t);
}

Test(checkpoint, read_meta) {
    net *t = net_new(1, "3", 0);
    char *p = path_in_dir("m.safetensors");
    save(t->m, p, 1);
    char v[16];
    gn_error err = {0};
    cr_expect_eq(gn_checkpoint_read_meta(p, "val_loss", v, sizeof v, &err), GN_OK, "%s", err.msg);
    cr_expect_str_eq(v, "0.3125");
    cr_expect_eq(gn_checkpoint_read_meta(p, "lr", v, sizeof v, &err), GN_ERR_NOT_FOUND);
    cr_expect(strstr(err.msg, "'lr'"), "%s", err.msg);
    cr_expect_eq(gn_checkpoint_read_meta(p, "val_loss", v, 6, &err), GN_ERR_INVALID);
    net_free(t);
}

Test(checkpoint, bad_metadata_rejected_on_save) {
    net *t = net_new(1, "3", 0);
    char *p = path_in_dir("m.safetensors");
    gn_error err = {0};
    const char *keys[] = {"epoch", "epoch"}, *values[] = {"1", "2"};
    gn_checkpoint_meta dup = {sizeof dup, 2, keys, values};
    cr_expect_eq(gn_checkpoint_save(t->m, p, &dup, &err), GN_ERR_INVALID);
    cr_expect(strstr(err.msg, "'epoch' given twice"), "%s", err.msg);
    const char *nul_keys[] = {"epoch", NULL};
    gn_checkpoint_meta null_key = {sizeof null_key, 2, nul_keys, values};
    cr_expect_eq(gn_checkpoint_save(t->m, p, &null_key, &err), GN_ERR_INVALID);
    const char *bad_utf8[] = {"\xff\xfe", "x"};
    gn_checkpoint_meta utf8 = {sizeof utf8, 1, keys, bad_utf8};
    cr_expect_eq(gn_checkpoint_save(t->m, p, &utf8, &err), GN_ERR_INVALID);
    gn_checkpoint_meta small = {4, 0, NULL, NULL};
    cr_expect_eq(gn_checkpoint_save(t->m, p, &small, &err), GN_ERR_INVALID);
    cr_expect_eq(access(p, F_OK), -1, "a rejected save created the file");
    cr_expect_eq(count_tmp_files(), 0);
    net_free(t);
}

/* ---- round trip ---------------------------------------------------------- */

Test(checkpoint, round_trip_is_bit_exact) {
    net *a = net_new(1, "3", 0), *b = net_new(2, "3", 0);
    snapshot sa, sb;
    snap(a->m, &sa);
    snap(b->m, &sb);
    cr_assert(!same_bits(&sa, &sb), "seeds 1 and 2 gave the same model");
    /* special values survive too */
    gn_tensor *w = gn_model_tensor(a->m, 0);
    gn_tensor_data(w)[0] = -0.0f;
    gn_tensor_data(w)[1] = 1e-45f; /* denormal */
    gn_tensor_data(w)[2] = 3.4028235e38f;
    snap(a->m, &sa);
    char *p = path_in_dir("m.safetensors");
    save(a->m, p, 1);
    gn_error err = {0};
    cr_assert_eq(gn_checkpoint_load(b->m, p, 1, &err), GN_OK, "%s", err.msg);
    snap(b->m, &sb);
    cr_expect(same_bits(&sa, &sb), "loaded values differ from the saved ones");
    /* the flat parameter vector sees the loaded values (tensors are views) */
    cr_expect_eq(memcmp(gn_model_params(b->m), gn_model_params(a->m),
                        (size_t)gn_model_n_params(a->m) * sizeof(float)),
                 0);
    net_free(a);
    net_free(b);
}

Test(checkpoint, tensor_order_in_file_does_not_matter) {
    /* a file whose header lists tensors in reverse and whose data is laid
     * out in reverse: matched by name, not position */
    parsed g = good_checkpoint();
    json_t *h = json_object();
    const char *names[] = {"stats_1.running_mean", "dense_2.weight", "dense_2.bias",
                           "dense_1.weight", "dense_1.bias"};
    unsigned char data[256];
    size_t at = 0;
    for (int i = 0; i < 5; i++) {
        json_t *e = json_deep_copy(json_object_get(g.header, names[i]));
        json_t *offs = json_object_get(e, "data_offsets");
        size_t b = (size_t)json_integer_value(json_array_get(offs, 0));
        size_t en = (size_t)json_integer_value(json_array_get(offs, 1));
        memcpy(data + at, g.data + b, en - b);
        json_array_set_new(offs, 0, json_integer((json_int_t)at));
        json_array_set_new(offs, 1, json_integer((json_int_t)(at + en - b)));
        at += en - b;
        json_object_set_new(h, names[i], e);
    }
    char *p = path_in_dir("reversed.safetensors");
    write_json(p, h, data, at);
    json_decref(h);
    parsed_free(&g);

    net *a = net_new(1, "3", 0), *b = net_new(5, "3", 0);
    gn_error err = {0};
    cr_assert_eq(gn_checkpoint_load(b->m, p, 1, &err), GN_OK, "%s", err.msg);
    snapshot sa, sb;
    snap(a->m, &sa);
    snap(b->m, &sb);
    cr_expect(same_bits(&sa, &sb));
    net_free(a);
    net_free(b);
}

/* ---- malformed files ------------------------------------------------------ */

Test(checkpoint, missing_file) {
    expect_load_fails(path_in_dir("nope.safetensors"), 1, GN_ERR_NOT_FOUND, "cannot open");
}

Test(checkpoint, shorter_than_8_bytes) {
    char *p = path_in_dir("short.safetensors");
    spit(p, "\x10\0\0\0", 5);
    expect_load_fails(p, 1, GN_ERR_FORMAT, "too short (5 bytes)");
}

Test(checkpoint, header_length_beyond_file) {
    char *p = path_in_dir("long.safetensors");
    unsigned char b[16] = {200, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', ' ', ' ', ' ', ' ', ' '};
    spit(p, b, sizeof b);
    expect_load_fails(p, 1, GN_ERR_FORMAT, "header length 200 exceeds the file (16 bytes)");
}

Test(checkpoint, header_length_above_100mb) {
    char *p = path_in_dir("huge.safetensors");
    unsigned char b[16] = {0, 0, 0, 0, 1, 0, 0, 0, '{', '}', ' ', ' ', ' ', ' ', ' ', ' '};
    spit(p, b, sizeof b);
    expect_load_fails(p, 1, GN_ERR_FORMAT, "exceeds the 100000000-byte limit");
}

Test(checkpoint, invalid_json) {
    char *p = path_in_dir("bad.safetensors");
    write_raw(p, "{\"dense_1.bias\": {\"dtype\": \"F32\",", NULL, 0);
    expect_load_fails(p, 1, GN_ERR_FORMAT, "header is not valid JSON");
    /* duplicate keys are invalid too (the reference parser rejects them) */
    write_raw(p, "{\"a\":{},\"a\":{}}", NULL, 0);
    expect_load_fails(p, 1, GN_ERR_FORMAT, "header is not valid JSON");
}

Test(checkpoint, header_not_an_object) {
    char *p = path_in_dir("array.safetensors");
    write_raw(p, "[1, 2, 3]", NULL, 0);
    expect_load_fails(p, 1, GN_ERR_FORMAT, "header is not a JSON object");
}

Test(checkpoint, dtype_not_f32) {
    parsed g = good_checkpoint();
    json_object_set_new(json_object_get(g.header, "dense_1.weight"), "dtype", json_string("F16"));
    char *p = path_in_dir("f16.safetensors");
    write_json(p, g.header, g.data, g.data_len);
    expect_load_fails(p, 1, GN_ERR_FORMAT,
                      "tensor 'dense_1.weight' has dtype F16; only F32 is supported");
    parsed_free(&g);
}

Test(checkpoint, bad_tensor_entries) {
    char *p = path_in_dir("entry.safetensors");
    struct {
        const char *field;
        const char *json;
        const char *want;
    } cases[] = {
        {"data_offsets", "[0]", "not an array of two integers"},
        {"data_offsets", "[-4, 8]", "out of range"},
        {"data_offsets", "[12, 8]", "out of range"},
        {"data_offsets", "[0, 8]", "span 8 bytes, but shape (3) in F32 needs 12"},
        {"shape", "[3, -1]", "integers >= 0"},
        {"shape", "\"3\"", "no \"shape\" array"},
        {"dtype", "32", "no \"dtype\" string"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        parsed g = good_checkpoint();
        json_t *v = json_loads(cases[k].json, JSON_DECODE_ANY, NULL);
        cr_assert_not_null(v, "%s", cases[k].json);
        json_object_set_new(json_object_get(g.header, "dense_1.bias"), cases[k].field, v);
        write_json(p, g.header, g.data, g.data_len);
        expect_load_fails(p, 1, GN_ERR_FORMAT, cases[k].want);
        parsed_free(&g);
    }
    parsed g = good_checkpoint();
    json_object_set_new(g.header, "dense_1.bias", json_integer(3));
    write_json(p, g.header, g.data, g.data_len);
    expect_load_fails(p, 1, GN_ERR_FORMAT, "tensor 'dense_1.bias': not a JSON object");
    parsed_free(&g);
}

/* Sets the data_offsets of name. */
static void set_offsets(json_t *h, const char *name, json_int_t b, json_int_t e) {
    json_object_set_new(json_object_get(h, name), "data_offsets", json_pack("[II]", b, e));
}

Test(checkpoint, overlapping_offsets) {
    parsed g = good_checkpoint();
    /* dense_1.bias is [0, 12); make dense_1.weight (48 bytes) start at 8 */
    set_offsets(g.header, "dense_1.weight", 8, 56);
    char *p = path_in_dir("overlap.safetensors");
    write_json(p, g.header, g.data, g.data_len);
    expect_load_fails(p, 1, GN_ERR_FORMAT, "tensors 'dense_1.bias' and 'dense_1.weight' overlap");
    parsed_free(&g);
}

Test(checkpoint, hole_in_data) {
    parsed g = good_checkpoint();
    /* move the last tensor 8 bytes further and append 8 bytes */
    json_t *offs =
        json_object_get(json_object_get(g.header, "stats_1.running_mean"), "data_offsets");
    json_int_t b = json_integer_value(json_array_get(offs, 0));
    set_offsets(g.header, "stats_1.running_mean", b + 8, b + 16);
    unsigned char *data = calloc(1, g.data_len + 8);
    memcpy(data, g.data, g.data_len);
    char *p = path_in_dir("hole.safetensors");
    write_json(p, g.header, data, g.data_len + 8);
    expect_load_fails(p, 1, GN_ERR_FORMAT, "belong to no tensor");
    free(data);
    parsed_free(&g);
}

Test(checkpoint, offsets_beyond_data) {
    parsed g = good_checkpoint();
    /* the last tensor claims bytes past the end of the file */
    json_t *offs =
        json_object_get(json_object_get(g.header, "stats_1.running_mean"), "data_offsets");
    json_int_t b = json_integer_value(json_array_get(offs, 0));
    json_object_set_new(json_object_get(g.header, "stats_1.running_mean"), "shape",
                        json_pack("[i]", 1000));
    set_offsets(g.header, "stats_1.running_mean", b, b + 4000);
    char *p = path_in_dir("beyond.safetensors");
    write_json(p, g.header, g.data, g.data_len);
    char want[128];
    snprintf(want, sizeof want, "is truncated: header promises %lld data bytes, file has %zu",
             (long long)(b + 4000), g.data_len);
    expect_load_fails(p, 1, GN_ERR_FORMAT, want);
    parsed_free(&g);
}

Test(checkpoint, truncated_file) {
    net *t = net_new(1, "3", 0);
    char *p = path_in_dir("trunc.safetensors");
    save(t->m, p, 1);
    net_free(t);
    parsed g = parse(p);
    size_t full = g.data_len;
    parsed_free(&g);
    struct stat sb;
    cr_assert_eq(stat(p, &sb), 0);
    cr_assert_eq(truncate(p, sb.st_size - 6), 0);
    char want[256];
    snprintf(want, sizeof want,
             "checkpoint %s is truncated: header promises %zu data bytes, "
             "file has %zu",
             p, full, full - 6);
    expect_load_fails(p, 1, GN_ERR_FORMAT, want);
    /* cut inside the header: the header length now exceeds the file */
    cr_assert_eq(truncate(p, 20), 0);
    expect_load_fails(p, 1, GN_ERR_FORMAT, "exceeds the file (20 bytes)");
}

Test(checkpoint, trailing_bytes) {
    parsed g = good_checkpoint();
    unsigned char *data = calloc(1, g.data_len + 4);
    memcpy(data, g.data, g.data_len);
    char *p = path_in_dir("trailing.safetensors");
    write_json(p, g.header, data, g.data_len + 4);
    expect_load_fails(p, 1, GN_ERR_FORMAT, "trailing bytes");
    free(data);
    parsed_free(&g);
}

Test(checkpoint, bad_metadata_in_file) {
    parsed g = good_checkpoint();
    char *p = path_in_dir("meta.safetensors");
    json_object_set_new(json_object_get(g.header, "__metadata__"), "epoch", json_integer(7));
    write_json(p, g.header, g.data, g.data_len);
    expect_load_fails(p, 1, GN_ERR_FORMAT, "__metadata__ value 'epoch' is not a string");
    json_object_set_new(g.header, "__metadata__", json_string("x"));
    write_json(p, g.header, g.data, g.data_len);
    expect_load_fails(p, 1, GN_ERR_FORMAT, "__metadata__ is not an object");
    parsed_free(&g);
}

/* ---- matching the model --------------------------------------------------- */

Test(checkpoint, shape_mismatch) {
    net *big = net_new(1, "5", 0);
    char *p = path_in_dir("big.safetensors");
    save(big->m, p, 0);
    net_free(big);
    /* names sort dense_1.bias first */
    expect_load_fails(p, 1, GN_ERR_INVALID,
                      "tensor 'dense_1.bias': checkpoint shape (5), model shape (3)");
    expect_load_fails(p, 0, GN_ERR_INVALID, "checkpoint shape (5), model shape (3)");

    /* the brief's example: a weight of the wrong size */
    parsed g = good_checkpoint();
    json_object_del(g.header, "dense_1.bias");
    json_t *e = json_object_get(g.header, "dense_1.weight");
    json_object_set_new(e, "shape", json_pack("[ii]", 4, 3));
    write_json(p, g.header, g.data, g.data_len);
    parsed_free(&g);
    /* dense_1.bias is gone: [0, 12) is now a hole, so rebuild offsets */
    g = parse(p);
    json_t *h = json_object();
    const char *key;
    json_t *v;
    unsigned char data[256];
    size_t at = 0;
    json_object_foreach(g.header, key, v) {
        json_t *c = json_deep_copy(v);
        if (strcmp(key, "__metadata__") != 0) {
            json_t *offs = json_object_get(c, "data_offsets");
            size_t b = (size_t)json_integer_value(json_array_get(offs, 0));
            size_t en = (size_t)json_integer_value(json_array_get(offs, 1));
            memcpy(data + at, g.data + b, en - b);
            json_object_set_new(c, "data_offsets",
                                json_pack("[II]", (json_int_t)at, (json_int_t)(at + en - b)));
            at += en - b;
        }
        json_object_set_new(h, key, c);
    }
    write_json(p, h, data, at);
    json_decref(h);
    parsed_free(&g);
    expect_load_fails(p, 0, GN_ERR_INVALID,
                      "tensor 'dense_1.weight': checkpoint shape (4, 3), model shape (3, 4)");
}

Test(checkpoint, missing_tensors_strict_and_not) {
    /* the file lacks dense_3.*: a model with an extra layer loads it only
     * non-strictly, keeping dense_3's own values */
    net *a = net_new(1, "3", 0);
    char *p = path_in_dir("small.safetensors");
    save(a->m, p, 0);
    net *b = net_new(7, "3", 1);
    snapshot before;
    snap(b->m, &before);
    gn_error err = {0};
    cr_expect_eq(gn_checkpoint_load(b->m, p, 1, &err), GN_ERR_NOT_FOUND);
    cr_expect(strstr(err.msg, "lacks tensor 'dense_3.bias' (2 of the model's 7 tensors missing"),
              "%s", err.msg);
    snapshot after;
    snap(b->m, &after);
    cr_expect(same_bits(&before, &after), "a failed strict load changed the model");

    cr_assert_eq(gn_checkpoint_load(b->m, p, 0, &err), GN_OK, "%s", err.msg);
    for (int i = 0; i < gn_model_n_tensors(b->m); i++) {
        const char *name = gn_model_tensor_name(b->m, i);
        gn_tensor *tb = gn_model_tensor(b->m, i);
        int k = -1;
        for (int j = 0; j < gn_model_n_tensors(a->m); j++)
            if (!strcmp(gn_model_tensor_name(a->m, j), name)) k = j;
        size_t bytes = (size_t)gn_tensor_numel(tb) * sizeof(float);
        if (k >= 0)
            cr_expect_eq(
                memcmp(gn_tensor_cdata(tb), gn_tensor_cdata(gn_model_tensor(a->m, k)), bytes), 0,
                "%s not loaded", name);
    }
    /* dense_3 keeps its initial values: compare with a fresh seed-7 model */
    net *fresh = net_new(7, "3", 1);
    for (int i = 0; i < gn_model_n_tensors(b->m); i++) {
        const char *name = gn_model_tensor_name(b->m, i);
        if (strncmp(name, "dense_3.", 8) != 0) continue;
        size_t bytes = (size_t)gn_tensor_numel(gn_model_tensor(b->m, i)) * sizeof(float);
        cr_expect_eq(memcmp(gn_tensor_cdata(gn_model_tensor(b->m, i)),
                            gn_tensor_cdata(gn_model_tensor(fresh->m, i)), bytes),
                     0, "%s changed", name);
    }
    net_free(fresh);
    net_free(a);
    net_free(b);
}

Test(checkpoint, unexpected_tensors_strict_and_not) {
    net *a = net_new(1, "3", 1); /* has dense_3 */
    char *p = path_in_dir("extra.safetensors");
    save(a->m, p, 0);
    expect_load_fails(p, 1, GN_ERR_INVALID,
                      "has tensor 'dense_3.bias' that the model lacks (2 unexpected tensors");
    net *b = net_new(7, "3", 0);
    gn_error err = {0};
    cr_assert_eq(gn_checkpoint_load(b->m, p, 0, &err), GN_OK, "%s", err.msg);
    cr_expect_eq(memcmp(gn_model_params(b->m), gn_model_params(a->m),
                        (size_t)gn_model_n_params(b->m) * sizeof(float)),
                 0, "shared tensors not loaded");
    net_free(a);
    net_free(b);
}

/* ---- atomic saves ---------------------------------------------------------- */

Test(checkpoint, save_over_existing_file) {
    net *a = net_new(1, "3", 0), *b = net_new(2, "3", 0);
    char *p = path_in_dir("m.safetensors"), *q = path_in_dir("b.safetensors");
    save(a->m, p, 1);
    save(b->m, p, 1);
    save(b->m, q, 1);
    size_t np, nq;
    unsigned char *fp = slurp(p, &np), *fq = slurp(q, &nq);
    cr_expect(np == nq && memcmp(fp, fq, np) == 0, "saving over a file did not replace it");
    free(fp);
    free(fq);
    cr_expect_eq(count_tmp_files(), 0, "a temporary file was left behind");

    /* a failed save (rename onto a non-empty folder) leaves no temporary file */
    char *d = path_in_dir("folder");
    cr_assert_eq(mkdir(d, 0755), 0);
    char *inner = path_in_dir("folder/x");
    spit(inner, "x", 1);
    gn_error err = {0};
    cr_expect_eq(gn_checkpoint_save(a->m, d, NULL, &err), GN_ERR_IO);
    cr_expect(strstr(err.msg, "cannot rename into place"), "%s", err.msg);
    cr_expect_eq(count_tmp_files(), 0, "a failed save left its temporary file");
    unlink(inner);
    /* a save into a missing folder fails cleanly */
    cr_expect_eq(gn_checkpoint_save(a->m, path_in_dir("no/such/dir/m.safetensors"), NULL, &err),
                 GN_ERR_IO);
    net_free(a);
    net_free(b);
}

Test(checkpoint, concurrent_reader_sees_old_or_new) {
    /* A child saves models A and B over the same path in turn while we load
     * it: every load must succeed and give exactly A or exactly B. */
    net *a = net_new(1, "3", 0), *b = net_new(2, "3", 0), *c = net_new(3, "3", 0);
    snapshot sa, sb, sc;
    snap(a->m, &sa);
    snap(b->m, &sb);
    char *p = path_in_dir("busy.safetensors");
    save(a->m, p, 0);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        gn_error err = {0};
        for (int i = 0; i < 300; i++)
            if (gn_checkpoint_save(i % 2 ? b->m : a->m, p, NULL, &err)) _exit(1);
        _exit(0);
    }
    /* load until the child is done (fsync makes each save take a while) */
    int bad = 0, loads = 0, seen_b = 0, status = 0;
    for (;;) {
        int done = waitpid(pid, &status, WNOHANG) == pid;
        gn_error err = {0};
        if (gn_checkpoint_load(c->m, p, 1, &err) != GN_OK) {
            cr_expect_fail("load %d failed during concurrent saves: %s", loads, err.msg);
            bad++;
            if (!done) waitpid(pid, &status, 0);
            break;
        }
        loads++;
        snap(c->m, &sc);
        if (same_bits(&sc, &sb))
            seen_b++;
        else if (!same_bits(&sc, &sa))
            bad++;
        if (done) break;
    }
    cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the saving child failed");
    cr_expect_eq(bad, 0, "%d of %d loads saw a mix of two checkpoints", bad, loads);
    cr_log_info("%d loads during 300 saves, %d saw B", loads, seen_b);
    cr_expect_eq(count_tmp_files(), 0);
    net_free(a);
    net_free(b);
    net_free(c);
}

/* ---- PyTorch interoperability (optional) ----------------------------------- */

/* With /usr/bin/python3 and torch (or the safetensors module): Python reads
 * our file, checks it, doubles every tensor and writes it back the way
 * safetensors does; we load that and compare. Skipped otherwise. */
static const char py_script[] =
    "import json, struct, sys\n"
    "import torch\n"
    "src, dst = sys.argv[1], sys.argv[2]\n"
    "try:\n"
    "    from safetensors.torch import load_file, save_file\n"
    "    ts = load_file(src)\n"
    "    save_file({k: v * 2 for k, v in ts.items()}, dst, metadata={'epoch': '8'})\n"
    "    sys.exit(0)\n"
    "except ImportError:\n"
    "    pass\n"
    "raw = open(src, 'rb').read()\n"
    "n = struct.unpack('<Q', raw[:8])[0]\n"
    "assert n % 8 == 0\n"
    "hdr = json.loads(raw[8:8 + n])\n"
    "data = bytearray(raw[8 + n:])\n"
    "ts = {}\n"
    "for k, v in hdr.items():\n"
    "    if k == '__metadata__':\n"
    "        continue\n"
    "    assert v['dtype'] == 'F32'\n"
    "    b, e = v['data_offsets']\n"
    "    t = torch.frombuffer(data[b:e], dtype=torch.float32).reshape(v['shape'])\n"
    "    ts[k] = t.clone()\n"
    "out, off, blob = {'__metadata__': {'epoch': '8'}}, 0, b''\n"
    "for k in sorted(ts):\n"
    "    t = (ts[k] * 2).contiguous()\n"
    "    bs = t.numpy().astype('<f4').tobytes()\n"
    "    out[k] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [off, off + "
    "len(bs)]}\n"
    "    off += len(bs)\n"
    "    blob += bs\n"
    "h = json.dumps(out, separators=(',', ':')).encode()\n"
    "h += b' ' * ((8 - len(h) % 8) % 8)\n"
    "open(dst, 'wb').write(struct.pack('<Q', len(h)) + h + blob)\n";

Test(checkpoint, pytorch_reads_and_writes) {
    if (access("/usr/bin/python3", X_OK) != 0 ||
        system("/usr/bin/python3 -c 'import torch' >/dev/null 2>&1") != 0)
        cr_skip_test("no /usr/bin/python3 with torch");
    net *a = net_new(1, "3", 0), *b = net_new(2, "3", 0);
    char *src = path_in_dir("ours.safetensors"), *dst = path_in_dir("torch.safetensors");
    char *py = path_in_dir("roundtrip.py");
    save(a->m, src, 1);
    spit(py, py_script, strlen(py_script));
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 %s %s %s", py, src, dst);
    cr_assert_eq(system(cmd), 0, "python failed: %s", cmd);
    gn_error err = {0};
    cr_assert_eq(gn_checkpoint_load(b->m, dst, 1, &err), GN_OK, "%s", err.msg);
    snapshot sa, sb;
    snap(a->m, &sa);
    snap(b->m, &sb);
    cr_assert_eq(sa.n, sb.n);
    for (size_t i = 0; i < sa.n; i++)
        cr_expect_eq(sb.v[i], 2.0f * sa.v[i], "value %zu: %g, expected %g", i, sb.v[i],
                     2.0f * sa.v[i]);
    char v[8];
    cr_expect_eq(gn_checkpoint_read_meta(dst, "epoch", v, sizeof v, &err), GN_OK, "%s", err.msg);
    cr_expect_str_eq(v, "8");
    net_free(a);
    net_free(b);
}
