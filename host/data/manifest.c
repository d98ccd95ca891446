/* Dataset manifests: lookup, INI parsing (inih) and validation. */
#include "data/manifest.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "data/formats.h"
#include "data/read.h"

#ifndef GN_SOURCE_DATASET_DIR
#define GN_SOURCE_DATASET_DIR "datasets"
#endif
#ifndef GN_INSTALL_DATASET_DIR
#define GN_INSTALL_DATASET_DIR "/usr/local/share/ganglion/datasets"
#endif

#define GN_MANIFEST_MAX_NAME 40  /* section and key names (inih keeps 49) */
#define GN_MANIFEST_MAX_VALUE 64 /* dataset, split and class names */

static int is_regular(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Non-zero for 1..GN_MANIFEST_MAX_VALUE chars of [A-Za-z0-9._-], not starting with '.'. */
static int is_plain_name(const char *s, size_t len) {
    if (len == 0 || len > GN_MANIFEST_MAX_VALUE || s[0] == '.') return 0;
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-') return 0;
    return 1;
}

static int ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

gn_status gn_manifest_find(const char *name, char *out, size_t outsz, gn_error *err) {
    if (outsz) out[0] = '\0';
    if (!name || !name[0]) return gn_error_set(err, GN_ERR_INVALID, "empty dataset name");
    if (strchr(name, '/') || ends_with(name, ".ini")) {
        if (!is_regular(name))
            return gn_error_set(err, GN_ERR_NOT_FOUND, "manifest '%s' not found", name);
        if ((size_t)snprintf(out, outsz, "%s", name) >= outsz)
            return gn_error_set(err, GN_ERR_INVALID, "manifest path '%s' is too long", name);
        return GN_OK;
    }
    if (!is_plain_name(name, strlen(name)))
        return gn_error_set(err, GN_ERR_INVALID,
                            "bad dataset name '%s' (letters, digits, '.', '_' and '-' only)", name);
    const char *dirs[] = {GN_SOURCE_DATASET_DIR, GN_INSTALL_DATASET_DIR};
    char searched[360] = "";
    const char *env = getenv(GN_MANIFEST_PATH_ENV);
    const char *p = env ? env : "";
    int in_env = env != NULL;
    size_t k = 0;
    for (;;) {
        const char *dir;
        size_t len;
        const char *end = NULL;
        if (in_env) {
            end = strchr(p, ':');
            dir = p;
            len = end ? (size_t)(end - p) : strlen(p);
        } else {
            if (k == sizeof dirs / sizeof *dirs) break;
            dir = dirs[k++];
            len = strlen(dir);
        }
        if (len) {
            int w = snprintf(out, outsz, "%.*s/%s.ini", (int)len, dir, name);
            if (w > 0 && (size_t)w < outsz && is_regular(out)) return GN_OK;
            size_t used = strlen(searched);
            if (used + 1 < sizeof searched)
                snprintf(searched + used, sizeof searched - used, "%s%.*s", used ? ", " : "",
                         (int)len, dir);
        }
        if (in_env) {
            if (end)
                p = end + 1;
            else
                in_env = 0;
        }
    }
    if (outsz) out[0] = '\0';
    return gn_error_set(err, GN_ERR_NOT_FOUND,
                        "no manifest '%s.ini' for dataset '%s' in: %s (add folders with "
                        "GANGLION_MANIFEST_PATH, colon-separated, or give a path to a .ini file)",
                        name, name, searched);
}

/* ---- syntax pre-scan (inih has no line numbers and splits long lines) --- */

static const char *find_sep_or_comment(const char *s, const char *e, const char *chars) {
    int was_space = 0;
    for (; s < e; s++) {
        if (strchr(chars, *s) || (was_space && *s == ';')) return s;
        was_space = isspace((unsigned char)*s);
    }
    return e;
}

struct parse_state;
static int declare_section(struct parse_state *ps, const char *name, size_t len);
static const char *parse_error(struct parse_state *ps);

/* Mirrors inih's reading of each line to report syntax errors with their
 * line, and bounds line and name lengths. cont (one byte per line) receives,
 * for each call inih will make to the handler, whether it is a continuation
 * line (1) or a `key = value` line (0); *n_calls their number. Declares the
 * [split.NAME] sections in ps (inih says nothing of a section without
 * keys). */
static gn_status prescan(const char *path, const char *buf, size_t n, unsigned char *cont,
                         int *n_calls, struct parse_state *ps, gn_error *err) {
    const char *z = memchr(buf, '\0', n);
    int line = 0, have_key = 0, calls = 0;
    const char *p = buf, *end = buf + n;
    while (p < end) {
        line++;
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        if (z && z < e)
            return gn_error_set(err, GN_ERR_FORMAT, "manifest '%s' line %d: NUL byte", path, line);
        if ((size_t)(e - p) > GN_MANIFEST_MAX_LINE)
            return gn_error_set(err, GN_ERR_FORMAT,
                                "manifest '%s' line %d is too long (%zu bytes, at most %d)", path,
                                line, (size_t)(e - p), GN_MANIFEST_MAX_LINE);
        const char *s = p;
        if (line == 1 && e - s >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) s += 3;
        while (s < e && isspace((unsigned char)*s))
            s++;
        if (s == e || *s == ';' || *s == '#') {
            /* blank or comment */
        } else if (have_key && s > p) {
            cont[calls++] = 1; /* continuation of the previous value */
        } else if (*s == '[') {
            const char *c = find_sep_or_comment(s + 1, e, "]");
            if (c == e || *c != ']')
                return gn_error_set(err, GN_ERR_FORMAT, "manifest '%s' line %d: missing ']'", path,
                                    line);
            if (c - s - 1 > GN_MANIFEST_MAX_NAME)
                return gn_error_set(err, GN_ERR_FORMAT,
                                    "manifest '%s' line %d: section name too long", path, line);
            if (!declare_section(ps, s + 1, (size_t)(c - s - 1)))
                return gn_error_set(err, GN_ERR_CONFIG, "manifest '%s' line %d: %s", path, line,
                                    parse_error(ps));
            have_key = 0;
        } else {
            const char *c = find_sep_or_comment(s, e, "=:");
            if (c == e || (*c != '=' && *c != ':'))
                return gn_error_set(err, GN_ERR_FORMAT,
                                    "manifest '%s' line %d: expected 'key = value', '[section]' "
                                    "or a comment",
                                    path, line);
            if (c - s > GN_MANIFEST_MAX_NAME)
                return gn_error_set(err, GN_ERR_FORMAT, "manifest '%s' line %d: key name too long",
                                    path, line);
            have_key = 1;
            cont[calls++] = 0;
        }
        p = nl ? nl + 1 : end;
    }
    *n_calls = calls;
    return GN_OK;
}

/* ---- the inih handler ---------------------------------------------------- */

/* Keys that only some formats use: one bit each, [dataset] and [split.*]. */
enum {
    K_IMAGES = 1 << 0,
    K_IMAGES_SHA = 1 << 1,
    K_LABELS = 1 << 2,
    K_LABELS_SHA = 1 << 3,
    K_FILES = 1 << 4,
    K_FILE = 1 << 5,
    K_SHA = 1 << 6,
    K_ARCHIVE = 1 << 7,
    K_ARCHIVE_SHA = 1 << 8,
    K_ROOT = 1 << 9,
    K_SIZE = 1 << 10,
    K_CHANNELS = 1 << 11,
    K_FEATURES = 1 << 12,
    K_TARGETS = 1 << 13,
    K_TEST_FRACTION = 1 << 14,
    K_CLASSES = 1 << 15,
    K_CLASS_NAMES = 1 << 16,
    K_FUNCTION = 1 << 17,
    K_RANGE = 1 << 18,
    K_NOISE = 1 << 19,
    K_SEED = 1 << 20,
    K_SAMPLES = 1 << 21,
    K_GRID = 1 << 22,
};

static const struct {
    unsigned bit;
    const char *name;
} key_names[] = {{K_IMAGES, "images"},
                 {K_IMAGES_SHA, "images_sha256"},
                 {K_LABELS, "labels"},
                 {K_LABELS_SHA, "labels_sha256"},
                 {K_FILES, "files"},
                 {K_FILE, "file"},
                 {K_SHA, "sha256"},
                 {K_ARCHIVE, "archive"},
                 {K_ARCHIVE_SHA, "archive_sha256"},
                 {K_ROOT, "root"},
                 {K_SIZE, "size"},
                 {K_CHANNELS, "channels"},
                 {K_FEATURES, "features"},
                 {K_TARGETS, "targets"},
                 {K_TEST_FRACTION, "test_fraction"},
                 {K_CLASSES, "classes"},
                 {K_CLASS_NAMES, "class_names"},
                 {K_FUNCTION, "function"},
                 {K_RANGE, "range"},
                 {K_NOISE, "noise"},
                 {K_SEED, "seed"},
                 {K_SAMPLES, "samples"},
                 {K_GRID, "grid"}};

static const struct {
    const char *name;
    gn_data_format fmt;
    unsigned dataset_keys, split_keys; /* the format-specific keys allowed */
} formats[] = {
    {"idx", GN_FORMAT_IDX, K_CLASSES | K_CLASS_NAMES,
     K_IMAGES | K_IMAGES_SHA | K_LABELS | K_LABELS_SHA},
    {"cifar10", GN_FORMAT_CIFAR10, K_CLASSES | K_CLASS_NAMES, K_FILES | K_SHA},
    {"imagefolder", GN_FORMAT_IMAGEFOLDER,
     K_CLASSES | K_CLASS_NAMES | K_ARCHIVE | K_ARCHIVE_SHA | K_SIZE | K_CHANNELS,
     K_ARCHIVE | K_ARCHIVE_SHA | K_ROOT},
    {"csv", GN_FORMAT_CSV, K_FEATURES | K_TARGETS | K_TEST_FRACTION, K_FILE | K_SHA},
    {"function", GN_FORMAT_FUNCTION, K_FUNCTION | K_RANGE | K_NOISE | K_SEED, K_SAMPLES | K_GRID},
};

typedef struct parse_state {
    gn_manifest *m;
    char msg[400];     /* the first handler error */
    char *class_names; /* raw lists, continuation lines appended */
    char *features, *targets;
    char *files[GN_MANIFEST_MAX_SPLITS], *shas[GN_MANIFEST_MAX_SPLITS];
    unsigned dataset_keys, split_keys[GN_MANIFEST_MAX_SPLITS];
    const unsigned char *cont; /* from prescan: is handler call i a continuation line */
    int n_calls, calls;
} parse_state;

GN_PRINTF(2, 3) static int fail(parse_state *ps, const char *fmt, ...) {
    if (!ps->msg[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ps->msg, sizeof ps->msg, fmt, ap);
        va_end(ap);
    }
    return 0;
}

static int set_string(parse_state *ps, char **dst, const char *key, const char *value) {
    if (*dst) return fail(ps, "key '%s' given twice", key);
    *dst = strdup(value);
    return *dst ? 1 : fail(ps, "out of memory");
}

/* Parses FILE or ARCHIVE:MEMBER (len bytes at value) into f. Returns NULL or
 * what is wrong. */
static const char *parse_file_spec(const char *value, size_t len, gn_manifest_file *f) {
    const char *colon = memchr(value, ':', len);
    size_t flen = colon ? (size_t)(colon - value) : len;
    char *file = strndup(value, flen);
    char *member = colon ? strndup(colon + 1, len - flen - 1) : NULL;
    if (!file || (colon && !member)) {
        free(file);
        free(member);
        return "out of memory";
    }
    if (!gn_path_is_safe_relative(file) || (member && !gn_path_is_safe_relative(member))) {
        free(file);
        free(member);
        return "must be a relative file name without '..' or leading '/' (or ARCHIVE:MEMBER)";
    }
    f->file = file;
    f->member = member;
    return NULL;
}

static int set_file(parse_state *ps, gn_manifest_file *f, const char *key, const char *value) {
    if (f->file) return fail(ps, "key '%s' given twice", key);
    const char *why = parse_file_spec(value, strlen(value), f);
    return why ? fail(ps, "%s = '%s' %s", key, value, why) : 1;
}

/* An archive on the data path (no ARCHIVE:MEMBER: archives do not nest). */
static int set_archive(parse_state *ps, gn_manifest_file *f, const char *key, const char *value) {
    if (f->file) return fail(ps, "key '%s' given twice", key);
    if (strchr(value, ':') || !gn_path_is_safe_relative(value))
        return fail(ps,
                    "%s = '%s' must be a relative file name without '..', ':' or leading '/' "
                    "(an archive on the data path)",
                    key, value);
    f->file = strdup(value);
    return f->file ? 1 : fail(ps, "out of memory");
}

static int set_sha(parse_state *ps, gn_manifest_file *f, const char *key, const char *value) {
    if (f->sha256[0]) return fail(ps, "key '%s' given twice", key);
    if (!gn_sha256_is_hex(value))
        return fail(ps, "%s = '%s' is not a SHA-256 (64 hex digits)", key, value);
    for (int i = 0; i < GN_SHA256_HEX_LEN; i++)
        f->sha256[i] = (char)tolower((unsigned char)value[i]);
    f->sha256[GN_SHA256_HEX_LEN] = '\0';
    return 1;
}

/* Appends a line of a list value to *raw: comma-separated class names (a
 * continuation line starts a new name unless a comma ends the last one) or
 * space-separated words. */
static int list_key(parse_state *ps, char **raw, const char *key, const char *value, int continued,
                    int commas) {
    if (*raw && !continued) return fail(ps, "key '%s' given twice", key);
    size_t old = *raw ? strlen(*raw) : 0;
    /* inih 55 keeps inline comments on continuation lines: cut them */
    size_t len = (size_t)(find_sep_or_comment(value, value + strlen(value), "") - value);
    while (len && isspace((unsigned char)value[len - 1]))
        len--;
    char *s = realloc(*raw, old + len + 2);
    if (!s) return fail(ps, "out of memory");
    const char *sep = !old ? "" : commas ? (s[old - 1] != ',' ? "," : "") : " ";
    snprintf(s + old, len + 2, "%s%.*s", sep, (int)len, value);
    *raw = s;
    return 1;
}

static int parse_int(const char *s, long lo, long hi, long *v) {
    char *e;
    errno = 0;
    *v = strtol(s, &e, 10);
    return !errno && e != s && !*e && *v >= lo && *v <= hi;
}

/* A finite number; *end (when not NULL) receives what follows it, else
 * nothing may follow. */
static int parse_double(const char *s, double *v, const char **end) {
    char *e;
    errno = 0;
    *v = strtod(s, &e);
    if (errno || e == s || !isfinite(*v)) return 0;
    if (end) *end = e;
    return end || !*e;
}

/* format = function's [dataset] keys: function, range, noise, seed. */
static int function_key(parse_state *ps, const char *key, const char *value) {
    gn_manifest *m = ps->m;
    unsigned bit = !strcmp(key, "function") ? K_FUNCTION
                   : !strcmp(key, "range")  ? K_RANGE
                   : !strcmp(key, "noise")  ? K_NOISE
                                            : K_SEED;
    if (ps->dataset_keys & bit) return fail(ps, "key '%s' given twice", key);
    ps->dataset_keys |= bit;
    if (bit == K_FUNCTION) {
        if ((m->function = gn_function_find(value, NULL)) < 0)
            return fail(ps, "function = '%s' is not known (%s)", value, GN_FUNCTION_NAMES);
        return 1;
    }
    if (bit == K_RANGE) {
        const char *p = value;
        int ok = 1;
        for (int i = 0; i < 4 && ok; i++)
            ok = parse_double(p, &m->range[i], &p);
        while (ok && isspace((unsigned char)*p))
            p++;
        if (!ok || *p || !(m->range[0] < m->range[1]) || !(m->range[2] < m->range[3]))
            return fail(ps,
                        "range = '%s' must be four finite numbers x0 x1 y0 y1 with x0 < x1 and "
                        "y0 < y1",
                        value);
        return 1;
    }
    if (bit == K_NOISE) {
        if (!parse_double(value, &m->noise, NULL) || m->noise < 0)
            return fail(ps, "noise = '%s' must be a number >= 0 (the noise's standard deviation)",
                        value);
        return 1;
    }
    long v;
    if (!parse_int(value, 0, 2147483647, &v))
        return fail(ps, "seed = '%s' is not an integer in 0..2147483647", value);
    m->seed = (uint64_t)v;
    return 1;
}

static int dataset_key(parse_state *ps, const char *key, const char *value, int continued) {
    gn_manifest *m = ps->m;
    if (strcmp(key, "class_names") == 0) {
        ps->dataset_keys |= K_CLASS_NAMES;
        return list_key(ps, &ps->class_names, key, value, continued, 1);
    }
    if (strcmp(key, "features") == 0) {
        ps->dataset_keys |= K_FEATURES;
        return list_key(ps, &ps->features, key, value, continued, 0);
    }
    if (strcmp(key, "targets") == 0) {
        ps->dataset_keys |= K_TARGETS;
        return list_key(ps, &ps->targets, key, value, continued, 0);
    }
    if (strcmp(key, "description") == 0 || strcmp(key, "url") == 0 || strcmp(key, "license") == 0)
        return 1;
    if (continued)
        return fail(ps,
                    "key '%s' takes one value: only lists (class_names, files, sha256, features, "
                    "targets) continue on indented lines",
                    key);
    if (strcmp(key, "name") == 0) {
        if (!is_plain_name(value, strlen(value)))
            return fail(ps, "name = '%s' is not a plain name", value);
        return set_string(ps, &m->name, key, value);
    }
    if (strcmp(key, "format") == 0) {
        for (size_t i = 0; i < sizeof formats / sizeof *formats; i++)
            if (strcmp(value, formats[i].name) == 0) {
                m->fmt = formats[i].fmt;
                return set_string(ps, &m->format, key, value);
            }
        return fail(ps,
                    "format = '%s' is not supported (only 'idx', 'cifar10', 'imagefolder', "
                    "'csv' or 'function')",
                    value);
    }
    if (strcmp(key, "subdir") == 0) {
        if (!gn_path_is_safe_relative(value))
            return fail(ps, "subdir = '%s' must be a relative path without '..'", value);
        return set_string(ps, &m->subdir, key, value);
    }
    long v;
    if (strcmp(key, "classes") == 0) {
        if (ps->dataset_keys & K_CLASSES) return fail(ps, "key '%s' given twice", key);
        if (!parse_int(value, 1, GN_MANIFEST_MAX_CLASSES, &v))
            return fail(ps, "classes = '%s' is not an integer in 1..65536", value);
        m->classes = (int)v;
        ps->dataset_keys |= K_CLASSES;
        return 1;
    }
    if (strcmp(key, "archive") == 0) {
        ps->dataset_keys |= K_ARCHIVE;
        return set_archive(ps, &m->archive, key, value);
    }
    if (strcmp(key, "archive_sha256") == 0) {
        ps->dataset_keys |= K_ARCHIVE_SHA;
        return set_sha(ps, &m->archive, key, value);
    }
    if (strcmp(key, "size") == 0) {
        if (ps->dataset_keys & K_SIZE) return fail(ps, "key '%s' given twice", key);
        ps->dataset_keys |= K_SIZE;
        int h, w, used = 0;
        if (sscanf(value, "%d %d %n", &h, &w, &used) != 2 || value[used] || h < 1 ||
            h > GN_MANIFEST_MAX_SIZE || w < 1 || w > GN_MANIFEST_MAX_SIZE)
            return fail(ps, "size = '%s' must be two integers H W in 1..%d", value,
                        GN_MANIFEST_MAX_SIZE);
        m->height = h;
        m->width = w;
        return 1;
    }
    if (strcmp(key, "channels") == 0) {
        if (ps->dataset_keys & K_CHANNELS) return fail(ps, "key '%s' given twice", key);
        ps->dataset_keys |= K_CHANNELS;
        if (!parse_int(value, 1, 3, &v) || v == 2)
            return fail(ps, "channels = '%s' must be 1 (gray) or 3 (RGB)", value);
        m->channels = (int)v;
        return 1;
    }
    if (strcmp(key, "test_fraction") == 0) {
        if (ps->dataset_keys & K_TEST_FRACTION) return fail(ps, "key '%s' given twice", key);
        ps->dataset_keys |= K_TEST_FRACTION;
        char *e;
        errno = 0;
        double f = strtod(value, &e);
        if (errno || e == value || *e || !(f > 0.0 && f < 1.0))
            return fail(ps, "test_fraction = '%s' must be a number between 0 and 1 (exclusive)",
                        value);
        m->test_fraction = f;
        return 1;
    }
    if (strcmp(key, "function") == 0 || strcmp(key, "range") == 0 || strcmp(key, "noise") == 0 ||
        strcmp(key, "seed") == 0)
        return function_key(ps, key, value);
    return fail(ps, "unknown key '%s' in [dataset]", key);
}

static gn_manifest_split *split_get(parse_state *ps, const char *name) {
    gn_manifest *m = ps->m;
    for (int i = 0; i < m->n_splits; i++)
        if (strcmp(m->splits[i].name, name) == 0) return &m->splits[i];
    if (!is_plain_name(name, strlen(name))) {
        fail(ps, "bad split name '%s' in [split.%s]", name, name);
        return NULL;
    }
    if (m->n_splits == GN_MANIFEST_MAX_SPLITS) {
        fail(ps, "too many splits (at most 16)");
        return NULL;
    }
    gn_manifest_split *s = realloc(m->splits, (size_t)(m->n_splits + 1) * sizeof *s);
    if (!s) {
        fail(ps, "out of memory");
        return NULL;
    }
    m->splits = s;
    s = &m->splits[m->n_splits];
    memset(s, 0, sizeof *s);
    if (!(s->name = strdup(name))) {
        fail(ps, "out of memory");
        return NULL;
    }
    m->n_splits++;
    return s;
}

static int split_key(parse_state *ps, gn_manifest_split *s, const char *key, const char *value,
                     int continued) {
    int i = (int)(s - ps->m->splits);
    unsigned *seen = &ps->split_keys[i];
    if (strcmp(key, "files") == 0) {
        *seen |= K_FILES;
        return list_key(ps, &ps->files[i], key, value, continued, 0);
    }
    if (strcmp(key, "sha256") == 0) {
        *seen |= K_SHA;
        return list_key(ps, &ps->shas[i], key, value, continued, 0);
    }
    if (continued)
        return fail(ps,
                    "key '%s' takes one value: only lists (class_names, files, sha256, features, "
                    "targets) continue on indented lines",
                    key);
    if (strcmp(key, "images") == 0) {
        *seen |= K_IMAGES;
        return set_file(ps, &s->images, key, value);
    }
    if (strcmp(key, "labels") == 0) {
        *seen |= K_LABELS;
        return set_file(ps, &s->labels, key, value);
    }
    if (strcmp(key, "images_sha256") == 0) {
        *seen |= K_IMAGES_SHA;
        return set_sha(ps, &s->images, key, value);
    }
    if (strcmp(key, "labels_sha256") == 0) {
        *seen |= K_LABELS_SHA;
        return set_sha(ps, &s->labels, key, value);
    }
    if (strcmp(key, "file") == 0) {
        *seen |= K_FILE;
        if (s->files) return fail(ps, "key '%s' given twice", key);
        if (!(s->files = calloc(1, sizeof *s->files))) return fail(ps, "out of memory");
        s->n_files = 1;
        return set_file(ps, &s->files[0], key, value);
    }
    if (strcmp(key, "archive") == 0) {
        *seen |= K_ARCHIVE;
        return set_archive(ps, &s->archive, key, value);
    }
    if (strcmp(key, "archive_sha256") == 0) {
        *seen |= K_ARCHIVE_SHA;
        return set_sha(ps, &s->archive, key, value);
    }
    if (strcmp(key, "root") == 0) {
        *seen |= K_ROOT;
        size_t len = strlen(value);
        while (len && value[len - 1] == '/') /* "train/" is "train" */
            len--;
        char *root = strndup(value, len);
        if (!root) return fail(ps, "out of memory");
        if (len && !gn_path_is_safe_relative(root)) {
            free(root);
            return fail(ps, "root = '%s' must be a relative folder without '..'", value);
        }
        if (s->root) {
            free(root);
            return fail(ps, "key '%s' given twice", key);
        }
        s->root = root;
        return 1;
    }
    long v;
    if (strcmp(key, "samples") == 0) {
        if (*seen & K_SAMPLES) return fail(ps, "key '%s' given twice", key);
        *seen |= K_SAMPLES;
        if (!parse_int(value, 1, GN_MANIFEST_MAX_SAMPLES, &v))
            return fail(ps, "samples = '%s' is not an integer in 1..%d", value,
                        GN_MANIFEST_MAX_SAMPLES);
        s->samples = v;
        return 1;
    }
    if (strcmp(key, "grid") == 0) {
        if (*seen & K_GRID) return fail(ps, "key '%s' given twice", key);
        *seen |= K_GRID;
        if (!parse_int(value, 2, GN_MANIFEST_MAX_GRID, &v))
            return fail(ps, "grid = '%s' is not an integer in 2..%d (points per side)", value,
                        GN_MANIFEST_MAX_GRID);
        s->grid = (int)v;
        return 1;
    }
    return fail(ps, "unknown key '%s' in [split.%s]", key, s->name);
}

static int declare_section(parse_state *ps, const char *name, size_t len) {
    if (len <= 6 || strncmp(name, "split.", 6) != 0) return 1;
    char split[GN_MANIFEST_MAX_NAME + 1];
    snprintf(split, sizeof split, "%.*s", (int)(len - 6), name + 6);
    return split_get(ps, split) != NULL;
}

static const char *parse_error(parse_state *ps) {
    return ps->msg;
}

static int handler(void *user, const char *section, const char *key, const char *value) {
    parse_state *ps = user;
    int continued = ps->calls < ps->n_calls && ps->cont[ps->calls];
    ps->calls++;
    if (strcmp(section, "dataset") == 0) return dataset_key(ps, key, value, continued);
    if (strncmp(section, "split.", 6) == 0) {
        gn_manifest_split *s = split_get(ps, section + 6);
        if (!s) return 0;
        return split_key(ps, s, key, value, continued);
    }
    if (!section[0]) return fail(ps, "key '%s' outside a section", key);
    return fail(ps, "unknown section [%s]", section);
}

/* ---- after parsing ---------------------------------------------------------- */

/* Splits raw ("a, b, c" or "a b c") into a new array of strings (at most
 * max, each at most maxlen bytes). Returns NULL or what is wrong (*count
 * is the number of items read so far). */
static const char *split_list(const char *raw, int commas, int max, size_t maxlen, char ***out,
                              int *count) {
    *out = NULL;
    *count = 0;
    char **v = NULL;
    int n = 0;
    const char *p = raw;
    const char *why = NULL;
    for (;;) {
        while (*p && isspace((unsigned char)*p))
            p++;
        if (!commas && !*p) break;
        const char *e = p;
        while (*e && (commas ? *e != ',' : !isspace((unsigned char)*e)))
            e++;
        const char *t = e;
        while (t > p && isspace((unsigned char)t[-1]))
            t--;
        if (t == p || (size_t)(t - p) > maxlen) {
            why = "is empty or too long";
            break;
        }
        if (n == max) {
            why = "is one too many";
            break;
        }
        char **nv = realloc(v, (size_t)(n + 1) * sizeof *v);
        if (!nv || !(nv[n] = strndup(p, (size_t)(t - p)))) {
            v = nv ? nv : v;
            why = "out of memory";
            break;
        }
        v = nv;
        n++;
        if (commas && !*e) break;
        p = commas ? e + 1 : e;
    }
    *count = n;
    if (why) {
        for (int i = 0; i < n; i++)
            free(v[i]);
        free(v);
        return why;
    }
    *out = v;
    return NULL;
}

static void free_list(char **v, int n) {
    if (!v) return;
    for (int i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static gn_status split_class_names(gn_manifest *m, parse_state *ps, gn_error *err) {
    int count;
    char **names;
    const char *why = split_list(ps->class_names, 1, GN_MANIFEST_MAX_CLASSES, GN_MANIFEST_MAX_VALUE,
                                 &names, &count);
    if (why)
        return gn_error_set(err, strcmp(why, "out of memory") ? GN_ERR_CONFIG : GN_ERR_NOMEM,
                            "manifest '%s': class name %d %s (at most %d characters)", m->path,
                            count + 1, why, GN_MANIFEST_MAX_VALUE);
    if ((ps->dataset_keys & K_CLASSES) && count != m->classes) {
        free_list(names, count);
        return gn_error_set(err, GN_ERR_CONFIG,
                            "manifest '%s': class_names lists %d names but classes = %d", m->path,
                            count, m->classes);
    }
    for (int i = 0; i < count; i++)
        for (int j = 0; j < i; j++)
            if (strcmp(names[i], names[j]) == 0) {
                gn_status st =
                    gn_error_set(err, GN_ERR_CONFIG, "manifest '%s': class name '%s' appears twice",
                                 m->path, names[i]);
                free_list(names, count);
                return st;
            }
    m->classes = count;
    m->class_names = names;
    return GN_OK;
}

/* Keys of another format are errors. */
static gn_status check_keys(const gn_manifest *m, const parse_state *ps, gn_error *err) {
    size_t f = 0;
    while (formats[f].fmt != m->fmt)
        f++;
    for (int i = -1; i < m->n_splits; i++) {
        unsigned bad = i < 0 ? ps->dataset_keys & ~formats[f].dataset_keys
                             : ps->split_keys[i] & ~formats[f].split_keys;
        for (size_t k = 0; bad && k < sizeof key_names / sizeof *key_names; k++)
            if (bad & key_names[k].bit) {
                char where[GN_MANIFEST_MAX_VALUE + 16] = "dataset";
                if (i >= 0) snprintf(where, sizeof where, "split.%s", m->splits[i].name);
                return gn_error_set(err, GN_ERR_CONFIG,
                                    "manifest '%s': key '%s' in [%s] is not used by format = %s",
                                    m->path, key_names[k].name, where, m->format);
            }
    }
    return GN_OK;
}

/* cifar10 `files` and the optional `sha256` list of csv and cifar10. */
static gn_status split_files(gn_manifest *m, gn_manifest_split *s, const char *raw_files,
                             const char *raw_sha, gn_error *err) {
    char **v = NULL;
    int n = 0;
    const char *why;
    if (raw_files) {
        why = split_list(raw_files, 0, GN_MANIFEST_MAX_FILES, 4096, &v, &n);
        if (why || n == 0) {
            free_list(v, n);
            return gn_error_set(err, GN_ERR_CONFIG,
                                "manifest '%s' [split.%s]: files: file %d %s (1..%d names, "
                                "space-separated)",
                                m->path, s->name, n + 1, why ? why : "is missing",
                                GN_MANIFEST_MAX_FILES);
        }
        s->files = calloc((size_t)n, sizeof *s->files);
        if (!s->files) {
            free_list(v, n);
            return gn_error_set(err, GN_ERR_NOMEM, "out of memory");
        }
        s->n_files = n;
        for (int i = 0; i < n; i++)
            if ((why = parse_file_spec(v[i], strlen(v[i]), &s->files[i]))) {
                gn_status st =
                    gn_error_set(err, GN_ERR_CONFIG, "manifest '%s' [split.%s]: files: '%s' %s",
                                 m->path, s->name, v[i], why);
                free_list(v, n);
                return st;
            }
        free_list(v, n);
    }
    if (!raw_sha) return GN_OK;
    why = split_list(raw_sha, 0, GN_MANIFEST_MAX_FILES + 1, 256, &v, &n);
    if (!why && n != s->n_files) why = "count";
    for (int i = 0; !why && i < n; i++)
        if (!gn_sha256_is_hex(v[i])) {
            gn_status st = gn_error_set(err, GN_ERR_CONFIG,
                                        "manifest '%s' [split.%s]: sha256 '%s' is not a SHA-256 "
                                        "(64 hex digits)",
                                        m->path, s->name, v[i]);
            free_list(v, n);
            return st;
        }
    if (why) {
        free_list(v, n);
        return gn_error_set(err, GN_ERR_CONFIG,
                            "manifest '%s' [split.%s]: sha256 lists %d digests but there %s %d "
                            "file%s (one digest per file, in the same order)",
                            m->path, s->name, n, s->n_files == 1 ? "is" : "are", s->n_files,
                            s->n_files == 1 ? "" : "s");
    }
    for (int i = 0; i < n; i++)
        for (int k = 0; k <= GN_SHA256_HEX_LEN; k++)
            s->files[i].sha256[k] = (char)tolower((unsigned char)v[i][k]);
    free_list(v, n);
    return GN_OK;
}

static gn_status column_lists(gn_manifest *m, parse_state *ps, gn_error *err) {
    const char *keys[2] = {"targets", "features"};
    const char *raw[2] = {ps->targets, ps->features};
    char ***dst[2] = {&m->targets, &m->features};
    int *cnt[2] = {&m->n_targets, &m->n_features};
    for (int k = 0; k < 2; k++) {
        if (!raw[k]) continue;
        const char *why = split_list(raw[k], 0, GN_MANIFEST_MAX_COLUMNS, 256, dst[k], cnt[k]);
        if (why || *cnt[k] == 0)
            return gn_error_set(err, GN_ERR_CONFIG,
                                "manifest '%s': %s: column %d %s (1..%d names of at most 256 "
                                "characters, space-separated)",
                                m->path, keys[k], *cnt[k] + 1, why ? why : "is missing",
                                GN_MANIFEST_MAX_COLUMNS);
        char **v = *dst[k];
        for (int i = 0; i < *cnt[k]; i++)
            for (int j = 0; j < i; j++)
                if (strcmp(v[i], v[j]) == 0)
                    return gn_error_set(err, GN_ERR_CONFIG,
                                        "manifest '%s': %s names column '%s' twice", m->path,
                                        keys[k], v[i]);
    }
    for (int i = 0; i < m->n_features; i++)
        for (int j = 0; j < m->n_targets; j++)
            if (strcmp(m->features[i], m->targets[j]) == 0)
                return gn_error_set(err, GN_ERR_CONFIG,
                                    "manifest '%s': column '%s' is both a feature and a target",
                                    m->path, m->targets[j]);
    return GN_OK;
}

static gn_status validate(gn_manifest *m, parse_state *ps, gn_error *err) {
    int need_classes = m->fmt == GN_FORMAT_IDX || m->fmt == GN_FORMAT_CIFAR10;
    const char *missing = !m->name                                                     ? "name"
                          : !m->format                                                 ? "format"
                          : need_classes && !(ps->dataset_keys & K_CLASSES)            ? "classes"
                          : m->fmt == GN_FORMAT_IMAGEFOLDER && !m->height              ? "size"
                          : m->fmt == GN_FORMAT_CSV && !(ps->dataset_keys & K_TARGETS) ? "targets"
                          : m->fmt == GN_FORMAT_FUNCTION && !(ps->dataset_keys & K_FUNCTION)
                              ? "function"
                              : NULL;
    if (missing)
        return gn_error_set(err, GN_ERR_CONFIG, "manifest '%s': missing key '%s' in [dataset]",
                            m->path, missing);
    gn_status st = check_keys(m, ps, err);
    if (st != GN_OK) return st;
    if (!m->subdir && !(m->subdir = strdup("")))
        return gn_error_set(err, GN_ERR_NOMEM, "out of memory");
    if (ps->class_names && (st = split_class_names(m, ps, err)) != GN_OK) return st;
    if (m->fmt == GN_FORMAT_IMAGEFOLDER && !m->channels) m->channels = 3;
    if (m->fmt == GN_FORMAT_CSV && (st = column_lists(m, ps, err)) != GN_OK) return st;
    if (m->fmt == GN_FORMAT_FUNCTION) {
        if (!(ps->dataset_keys & K_RANGE))
            gn_function_find(gn_function_name(m->function), m->range);
        if (!(ps->dataset_keys & K_SEED)) m->seed = 1;
    }
    if (m->n_splits == 0)
        return gn_error_set(err, GN_ERR_CONFIG, "manifest '%s': no [split.NAME] section", m->path);
    for (int i = 0; i < m->n_splits; i++) {
        gn_manifest_split *s = &m->splits[i];
        const char *key = NULL;
        switch (m->fmt) {
        case GN_FORMAT_IDX:
            key = !s->images.file        ? "images"
                  : !s->images.sha256[0] ? "images_sha256"
                  : !s->labels.file      ? "labels"
                  : !s->labels.sha256[0] ? "labels_sha256"
                                         : NULL;
            break;
        case GN_FORMAT_CIFAR10:
            key = !ps->files[i] ? "files" : NULL;
            break;
        case GN_FORMAT_IMAGEFOLDER:
            key = !s->archive.file && !m->archive.file ? "archive" : NULL;
            if (s->archive.sha256[0] && !s->archive.file)
                return gn_error_set(err, GN_ERR_CONFIG,
                                    "manifest '%s': archive_sha256 in [split.%s] without "
                                    "archive (put it in [dataset] with the archive)",
                                    m->path, s->name);
            if (!s->root && !(s->root = strdup("")))
                return gn_error_set(err, GN_ERR_NOMEM, "out of memory");
            break;
        case GN_FORMAT_CSV:
            key = !s->files ? "file" : NULL;
            break;
        case GN_FORMAT_FUNCTION:
            if (!s->samples && !s->grid)
                return gn_error_set(
                    err, GN_ERR_CONFIG,
                    "manifest '%s': missing key 'samples' (or 'grid') in [split.%s]", m->path,
                    s->name);
            if (s->samples && s->grid)
                return gn_error_set(err, GN_ERR_CONFIG,
                                    "manifest '%s': [split.%s] gives both samples (random points) "
                                    "and grid (a regular grid): keep one",
                                    m->path, s->name);
            break;
        }
        if (key)
            return gn_error_set(err, GN_ERR_CONFIG, "manifest '%s': missing key '%s' in [split.%s]",
                                m->path, key, s->name);
        if ((m->fmt == GN_FORMAT_CIFAR10 || m->fmt == GN_FORMAT_CSV) &&
            (st = split_files(m, s, ps->files[i], ps->shas[i], err)) != GN_OK)
            return st;
    }
    if (m->archive.sha256[0] && !m->archive.file)
        return gn_error_set(err, GN_ERR_CONFIG,
                            "manifest '%s': archive_sha256 in [dataset] without archive", m->path);
    if (m->test_fraction > 0 &&
        (gn_manifest_split_find(m, "test") || !gn_manifest_split_find(m, "train")))
        return gn_error_set(err, GN_ERR_CONFIG,
                            "manifest '%s': test_fraction takes split 'test' from the rows of "
                            "[split.train]: give [split.train] and no [split.test]",
                            m->path);
    return GN_OK;
}

gn_status gn_manifest_load(const char *path, gn_manifest **out, gn_error *err) {
    *out = NULL;
    uint8_t *raw;
    size_t n;
    gn_status st = gn_file_read_raw(path, GN_MANIFEST_MAX_BYTES, &raw, &n, err);
    if (st != GN_OK) {
        gn_error_prefix(err, "manifest");
        return st;
    }
    char *text = realloc(raw, n + 1);
    if (!text) {
        free(raw);
        return gn_error_set(err, GN_ERR_NOMEM, "out of memory reading manifest '%s'", path);
    }
    text[n] = '\0';
    unsigned char *cont = malloc(n + 1);
    gn_manifest *m = calloc(1, sizeof *m);
    parse_state ps = {.cont = cont, .m = m};
    if (!cont || !m || !(m->path = strdup(path)))
        st = gn_error_set(err, GN_ERR_NOMEM, "out of memory reading manifest '%s'", path);
    if (st == GN_OK) st = prescan(path, text, n, cont, &ps.n_calls, &ps, err);
    if (st == GN_OK) {
        int line = ini_parse_string(text, handler, &ps);
        if (line > 0)
            st = gn_error_set(err, GN_ERR_CONFIG, "manifest '%s' line %d: %s", path, line,
                              ps.msg[0] ? ps.msg : "syntax error");
        else if (line < 0)
            st = gn_error_set(err, GN_ERR_NOMEM, "manifest '%s': parser failed (%d)", path, line);
        else
            st = validate(m, &ps, err);
    }
    free(ps.class_names);
    free(ps.features);
    free(ps.targets);
    for (int i = 0; i < GN_MANIFEST_MAX_SPLITS; i++) {
        free(ps.files[i]);
        free(ps.shas[i]);
    }
    free(cont);
    free(text);
    if (st != GN_OK) {
        gn_manifest_free(m);
        return st;
    }
    *out = m;
    return GN_OK;
}

gn_status gn_manifest_open(const char *name_or_path, gn_manifest **out, gn_error *err) {
    *out = NULL;
    char path[4096];
    gn_status st = gn_manifest_find(name_or_path, path, sizeof path, err);
    if (st != GN_OK) return st;
    return gn_manifest_load(path, out, err);
}

const gn_manifest_split *gn_manifest_split_find(const gn_manifest *m, const char *split) {
    for (int i = 0; m && split && i < m->n_splits; i++)
        if (strcmp(m->splits[i].name, split) == 0) return &m->splits[i];
    return NULL;
}

static void file_free(gn_manifest_file *f) {
    free(f->file);
    free(f->member);
}

void gn_manifest_free(gn_manifest *m) {
    if (!m) return;
    for (int i = 0; i < m->n_splits; i++) {
        gn_manifest_split *s = &m->splits[i];
        free(s->name);
        file_free(&s->images);
        file_free(&s->labels);
        for (int k = 0; s->files && k < s->n_files; k++)
            file_free(&s->files[k]);
        free(s->files);
        file_free(&s->archive);
        free(s->root);
    }
    free(m->splits);
    free_list(m->class_names, m->classes);
    free_list(m->features, m->n_features);
    free_list(m->targets, m->n_targets);
    file_free(&m->archive);
    free(m->path);
    free(m->name);
    free(m->format);
    free(m->subdir);
    free(m);
}
