/* PNG and JPEG decoding from memory, with error managers that return. */
#include "data/image_decode.h"

#include <setjmp.h>
#include <stdio.h> /* before jpeglib.h, which uses FILE */
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <png.h>

static const uint8_t png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

static uint32_t be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Zero, absurd or too many pixels: checked before decoding. */
static gn_status check_dims(uint64_t w, uint64_t h, const char *kind, const char *what,
                            gn_error *err) {
    if (w == 0 || h == 0)
        return gn_error_set(err, GN_ERR_FORMAT, "'%s': %s image of zero size (%llu x %llu)", what,
                            kind, (unsigned long long)w, (unsigned long long)h);
    if (w > GN_IMAGE_MAX_SIDE || h > GN_IMAGE_MAX_SIDE)
        return gn_error_set(err, GN_ERR_FORMAT,
                            "'%s': %s image of absurd size %llu x %llu (at most %d per side)", what,
                            kind, (unsigned long long)w, (unsigned long long)h, GN_IMAGE_MAX_SIDE);
    if (w * h > (uint64_t)GN_IMAGE_MAX_PIXELS)
        return gn_error_set(err, GN_ERR_FORMAT,
                            "'%s': %s image of %llu x %llu has more than %lld pixels (a "
                            "decompression bomb?)",
                            what, kind, (unsigned long long)w, (unsigned long long)h,
                            (long long)GN_IMAGE_MAX_PIXELS);
    return GN_OK;
}

/* Converts im (1 or 3 channels) in place to channels. */
static gn_status convert_channels(gn_image *im, int channels, const char *what, gn_error *err) {
    if (im->channels == channels) return GN_OK;
    size_t px = (size_t)im->width * (size_t)im->height;
    if (im->channels == 3 && channels == 1) {
        const uint8_t *s = im->data;
        for (size_t i = 0; i < px; i++, s += 3)
            im->data[i] = (uint8_t)((299u * s[0] + 587u * s[1] + 114u * s[2] + 500u) / 1000u);
        uint8_t *p = realloc(im->data, px);
        if (p) im->data = p;
    } else if (im->channels == 1 && channels == 3) {
        uint8_t *p = realloc(im->data, px * 3);
        if (!p)
            return gn_error_set(err, GN_ERR_NOMEM, "out of memory converting '%s' to RGB", what);
        im->data = p;
        for (size_t i = px; i-- > 0;)
            p[3 * i] = p[3 * i + 1] = p[3 * i + 2] = p[i];
    } else {
        return gn_error_set(err, GN_ERR_INVALID, "'%s': cannot convert %d channels to %d", what,
                            im->channels, channels);
    }
    im->channels = channels;
    return GN_OK;
}

/* ---- PNG ----------------------------------------------------------------- */

typedef struct png_src {
    const uint8_t *buf;
    size_t n, pos;
    char msg[200];
} png_src;

static void png_on_error(png_structp png, png_const_charp msg) {
    png_src *src = png_get_error_ptr(png);
    snprintf(src->msg, sizeof src->msg, "%s", msg);
    png_longjmp(png, 1);
}

static void png_on_warning(png_structp png, png_const_charp msg) {
    (void)png;
    (void)msg; /* benign (bad ancillary chunks): ignored, never printed */
}

static void png_read_mem(png_structp png, png_bytep out, size_t len) {
    png_src *src = png_get_io_ptr(png);
    if (len > src->n - src->pos) png_error(png, "truncated (unexpected end of data)");
    memcpy(out, src->buf + src->pos, len);
    src->pos += len;
}

static gn_status decode_png(const uint8_t *buf, size_t n, const char *what, gn_image *out,
                            gn_error *err) {
    /* Signature, IHDR length and type, width, height: checked before libpng. */
    if (n < 8 + 8 + 13 + 4)
        return gn_error_set(err, GN_ERR_FORMAT, "'%s': PNG truncated (%zu bytes)", what, n);
    if (memcmp(buf + 12, "IHDR", 4) != 0)
        return gn_error_set(err, GN_ERR_FORMAT, "'%s': PNG without IHDR header chunk", what);
    gn_status st = check_dims(be32(buf + 16), be32(buf + 20), "PNG", what, err);
    if (st != GN_OK) return st;

    png_src src = {buf, n, 0, ""};
    png_structp png =
        png_create_read_struct(PNG_LIBPNG_VER_STRING, &src, png_on_error, png_on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        png_destroy_read_struct(png ? &png : NULL, NULL, NULL);
        return gn_error_set(err, GN_ERR_NOMEM, "out of memory decoding '%s'", what);
    }
    uint8_t *volatile data = NULL;
    png_bytep *volatile rows = NULL;
    if (setjmp(png_jmpbuf(png))) {
        free(data);
        free(rows);
        png_destroy_read_struct(&png, &info, NULL);
        return gn_error_set(err, GN_ERR_FORMAT, "'%s': PNG decode failed: %s", what,
                            src.msg[0] ? src.msg : "corrupt data");
    }
    png_set_read_fn(png, &src, png_read_mem);
    png_set_user_limits(png, GN_IMAGE_MAX_SIDE, GN_IMAGE_MAX_SIDE);
    png_read_info(png, info);
    png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    int color = png_get_color_type(png, info), depth = png_get_bit_depth(png, info);
    if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (depth == 16) png_set_scale_16(png);
    if (color & PNG_COLOR_MASK_ALPHA) png_set_strip_alpha(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    int ch = png_get_channels(png, info);
    if ((ch != 1 && ch != 3) || png_get_rowbytes(png, info) != (size_t)w * (size_t)ch)
        png_error(png, "unexpected pixel layout after conversion");
    data = malloc((size_t)w * h * (size_t)ch);
    rows = malloc(h * sizeof *rows);
    if (!data || !rows) png_error(png, "out of memory");
    for (png_uint_32 y = 0; y < h; y++)
        rows[y] = data + (size_t)y * w * (size_t)ch;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    out->width = (int)w;
    out->height = (int)h;
    out->channels = ch;
    out->data = data;
    return GN_OK;
}

/* ---- JPEG ---------------------------------------------------------------- */

typedef struct jpeg_err {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    char msg[JMSG_LENGTH_MAX + 40];
} jpeg_err;

/* libjpeg's default error_exit calls exit(): jump back instead. */
static void jpeg_on_error(j_common_ptr c) {
    jpeg_err *e = (jpeg_err *)c->err;
    c->err->format_message(c, e->msg);
    longjmp(e->jump, 1);
}

/* Warnings (level -1) mean corrupt data, such as a truncated file that
 * libjpeg would pad with gray: refuse them. Trace messages are dropped. */
static void jpeg_on_message(j_common_ptr c, int level) {
    if (level < 0) jpeg_on_error(c);
}

static void jpeg_on_progress(j_common_ptr c) {
    if (!c->is_decompressor) return;
    j_decompress_ptr d = (j_decompress_ptr)c;
    if (d->input_scan_number > GN_IMAGE_MAX_JPEG_SCANS) {
        jpeg_err *e = (jpeg_err *)c->err;
        snprintf(e->msg, sizeof e->msg, "more than %d progressive scans", GN_IMAGE_MAX_JPEG_SCANS);
        longjmp(e->jump, 1);
    }
}

static gn_status decode_jpeg(const uint8_t *buf, size_t n, const char *what, gn_image *out,
                             gn_error *err) {
    struct jpeg_decompress_struct cinfo;
    jpeg_err jerr;
    struct jpeg_progress_mgr progress = {.progress_monitor = jpeg_on_progress};
    uint8_t *volatile data = NULL;
    volatile gn_status dims_st = GN_OK;
    memset(&cinfo, 0, sizeof cinfo);
    cinfo.err = jpeg_std_error(&jerr.pub);
    jerr.pub.error_exit = jpeg_on_error;
    jerr.pub.emit_message = jpeg_on_message;
    jerr.msg[0] = '\0';
    if (setjmp(jerr.jump)) {
        jpeg_destroy_decompress(&cinfo);
        free(data);
        if (dims_st != GN_OK) return dims_st; /* check_dims set the message */
        return gn_error_set(err, GN_ERR_FORMAT, "'%s': JPEG decode failed: %s", what,
                            jerr.msg[0] ? jerr.msg : "corrupt data");
    }
    jpeg_create_decompress(&cinfo);
    cinfo.progress = &progress;
    jpeg_mem_src(&cinfo, buf, (unsigned long)n);
    jpeg_read_header(&cinfo, TRUE);
    gn_status st = check_dims(cinfo.image_width, cinfo.image_height, "JPEG", what, err);
    if (st != GN_OK) {
        dims_st = st;
        longjmp(jerr.jump, 1);
    }
    if (cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK) {
        snprintf(jerr.msg, sizeof jerr.msg, "CMYK JPEG is not supported (convert it to RGB)");
        longjmp(jerr.jump, 1);
    }
    cinfo.out_color_space = cinfo.jpeg_color_space == JCS_GRAYSCALE ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_start_decompress(&cinfo);
    int ch = cinfo.output_components;
    size_t stride = (size_t)cinfo.output_width * (size_t)ch;
    data = malloc(stride * cinfo.output_height);
    if (!data) {
        snprintf(jerr.msg, sizeof jerr.msg, "out of memory");
        longjmp(jerr.jump, 1);
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = data + (size_t)cinfo.output_scanline * stride;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
    out->width = (int)cinfo.output_width;
    out->height = (int)cinfo.output_height;
    out->channels = ch;
    out->data = data;
    jpeg_destroy_decompress(&cinfo);
    return GN_OK;
}

gn_status gn_image_decode(const uint8_t *buf, size_t n, int channels, const char *what,
                          gn_image *out, gn_error *err) {
    memset(out, 0, sizeof *out);
    if (channels != 1 && channels != 3)
        return gn_error_set(err, GN_ERR_INVALID, "'%s': channels must be 1 or 3, not %d", what,
                            channels);
    if (n == 0) return gn_error_set(err, GN_ERR_FORMAT, "'%s': empty file, not an image", what);
    gn_status st;
    if (n >= 8 && memcmp(buf, png_sig, 8) == 0)
        st = decode_png(buf, n, what, out, err);
    else if (n >= 3 && buf[0] == 0xFF && buf[1] == 0xD8 && buf[2] == 0xFF)
        st = decode_jpeg(buf, n, what, out, err);
    else
        return gn_error_set(err, GN_ERR_FORMAT,
                            "'%s' is not a PNG or JPEG image (its first bytes are neither "
                            "signature)",
                            what);
    if (st == GN_OK) st = convert_channels(out, channels, what, err);
    if (st != GN_OK) {
        free(out->data);
        memset(out, 0, sizeof *out);
    }
    return st;
}
