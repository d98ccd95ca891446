/* Ganglion SDK: status codes and the error struct that crosses the plugin
 * boundary. Reporting an error never allocates. */
#ifndef GANGLION_ERROR_H
#define GANGLION_ERROR_H

#include <ganglion/abi.h>

typedef enum gn_status {
    GN_OK = 0,
    GN_ERR_INVALID,   /* bad argument or shape */
    GN_ERR_NOMEM,     /* allocation failed */
    GN_ERR_IO,        /* file or stream failure */
    GN_ERR_FORMAT,    /* malformed input data */
    GN_ERR_NUMERIC,   /* NaN/Inf or divergence */
    GN_ERR_NOT_FOUND, /* missing name, file or key */
    GN_ERR_CONFIG,    /* invalid configuration */
    GN_ERR_ABI,       /* plugin ABI mismatch */
    GN_ERR_CANCELLED, /* stopped by the user */
    GN_ERR_UNSUPPORTED,
    GN_STATUS_COUNT /* keep last */
} gn_status;

#define GN_ERROR_MSG_MAX 512

typedef struct gn_error {
    gn_status status;
    char msg[GN_ERROR_MSG_MAX];
} gn_error;

/* Records status and a printf-style message in err (which may be NULL) and
 * returns status, so callers can write `return gn_error_set(err, ...)`. */
GN_EXPORT gn_status gn_error_set(gn_error *err, gn_status status, const char *fmt, ...)
    GN_PRINTF(3, 4);

/* Prepends "prefix: " to an existing message (for context as errors travel up). */
GN_EXPORT gn_status gn_error_prefix(gn_error *err, const char *fmt, ...) GN_PRINTF(2, 3);

GN_EXPORT void gn_error_clear(gn_error *err);

/* Static name of a status ("invalid", "io", ...). */
GN_EXPORT const char *gn_status_name(gn_status status);

#endif
