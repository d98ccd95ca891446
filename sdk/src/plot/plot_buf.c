/* Growable text buffer for the SVG writer. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "plot_impl.h"

static int reserve(gn_plot_buf *b, size_t extra) {
    if (b->failed) return 0;
    if (b->len + extra + 1 <= b->cap) return 1;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d) {
        b->failed = 1;
        return 0;
    }
    b->data = d;
    b->cap = cap;
    return 1;
}

void gn_plot_buf_printf(gn_plot_buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0 || !reserve(b, (size_t)n)) {
        b->failed = 1;
        return;
    }
    if ((size_t)n < sizeof small) {
        for (int i = 0; i <= n; i++)
            b->data[b->len + (size_t)i] = small[i];
    } else { /* longer than the stack copy: format again into place */
        va_start(ap, fmt);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    b->len += (size_t)n;
}

void gn_plot_buf_escape(gn_plot_buf *b, const char *s) {
    for (; s && *s; s++) {
        switch (*s) {
        case '&':
            gn_plot_buf_printf(b, "&amp;");
            break;
        case '<':
            gn_plot_buf_printf(b, "&lt;");
            break;
        case '>':
            gn_plot_buf_printf(b, "&gt;");
            break;
        case '"':
            gn_plot_buf_printf(b, "&quot;");
            break;
        case '\'':
            gn_plot_buf_printf(b, "&apos;");
            break;
        default:
            /* control characters are not allowed in XML 1.0 text */
            if ((unsigned char)*s < 0x20 && *s != '\t')
                gn_plot_buf_printf(b, " ");
            else
                gn_plot_buf_printf(b, "%c", *s);
        }
    }
}
