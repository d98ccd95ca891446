/* Experiment files, parsed with inih through our own line reader.
 *
 * Debian's libinih is built with a 200-byte line buffer and a handler that
 * gets no line numbers, so the reader does the line bookkeeping: it reads
 * one physical line per call (so inih's line count and ours agree), rejects
 * long lines and NUL bytes, classifies each line the way inih will (section
 * header, key line, continuation, comment) and records section headers
 * itself (inih only reports keys, so empty sections would vanish). A line
 * that fits inih's buffer is passed through unchanged; a longer one (up to
 * GN_INI_MAX_LINE) is replaced by a short stand-in that makes inih call the
 * handler for the same key, and the value is computed here the way inih
 * would have. Continuation values are always computed here (inih versions
 * differ on inline comments there). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <ini.h>
#include "config/ini.h"

typedef struct gn_ini_sec {
    gn_section *s;
    int line; /* header line; 0 when made by an override */
} gn_ini_sec;

struct gn_ini {
    char *file;
    gn_ini_sec *v;
    int n, cap;
};

static char *dup_str(const char *s) {
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

gn_ini *gn_ini_new(const char *file, gn_error *err) {
    gn_ini *ini = calloc(1, sizeof *ini);
    if (ini) ini->file = dup_str(file ? file : "");
    if (!ini || !ini->file) {
        free(ini);
        gn_error_set(err, GN_ERR_NOMEM, "out of memory");
        return NULL;
    }
    return ini;
}

void gn_ini_free(gn_ini *ini) {
    if (!ini) return;
    for (int i = 0; i < ini->n; i++)
        gn_section_free(ini->v[i].s);
    free(ini->v);
    free(ini->file);
    free(ini);
}

const char *gn_ini_file(const gn_ini *ini) {
    return ini->file;
}
int gn_ini_count(const gn_ini *ini) {
    return ini->n;
}

gn_section *gn_ini_at(const gn_ini *ini, int i) {
    return i >= 0 && i < ini->n ? ini->v[i].s : NULL;
}

static int find_index(const gn_ini *ini, const char *name) {
    for (int i = 0; i < ini->n; i++)
        if (strcmp(gn_section_name(ini->v[i].s), name) == 0) return i;
    return -1;
}

gn_section *gn_ini_find(const gn_ini *ini, const char *name) {
    int i = find_index(ini, name);
    return i < 0 ? NULL : ini->v[i].s;
}

int gn_ini_section_line(const gn_ini *ini, const char *name) {
    int i = find_index(ini, name);
    return i < 0 ? -1 : ini->v[i].line;
}

/* Appends an empty section; returns its index or -1 (err set). */
static int add_section(gn_ini *ini, const char *name, int line, gn_error *err) {
    if (ini->n == ini->cap) {
        int cap = ini->cap ? ini->cap * 2 : 16;
        gn_ini_sec *p = realloc(ini->v, (size_t)cap * sizeof *p);
        if (!p) {
            gn_error_set(err, GN_ERR_NOMEM, "out of memory");
            return -1;
        }
        ini->v = p;
        ini->cap = cap;
    }
    gn_section *s = gn_section_new(name, ini->file);
    if (!s) {
        gn_error_set(err, GN_ERR_NOMEM, "out of memory");
        return -1;
    }
    ini->v[ini->n].s = s;
    ini->v[ini->n].line = line;
    return ini->n++;
}

/* Section names become layer and model names; keys must not contain dots so
 * that --set SECTION.KEY=VALUE splits unambiguously. */
static const char *check_name(const char *name, size_t max, int dots) {
    size_t n = strlen(name);
    if (n == 0) return "is empty";
    if (n > max) return dots ? "is longer than 127 bytes" : "is longer than 63 bytes";
    for (const char *p = name; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_' || *p == '-' || (dots && *p == '.')))
            return dots ? "may only contain letters, digits, '_', '-' and '.'"
                        : "may only contain letters, digits, '_' and '-'";
    return NULL;
}

/* ---- parsing ---- */

typedef enum line_kind { LINE_BLANK, LINE_COMMENT, LINE_SECTION, LINE_KEY, LINE_CONT } line_kind;

typedef struct reader {
    gn_ini *ini;
    FILE *f;
    long bytes;
    int lineno;
    char raw[GN_INI_MAX_LINE + 2]; /* the current physical line, NUL-terminated */
    line_kind kind;
    char *value;  /* the value when computed here (long or continuation line), else NULL */
    int cur;      /* index of the current section, -1 before the first */
    int prev_key; /* inih would read an indented line as a continuation */
    char last_key[GN_INI_MAX_KEY + 1];
    int failed, err_line;
    gn_error err;
} reader;

/* Records the first error as "FILE:LINE: what"; returns 0 (inih's "fail"). */
static int fail_at(reader *r, int line, gn_status st, const char *fmt, ...) GN_PRINTF(4, 5);
static int fail_at(reader *r, int line, gn_status st, const char *fmt, ...) {
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    gn_error_set(&r->err, st, "%s:%d: %s", r->ini->file, line, what);
    r->failed = 1;
    r->err_line = line;
    return 0;
}

/* inih's find_chars_or_comment: the first char of chars, or an inline ';'
 * after whitespace, or the end. */
static char *find_chars_or_comment(char *s, const char *chars) {
    int was_space = 0;
    while (*s && !(chars && strchr(chars, *s)) && !(was_space && *s == ';')) {
        was_space = isspace((unsigned char)*s);
        s++;
    }
    return s;
}

static char *lskip(char *s) {
    while (*s && isspace((unsigned char)*s))
        s++;
    return s;
}

static void rstrip(char *s) {
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
}

/* Value text the way inih computes it: cut at an inline comment, trimmed. */
static char *value_of(char *v) {
    char *end = find_chars_or_comment(v, NULL);
    *end = '\0';
    v = lskip(v);
    rstrip(v);
    return v;
}

/* Reads one physical line into r->raw. Returns 1, 0 at end of file, -1 on
 * error (recorded). Stops reading as soon as a line is too long, so a huge
 * single line is never held in memory. */
static int read_line(reader *r) {
    size_t n = 0;
    int c, got = 0, line = r->lineno + 1;
    while ((c = getc(r->f)) != EOF) {
        got = 1;
        if (++r->bytes > GN_INI_MAX_FILE)
            return fail_at(r, line, GN_ERR_FORMAT, "file larger than 1 MiB"), -1;
        if (c == '\n') break;
        if (c == '\0') return fail_at(r, line, GN_ERR_FORMAT, "NUL byte in line"), -1;
        if (n == GN_INI_MAX_LINE + 1) /* room for one '\r' before the newline */
            return fail_at(r, line, GN_ERR_FORMAT, "line longer than %d bytes", GN_INI_MAX_LINE),
                   -1;
        r->raw[n++] = (char)c;
    }
    if (!got) {
        if (ferror(r->f)) {
            gn_error_set(&r->err, GN_ERR_IO, "%s: read error: %s", r->ini->file, strerror(errno));
            r->failed = 1;
            r->err_line = line;
            return -1;
        }
        return 0;
    }
    if (n && r->raw[n - 1] == '\r') n--;
    if (n > GN_INI_MAX_LINE)
        return fail_at(r, line, GN_ERR_FORMAT, "line longer than %d bytes", GN_INI_MAX_LINE), -1;
    r->raw[n] = '\0';
    r->lineno = line;
    if (line == 1 && (unsigned char)r->raw[0] == 0xEF && (unsigned char)r->raw[1] == 0xBB &&
        (unsigned char)r->raw[2] == 0xBF)
        memmove(r->raw, r->raw + 3, n - 2); /* UTF-8 byte order mark */
    return 1;
}

/* Handles a [section] line (classification already done). */
static int section_line(reader *r, char *start) {
    char *end = find_chars_or_comment(start + 1, "]");
    if (*end != ']') return fail_at(r, r->lineno, GN_ERR_FORMAT, "missing ']' in section header");
    *end = '\0';
    char *tail = lskip(end + 1);
    if (*tail && *tail != ';' && *tail != '#')
        return fail_at(r, r->lineno, GN_ERR_FORMAT, "unexpected text '%.40s' after [%.130s]", tail,
                       start + 1);
    char *name = lskip(start + 1);
    rstrip(name);
    const char *bad = check_name(name, GN_INI_MAX_SECTION, 1);
    if (bad) return fail_at(r, r->lineno, GN_ERR_FORMAT, "section name '%.130s' %s", name, bad);
    int prev = find_index(r->ini, name);
    if (prev >= 0)
        return fail_at(r, r->lineno, GN_ERR_CONFIG,
                       "duplicate section [%.130s] (first at line %d); merge the two", name,
                       r->ini->v[prev].line);
    int i = add_section(r->ini, name, r->lineno, &r->err);
    if (i < 0) {
        r->failed = 1;
        r->err_line = r->lineno;
        return 0;
    }
    r->cur = i;
    r->prev_key = 0;
    r->last_key[0] = '\0';
    return 1;
}

/* inih's reader callback: hands inih the next line (or its stand-in). */
static char *ini_reader_cb(char *str, int num, void *stream) {
    reader *r = stream;
    free(r->value);
    r->value = NULL;
    if (r->failed || read_line(r) <= 0) return NULL;

    /* Classify on a scratch copy: the raw text must stay intact for inih. */
    char tmp[sizeof r->raw];
    memcpy(tmp, r->raw, sizeof tmp);
    char *start = lskip(tmp);
    rstrip(start);
    int indented = start > tmp;
    if (!*start)
        r->kind = LINE_BLANK;
    else if (*start == ';' || *start == '#')
        r->kind = LINE_COMMENT;
    else if (r->prev_key && indented) /* inih checks this before '[' */
        r->kind = LINE_CONT;
    else if (*start == '[') {
        r->kind = LINE_SECTION;
        if (!section_line(r, start)) return NULL;
    } else {
        r->kind = LINE_KEY;
        char *end = find_chars_or_comment(start, "=:");
        if (*end != '=' && *end != ':') {
            fail_at(r, r->lineno, GN_ERR_FORMAT,
                    "expected 'key = value', '[section]' or a comment, got '%.60s'", start);
            return NULL;
        }
        r->prev_key = end > start;
    }

    /* inih versions differ on inline comments in continuation lines: always
     * compute those values here. */
    if (r->kind == LINE_CONT && !(r->value = dup_str(value_of(start)))) {
        gn_error_set(&r->err, GN_ERR_NOMEM, "out of memory");
        r->failed = 1;
        r->err_line = r->lineno;
        return NULL;
    }
    size_t len = strlen(r->raw);
    if (num > 2 && len + 2 <= (size_t)num) { /* fits: inih parses the real line */
        memcpy(str, r->raw, len);
        memcpy(str + len, "\n", 2);
        return str;
    }
    /* Too long for inih: compute the value here and hand inih a stand-in
     * that makes it call the handler for the same key. */
    const char *stand_in = ";\n";
    char key_line[GN_INI_MAX_KEY + 8];
    if (r->kind == LINE_SECTION) {
        stand_in = "[-]\n"; /* resets inih's continuation state, as the real header would */
    } else if (r->kind == LINE_CONT) {
        stand_in = " \x01\n";
    } else if (r->kind == LINE_KEY) {
        char *end = find_chars_or_comment(start, "=:");
        *end = '\0';
        rstrip(start);
        if (strlen(start) > GN_INI_MAX_KEY) {
            fail_at(r, r->lineno, GN_ERR_FORMAT, "key '%.40s...' is longer than %d bytes", start,
                    GN_INI_MAX_KEY);
            return NULL;
        }
        r->value = dup_str(value_of(end + 1));
        snprintf(key_line, sizeof key_line, "%s=\x01\n", start);
        stand_in = key_line;
    }
    if (r->kind == LINE_KEY && !r->value) {
        gn_error_set(&r->err, GN_ERR_NOMEM, "out of memory");
        r->failed = 1;
        r->err_line = r->lineno;
        return NULL;
    }
    if (strlen(stand_in) + 1 > (size_t)num) { /* cannot happen with inih's 200 bytes */
        fail_at(r, r->lineno, GN_ERR_FORMAT, "inih's line buffer (%d bytes) is too small", num);
        return NULL;
    }
    memcpy(str, stand_in, strlen(stand_in) + 1);
    return str;
}

static int ini_handler_cb(void *user, const char *section, const char *name, const char *value) {
    reader *r = user;
    (void)section; /* inih truncates section names: use our own */
    if (r->failed) return 0;
    const char *v = r->value ? r->value : value;
    if (r->cur < 0)
        return fail_at(r, r->lineno, GN_ERR_CONFIG,
                       "key '%.64s' outside any section (add a [section] header above it)", name);
    gn_section *s = r->ini->v[r->cur].s;
    const char *sname = gn_section_name(s);
    if (r->kind == LINE_CONT) { /* indented line: continues the previous value */
        const char *old = gn_section_str(s, r->last_key);
        if (!old) return 1; /* previous key line failed; already reported */
        size_t a = strlen(old), b = strlen(v);
        char *joined = malloc(a + b + 2);
        if (!joined) return fail_at(r, r->lineno, GN_ERR_NOMEM, "out of memory");
        memcpy(joined, old, a);
        size_t k = a;
        if (a && b) joined[k++] = ' ';
        memcpy(joined + k, v, b + 1);
        gn_status st =
            gn_section_set(s, r->last_key, joined, gn_section_line(s, r->last_key), &r->err);
        free(joined);
        if (st) {
            r->failed = 1;
            r->err_line = r->lineno;
            return 0;
        }
        return 1;
    }
    /* [sweep] keys name other sections' keys: SECTION.KEY, dots allowed. */
    int sweep = !strcmp(sname, "sweep");
    const char *bad = check_name(name, sweep ? GN_INI_MAX_SECTION : GN_INI_MAX_KEY, sweep);
    if (bad && !*name)
        return fail_at(r, r->lineno, GN_ERR_FORMAT, "[%.130s] missing key before '='", sname);
    if (bad)
        return fail_at(r, r->lineno, GN_ERR_FORMAT, "[%.130s] key '%.64s' %s", sname, name, bad);
    if (gn_section_has(s, name))
        return fail_at(r, r->lineno, GN_ERR_CONFIG,
                       "[%.130s] duplicate key '%.64s' (first at line %d)", sname, name,
                       gn_section_line(s, name));
    if (gn_section_set(s, name, v, r->lineno, &r->err)) {
        r->failed = 1;
        r->err_line = r->lineno;
        return 0;
    }
    snprintf(r->last_key, sizeof r->last_key, "%s", name);
    return 1;
}

gn_status gn_ini_load(const char *path, gn_ini **out, gn_error *err) {
    *out = NULL;
    FILE *f = fopen(path, "r");
    if (!f) return gn_error_set(err, GN_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            fclose(f);
            return gn_error_set(err, GN_ERR_IO, "%s: cannot open: %s", path, strerror(EISDIR));
        }
        if (S_ISREG(st.st_mode) && st.st_size > GN_INI_MAX_FILE) {
            fclose(f);
            return gn_error_set(err, GN_ERR_FORMAT, "%s: file larger than 1 MiB (%lld bytes)", path,
                                (long long)st.st_size);
        }
    }
    reader *r = calloc(1, sizeof *r);
    gn_ini *ini = gn_ini_new(path, err);
    if (!r || !ini) {
        free(r);
        gn_ini_free(ini);
        fclose(f);
        return gn_error_set(err, GN_ERR_NOMEM, "out of memory");
    }
    r->ini = ini;
    r->f = f;
    r->cur = -1;
    int rc = ini_parse_stream(ini_reader_cb, r, ini_handler_cb, r);
    free(r->value);
    fclose(f);
    gn_status status = GN_OK;
    /* inih returns the first failing line of its own count, which is ours
     * since the reader returns exactly one physical line per call. The
     * reader mirrors inih's syntax checks, so an inih error we did not see
     * first means the two disagree: report it plainly rather than pass. */
    if (rc > 0 && (!r->failed || rc < r->err_line))
        status = gn_error_set(err, GN_ERR_FORMAT, "%s:%d: syntax error", path, rc);
    else if (r->failed) {
        status = r->err.status ? r->err.status : GN_ERR_FORMAT;
        if (err) *err = r->err;
    } else if (rc < 0)
        status = gn_error_set(err, GN_ERR_NOMEM, "%s: out of memory while parsing", path);
    free(r);
    if (status) {
        gn_ini_free(ini);
        return status;
    }
    *out = ini;
    return GN_OK;
}

/* ---- overrides and writing ---- */

static char *trim(char *s) {
    s = lskip(s);
    rstrip(s);
    return s;
}

gn_status gn_ini_override(gn_ini *ini, const char *assignment, gn_error *err) {
    const char *eq = strchr(assignment, '=');
    if (!eq)
        return gn_error_set(err, GN_ERR_CONFIG, "--set '%.200s': expected SECTION.KEY=VALUE",
                            assignment);
    char *buf = dup_str(assignment);
    if (!buf) return gn_error_set(err, GN_ERR_NOMEM, "out of memory");
    buf[eq - assignment] = '\0';
    char *lhs = buf, *value = trim(buf + (eq - assignment) + 1);
    char *dot = strrchr(lhs, '.');
    gn_status st = GN_OK;
    if (!dot) {
        st = gn_error_set(err, GN_ERR_CONFIG,
                          "--set '%.200s': expected SECTION.KEY=VALUE (no '.' before '=')",
                          assignment);
        goto done;
    }
    *dot = '\0';
    char *section = trim(lhs), *key = trim(dot + 1);
    const char *bad = check_name(section, GN_INI_MAX_SECTION, 1);
    if (bad) {
        st = gn_error_set(err, GN_ERR_CONFIG, "--set '%.200s': section name %s", assignment, bad);
        goto done;
    }
    if ((bad = check_name(key, GN_INI_MAX_KEY, 0))) {
        st = gn_error_set(err, GN_ERR_CONFIG, "--set '%.200s': key %s", assignment, bad);
        goto done;
    }
    int i = find_index(ini, section);
    if (i < 0 && (i = add_section(ini, section, 0, err)) < 0) {
        st = GN_ERR_NOMEM;
        goto done;
    }
    st = gn_section_set(ini->v[i].s, key, value, 0, err);
done:
    free(buf);
    return st;
}

gn_status gn_ini_add_section(gn_ini *ini, const char *name, gn_error *err) {
    const char *bad = check_name(name ? name : "", GN_INI_MAX_SECTION, 1);
    if (bad)
        return gn_error_set(err, GN_ERR_INVALID, "section name '%.130s' %s", name ? name : "", bad);
    if (find_index(ini, name) >= 0) return GN_OK;
    return add_section(ini, name, 0, err) < 0 ? GN_ERR_NOMEM : GN_OK;
}

/* Writes "key = value", breaking values longer than a line at spaces into
 * indented continuation lines (which the parser joins with one space). */
static int write_entry(FILE *f, const char *key, const char *value) {
    size_t room = GN_INI_MAX_LINE - strlen(key) - 3, len = strlen(value);
    if (fprintf(f, "%s = ", key) < 0) return -1;
    while (len > room) {
        size_t cut = room;
        while (cut > 0 && value[cut] != ' ')
            cut--;
        if (cut == 0) break; /* one unbreakable word: write it whole */
        if (fprintf(f, "%.*s\n    ", (int)cut, value) < 0) return -1;
        value += cut + 1;
        len -= cut + 1;
        room = GN_INI_MAX_LINE - 4;
    }
    return fprintf(f, "%s\n", value) < 0 ? -1 : 0;
}

gn_status gn_ini_write(const gn_ini *ini, FILE *f, gn_error *err) {
    for (int i = 0; i < ini->n; i++) {
        const gn_section *s = ini->v[i].s;
        if (fprintf(f, "%s[%s]\n", i ? "\n" : "", gn_section_name(s)) < 0) goto io;
        for (int k = 0; k < gn_section_count(s); k++) {
            const char *key = gn_section_key_at(s, k), *v = gn_section_str(s, key);
            if (strchr(v, '\n'))
                return gn_error_set(err, GN_ERR_CONFIG,
                                    "cannot write [%s] %s: the value contains a newline",
                                    gn_section_name(s), key);
            if (write_entry(f, key, v)) goto io;
        }
    }
    if (fflush(f) == 0 && !ferror(f)) return GN_OK;
io:
    return gn_error_set(err, GN_ERR_IO, "cannot write the config: %s", strerror(errno));
}
