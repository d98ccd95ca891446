/* Argument parsing shared by the CNN arithmetic commands. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "cmd_common.h"

int gn_cmd_is_help(const char *arg) {
    return !strcmp(arg, "--help") || !strcmp(arg, "-h");
}

void gn_cmd_print_help(const gn_command_vtable *c, FILE *out) {
    fprintf(out, "usage: ganglion %s\n\n%s\n", c->usage, c->doc);
}

gn_status gn_cmd_error(const gn_command_vtable *c, gn_error *err, const char *fmt, ...) {
    char msg[GN_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return gn_error_set(err, GN_ERR_INVALID, "%s: %s", c->name, msg);
}

gn_status gn_cmd_usage_error(const gn_command_vtable *c, gn_error *err, const char *fmt, ...) {
    char msg[GN_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return gn_error_set(err, GN_ERR_INVALID, "%s: %s (usage: ganglion %s)", c->name, msg, c->usage);
}

gn_status gn_cmd_parse_int(const gn_command_vtable *c, const char *what, const char *s,
                           long long lo, long long hi, long long *v, gn_error *err) {
    char *end = NULL;
    long long x =
        (s[0] == '-' || s[0] == '+' || (s[0] >= '0' && s[0] <= '9')) ? strtoll(s, &end, 10) : 0;
    if (!end || end == s || *end != '\0')
        return gn_cmd_error(c, err, "%s must be an integer, got '%s'", what, s);
    if (x < lo) return gn_cmd_error(c, err, "%s must be at least %lld, got %s", what, lo, s);
    if (x > hi) return gn_cmd_error(c, err, "%s must be at most %lld, got %s", what, hi, s);
    *v = x;
    return GN_OK;
}

int gn_cmd_option(const gn_command_vtable *c, int argc, char **argv, int *i, const char *name,
                  const char **value, gn_error *err) {
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (!gn_cmd_is_option(a) || strncmp(a + 2, name, n)) return 0;
    if (a[2 + n] == '=') {
        *value = a + 3 + n;
        return 1;
    }
    if (a[2 + n] != '\0') return 0;
    if (*i + 1 >= argc || gn_cmd_is_option(argv[*i + 1])) {
        gn_cmd_usage_error(c, err, "--%s needs a value", name);
        return -1;
    }
    *value = argv[++*i];
    return 1;
}
