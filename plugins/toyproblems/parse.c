/* INI values of the plugin: numbers (or the searched symbol), lists of
 * numbers, and configuration errors in the schema's FILE:LINE format. */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "toyproblems.h"

gn_status gn_toy_config_error(const gn_section *s, const char *key, gn_error *err, const char *fmt,
                              ...) {
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int line = gn_section_line(s, key);
    const char *file = gn_section_file(s);
    if (line > 0)
        return gn_error_set(err, GN_ERR_CONFIG, "%s:%d: [%s] %s: %s", file, line,
                            gn_section_name(s), key, msg);
    if (file && file[0])
        return gn_error_set(err, GN_ERR_CONFIG, "%s: [%s] %s: %s", file, gn_section_name(s), key,
                            msg);
    return gn_error_set(err, GN_ERR_CONFIG, "[%s] %s: %s", gn_section_name(s), key, msg);
}

double gn_toy_number(const char *tok, size_t len, const gn_toy_subst *sub, int *ok) {
    while (len && isspace((unsigned char)*tok))
        tok++, len--;
    while (len && isspace((unsigned char)tok[len - 1]))
        len--;
    *ok = 0;
    if (len == 0 || len > 63) return NAN;
    char buf[64];
    memcpy(buf, tok, len);
    buf[len] = '\0';
    const char *word = buf[0] == '-' ? buf + 1 : buf;
    if (sub && sub->name && !strcmp(word, sub->name)) {
        *ok = 1;
        return buf[0] == '-' ? -sub->value : sub->value;
    }
    char *end;
    double v = strtod(buf, &end);
    *ok = end != buf && *end == '\0' && isfinite(v);
    return v;
}

gn_status gn_toy_numbers(const gn_section *s, const char *key, const gn_toy_subst *sub, double *out,
                         int max, int *n, gn_error *err) {
    const char *text = gn_section_str(s, key), *p = text ? text : "";
    *n = 0;
    while (*p) {
        while (*p == ',' || isspace((unsigned char)*p))
            p++;
        if (!*p) break;
        size_t len = strcspn(p, ", \t");
        int ok;
        double v = gn_toy_number(p, len, sub, &ok);
        if (!ok)
            return gn_toy_config_error(s, key, err, "'%.*s' is not a number%s%s", (int)len, p,
                                       sub && sub->name ? " or " : "",
                                       sub && sub->name ? sub->name : "");
        if (*n == max)
            return gn_toy_config_error(s, key, err,
                                       "expected at most %d number%s, got more in '%s'", max,
                                       max == 1 ? "" : "s", text);
        out[(*n)++] = v;
        p += len;
    }
    if (*n == 0) return gn_toy_config_error(s, key, err, "expected a number, got '%s'", text);
    return GN_OK;
}
