/* Checkpoints: model parameters and buffers by name, in the safetensors format. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <jansson.h>
#include <ganglion/checkpoint.h>

#define META_KEY "__metadata__"
#define SHAPE_STR_MAX 160

/* Size of gn_checkpoint_meta in ABI 1.0 (fields are only ever appended). */
#define META_V1_SIZE (offsetof(gn_checkpoint_meta, values) + sizeof(const char *const *))

/* ---- the model's tensors, sorted by name ---------------------------------- */

typedef struct model_entry {
    const char *name;
    gn_tensor *t;
} model_entry;

static int cmp_model_entry(const void *a, const void *b) {
    return strcmp(((const model_entry *)a)->name, ((const model_entry *)b)->name);
}

/* Parameters then buffers, sorted by name. Caller frees *out. */
static gn_status model_entries(gn_model *m, model_entry **out, int *n_out, gn_error *err) {
    int np = gn_model_n_tensors(m), nb = gn_model_n_buffers(m);
    int n = np + nb;
    model_entry *e = malloc((size_t)(n ? n : 1) * sizeof *e);
    if (!e) return gn_error_set(err, GN_ERR_NOMEM, "checkpoint: out of memory");
    for (int i = 0; i < np; i++)
        e[i] = (model_entry){gn_model_tensor_name(m, i), gn_model_tensor(m, i)};
    for (int i = 0; i < nb; i++)
        e[np + i] = (model_entry){gn_model_buffer_name(m, i), gn_model_buffer(m, i)};
    qsort(e, (size_t)n, sizeof *e, cmp_model_entry);
    *out = e;
    *n_out = n;
    return GN_OK;
}

/* "(200, 784)", as gn_tensor_shape_str writes it. */
static void dims_str(int ndim, const int64_t *dims, char *buf, size_t n) {
    size_t off = (size_t)snprintf(buf, n, "(");
    for (int i = 0; i < ndim && off < n; i++)
        off += (size_t)snprintf(buf + off, n - off, i ? ", %lld" : "%lld", (long long)dims[i]);
    if (off < n) snprintf(buf + off, n - off, ")");
}

static void tensor_shape_str(const gn_tensor *t, char *buf, size_t n) {
    int64_t dims[GN_MAX_DIMS];
    int nd = gn_tensor_ndim(t);
    for (int i = 0; i < nd; i++)
        dims[i] = gn_tensor_dim(t, i);
    dims_str(nd, dims, buf, n);
}

/* A validated shape array (non-negative integers) as text. */
static void json_shape_str(const json_t *shape, char *buf, size_t n) {
    size_t off = (size_t)snprintf(buf, n, "(");
    for (size_t i = 0; i < json_array_size(shape) && off < n; i++)
        off += (size_t)snprintf(buf + off, n - off, i ? ", %lld" : "%lld",
                                (long long)json_integer_value(json_array_get(shape, i)));
    if (off < n) snprintf(buf + off, n - off, ")");
}

/* ---- little-endian float32 --------------------------------------------- */

static void put_f32le(unsigned char *p, float f) {
    uint32_t v;
    memcpy(&v, &f, 4);
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static float get_f32le(const unsigned char *p) {
    uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    float f;
    memcpy(&f, &v, 4);
    return f;
}

/* ---- save ---------------------------------------------------------------- */

typedef struct writer {
    int fd;
    int errnum; /* first write error, 0 if none */
    size_t len;
    unsigned char buf[1 << 16];
} writer;

static void w_flush(writer *w) {
    const unsigned char *p = w->buf;
    size_t left = w->len;
    while (left > 0 && !w->errnum) {
        ssize_t k = write(w->fd, p, left);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            w->errnum = k < 0 ? errno : EIO;
            break;
        }
        p += k;
        left -= (size_t)k;
    }
    w->len = 0;
}

static void w_bytes(writer *w, const void *data, size_t n) {
    const unsigned char *p = data;
    while (n > 0) {
        if (w->len == sizeof w->buf) w_flush(w);
        size_t k = sizeof w->buf - w->len;
        if (k > n) k = n;
        memcpy(w->buf + w->len, p, k);
        w->len += k;
        p += k;
        n -= k;
    }
}

static void w_floats(writer *w, const float *x, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        if (sizeof w->buf - w->len < 4) w_flush(w);
        put_f32le(w->buf + w->len, x[i]);
        w->len += 4;
    }
}

static gn_status check_meta(const gn_checkpoint_meta *meta, gn_error *err) {
    if (!meta) return GN_OK;
    if (meta->struct_size < META_V1_SIZE)
        return gn_error_set(err, GN_ERR_INVALID,
                            "checkpoint: meta.struct_size is %u, expected >= %zu",
                            (unsigned)meta->struct_size, (size_t)META_V1_SIZE);
    if (meta->n < 0) return gn_error_set(err, GN_ERR_INVALID, "checkpoint: meta.n is %d", meta->n);
    if (meta->n > 0 && (!meta->keys || !meta->values))
        return gn_error_set(err, GN_ERR_INVALID, "checkpoint: meta has %d pairs but no %s", meta->n,
                            !meta->keys ? "keys" : "values");
    for (int i = 0; i < meta->n; i++)
        if (!meta->keys[i] || !meta->values[i])
            return gn_error_set(err, GN_ERR_INVALID, "checkpoint: meta %s %d is NULL",
                                !meta->keys[i] ? "key" : "value", i);
    return GN_OK;
}

/* The header object: "__metadata__" first, then the tensors in es order. */
static json_t *build_header(const model_entry *es, int n, const gn_checkpoint_meta *meta,
                            gn_error *err) {
    json_t *root = json_object();
    if (!root) goto nomem;
    if (meta && meta->n > 0) {
        json_t *md = json_object();
        if (!md || json_object_set_new(root, META_KEY, md)) goto nomem;
        for (int i = 0; i < meta->n; i++) {
            if (json_object_get(md, meta->keys[i])) {
                gn_error_set(err, GN_ERR_INVALID, "checkpoint: metadata key '%s' given twice",
                             meta->keys[i]);
                goto fail;
            }
            json_t *v = json_string(meta->values[i]);
            if (!v || json_object_set_new(md, meta->keys[i], v)) {
                gn_error_set(err, GN_ERR_INVALID,
                             "checkpoint: metadata '%s' is not valid UTF-8 (or out of memory)",
                             meta->keys[i]);
                goto fail;
            }
        }
    }
    uint64_t off = 0;
    for (int i = 0; i < n; i++) {
        const gn_tensor *t = es[i].t;
        if (!strcmp(es[i].name, META_KEY)) {
            gn_error_set(err, GN_ERR_INVALID, "checkpoint: a tensor cannot be named '%s'",
                         META_KEY);
            goto fail;
        }
        json_t *shape = json_array();
        json_t *obj = json_object();
        uint64_t bytes = (uint64_t)gn_tensor_numel(t) * 4u;
        json_t *offs = json_pack("[II]", (json_int_t)off, (json_int_t)(off + bytes));
        if (!shape || !obj || !offs || json_object_set_new(root, es[i].name, obj)) {
            json_decref(shape);
            json_decref(offs);
            goto nomem;
        }
        for (int d = 0; d < gn_tensor_ndim(t); d++)
            if (json_array_append_new(shape, json_integer((json_int_t)gn_tensor_dim(t, d)))) {
                json_decref(shape);
                json_decref(offs);
                goto nomem;
            }
        if (json_object_set_new(obj, "dtype", json_string("F32")) ||
            json_object_set_new(obj, "shape", shape) ||
            json_object_set_new(obj, "data_offsets", offs))
            goto nomem;
        off += bytes;
    }
    return root;
nomem:
    gn_error_set(err, GN_ERR_NOMEM, "checkpoint: out of memory");
fail:
    json_decref(root);
    return NULL;
}

/* Best effort: makes the rename itself durable. */
static void sync_parent_dir(const char *path) {
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    if (!dir) return;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

gn_status gn_checkpoint_save(gn_model *m, const char *path, const gn_checkpoint_meta *meta,
                             gn_error *err) {
    if (!m || !path || !*path)
        return gn_error_set(err, GN_ERR_INVALID, "checkpoint: %s is NULL or empty",
                            !m ? "model" : "path");
    gn_status st = check_meta(meta, err);
    if (st) return st;
    model_entry *es;
    int n;
    if ((st = model_entries(m, &es, &n, err))) return st;
    json_t *root = build_header(es, n, meta, err);
    if (!root) {
        free(es);
        return err ? err->status : GN_ERR_INVALID;
    }
    char *json = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (!json) {
        free(es);
        return gn_error_set(err, GN_ERR_NOMEM, "checkpoint: out of memory");
    }
    size_t jlen = strlen(json);
    size_t pad = (8 - jlen % 8) % 8;
    uint64_t hlen = (uint64_t)(jlen + pad);

    size_t tlen = strlen(path) + 32;
    char *tmp = malloc(tlen);
    writer *w = malloc(sizeof *w);
    if (!tmp || !w) {
        st = gn_error_set(err, GN_ERR_NOMEM, "checkpoint: out of memory");
        goto done;
    }
    snprintf(tmp, tlen, "%s.tmp.%ld", path, (long)getpid());
    w->fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (w->fd < 0) {
        st = gn_error_set(err, GN_ERR_IO, "checkpoint %s: cannot create %s: %s", path, tmp,
                          strerror(errno));
        goto done;
    }
    w->errnum = 0;
    w->len = 0;
    unsigned char le[8];
    for (int i = 0; i < 8; i++)
        le[i] = (unsigned char)(hlen >> (8 * i));
    w_bytes(w, le, 8);
    w_bytes(w, json, jlen);
    w_bytes(w, "        ", pad);
    for (int i = 0; i < n; i++)
        w_floats(w, gn_tensor_cdata(es[i].t), gn_tensor_numel(es[i].t));
    w_flush(w);
    int e = w->errnum;
    if (!e && fsync(w->fd) != 0) e = errno;
    if (close(w->fd) != 0 && !e) e = errno;
    if (e) {
        unlink(tmp);
        st = gn_error_set(err, GN_ERR_IO, "checkpoint %s: write failed: %s", path, strerror(e));
        goto done;
    }
    if (rename(tmp, path) != 0) {
        e = errno;
        unlink(tmp);
        st = gn_error_set(err, GN_ERR_IO, "checkpoint %s: cannot rename into place: %s", path,
                          strerror(e));
        goto done;
    }
    sync_parent_dir(path);
done:
    free(w);
    free(tmp);
    free(json);
    free(es);
    return st;
}

/* ---- load ---------------------------------------------------------------- */

/* Reads exactly n bytes at off; GN_ERR_FORMAT if the file ends first. */
static gn_status read_at(int fd, const char *path, void *buf, size_t n, uint64_t off,
                         gn_error *err) {
    unsigned char *p = buf;
    while (n > 0) {
        ssize_t k = pread(fd, p, n, (off_t)off);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0)
            return gn_error_set(err, GN_ERR_IO, "checkpoint %s: read failed: %s", path,
                                strerror(errno));
        if (k == 0)
            return gn_error_set(err, GN_ERR_FORMAT,
                                "checkpoint %s: file ended early (changed while reading?)", path);
        p += k;
        n -= (size_t)k;
        off += (uint64_t)k;
    }
    return GN_OK;
}

/* An open checkpoint whose header parsed as a JSON object. */
typedef struct ck_file {
    const char *path;
    int fd;
    uint64_t size;  /* file bytes */
    uint64_t hlen;  /* header bytes */
    json_t *header; /* the root object */
} ck_file;

static void ck_close(ck_file *f) {
    if (f->fd >= 0) close(f->fd);
    json_decref(f->header);
    f->fd = -1;
    f->header = NULL;
}

static gn_status ck_open(ck_file *f, const char *path, gn_error *err) {
    f->path = path;
    f->header = NULL;
    f->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (f->fd < 0)
        return gn_error_set(err, errno == ENOENT ? GN_ERR_NOT_FOUND : GN_ERR_IO,
                            "checkpoint %s: cannot open: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(f->fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        ck_close(f);
        return gn_error_set(err, GN_ERR_IO, "checkpoint %s: not a regular file", path);
    }
    f->size = (uint64_t)sb.st_size;
    if (f->size < 8) {
        ck_close(f);
        return gn_error_set(err, GN_ERR_FORMAT,
                            "checkpoint %s is too short (%llu bytes) to be a safetensors file",
                            path, (unsigned long long)f->size);
    }
    unsigned char le[8];
    gn_status st = read_at(f->fd, path, le, 8, 0, err);
    if (st) {
        ck_close(f);
        return st;
    }
    f->hlen = 0;
    for (int i = 7; i >= 0; i--)
        f->hlen = f->hlen << 8 | le[i];
    if (f->hlen > GN_CHECKPOINT_MAX_HEADER) {
        ck_close(f);
        return gn_error_set(err, GN_ERR_FORMAT,
                            "checkpoint %s: header length %llu exceeds the %u-byte limit "
                            "(not a safetensors file?)",
                            path, (unsigned long long)f->hlen, GN_CHECKPOINT_MAX_HEADER);
    }
    if (f->hlen > f->size - 8) {
        ck_close(f);
        return gn_error_set(err, GN_ERR_FORMAT,
                            "checkpoint %s: header length %llu exceeds the file (%llu bytes); "
                            "truncated or not a safetensors file",
                            path, (unsigned long long)f->hlen, (unsigned long long)f->size);
    }
    char *text = malloc((size_t)f->hlen + 1);
    if (!text) {
        ck_close(f);
        return gn_error_set(err, GN_ERR_NOMEM, "checkpoint %s: out of memory for the header", path);
    }
    st = read_at(f->fd, path, text, (size_t)f->hlen, 8, err);
    if (st) {
        free(text);
        ck_close(f);
        return st;
    }
    json_error_t je;
    f->header = json_loadb(text, (size_t)f->hlen, JSON_REJECT_DUPLICATES, &je);
    free(text);
    if (!f->header) {
        ck_close(f);
        return gn_error_set(err, GN_ERR_FORMAT,
                            "checkpoint %s: header is not valid JSON: %s (at byte %d)", path,
                            je.text, je.position);
    }
    if (!json_is_object(f->header)) {
        ck_close(f);
        return gn_error_set(err, GN_ERR_FORMAT, "checkpoint %s: header is not a JSON object", path);
    }
    return GN_OK;
}

/* "__metadata__" must be an object of strings, when present. */
static gn_status check_metadata(const ck_file *f, gn_error *err) {
    json_t *md = json_object_get(f->header, META_KEY);
    if (!md) return GN_OK;
    if (!json_is_object(md))
        return gn_error_set(err, GN_ERR_FORMAT, "checkpoint %s: %s is not an object", f->path,
                            META_KEY);
    const char *k;
    json_t *v;
    json_object_foreach(md, k, v) {
        if (!json_is_string(v))
            return gn_error_set(err, GN_ERR_FORMAT, "checkpoint %s: %s value '%s' is not a string",
                                f->path, META_KEY, k);
    }
    return GN_OK;
}

/* A tensor of the file, validated on its own. */
typedef struct ck_entry {
    const char *name; /* borrowed from the header */
    const json_t *shape;
    uint64_t begin, end;
    int matched;
} ck_entry;

static int cmp_ck_offset(const void *a, const void *b) {
    const ck_entry *x = a, *y = b;
    if (x->begin != y->begin) return x->begin < y->begin ? -1 : 1;
    return x->end < y->end ? -1 : x->end > y->end;
}

static int cmp_ck_name(const void *a, const void *b) {
    return strcmp(((const ck_entry *)a)->name, ((const ck_entry *)b)->name);
}

static gn_status fmt_err(const ck_file *f, const char *name, const char *what, gn_error *err) {
    return gn_error_set(err, GN_ERR_FORMAT, "checkpoint %s: tensor '%s': %s", f->path, name, what);
}

static gn_status parse_entry(const ck_file *f, const char *name, const json_t *v, ck_entry *out,
                             gn_error *err) {
    if (!json_is_object(v)) return fmt_err(f, name, "not a JSON object", err);
    const json_t *dtype = json_object_get(v, "dtype");
    const json_t *shape = json_object_get(v, "shape");
    const json_t *offs = json_object_get(v, "data_offsets");
    if (!json_is_string(dtype)) return fmt_err(f, name, "no \"dtype\" string", err);
    if (strcmp(json_string_value(dtype), "F32") != 0)
        return gn_error_set(err, GN_ERR_FORMAT,
                            "checkpoint %s: tensor '%s' has dtype %.32s; only F32 is supported",
                            f->path, name, json_string_value(dtype));
    if (!json_is_array(shape)) return fmt_err(f, name, "no \"shape\" array", err);
    uint64_t numel = 1;
    int overflow = 0;
    for (size_t i = 0; i < json_array_size(shape); i++) {
        const json_t *d = json_array_get(shape, i);
        if (!json_is_integer(d) || json_integer_value(d) < 0)
            return fmt_err(f, name, "\"shape\" holds something other than integers >= 0", err);
        uint64_t k = (uint64_t)json_integer_value(d);
        if (k && numel > UINT64_MAX / 4 / k)
            overflow = 1;
        else
            numel *= k;
    }
    if (overflow) return fmt_err(f, name, "\"shape\" is impossibly large", err);
    if (!json_is_array(offs) || json_array_size(offs) != 2 ||
        !json_is_integer(json_array_get(offs, 0)) || !json_is_integer(json_array_get(offs, 1)))
        return fmt_err(f, name, "\"data_offsets\" is not an array of two integers", err);
    json_int_t b = json_integer_value(json_array_get(offs, 0));
    json_int_t e = json_integer_value(json_array_get(offs, 1));
    if (b < 0 || e < b)
        return gn_error_set(err, GN_ERR_FORMAT,
                            "checkpoint %s: tensor '%s': data_offsets [%lld, %lld] are out of "
                            "range",
                            f->path, name, (long long)b, (long long)e);
    if ((uint64_t)(e - b) != numel * 4) {
        char s[SHAPE_STR_MAX];
        json_shape_str(shape, s, sizeof s);
        return gn_error_set(err, GN_ERR_FORMAT,
                            "checkpoint %s: tensor '%s': data_offsets [%lld, %lld] span %llu "
                            "bytes, but shape %s in F32 needs %llu",
                            f->path, name, (long long)b, (long long)e, (unsigned long long)(e - b),
                            s, (unsigned long long)(numel * 4));
    }
    *out = (ck_entry){name, shape, (uint64_t)b, (uint64_t)e, 0};
    return GN_OK;
}

/* All tensors of the file; offsets tile the data section exactly. On
 * success the entries are sorted by name. Caller frees *out. */
static gn_status parse_entries(const ck_file *f, ck_entry **out, size_t *n_out, gn_error *err) {
    size_t n = json_object_size(f->header);
    ck_entry *es = malloc((n ? n : 1) * sizeof *es);
    if (!es) return gn_error_set(err, GN_ERR_NOMEM, "checkpoint: out of memory");
    size_t k = 0;
    const char *name;
    json_t *v;
    gn_status st = GN_OK;
    json_object_foreach(f->header, name, v) {
        if (!strcmp(name, META_KEY)) continue;
        if ((st = parse_entry(f, name, v, &es[k], err))) goto fail;
        k++;
    }
    qsort(es, k, sizeof *es, cmp_ck_offset);
    uint64_t at = 0;
    for (size_t i = 0; i < k; i++) {
        if (es[i].begin < at) {
            st =
                gn_error_set(err, GN_ERR_FORMAT,
                             "checkpoint %s: tensors '%s' and '%s' overlap (data_offsets "
                             "[%llu, %llu] and [%llu, %llu])",
                             f->path, es[i - 1].name, es[i].name,
                             (unsigned long long)es[i - 1].begin, (unsigned long long)es[i - 1].end,
                             (unsigned long long)es[i].begin, (unsigned long long)es[i].end);
            goto fail;
        }
        if (es[i].begin > at) {
            st = gn_error_set(err, GN_ERR_FORMAT,
                              "checkpoint %s: data bytes [%llu, %llu) belong to no tensor "
                              "(before '%s')",
                              f->path, (unsigned long long)at, (unsigned long long)es[i].begin,
                              es[i].name);
            goto fail;
        }
        at = es[i].end;
    }
    uint64_t have = f->size - 8 - f->hlen;
    if (have < at) {
        st = gn_error_set(err, GN_ERR_FORMAT,
                          "checkpoint %s is truncated: header promises %llu data bytes, file "
                          "has %llu",
                          f->path, (unsigned long long)at, (unsigned long long)have);
        goto fail;
    }
    if (have > at) {
        st = gn_error_set(err, GN_ERR_FORMAT,
                          "checkpoint %s: header accounts for %llu data bytes, file has %llu "
                          "(trailing bytes)",
                          f->path, (unsigned long long)at, (unsigned long long)have);
        goto fail;
    }
    qsort(es, k, sizeof *es, cmp_ck_name);
    *out = es;
    *n_out = k;
    return GN_OK;
fail:
    free(es);
    return st;
}

static int same_shape(const json_t *shape, const gn_tensor *t) {
    if (json_array_size(shape) != (size_t)gn_tensor_ndim(t)) return 0;
    for (int i = 0; i < gn_tensor_ndim(t); i++)
        if (json_integer_value(json_array_get(shape, (size_t)i)) != gn_tensor_dim(t, i)) return 0;
    return 1;
}

/* Pairs each model tensor with its file entry (NULL when absent). */
static gn_status match(const ck_file *f, const model_entry *ms, int nm, ck_entry *cs, size_t nc,
                       int strict, ck_entry **pair, gn_error *err) {
    int missing = 0;
    const char *first_missing = NULL;
    for (int i = 0; i < nm; i++) {
        ck_entry key = {.name = ms[i].name};
        ck_entry *c = bsearch(&key, cs, nc, sizeof *cs, cmp_ck_name);
        pair[i] = c;
        if (!c) {
            if (!missing++) first_missing = ms[i].name;
            continue;
        }
        c->matched = 1;
        if (!same_shape(c->shape, ms[i].t)) {
            char cks[SHAPE_STR_MAX], mds[SHAPE_STR_MAX];
            json_shape_str(c->shape, cks, sizeof cks);
            tensor_shape_str(ms[i].t, mds, sizeof mds);
            return gn_error_set(err, GN_ERR_INVALID,
                                "checkpoint %s: tensor '%s': checkpoint shape %s, model shape %s",
                                f->path, ms[i].name, cks, mds);
        }
    }
    if (!strict) return GN_OK;
    if (missing)
        return gn_error_set(err, GN_ERR_NOT_FOUND,
                            "checkpoint %s lacks tensor '%s' (%d of the model's %d tensors "
                            "missing; a non-strict load skips them)",
                            f->path, first_missing, missing, nm);
    size_t extra = 0;
    const char *first_extra = NULL;
    for (size_t j = 0; j < nc; j++)
        if (!cs[j].matched && !extra++) first_extra = cs[j].name;
    if (extra)
        return gn_error_set(err, GN_ERR_INVALID,
                            "checkpoint %s has tensor '%s' that the model lacks (%zu unexpected "
                            "tensors; a non-strict load ignores them)",
                            f->path, first_extra, extra);
    return GN_OK;
}

gn_status gn_checkpoint_load(gn_model *m, const char *path, int strict, gn_error *err) {
    if (!m || !path)
        return gn_error_set(err, GN_ERR_INVALID, "checkpoint: %s is NULL", !m ? "model" : "path");
    ck_file f;
    gn_status st = ck_open(&f, path, err);
    if (st) return st;
    model_entry *ms = NULL;
    ck_entry *cs = NULL, **pair = NULL;
    unsigned char *data = NULL;
    size_t nc = 0;
    int nm = 0;
    if ((st = check_metadata(&f, err)) || (st = parse_entries(&f, &cs, &nc, err)) ||
        (st = model_entries(m, &ms, &nm, err)))
        goto done;
    pair = malloc((size_t)(nm ? nm : 1) * sizeof *pair);
    if (!pair) {
        st = gn_error_set(err, GN_ERR_NOMEM, "checkpoint: out of memory");
        goto done;
    }
    if ((st = match(&f, ms, nm, cs, nc, strict, pair, err))) goto done;

    /* Everything validated: read what is needed into a staging buffer, and
     * only then touch the model, so a read error leaves it unchanged. */
    uint64_t need = 0;
    for (int i = 0; i < nm; i++)
        if (pair[i]) need += pair[i]->end - pair[i]->begin;
    if (need > SIZE_MAX) {
        st = gn_error_set(err, GN_ERR_NOMEM, "checkpoint %s: too large for memory", path);
        goto done;
    }
    data = malloc(need ? (size_t)need : 1);
    if (!data) {
        st = gn_error_set(err, GN_ERR_NOMEM, "checkpoint %s: out of memory for %llu bytes", path,
                          (unsigned long long)need);
        goto done;
    }
    size_t at = 0;
    for (int i = 0; i < nm; i++) {
        if (!pair[i]) continue;
        size_t k = (size_t)(pair[i]->end - pair[i]->begin);
        if ((st = read_at(f.fd, path, data + at, k, 8 + f.hlen + pair[i]->begin, err))) goto done;
        at += k;
    }
    at = 0;
    for (int i = 0; i < nm; i++) {
        if (!pair[i]) continue;
        float *dst = gn_tensor_data(ms[i].t);
        int64_t n = gn_tensor_numel(ms[i].t);
        for (int64_t j = 0; j < n; j++)
            dst[j] = get_f32le(data + at + 4 * (size_t)j);
        at += (size_t)n * 4;
    }
done:
    free(data);
    free(pair);
    free(ms);
    free(cs);
    ck_close(&f);
    return st;
}

gn_status gn_checkpoint_read_meta(const char *path, const char *key, char *value, size_t n,
                                  gn_error *err) {
    if (!path || !key || !value || n == 0)
        return gn_error_set(err, GN_ERR_INVALID,
                            "checkpoint: read_meta needs a path, a key and a value buffer");
    ck_file f;
    gn_status st = ck_open(&f, path, err);
    if (st) return st;
    if ((st = check_metadata(&f, err))) goto done;
    const json_t *v = json_object_get(json_object_get(f.header, META_KEY), key);
    if (!v) {
        st = gn_error_set(err, GN_ERR_NOT_FOUND, "checkpoint %s: no metadata '%s'", path, key);
        goto done;
    }
    size_t len = json_string_length(v);
    if (len >= n) {
        st = gn_error_set(err, GN_ERR_INVALID,
                          "checkpoint %s: metadata '%s' is %zu bytes, buffer holds %zu", path, key,
                          len, n - 1);
        goto done;
    }
    memcpy(value, json_string_value(v), len + 1);
done:
    ck_close(&f);
    return st;
}
