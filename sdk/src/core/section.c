/* Typed config sections and their validation against parameter schemas. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ganglion/schema.h>

typedef struct gn_entry {
    char *key, *text;
    int line;
    gn_type type; /* 0 until validated */
    int64_t i;
    double f;
} gn_entry;

struct gn_section {
    char *name, *file;
    gn_entry *e;
    int n, cap;
};

static char *dup_str(const char *s) {
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

gn_section *gn_section_new(const char *name, const char *file) {
    gn_section *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->name = dup_str(name ? name : "");
    s->file = dup_str(file ? file : "");
    if (!s->name || !s->file) {
        gn_section_free(s);
        return NULL;
    }
    return s;
}

void gn_section_free(gn_section *s) {
    if (!s) return;
    for (int i = 0; i < s->n; i++) {
        free(s->e[i].key);
        free(s->e[i].text);
    }
    free(s->e);
    free(s->name);
    free(s->file);
    free(s);
}

const char *gn_section_name(const gn_section *s) {
    return s->name;
}
const char *gn_section_file(const gn_section *s) {
    return s->file;
}

static gn_entry *find(const gn_section *s, const char *key) {
    if (!s) return NULL;
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->e[i].key, key) == 0) return &s->e[i];
    return NULL;
}

gn_status gn_section_set(gn_section *s, const char *key, const char *value, int line,
                         gn_error *err) {
    char *text = dup_str(value);
    if (!text) return gn_error_set(err, GN_ERR_NOMEM, "out of memory");
    gn_entry *e = find(s, key);
    if (e) {
        free(e->text);
        e->text = text;
        e->line = line;
        e->type = 0;
        return GN_OK;
    }
    if (s->n == s->cap) {
        int cap = s->cap ? s->cap * 2 : 8;
        gn_entry *p = realloc(s->e, (size_t)cap * sizeof *p);
        if (!p) {
            free(text);
            return gn_error_set(err, GN_ERR_NOMEM, "out of memory");
        }
        s->e = p;
        s->cap = cap;
    }
    e = &s->e[s->n];
    memset(e, 0, sizeof *e);
    e->key = dup_str(key);
    if (!e->key) {
        free(text);
        return gn_error_set(err, GN_ERR_NOMEM, "out of memory");
    }
    e->text = text;
    e->line = line;
    s->n++;
    return GN_OK;
}

/* "FILE:LINE: [section] key" or, for --set and defaults, "[section] key". */
static gn_status fail(const gn_section *s, const gn_entry *e, const char *key, gn_status st,
                      gn_error *err, const char *what) {
    if (e && e->line > 0)
        return gn_error_set(err, st, "%s:%d: [%s] %s: %s", s->file, e->line, s->name, key, what);
    if (s->file[0]) return gn_error_set(err, st, "%s: [%s] %s: %s", s->file, s->name, key, what);
    return gn_error_set(err, st, "[%s] %s: %s", s->name, key, what);
}

static int word_in(const char *word, const char *choices) {
    size_t n = strlen(word);
    for (const char *p = choices; *p;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && strncmp(p, word, n) == 0) return 1;
        if (!bar) break;
        p = bar + 1;
    }
    return 0;
}

static gn_status convert(const gn_section *s, gn_entry *e, const gn_param_schema *p,
                         gn_error *err) {
    char msg[384];
    const char *t = e->text;
    char *end;
    errno = 0;
    switch (p->type) {
    case GN_TYPE_INT: {
        long long v = strtoll(t, &end, 10);
        while (isspace((unsigned char)*end))
            end++;
        if (end == t || *end || errno) {
            snprintf(msg, sizeof msg, "expected an integer, got '%.64s'", t);
            return fail(s, e, p->key, GN_ERR_CONFIG, err, msg);
        }
        if ((double)v < p->min || (double)v > p->max) {
            snprintf(msg, sizeof msg, "%lld is out of range [%g, %g]", v, p->min, p->max);
            return fail(s, e, p->key, GN_ERR_CONFIG, err, msg);
        }
        e->i = v;
        e->f = (double)v;
        break;
    }
    case GN_TYPE_FLOAT: {
        double v = strtod(t, &end);
        while (isspace((unsigned char)*end))
            end++;
        if (end == t || *end || errno == ERANGE || !isfinite(v)) {
            snprintf(msg, sizeof msg, "expected a finite number, got '%.64s'", t);
            return fail(s, e, p->key, GN_ERR_CONFIG, err, msg);
        }
        if (v < p->min || v > p->max) {
            snprintf(msg, sizeof msg, "%g is out of range [%g, %g]", v, p->min, p->max);
            return fail(s, e, p->key, GN_ERR_CONFIG, err, msg);
        }
        e->f = v;
        e->i = (int64_t)v;
        break;
    }
    case GN_TYPE_BOOL: {
        static const char *yes[] = {"true", "yes", "on", "1"}, *no[] = {"false", "no", "off", "0"};
        int v = -1;
        for (int k = 0; k < 4; k++) {
            if (strcasecmp(t, yes[k]) == 0) v = 1;
            if (strcasecmp(t, no[k]) == 0) v = 0;
        }
        if (v < 0) {
            snprintf(msg, sizeof msg, "expected true or false, got '%.64s'", t);
            return fail(s, e, p->key, GN_ERR_CONFIG, err, msg);
        }
        e->i = v;
        e->f = v;
        break;
    }
    case GN_TYPE_CHOICE:
        if (!word_in(t, p->choices)) {
            snprintf(msg, sizeof msg, "'%.64s' is not one of %.256s", t, p->choices);
            return fail(s, e, p->key, GN_ERR_CONFIG, err, msg);
        }
        break;
    case GN_TYPE_STRING:
        break;
    default:
        return fail(s, e, p->key, GN_ERR_INVALID, err, "schema has an unknown type");
    }
    e->type = p->type;
    return GN_OK;
}

gn_status gn_section_validate(gn_section *s, const gn_param_schema *schema,
                              const char *const *extra, gn_error *err) {
    for (int i = 0; i < s->n; i++) {
        gn_entry *e = &s->e[i];
        const gn_param_schema *p = NULL;
        for (const gn_param_schema *q = schema; q && q->key; q++)
            if (strcmp(q->key, e->key) == 0) p = q;
        if (p) {
            gn_status st = convert(s, e, p, err);
            if (st) return st;
            continue;
        }
        int allowed = 0;
        for (const char *const *x = extra; x && *x; x++)
            if (strcmp(*x, e->key) == 0) allowed = 1;
        if (allowed) {
            e->type = GN_TYPE_STRING;
            continue;
        }
        char known[320] = "";
        size_t off = 0;
        for (const gn_param_schema *q = schema; q && q->key && off < sizeof known; q++)
            off +=
                (size_t)snprintf(known + off, sizeof known - off, "%s%s", off ? ", " : "", q->key);
        char msg[400];
        snprintf(msg, sizeof msg, "unknown key (known keys: %s)", off ? known : "none");
        return fail(s, e, e->key, GN_ERR_CONFIG, err, msg);
    }
    for (const gn_param_schema *q = schema; q && q->key; q++) {
        if (find(s, q->key)) continue;
        if (!q->def) return fail(s, NULL, q->key, GN_ERR_CONFIG, err, "missing required key");
        if (!q->def[0] && (q->type == GN_TYPE_INT || q->type == GN_TYPE_FLOAT)) continue;
        gn_status st = gn_section_set(s, q->key, q->def, 0, err);
        if (!st) st = convert(s, find(s, q->key), q, err);
        if (st) return st;
    }
    return GN_OK;
}

int gn_section_has(const gn_section *s, const char *key) {
    return find(s, key) != NULL;
}
int gn_section_line(const gn_section *s, const char *key) {
    gn_entry *e = find(s, key);
    return e ? e->line : 0;
}
int64_t gn_section_int(const gn_section *s, const char *key) {
    gn_entry *e = find(s, key);
    return e ? e->i : 0;
}
double gn_section_float(const gn_section *s, const char *key) {
    gn_entry *e = find(s, key);
    return e ? e->f : 0.0;
}
int gn_section_bool(const gn_section *s, const char *key) {
    gn_entry *e = find(s, key);
    return e ? (int)e->i : 0;
}
const char *gn_section_str(const gn_section *s, const char *key) {
    gn_entry *e = find(s, key);
    return e ? e->text : NULL;
}
int gn_section_count(const gn_section *s) {
    return s->n;
}
const char *gn_section_key_at(const gn_section *s, int i) {
    return i >= 0 && i < s->n ? s->e[i].key : NULL;
}

gn_section *gn_section_clone(const gn_section *s, gn_error *err) {
    gn_section *c = gn_section_new(s->name, s->file);
    if (!c) {
        gn_error_set(err, GN_ERR_NOMEM, "out of memory");
        return NULL;
    }
    for (int i = 0; i < s->n; i++) {
        if (gn_section_set(c, s->e[i].key, s->e[i].text, s->e[i].line, err)) {
            gn_section_free(c);
            return NULL;
        }
        gn_entry *d = &c->e[c->n - 1];
        d->type = s->e[i].type;
        d->i = s->e[i].i;
        d->f = s->e[i].f;
    }
    return c;
}
