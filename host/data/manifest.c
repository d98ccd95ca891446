/* Dataset manifests: lookup, INI parsing (inih) and validation. */
#include "data/manifest.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

/* Mirrors inih's reading of each line to report syntax errors with their
 * line, and bounds line and name lengths. */
static gn_status prescan(const char *path, const char *buf, size_t n, gn_error *err) {
    const char *z = memchr(buf, '\0', n);
    int line = 0, have_key = 0;
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
            /* continuation of the previous value */
        } else if (*s == '[') {
            const char *c = find_sep_or_comment(s + 1, e, "]");
            if (c == e || *c != ']')
                return gn_error_set(err, GN_ERR_FORMAT, "manifest '%s' line %d: missing ']'", path,
                                    line);
            if (c - s - 1 > GN_MANIFEST_MAX_NAME)
                return gn_error_set(err, GN_ERR_FORMAT,
                                    "manifest '%s' line %d: section name too long", path, line);
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
        }
        p = nl ? nl + 1 : end;
    }
    return GN_OK;
}

/* ---- the inih handler ---------------------------------------------------- */

typedef struct parse_state {
    gn_manifest *m;
    char msg[400];     /* the first handler error */
    char *class_names; /* raw, continuation lines appended */
    int has_classes;
    char last_section[GN_MANIFEST_MAX_NAME + 8];
    char last_key[GN_MANIFEST_MAX_NAME + 8];
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

static int set_file(parse_state *ps, gn_manifest_file *f, const char *key, const char *value) {
    if (f->file) return fail(ps, "key '%s' given twice", key);
    const char *colon = strchr(value, ':');
    size_t flen = colon ? (size_t)(colon - value) : strlen(value);
    char *file = strndup(value, flen);
    char *member = colon ? strdup(colon + 1) : NULL;
    if (!file || (colon && !member)) {
        free(file);
        free(member);
        return fail(ps, "out of memory");
    }
    if (!gn_path_is_safe_relative(file) || (member && !gn_path_is_safe_relative(member))) {
        free(file);
        free(member);
        return fail(ps,
                    "%s = '%s' must be a relative file name without '..' or leading '/' (or "
                    "ARCHIVE:MEMBER)",
                    key, value);
    }
    f->file = file;
    f->member = member;
    return 1;
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

static int dataset_key(parse_state *ps, const char *key, const char *value, int continued) {
    gn_manifest *m = ps->m;
    if (strcmp(key, "class_names") == 0) {
        size_t old = ps->class_names ? strlen(ps->class_names) : 0;
        if (ps->class_names && !continued) return fail(ps, "key '%s' given twice", key);
        /* inih 55 keeps inline comments on continuation lines: cut them */
        size_t len = (size_t)(find_sep_or_comment(value, value + strlen(value), "") - value);
        while (len && isspace((unsigned char)value[len - 1]))
            len--;
        char *s = realloc(ps->class_names, old + len + 2);
        if (!s) return fail(ps, "out of memory");
        /* a continuation line starts a new name unless a comma ends the last one */
        snprintf(s + old, len + 2, "%s%.*s", old && s[old - 1] != ',' ? "," : "", (int)len, value);
        ps->class_names = s;
        return 1;
    }
    if (strcmp(key, "name") == 0) {
        if (!is_plain_name(value, strlen(value)))
            return fail(ps, "name = '%s' is not a plain name", value);
        return set_string(ps, &m->name, key, value);
    }
    if (strcmp(key, "format") == 0) {
        if (strcmp(value, "idx") != 0)
            return fail(ps, "format = '%s' is not supported (only 'idx')", value);
        return set_string(ps, &m->format, key, value);
    }
    if (strcmp(key, "subdir") == 0) {
        if (!gn_path_is_safe_relative(value))
            return fail(ps, "subdir = '%s' must be a relative path without '..'", value);
        return set_string(ps, &m->subdir, key, value);
    }
    if (strcmp(key, "classes") == 0) {
        if (ps->has_classes) return fail(ps, "key '%s' given twice", key);
        char *e;
        errno = 0;
        long v = strtol(value, &e, 10);
        if (errno || e == value || *e || v < 1 || v > GN_MANIFEST_MAX_CLASSES)
            return fail(ps, "classes = '%s' is not an integer in 1..65536", value);
        m->classes = (int)v;
        ps->has_classes = 1;
        return 1;
    }
    if (strcmp(key, "description") == 0 || strcmp(key, "url") == 0 || strcmp(key, "license") == 0)
        return 1;
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

static int handler(void *user, const char *section, const char *key, const char *value) {
    parse_state *ps = user;
    int continued = strcmp(section, ps->last_section) == 0 && strcmp(key, ps->last_key) == 0;
    snprintf(ps->last_section, sizeof ps->last_section, "%s", section);
    snprintf(ps->last_key, sizeof ps->last_key, "%s", key);
    if (strcmp(section, "dataset") == 0) return dataset_key(ps, key, value, continued);
    if (strncmp(section, "split.", 6) == 0) {
        gn_manifest_split *s = split_get(ps, section + 6);
        if (!s) return 0;
        if (strcmp(key, "images") == 0) return set_file(ps, &s->images, key, value);
        if (strcmp(key, "labels") == 0) return set_file(ps, &s->labels, key, value);
        if (strcmp(key, "images_sha256") == 0) return set_sha(ps, &s->images, key, value);
        if (strcmp(key, "labels_sha256") == 0) return set_sha(ps, &s->labels, key, value);
        return fail(ps, "unknown key '%s' in [%s]", key, section);
    }
    if (!section[0]) return fail(ps, "key '%s' outside a section", key);
    return fail(ps, "unknown section [%s]", section);
}

/* ---- after parsing ---------------------------------------------------------- */

static gn_status split_class_names(gn_manifest *m, const char *raw, gn_error *err) {
    m->class_names = calloc((size_t)m->classes, sizeof *m->class_names);
    if (!m->class_names) return gn_error_set(err, GN_ERR_NOMEM, "out of memory");
    int count = 0;
    const char *p = raw;
    for (;;) {
        const char *c = strchr(p, ',');
        const char *e = c ? c : p + strlen(p);
        while (p < e && isspace((unsigned char)*p))
            p++;
        const char *t = e;
        while (t > p && isspace((unsigned char)t[-1]))
            t--;
        if (t == p || t - p > GN_MANIFEST_MAX_VALUE)
            return gn_error_set(err, GN_ERR_CONFIG,
                                "manifest '%s': class name %d is empty or longer than %d", m->path,
                                count + 1, GN_MANIFEST_MAX_VALUE);
        if (count < m->classes && !(m->class_names[count] = strndup(p, (size_t)(t - p))))
            return gn_error_set(err, GN_ERR_NOMEM, "out of memory");
        count++;
        if (!c) break;
        p = c + 1;
    }
    if (count != m->classes)
        return gn_error_set(err, GN_ERR_CONFIG,
                            "manifest '%s': class_names lists %d names but classes = %d", m->path,
                            count, m->classes);
    return GN_OK;
}

static gn_status validate(gn_manifest *m, parse_state *ps, gn_error *err) {
    const char *missing = !m->name           ? "name"
                          : !m->format       ? "format"
                          : !ps->has_classes ? "classes"
                                             : NULL;
    if (missing)
        return gn_error_set(err, GN_ERR_CONFIG, "manifest '%s': missing key '%s' in [dataset]",
                            m->path, missing);
    if (!m->subdir && !(m->subdir = strdup("")))
        return gn_error_set(err, GN_ERR_NOMEM, "out of memory");
    if (ps->class_names) {
        gn_status st = split_class_names(m, ps->class_names, err);
        if (st != GN_OK) return st;
    }
    if (m->n_splits == 0)
        return gn_error_set(err, GN_ERR_CONFIG, "manifest '%s': no [split.NAME] section", m->path);
    for (int i = 0; i < m->n_splits; i++) {
        const gn_manifest_split *s = &m->splits[i];
        const char *key = !s->images.file        ? "images"
                          : !s->images.sha256[0] ? "images_sha256"
                          : !s->labels.file      ? "labels"
                          : !s->labels.sha256[0] ? "labels_sha256"
                                                 : NULL;
        if (key)
            return gn_error_set(err, GN_ERR_CONFIG, "manifest '%s': missing key '%s' in [split.%s]",
                                m->path, key, s->name);
    }
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
    st = prescan(path, text, n, err);
    gn_manifest *m = calloc(1, sizeof *m);
    parse_state ps = {.m = m};
    if (st == GN_OK && (!m || !(m->path = strdup(path))))
        st = gn_error_set(err, GN_ERR_NOMEM, "out of memory reading manifest '%s'", path);
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

void gn_manifest_free(gn_manifest *m) {
    if (!m) return;
    for (int i = 0; i < m->n_splits; i++) {
        free(m->splits[i].name);
        free(m->splits[i].images.file);
        free(m->splits[i].images.member);
        free(m->splits[i].labels.file);
        free(m->splits[i].labels.member);
    }
    free(m->splits);
    if (m->class_names)
        for (int i = 0; i < m->classes; i++)
            free(m->class_names[i]);
    free(m->class_names);
    free(m->path);
    free(m->name);
    free(m->format);
    free(m->subdir);
    free(m);
}
