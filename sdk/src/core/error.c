/* Status codes and error messages (no allocation on the error path). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <ganglion/error.h>

static const char *const status_names[] = {
    "ok",        "invalid", "out of memory", "io",        "format",      "numeric",
    "not found", "config",  "abi",           "cancelled", "unsupported",
};
_Static_assert(sizeof status_names / sizeof status_names[0] == GN_STATUS_COUNT,
               "status_names must follow gn_status");

gn_status gn_error_set(gn_error *err, gn_status status, const char *fmt, ...) {
    if (err) {
        err->status = status;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return status;
}

gn_status gn_error_prefix(gn_error *err, const char *fmt, ...) {
    if (!err) return GN_ERR_INVALID; /* no status to keep; never report success */
    char head[GN_ERROR_MSG_MAX], old[GN_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    char both[2 * GN_ERROR_MSG_MAX + 2]; /* sized so the compiler sees no truncation */
    snprintf(both, sizeof both, "%s: %s", head, old);
    memcpy(err->msg, both, sizeof err->msg - 1);
    err->msg[sizeof err->msg - 1] = '\0';
    return err->status;
}

void gn_error_clear(gn_error *err) {
    if (err) {
        err->status = GN_OK;
        err->msg[0] = '\0';
    }
}

const char *gn_status_name(gn_status status) {
    if ((int)status < 0 || status >= GN_STATUS_COUNT) return "unknown";
    return status_names[status];
}
