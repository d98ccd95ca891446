/* Sequential model specs: tokenizer, argument binding and printing. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config/spec.h"

typedef struct ctx {
    const char *file, *section;
    int line;
    gn_error *err;
} ctx;

/* "FILE:LINE: [model] layers: what" (fewer parts when file or line is unknown). */
static gn_status fail(const ctx *c, gn_status st, const char *fmt, ...) GN_PRINTF(3, 4);
static gn_status fail(const ctx *c, gn_status st, const char *fmt, ...) {
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (c->file && c->file[0] && c->line > 0)
        return gn_error_set(c->err, st, "%s:%d: [%s] layers: %s", c->file, c->line, c->section,
                            what);
    if (c->file && c->file[0])
        return gn_error_set(c->err, st, "%s: [%s] layers: %s", c->file, c->section, what);
    return gn_error_set(c->err, st, "[%s] layers: %s", c->section, what);
}

static int name_char(char ch) {
    return isalnum((unsigned char)ch) || ch == '_' || ch == '-' || ch == '.';
}

void gn_spec_free(gn_spec *spec) {
    if (!spec) return;
    for (int i = 0; i < spec->n; i++)
        gn_section_free(spec->layers[i].params);
    free(spec->layers);
    free(spec);
}

/* Trims [*a, *b) in place of the two pointers. */
static void trim_range(const char **a, const char **b) {
    while (*a < *b && isspace((unsigned char)**a))
        (*a)++;
    while (*b > *a && isspace((unsigned char)(*b)[-1]))
        (*b)--;
}

/* Turns the argument text [a, b) (trimmed) into a value in out: either
 * plain text without quotes or one "quoted" string. */
static gn_status unquote(const ctx *c, const char *tok, const char *a, const char *b, char *out,
                         size_t cap) {
    size_t n = 0;
    if (a < b && *a == '"') {
        const char *p = a + 1;
        for (; p < b && *p != '"'; p++) {
            if (*p == '\\' && p + 1 < b && (p[1] == '"' || p[1] == '\\')) p++;
            if (n + 1 >= cap) return fail(c, GN_ERR_CONFIG, "'%.40s': value too long", tok);
            out[n++] = *p;
        }
        if (p >= b) return fail(c, GN_ERR_CONFIG, "'%.40s': unterminated quote", tok);
        if (p + 1 != b)
            return fail(c, GN_ERR_CONFIG, "'%.40s': unexpected text after a closing quote", tok);
    } else {
        for (const char *p = a; p < b; p++) {
            if (*p == '"')
                return fail(c, GN_ERR_CONFIG, "'%.40s': a quote must enclose the whole value", tok);
            if (n + 1 >= cap) return fail(c, GN_ERR_CONFIG, "'%.40s': value too long", tok);
            out[n++] = *p;
        }
    }
    out[n] = '\0';
    return GN_OK;
}

/* Binds one argument [a, b) of layer l: positional (index *pos) or
 * key=value. *kw becomes 1 after the first key=value. */
static gn_status bind_arg(const ctx *c, const char *tok, gn_spec_layer *l, const char *a,
                          const char *b, int *pos, int *kw) {
    char key[64], value[4096];
    trim_range(&a, &b);
    if (a == b) return fail(c, GN_ERR_CONFIG, "'%.40s': empty argument", tok);
    const char *eq = NULL;
    int quoted = 0;
    for (const char *p = a; p < b && !eq; p++) {
        if (*p == '\\' && quoted && p + 1 < b)
            p++;
        else if (*p == '"')
            quoted = !quoted;
        else if (*p == '=' && !quoted)
            eq = p;
    }
    gn_status st;
    if (eq) {
        const char *ka = a, *kb = eq, *va = eq + 1, *vb = b;
        trim_range(&ka, &kb);
        trim_range(&va, &vb);
        if (ka == kb) return fail(c, GN_ERR_CONFIG, "'%.40s': missing key before '='", tok);
        if ((size_t)(kb - ka) >= sizeof key)
            return fail(c, GN_ERR_CONFIG, "'%.40s': key too long", tok);
        for (const char *p = ka; p < kb; p++)
            if (!(isalnum((unsigned char)*p) || *p == '_' || *p == '-'))
                return fail(c, GN_ERR_CONFIG, "'%.40s': bad key '%.*s'", tok, (int)(kb - ka), ka);
        memcpy(key, ka, (size_t)(kb - ka));
        key[kb - ka] = '\0';
        if (va == vb)
            return fail(c, GN_ERR_CONFIG,
                        "'%.40s': empty value for '%s' (write %s=\"\" for an "
                        "empty string)",
                        tok, key, key);
        if ((st = unquote(c, tok, va, vb, value, sizeof value))) return st;
        *kw = 1;
    } else {
        const char *const *names = l->vt->positional;
        int np = 0;
        while (names && names[np])
            np++;
        if (*kw) return fail(c, GN_ERR_CONFIG, "'%.40s': positional argument after key=value", tok);
        if (*pos >= np) {
            if (np == 0)
                return fail(c, GN_ERR_CONFIG,
                            "'%.40s': %s takes no positional arguments (use key=value)", tok,
                            l->vt->name);
            return fail(c, GN_ERR_CONFIG, "'%.40s': too many positional arguments (%s takes %d)",
                        tok, l->vt->name, np);
        }
        snprintf(key, sizeof key, "%s", names[(*pos)++]);
        if ((st = unquote(c, tok, a, b, value, sizeof value))) return st;
    }
    if (gn_section_has(l->params, key))
        return fail(c, GN_ERR_CONFIG, "'%.40s': '%s' given twice", tok, key);
    if ((st = gn_section_set(l->params, key, value, c->line, c->err))) return st;
    return GN_OK;
}

/* Parses "(args)" starting at *pp (on the '('); leaves *pp after ')'. */
static gn_status parse_args(const ctx *c, const char *tok, gn_spec_layer *l, const char **pp) {
    const char *p = *pp + 1, *a = p;
    int pos = 0, kw = 0, quoted = 0;
    while (isspace((unsigned char)*p))
        p++;
    if (*p == ')')
        return fail(c, GN_ERR_CONFIG, "'%.40s': empty argument list (write just '%s')", tok,
                    l->type);
    for (;; p++) {
        if (!*p) {
            if (quoted) return fail(c, GN_ERR_CONFIG, "'%.40s': unterminated quote", tok);
            return fail(c, GN_ERR_CONFIG, "'%.40s': missing ')'", tok);
        }
        if (quoted) {
            if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
                p++;
            else if (*p == '"')
                quoted = 0;
            continue;
        }
        if (*p == '"')
            quoted = 1;
        else if (*p == '(')
            return fail(c, GN_ERR_CONFIG, "'%.40s': nested '(' (quote values that contain one)",
                        tok);
        else if (*p == ',' || *p == ')') {
            gn_status st = bind_arg(c, tok, l, a, p, &pos, &kw);
            if (st) return st;
            a = p + 1;
            if (*p == ')') break;
        }
    }
    *pp = p + 1;
    return GN_OK;
}

static gn_status add_layer(const ctx *c, gn_spec *spec, const gn_registry *reg, const char *tok,
                           size_t type_len, gn_spec_layer **out) {
    gn_spec_layer l = {{0}, NULL, NULL};
    if (type_len >= sizeof l.type)
        return fail(c, GN_ERR_CONFIG, "layer type '%.40s...' too long", tok);
    memcpy(l.type, tok, type_len);
    gn_error e = {GN_OK, ""};
    l.vt = gn_registry_find(reg, GN_KIND_LAYER, l.type, &e);
    if (!l.vt && e.status == GN_ERR_CONFIG) return fail(c, e.status, "%s", e.msg); /* ambiguous */
    if (!l.vt) return fail(c, GN_ERR_CONFIG, "unknown layer '%s'", l.type);
    /* The SDK names unnamed layers type_K, K counting layers of that type. */
    int k = 1;
    for (int i = 0; i < spec->n; i++)
        k += spec->layers[i].vt == l.vt;
    char name[96];
    snprintf(name, sizeof name, "%s_%d", l.vt->name, k);
    l.params = gn_section_new(name, c->file);
    gn_spec_layer *v = l.params ? realloc(spec->layers, (size_t)(spec->n + 1) * sizeof *v) : NULL;
    if (!v) {
        gn_section_free(l.params);
        return gn_error_set(c->err, GN_ERR_NOMEM, "out of memory");
    }
    spec->layers = v;
    spec->layers[spec->n] = l;
    *out = &spec->layers[spec->n++];
    return GN_OK;
}

#define GN_SPEC_MAX_EXPANDED (1 << 16)

/* Length of an argument list "(...)" starting at p, quotes and nesting
 * respected; the whole rest when it is unbalanced (the parser reports it). */
static size_t args_len(const char *p) {
    int depth = 0, quoted = 0;
    const char *q = p;
    for (; *q; q++) {
        if (quoted) {
            if (*q == '\\' && q[1])
                q++;
            else if (*q == '"')
                quoted = 0;
            continue;
        }
        if (*q == '"')
            quoted = 1;
        else if (*q == '(')
            depth++;
        else if (*q == ')' && --depth == 0)
            return (size_t)(q - p) + 1;
    }
    return (size_t)(q - p);
}

/* Expands repeated groups, "(dense(64) relu)*20", into plain text (caller
 * frees *out). A group is a '(' that does not follow a layer type. */
static gn_status expand(const ctx *c, const char *text, char **out) {
    size_t cap = strlen(text) + 1, len = 0;
    char *buf = malloc(cap);
    if (!buf) return gn_error_set(c->err, GN_ERR_NOMEM, "out of memory");
    for (const char *p = text; *p;) {
        if (*p == '(' && p > text && name_char(p[-1])) { /* an argument list: verbatim */
            size_t n = args_len(p);
            memcpy(buf + len, p, n);
            len += n;
            p += n;
            continue;
        }
        if (*p != '(') {
            buf[len++] = *p++;
            continue;
        }
        const char *q = p + 1;
        for (int depth = 1; *q; q++) { /* the group's closing ')' */
            if (*q == '(' && name_char(q[-1])) {
                q += args_len(q) - 1;
                continue;
            }
            depth += *q == '(';
            if (*q == ')' && --depth == 0) break;
        }
        char *end = NULL;
        long n = *q && q[1] == '*' ? strtol(q + 2, &end, 10) : -1;
        if (n < 1 || n > 1000 || end == q + 2) {
            free(buf);
            return fail(c, GN_ERR_CONFIG,
                        "unexpected '(' at '%.40s' (arguments follow a layer type directly, as "
                        "dense(10); a repeated group is written (LAYERS)*N, N from 1 to 1000)",
                        p);
        }
        char *inner = strndup(p + 1, (size_t)(q - p - 1)), *sub = NULL;
        gn_status st =
            inner ? expand(c, inner, &sub) : gn_error_set(c->err, GN_ERR_NOMEM, "out of memory");
        free(inner);
        if (st) {
            free(buf);
            return st;
        }
        size_t sl = strlen(sub), need = len + (size_t)n * (sl + 1) + strlen(end) + 1;
        if (need > GN_SPEC_MAX_EXPANDED) {
            free(sub);
            free(buf);
            return fail(c, GN_ERR_CONFIG, "the expanded layer list is longer than %d bytes",
                        GN_SPEC_MAX_EXPANDED);
        }
        if (need > cap) {
            char *nb = realloc(buf, cap = need);
            if (!nb) {
                free(sub);
                free(buf);
                return gn_error_set(c->err, GN_ERR_NOMEM, "out of memory");
            }
            buf = nb;
        }
        for (long k = 0; k < n; k++) {
            memcpy(buf + len, sub, sl);
            len += sl;
            buf[len++] = ' ';
        }
        free(sub);
        p = end;
    }
    buf[len] = '\0';
    *out = buf;
    return GN_OK;
}

gn_status gn_spec_parse_in(const char *text, const gn_registry *reg, const char *file, int line,
                           const char *section, gn_spec **out, gn_error *err) {
    ctx c = {file, section && *section ? section : "model", line, err};
    *out = NULL;
    char *expanded = NULL;
    gn_status est = expand(&c, text ? text : "", &expanded);
    if (est) return est;
    gn_spec *spec = calloc(1, sizeof *spec);
    if (!spec) {
        free(expanded);
        return gn_error_set(err, GN_ERR_NOMEM, "out of memory");
    }
    const char *p = expanded;
    gn_status st = GN_OK;
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (!*p) break;
        const char *tok = p, *q = p;
        while (name_char(*q))
            q++;
        if (q == p) {
            st = fail(&c, GN_ERR_CONFIG, "unexpected '%c' at '%.40s'%s", *p, p,
                      *p == '(' ? " ('(' must follow a layer type directly)" : "");
            break;
        }
        gn_spec_layer *l;
        if ((st = add_layer(&c, spec, reg, tok, (size_t)(q - p), &l))) break;
        p = q;
        if (*p == '(') {
            if ((st = parse_args(&c, tok, l, &p))) break;
        }
        if (*p && !isspace((unsigned char)*p)) {
            st = fail(&c, GN_ERR_CONFIG, "'%.40s': expected a space before '%c'", tok, *p);
            break;
        }
    }
    free(expanded);
    if (st) {
        gn_spec_free(spec);
        return st;
    }
    *out = spec;
    return GN_OK;
}

gn_status gn_spec_parse(const char *text, const gn_registry *reg, const char *file, int line,
                        gn_spec **out, gn_error *err) {
    return gn_spec_parse_in(text, reg, file, line, "model", out, err);
}

/* ---- printing ---- */

typedef struct sbuf {
    char *p;
    size_t n, cap;
    int oom;
} sbuf;

static void put(sbuf *s, const char *t, size_t len) {
    if (s->oom) return;
    if (s->n + len + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 64;
        while (cap < s->n + len + 1)
            cap *= 2;
        char *q = realloc(s->p, cap);
        if (!q) {
            s->oom = 1;
            return;
        }
        s->p = q;
        s->cap = cap;
    }
    memcpy(s->p + s->n, t, len);
    s->n += len;
    s->p[s->n] = '\0';
}

static void puts_(sbuf *s, const char *t) {
    put(s, t, strlen(t));
}

static void put_value(sbuf *s, const char *v) {
    int plain = *v != '\0';
    for (const char *p = v; *p; p++)
        if (isspace((unsigned char)*p) || strchr(",()=\"\\", *p)) plain = 0;
    if (plain) {
        puts_(s, v);
        return;
    }
    puts_(s, "\"");
    for (const char *p = v; *p; p++) {
        if (*p == '"' || *p == '\\') puts_(s, "\\");
        put(s, p, 1);
    }
    puts_(s, "\"");
}

char *gn_spec_to_string(const gn_spec *spec) {
    sbuf s = {NULL, 0, 0, 0};
    puts_(&s, "");
    for (int i = 0; i < spec->n; i++) {
        const gn_spec_layer *l = &spec->layers[i];
        if (i) puts_(&s, " ");
        puts_(&s, l->type);
        int n = gn_section_count(l->params), positional = 1;
        const char *const *names = l->vt ? l->vt->positional : NULL;
        for (int k = 0; k < n; k++) {
            const char *key = gn_section_key_at(l->params, k);
            puts_(&s, k ? ", " : "(");
            /* Positional while the keys follow the layer's positional order. */
            positional = positional && names && names[k] && strcmp(names[k], key) == 0;
            if (!positional) {
                puts_(&s, key);
                puts_(&s, "=");
            }
            put_value(&s, gn_section_str(l->params, key));
        }
        if (n) puts_(&s, ")");
    }
    if (s.oom) {
        free(s.p);
        return NULL;
    }
    return s.p;
}
