/* PNG encoding with libpng into a growable memory buffer. libpng reports
 * errors by longjmp; they come back here as a gn_status. */
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "image_impl.h"

typedef struct png_sink {
    unsigned char *data;
    size_t len, cap;
    gn_status status; /* why libpng stopped, when it did */
    char msg[200];
} png_sink;

static void on_error(png_structp png, png_const_charp msg) {
    png_sink *s = png_get_error_ptr(png);
    if (s->status == GN_OK) s->status = GN_ERR_IO;
    if (!s->msg[0]) snprintf(s->msg, sizeof s->msg, "%s", msg ? msg : "unknown error");
    png_longjmp(png, 1);
}

/* Warnings (e.g. about unusual settings) do not make the image wrong. */
static void on_warning(png_structp png, png_const_charp msg) {
    (void)png;
    (void)msg;
}

static void on_write(png_structp png, png_bytep bytes, size_t n) {
    png_sink *s = png_get_io_ptr(png);
    if (n > s->cap - s->len) {
        size_t cap = s->cap ? s->cap : 65536;
        while (cap - s->len < n) {
            if (cap > SIZE_MAX / 2)
                cap = SIZE_MAX;
            else
                cap *= 2;
        }
        unsigned char *d = realloc(s->data, cap);
        if (!d) {
            s->status = GN_ERR_NOMEM;
            snprintf(s->msg, sizeof s->msg, "out of memory for %zu bytes of PNG", cap);
            png_error(png, s->msg);
        }
        s->data = d;
        s->cap = cap;
    }
    memcpy(s->data + s->len, bytes, n);
    s->len += n;
}

static void on_flush(png_structp png) {
    (void)png;
}

/* Everything between setjmp and the end runs under libpng's error handler;
 * png and info are set before setjmp and never changed after it, so they
 * are valid after a longjmp. */
static int encode(const gn_image_canvas *c, png_sink *sink) {
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, sink, on_error, on_warning);
    if (!png) {
        sink->status = GN_ERR_NOMEM;
        snprintf(sink->msg, sizeof sink->msg, "cannot create the PNG writer");
        return 0;
    }
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        sink->status = GN_ERR_NOMEM;
        snprintf(sink->msg, sizeof sink->msg, "cannot create the PNG info");
        return 0;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return 0;
    }
    png_set_write_fn(png, sink, on_write, on_flush);
    png_set_IHDR(png, info, (png_uint_32)c->w, (png_uint_32)c->h, 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < c->h; y++)
        png_write_row(png, c->px + (size_t)y * (size_t)c->w * 3);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return 1;
}

gn_status gn_image_grid_png(const gn_image_grid *g, unsigned char **out, size_t *len,
                            gn_error *err) {
    if (out) *out = NULL;
    if (len) *len = 0;
    if (!g || !out || !len)
        return gn_error_set(err, GN_ERR_INVALID, "image: grid, out or len is NULL");
    gn_image_canvas c;
    gn_status st = gn_image_render(g, &c, err);
    if (st != GN_OK) return st;
    png_sink sink = {0};
    int ok = encode(&c, &sink);
    free(c.px);
    if (!ok) {
        free(sink.data);
        return gn_error_set(err, sink.status != GN_OK ? sink.status : GN_ERR_IO,
                            "image: PNG encoding failed: %s", sink.msg);
    }
    *out = sink.data;
    *len = sink.len;
    return GN_OK;
}
