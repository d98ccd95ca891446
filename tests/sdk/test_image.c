/* PNG image grids: every image is decoded back with libpng and checked
 * against the layout documented in image.h (sizes, tile placement and
 * values, normalisation, captions, font, title and labels), plus bad
 * arguments, limits and NaN pixels. */
#include <dlfcn.h>
#include <math.h>
#include <png.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include <ganglion/image.h>

/* Layout constants from image.h. */
#define MARGIN 2
#define GAP 2
#define CAP_PAD 2
#define LINE 10

/* ---- decoding ------------------------------------------------------------ */

/* test_sdk links libganglion only, and libpng is a private dependency of
 * it, so its read API is looked up in the copy libganglion already loaded. */
typedef int (*begin_fn)(png_imagep, png_const_voidp, size_t);
typedef int (*finish_fn)(png_imagep, png_const_colorp, void *, png_int_32, void *);
typedef void (*free_fn)(png_imagep);

typedef struct img {
    unsigned char *px; /* RGB */
    int w, h;
} img;

static img decode(const unsigned char *buf, size_t len) {
    void *lib = dlopen("libpng16.so.16", RTLD_NOW);
    cr_assert_not_null(lib, "libpng: %s", dlerror());
    begin_fn begin;
    finish_fn finish;
    free_fn release;
    /* dlsym returns void *; memcpy makes it a function pointer without the
     * ISO C warning a cast gives. */
    void *sym = dlsym(lib, "png_image_begin_read_from_memory");
    cr_assert_not_null(sym);
    memcpy(&begin, &sym, sizeof sym);
    sym = dlsym(lib, "png_image_finish_read");
    cr_assert_not_null(sym);
    memcpy(&finish, &sym, sizeof sym);
    sym = dlsym(lib, "png_image_free");
    cr_assert_not_null(sym);
    memcpy(&release, &sym, sizeof sym);

    png_image pi;
    memset(&pi, 0, sizeof pi);
    pi.version = PNG_IMAGE_VERSION;
    cr_assert(begin(&pi, buf, len), "not a PNG: %s", pi.message);
    cr_assert_eq(pi.format, PNG_FORMAT_RGB, "expected 8-bit RGB, got format %u", pi.format);
    img im = {malloc(PNG_IMAGE_SIZE(pi)), (int)pi.width, (int)pi.height};
    cr_assert_not_null(im.px);
    cr_assert(finish(&pi, NULL, im.px, 0, NULL), "decoding failed: %s", pi.message);
    release(&pi);
    dlclose(lib);
    return im;
}

/* Encodes g, checks the PNG signature and gn_image_grid_size, decodes. */
static img render(const gn_image_grid *g) {
    unsigned char *buf = NULL;
    size_t len = 0;
    gn_error err = {0};
    cr_assert_eq(gn_image_grid_png(g, &buf, &len, &err), GN_OK, "%s", err.msg);
    cr_assert_geq(len, 8u);
    cr_assert(memcmp(buf, "\x89PNG\r\n\x1a\n", 8) == 0, "no PNG signature");
    img im = decode(buf, len);
    free(buf);
    int w, h;
    gn_image_grid_size(g, &w, &h);
    cr_assert_eq(im.w, w);
    cr_assert_eq(im.h, h);
    return im;
}

static uint32_t pixel(const img *im, int x, int y) {
    cr_assert(x >= 0 && x < im->w && y >= 0 && y < im->h, "pixel (%d, %d) outside", x, y);
    const unsigned char *p = im->px + ((size_t)y * (size_t)im->w + (size_t)x) * 3;
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

typedef struct rect {
    int x0, y0, x1, y1;
} rect;

static int count_ink(const img *im, rect r) {
    int n = 0;
    for (int y = r.y0; y < r.y1; y++)
        for (int x = r.x0; x < r.x1; x++)
            n += pixel(im, x, y) != 0xFFFFFF;
    return n;
}

static int inside(int x, int y, const rect *r, int n) {
    for (int i = 0; i < n; i++)
        if (x >= r[i].x0 && x < r[i].x1 && y >= r[i].y0 && y < r[i].y1) return 1;
    return 0;
}

/* Non-white pixels outside every allowed rectangle. */
static int ink_outside(const img *im, const rect *allowed, int n) {
    int bad = 0;
    for (int y = 0; y < im->h; y++)
        for (int x = 0; x < im->w; x++)
            if (!inside(x, y, allowed, n) && pixel(im, x, y) != 0xFFFFFF) bad++;
    return bad;
}

static gn_image_grid *new_grid(int rows, int cols, int th, int tw, int ch, int scale, int lines) {
    gn_error err = {0};
    gn_image_grid *g = gn_image_grid_new(rows, cols, th, tw, ch, scale, lines, &err);
    cr_assert_not_null(g, "%s", err.msg);
    return g;
}

static void set_tile(gn_image_grid *g, int row, int col, const float *v, gn_image_norm norm,
                     float lo, float hi, const char *caption, uint32_t rgb) {
    gn_error err = {0};
    cr_assert_eq(gn_image_grid_set(g, row, col, v, norm, lo, hi, caption, rgb, &err), GN_OK, "%s",
                 err.msg);
}

static void expect_invalid(gn_status st, const gn_error *err) {
    cr_assert_eq(st, GN_ERR_INVALID, "status %d (%s)", st, err->msg);
    cr_assert_eq(err->status, GN_ERR_INVALID);
    cr_assert_gt(strlen(err->msg), 0u, "no message");
    cr_assert(strncmp(err->msg, "image: ", 7) == 0, "message '%s'", err->msg);
}

/* ---- layout -------------------------------------------------------------- */

Test(image, size_follows_the_layout) {
    /* The misclassified-images case: 28x28 grey at 2x, two caption lines. */
    gn_image_grid *g = new_grid(2, 3, 28, 28, 1, 2, 2);
    float z[28 * 28] = {0};
    set_tile(g, 1, 2, z, GN_IMAGE_RANGE, 0, 1, "true: 3\npred: 5", 0xD00000);
    img im = render(g);
    int cw = 56, ch = 56 + CAP_PAD + 2 * LINE;
    cr_assert_eq(im.w, 2 * MARGIN + 3 * cw + 2 * GAP);
    cr_assert_eq(im.h, 2 * MARGIN + 2 * ch + GAP);
    free(im.px);
    gn_image_grid_free(g);

    /* No captions: cells are just the tiles. */
    g = new_grid(4, 1, 5, 7, 3, 1, 0);
    int w, h;
    gn_image_grid_size(g, &w, &h);
    cr_assert_eq(w, 2 * MARGIN + 7);
    cr_assert_eq(h, 2 * MARGIN + 4 * 5 + 3 * GAP);
    im = render(g);
    free(im.px);
    gn_image_grid_free(g);
}

Test(image, extras_change_the_size) {
    gn_error err = {0};
    gn_image_grid *g = new_grid(2, 2, 10, 10, 1, 1, 1);
    int w, h;
    gn_image_grid_size(g, &w, &h);
    cr_assert_eq(w, 2 * MARGIN + 2 * 10 + GAP);
    cr_assert_eq(h, 2 * MARGIN + 2 * (10 + CAP_PAD + LINE) + GAP);

    cr_assert_eq(gn_image_grid_set_min_cell_width(g, 40, &err), GN_OK, "%s", err.msg);
    cr_assert_eq(gn_image_grid_set_text_scale(g, 2, &err), GN_OK, "%s", err.msg);
    cr_assert_eq(gn_image_grid_set_title(g, "Samples", &err), GN_OK, "%s", err.msg);
    cr_assert_eq(gn_image_grid_set_row_label(g, 1, "recon", &err), GN_OK, "%s", err.msg);
    cr_assert_eq(gn_image_grid_set_row_label(g, 0, "orig", &err), GN_OK, "%s", err.msg);
    int label_w = 6 * 2 * 5 + 4, title_h = LINE * 2 + 2;
    gn_image_grid_size(g, &w, &h);
    cr_assert_eq(w, 2 * MARGIN + label_w + 2 * 40 + GAP);
    cr_assert_eq(h, 2 * MARGIN + title_h + 2 * (10 + CAP_PAD + 2 * LINE) + GAP);
    img im = render(g);
    free(im.px);

    /* Removing them restores the plain layout. */
    cr_assert_eq(gn_image_grid_set_title(g, NULL, &err), GN_OK);
    cr_assert_eq(gn_image_grid_set_row_label(g, 0, "", &err), GN_OK);
    cr_assert_eq(gn_image_grid_set_row_label(g, 1, NULL, &err), GN_OK);
    cr_assert_eq(gn_image_grid_set_text_scale(g, 1, &err), GN_OK);
    cr_assert_eq(gn_image_grid_set_min_cell_width(g, 0, &err), GN_OK);
    gn_image_grid_size(g, &w, &h);
    cr_assert_eq(w, 2 * MARGIN + 2 * 10 + GAP);
    cr_assert_eq(h, 2 * MARGIN + 2 * (10 + CAP_PAD + LINE) + GAP);
    gn_image_grid_free(g);

    /* Long row labels count only 32 characters. */
    g = new_grid(1, 1, 4, 4, 1, 1, 0);
    cr_assert_eq(
        gn_image_grid_set_row_label(g, 0, "0123456789012345678901234567890123456789", &err), GN_OK);
    gn_image_grid_size(g, &w, &h);
    cr_assert_eq(w, 2 * MARGIN + 6 * 32 + 4 + 4);
    gn_image_grid_free(g);
}

/* ---- tile pixels --------------------------------------------------------- */

Test(image, range_gradient_lands_scaled_in_place) {
    enum { TH = 4, TW = 5, S = 2 };
    gn_image_grid *g = new_grid(2, 2, TH, TW, 1, S, 0);
    float v[TH * TW];
    for (int i = 0; i < TH * TW; i++)
        v[i] = (float)i / (TH * TW - 1);
    set_tile(g, 1, 1, v, GN_IMAGE_RANGE, 0.0f, 1.0f, NULL, 0);
    img im = render(g);
    int cw = TW * S, ch = TH * S;
    int x0 = MARGIN + cw + GAP, y0 = MARGIN + ch + GAP;
    for (int y = 0; y < TH * S; y++)
        for (int x = 0; x < TW * S; x++) {
            double t = v[(y / S) * TW + x / S];
            uint32_t b = (uint32_t)floor(t * 255.0 + 0.5);
            cr_assert_eq(pixel(&im, x0 + x, y0 + y), b << 16 | b << 8 | b,
                         "pixel (%d, %d) is %06x, want grey %u", x, y, pixel(&im, x0 + x, y0 + y),
                         b);
        }
    /* The gradient's ends are exactly 0 and 255. */
    cr_assert_eq(pixel(&im, x0, y0), 0x000000);
    cr_assert_eq(pixel(&im, x0 + TW * S - 1, y0 + TH * S - 1), 0xFFFFFF);
    /* Nothing else is drawn: the unset cells, gaps and margins stay white. */
    rect tile = {x0, y0, x0 + TW * S, y0 + TH * S};
    cr_assert_eq(ink_outside(&im, &tile, 1), 0);
    free(im.px);
    gn_image_grid_free(g);
}

Test(image, rgb_tiles_are_chw) {
    gn_image_grid *g = new_grid(1, 1, 2, 2, 3, 1, 0);
    /* Channel planes: R all 1, G all 0, B 0.5 except one pixel at 0. */
    float v[3 * 4] = {1, 1, 1, 1, 0, 0, 0, 0, 0.5f, 0.5f, 0.5f, 0};
    set_tile(g, 0, 0, v, GN_IMAGE_RANGE, 0, 1, NULL, 0);
    img im = render(g);
    cr_assert_eq(pixel(&im, MARGIN, MARGIN), 0xFF0080);
    cr_assert_eq(pixel(&im, MARGIN + 1, MARGIN), 0xFF0080);
    cr_assert_eq(pixel(&im, MARGIN, MARGIN + 1), 0xFF0080);
    cr_assert_eq(pixel(&im, MARGIN + 1, MARGIN + 1), 0xFF0000);
    free(im.px);
    gn_image_grid_free(g);
}

Test(image, range_clamps_and_accepts_other_ranges) {
    gn_image_grid *g = new_grid(1, 1, 1, 4, 1, 1, 0);
    float v[4] = {-5, -1, 0, 7}; /* tanh-style range [-1, 1] */
    set_tile(g, 0, 0, v, GN_IMAGE_RANGE, -1, 1, NULL, 0);
    img im = render(g);
    cr_assert_eq(pixel(&im, MARGIN, MARGIN), 0x000000);
    cr_assert_eq(pixel(&im, MARGIN + 1, MARGIN), 0x000000);
    cr_assert_eq(pixel(&im, MARGIN + 2, MARGIN), 0x808080);
    cr_assert_eq(pixel(&im, MARGIN + 3, MARGIN), 0xFFFFFF);
    free(im.px);
    gn_image_grid_free(g);
}

Test(image, minmax_maps_min_to_0_and_max_to_255) {
    gn_image_grid *g = new_grid(1, 2, 2, 3, 1, 1, 0);
    float v[6] = {-3, 7, 2, 4.5f, -0.5f, 0};
    set_tile(g, 0, 0, v, GN_IMAGE_MINMAX, 0, 0, NULL, 0);
    /* A constant tile is black (lo and hi are ignored under MINMAX). */
    float c[6] = {4, 4, 4, 4, 4, 4};
    set_tile(g, 0, 1, c, GN_IMAGE_MINMAX, 5, -5, NULL, 0);
    img im = render(g);
    for (int i = 0; i < 6; i++) {
        uint32_t b = (uint32_t)floor(((double)v[i] - -3.0) / 10.0 * 255.0 + 0.5);
        cr_assert_eq(pixel(&im, MARGIN + i % 3, MARGIN + i / 3), b * 0x010101u, "value %g",
                     (double)v[i]);
    }
    cr_assert_eq(pixel(&im, MARGIN, MARGIN), 0x000000);     /* -3 */
    cr_assert_eq(pixel(&im, MARGIN + 1, MARGIN), 0xFFFFFF); /* 7 */
    for (int i = 0; i < 6; i++)
        cr_assert_eq(pixel(&im, MARGIN + 3 + GAP + i % 3, MARGIN + i / 3), 0x000000);
    free(im.px);
    gn_image_grid_free(g);
}

Test(image, setting_again_replaces_the_tile) {
    gn_image_grid *g = new_grid(1, 1, 1, 1, 1, 1, 1);
    gn_error err = {0};
    cr_assert_eq(gn_image_grid_set_min_cell_width(g, 60, &err), GN_OK);
    float a = 0, b = 1;
    set_tile(g, 0, 0, &a, GN_IMAGE_RANGE, 0, 1, "xxxxxxxx", 0x0000FF);
    img im = render(g);
    cr_assert_gt(count_ink(&im, (rect){0, MARGIN + 1, im.w, im.h}), 0);
    free(im.px);
    set_tile(g, 0, 0, &b, GN_IMAGE_RANGE, 0, 1, NULL, 0);
    im = render(g);
    cr_assert_eq(pixel(&im, MARGIN, MARGIN), 0xFFFFFF);
    cr_assert_eq(count_ink(&im, (rect){0, 0, im.w, im.h}), 0, "old caption still drawn");
    free(im.px);
    gn_image_grid_free(g);
}

/* ---- NaN and Inf --------------------------------------------------------- */

Test(image, nan_pixels_get_a_fixed_colour) {
    gn_image_grid *g = new_grid(1, 3, 1, 4, 1, 1, 0);
    float v[4] = {NAN, 0, 1, 2};
    set_tile(g, 0, 0, v, GN_IMAGE_MINMAX, 0, 0, NULL, 0);
    float w[4] = {-INFINITY, NAN, INFINITY, 0.5f};
    set_tile(g, 0, 1, w, GN_IMAGE_RANGE, 0, 1, NULL, 0);
    float all[4] = {NAN, NAN, NAN, NAN};
    set_tile(g, 0, 2, all, GN_IMAGE_MINMAX, 0, 0, NULL, 0);
    img im = render(g);
    /* MINMAX ignores the NaN: 0..2 still spans 0..255. */
    cr_assert_eq(pixel(&im, MARGIN, MARGIN), GN_IMAGE_NAN_RGB);
    cr_assert_eq(pixel(&im, MARGIN + 1, MARGIN), 0x000000);
    cr_assert_eq(pixel(&im, MARGIN + 2, MARGIN), 0x808080);
    cr_assert_eq(pixel(&im, MARGIN + 3, MARGIN), 0xFFFFFF);
    int x = MARGIN + 4 + GAP;
    cr_assert_eq(pixel(&im, x, MARGIN), 0x000000);
    cr_assert_eq(pixel(&im, x + 1, MARGIN), GN_IMAGE_NAN_RGB);
    cr_assert_eq(pixel(&im, x + 2, MARGIN), 0xFFFFFF);
    cr_assert_eq(pixel(&im, x + 3, MARGIN), 0x808080);
    x += 4 + GAP;
    for (int i = 0; i < 4; i++)
        cr_assert_eq(pixel(&im, x + i, MARGIN), GN_IMAGE_NAN_RGB);
    free(im.px);
    gn_image_grid_free(g);

    /* RGB: a NaN in any channel marks the pixel; MINMAX of Infs only. */
    g = new_grid(1, 2, 1, 2, 3, 1, 0);
    float c[6] = {0, 0, NAN, 1, 1, 1};
    set_tile(g, 0, 0, c, GN_IMAGE_RANGE, 0, 1, NULL, 0);
    float inf[6] = {INFINITY, -INFINITY, INFINITY, INFINITY, -INFINITY, INFINITY};
    set_tile(g, 0, 1, inf, GN_IMAGE_MINMAX, 0, 0, NULL, 0);
    im = render(g);
    cr_assert_eq(pixel(&im, MARGIN, MARGIN), GN_IMAGE_NAN_RGB);
    cr_assert_eq(pixel(&im, MARGIN + 1, MARGIN), 0x00FFFF);
    cr_assert_eq(pixel(&im, MARGIN + 2 + GAP, MARGIN), 0xFFFF00);
    cr_assert_eq(pixel(&im, MARGIN + 3 + GAP, MARGIN), 0x00FFFF);
    free(im.px);
    gn_image_grid_free(g);
}

/* ---- text ---------------------------------------------------------------- */

Test(image, captions_draw_in_their_band_only) {
    enum { T = 28, S = 2, CW = 100 };
    gn_image_grid *g = new_grid(2, 2, T, T, 1, S, 2);
    gn_error err = {0};
    cr_assert_eq(gn_image_grid_set_min_cell_width(g, CW, &err), GN_OK, "%s", err.msg);
    float z[T * T];
    for (int i = 0; i < T * T; i++)
        z[i] = 0.25f;
    set_tile(g, 0, 0, z, GN_IMAGE_RANGE, 0, 1, "true: 3 (Dress)\npred: 5", 0xD00000);
    set_tile(g, 0, 1, z, GN_IMAGE_RANGE, 0, 1, "true: 1 (Trouser)", 0x000000);
    set_tile(g, 1, 0, z, GN_IMAGE_RANGE, 0, 1, NULL, 0);
    img im = render(g);

    int ch = T * S + CAP_PAD + 2 * LINE;
    rect allowed[8];
    int n = 0;
    for (int r = 0; r < 2; r++)
        for (int c = 0; c < 2; c++) {
            int cx = MARGIN + c * (CW + GAP), cy = MARGIN + r * (ch + GAP);
            int tx = cx + (CW - T * S) / 2;
            allowed[n++] = (rect){tx, cy, tx + T * S, cy + T * S};
            allowed[n++] = (rect){cx, cy + T * S + CAP_PAD, cx + CW, cy + ch};
        }
    cr_assert_eq(ink_outside(&im, allowed, n), 0, "ink outside the tiles and caption bands");

    /* Both lines of (0, 0) are drawn, in red and nothing else. */
    int cap_y = MARGIN + T * S + CAP_PAD;
    rect line1 = {MARGIN, cap_y, MARGIN + CW, cap_y + LINE};
    rect line2 = {MARGIN, cap_y + LINE, MARGIN + CW, cap_y + 2 * LINE};
    cr_assert_gt(count_ink(&im, line1), 20);
    cr_assert_gt(count_ink(&im, line2), 20);
    for (int y = line1.y0; y < line2.y1; y++)
        for (int x = line1.x0; x < line1.x1; x++) {
            uint32_t p = pixel(&im, x, y);
            cr_assert(p == 0xFFFFFF || p == 0xD00000, "caption pixel %06x", p);
        }
    /* (0, 1) has one line, in black; (1, 0) has none. */
    int x1 = MARGIN + CW + GAP;
    cr_assert_gt(count_ink(&im, (rect){x1, cap_y, x1 + CW, cap_y + LINE}), 20);
    cr_assert_eq(count_ink(&im, (rect){x1, cap_y + LINE, x1 + CW, cap_y + 2 * LINE}), 0);
    int y1 = MARGIN + ch + GAP + T * S + CAP_PAD;
    cr_assert_eq(count_ink(&im, (rect){MARGIN, y1, MARGIN + CW, y1 + 2 * LINE}), 0);
    free(im.px);
    gn_image_grid_free(g);
}

Test(image, long_captions_are_cut_inside_the_cell) {
    enum { T = 12 };
    gn_image_grid *g = new_grid(1, 2, T, T, 1, 1, 1);
    float z[T * T] = {0};
    const char *longtext = "this caption is far wider than its twelve pixel tile";
    set_tile(g, 0, 0, z, GN_IMAGE_RANGE, 0, 1, longtext, 0x0000FF);
    set_tile(g, 0, 1, z, GN_IMAGE_RANGE, 0, 1, NULL, 0);
    img im = render(g);
    int cap_y = MARGIN + T + CAP_PAD;
    /* Two 5-pixel glyphs fit in 12 pixels ("th"), drawn from the left. */
    cr_assert_gt(count_ink(&im, (rect){MARGIN, cap_y, MARGIN + 5, cap_y + LINE}), 0);
    cr_assert_gt(count_ink(&im, (rect){MARGIN + 6, cap_y, MARGIN + 11, cap_y + LINE}), 0);
    cr_assert_eq(count_ink(&im, (rect){MARGIN + 11, cap_y, MARGIN + T + GAP, cap_y + LINE}), 0,
                 "a glyph spills past the cell");
    rect allowed[3] = {{MARGIN, MARGIN, MARGIN + T, MARGIN + T},
                       {MARGIN + T + GAP, MARGIN, MARGIN + 2 * T + GAP, MARGIN + T},
                       {MARGIN, cap_y, MARGIN + T, cap_y + LINE}};
    cr_assert_eq(ink_outside(&im, allowed, 3), 0);
    free(im.px);
    gn_image_grid_free(g);

    /* A one-line grid shows only the first line. */
    g = new_grid(1, 2, 4, 12, 1, 1, 1);
    float f[48] = {0};
    set_tile(g, 0, 0, f, GN_IMAGE_RANGE, 0, 1, "a\nb", 0);
    set_tile(g, 0, 1, f, GN_IMAGE_RANGE, 0, 1, "a", 0);
    im = render(g);
    cap_y = MARGIN + 4 + CAP_PAD;
    cr_assert_gt(count_ink(&im, (rect){MARGIN, cap_y, MARGIN + 12, im.h}), 0);
    for (int y = cap_y; y < im.h; y++)
        for (int x = 0; x < 12; x++)
            cr_assert_eq(pixel(&im, MARGIN + x, y), pixel(&im, MARGIN + 12 + GAP + x, y));
    free(im.px);
    gn_image_grid_free(g);

    /* A tile narrower than a glyph shows no text at all. */
    g = new_grid(1, 1, 4, 4, 1, 1, 1);
    set_tile(g, 0, 0, f, GN_IMAGE_RANGE, 0, 1, "abc", 0);
    im = render(g);
    cr_assert_eq(count_ink(&im, (rect){0, MARGIN + 4, im.w, im.h}), 0);
    free(im.px);
    gn_image_grid_free(g);
}

/* Renders each printable character as the caption of its own cell and
 * returns the caption band bitmaps, 8 x 10 bits per character. */
static void glyph_bitmaps(unsigned char bits[95][10][8]) {
    enum { CW = 8 };
    gn_image_grid *g = new_grid(1, 95, 1, 1, 1, 1, 1);
    gn_error err = {0};
    cr_assert_eq(gn_image_grid_set_min_cell_width(g, CW, &err), GN_OK, "%s", err.msg);
    float one = 1;
    for (int c = 0; c < 95; c++) {
        char s[2] = {(char)(32 + c), 0};
        set_tile(g, 0, c, &one, GN_IMAGE_RANGE, 0, 1, s, 0);
    }
    img im = render(g);
    int y0 = MARGIN + 1 + CAP_PAD;
    for (int c = 0; c < 95; c++)
        for (int y = 0; y < 10; y++)
            for (int x = 0; x < CW; x++)
                bits[c][y][x] = pixel(&im, MARGIN + c * (CW + GAP) + x, y0 + y) == 0x000000;
    free(im.px);
    gn_image_grid_free(g);
}

Test(image, font_covers_printable_ascii) {
    static unsigned char bits[95][10][8];
    glyph_bitmaps(bits);
    for (int c = 0; c < 95; c++) {
        int n = 0;
        for (int y = 0; y < 10; y++)
            for (int x = 0; x < 8; x++)
                n += bits[c][y][x];
        if (c == 0)
            cr_assert_eq(n, 0, "space has ink");
        else
            cr_assert_gt(n, 0, "'%c' is blank", 32 + c);
        /* Glyphs are 9 rows tall: the band's last row is leading. */
        for (int x = 0; x < 8; x++)
            cr_assert_eq(bits[c][9][x], 0, "'%c' touches the next line", 32 + c);
        for (int d = 0; d < c; d++)
            cr_assert(memcmp(bits[c], bits[d], sizeof bits[c]) != 0, "'%c' looks like '%c'", 32 + c,
                      32 + d);
    }
    /* Lower case has descenders below the baseline (rows 7..8); capitals do not. */
    const char *desc = "gjpqy", *flat = "ABGJPQYaceosx";
    for (const char *p = desc; *p; p++) {
        int n = 0;
        for (int x = 0; x < 8; x++)
            n += bits[*p - 32][7][x] + bits[*p - 32][8][x];
        cr_assert_gt(n, 0, "'%c' has no descender", *p);
    }
    for (const char *p = flat; *p; p++)
        for (int x = 0; x < 8; x++)
            cr_assert_eq(bits[*p - 32][7][x] + bits[*p - 32][8][x], 0, "'%c' drops below", *p);
}

Test(image, non_ascii_bytes_draw_as_question_marks) {
    gn_image_grid *g = new_grid(1, 2, 1, 1, 1, 1, 1);
    gn_error err = {0};
    cr_assert_eq(gn_image_grid_set_min_cell_width(g, 8, &err), GN_OK);
    float one = 1;
    set_tile(g, 0, 0, &one, GN_IMAGE_RANGE, 0, 1, "\xc3", 0);
    set_tile(g, 0, 1, &one, GN_IMAGE_RANGE, 0, 1, "?", 0);
    img im = render(g);
    int y0 = MARGIN + 1 + CAP_PAD;
    for (int y = 0; y < LINE; y++)
        for (int x = 0; x < 8; x++)
            cr_assert_eq(pixel(&im, MARGIN + x, y0 + y), pixel(&im, MARGIN + 8 + GAP + x, y0 + y));
    free(im.px);
    gn_image_grid_free(g);
}

Test(image, title_and_row_labels_are_drawn) {
    enum { T = 20 };
    gn_image_grid *g = new_grid(2, 3, T, T, 1, 1, 0);
    gn_error err = {0};
    cr_assert_eq(gn_image_grid_set_title(g, "VAE manifold", &err), GN_OK, "%s", err.msg);
    cr_assert_eq(gn_image_grid_set_row_label(g, 0, "original", &err), GN_OK, "%s", err.msg);
    cr_assert_eq(gn_image_grid_set_row_label(g, 1, "recon", &err), GN_OK, "%s", err.msg);
    img im = render(g);
    int label_w = 6 * 8 + 4, title_h = LINE + 2;
    cr_assert_eq(im.w, 2 * MARGIN + label_w + 3 * T + 2 * GAP);
    cr_assert_eq(im.h, 2 * MARGIN + title_h + 2 * T + GAP);
    rect title = {MARGIN, MARGIN, im.w - MARGIN, MARGIN + LINE};
    rect labels = {MARGIN, MARGIN + title_h, MARGIN + label_w - 4, im.h - MARGIN};
    cr_assert_gt(count_ink(&im, title), 20);
    cr_assert_gt(
        count_ink(&im, (rect){MARGIN, MARGIN + title_h, MARGIN + label_w, MARGIN + title_h + T}),
        20);
    cr_assert_gt(
        count_ink(&im, (rect){MARGIN, MARGIN + title_h + T + GAP, MARGIN + label_w, im.h - MARGIN}),
        20);
    rect allowed[2] = {title, labels};
    cr_assert_eq(ink_outside(&im, allowed, 2), 0);
    for (int y = 0; y < im.h; y++)
        for (int x = 0; x < im.w; x++) {
            uint32_t p = pixel(&im, x, y);
            cr_assert(p == 0xFFFFFF || p == 0x000000, "text pixel %06x", p);
        }
    free(im.px);
    gn_image_grid_free(g);
}

Test(image, text_scale_2_doubles_glyphs) {
    img im[2];
    for (int k = 0; k < 2; k++) {
        gn_image_grid *g = new_grid(1, 1, 1, 1, 1, 1, 1);
        gn_error err = {0};
        cr_assert_eq(gn_image_grid_set_min_cell_width(g, 20, &err), GN_OK);
        cr_assert_eq(gn_image_grid_set_text_scale(g, k + 1, &err), GN_OK);
        float one = 1;
        set_tile(g, 0, 0, &one, GN_IMAGE_RANGE, 0, 1, "g", 0);
        im[k] = render(g);
        gn_image_grid_free(g);
    }
    cr_assert_eq(im[1].h, im[0].h + LINE);
    /* Glyph top-left: centred in the 20-pixel cell, below tile and pad. */
    int y0 = MARGIN + 1 + CAP_PAD;
    int x1 = MARGIN + (20 - 5) / 2, x2 = MARGIN + (20 - 10) / 2;
    for (int y = 0; y < 9; y++)
        for (int x = 0; x < 5; x++) {
            uint32_t p = pixel(&im[0], x1 + x, y0 + y);
            for (int d = 0; d < 4; d++)
                cr_assert_eq(pixel(&im[1], x2 + 2 * x + d % 2, y0 + 2 * y + d / 2), p,
                             "glyph pixel (%d, %d)", x, y);
        }
    free(im[0].px);
    free(im[1].px);
}

/* ---- output -------------------------------------------------------------- */

Test(image, empty_grid_is_white_and_output_is_deterministic) {
    gn_image_grid *g = new_grid(3, 3, 8, 8, 3, 1, 1);
    img im = render(g);
    cr_assert_eq(count_ink(&im, (rect){0, 0, im.w, im.h}), 0);
    free(im.px);

    float v[3 * 64];
    for (int i = 0; i < 3 * 64; i++)
        v[i] = (float)((i * 37) % 11);
    set_tile(g, 1, 2, v, GN_IMAGE_MINMAX, 0, 0, "ok", 0x008000);
    unsigned char *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    gn_error err = {0};
    cr_assert_eq(gn_image_grid_png(g, &a, &na, &err), GN_OK);
    cr_assert_eq(gn_image_grid_png(g, &b, &nb, &err), GN_OK);
    cr_assert_eq(na, nb);
    cr_assert(memcmp(a, b, na) == 0);
    free(a);
    free(b);

    /* NULL arguments are errors, and *out is cleared. */
    unsigned char *out = (unsigned char *)"x";
    size_t len = 9;
    expect_invalid(gn_image_grid_png(NULL, &out, &len, &err), &err);
    cr_assert_null(out);
    cr_assert_eq(len, 0u);
    expect_invalid(gn_image_grid_png(g, NULL, &len, &err), &err);
    expect_invalid(gn_image_grid_png(g, &out, NULL, &err), &err);
    gn_image_grid_free(g);
    gn_image_grid_free(NULL);
    int w = -1, h = -1;
    gn_image_grid_size(NULL, &w, &h);
    cr_assert_eq(w, 0);
    cr_assert_eq(h, 0);
}

/* ---- bad arguments and limits -------------------------------------------- */

static void expect_new_fails(int rows, int cols, int th, int tw, int ch, int scale, int lines) {
    gn_error err = {0};
    gn_image_grid *g = gn_image_grid_new(rows, cols, th, tw, ch, scale, lines, &err);
    cr_assert_null(g, "grid %d x %d, tiles %d x %d x %d, scale %d, %d lines accepted", rows, cols,
                   th, tw, ch, scale, lines);
    expect_invalid(err.status, &err);
}

Test(image, bad_new_arguments_are_invalid) {
    expect_new_fails(2, 2, 28, 28, 2, 1, 0); /* channels */
    expect_new_fails(2, 2, 28, 28, 4, 1, 0);
    expect_new_fails(2, 2, 28, 28, 0, 1, 0);
    expect_new_fails(2, 2, 28, 28, 1, 0, 0); /* scale */
    expect_new_fails(2, 2, 28, 28, 1, -2, 0);
    expect_new_fails(2, 2, 28, 28, 1, 17, 0);
    expect_new_fails(0, 2, 28, 28, 1, 1, 0); /* grid */
    expect_new_fails(2, -1, 28, 28, 1, 1, 0);
    expect_new_fails(101, 100, 1, 1, 1, 1, 0);
    expect_new_fails(1 << 30, 1 << 30, 1, 1, 1, 1, 0);
    expect_new_fails(2, 2, 0, 28, 1, 1, 0); /* tiles */
    expect_new_fails(2, 2, 28, -28, 1, 1, 0);
    expect_new_fails(1, 1, 5000, 5, 1, 1, 0);
    expect_new_fails(2, 2, 28, 28, 1, 1, 3); /* caption lines */
    expect_new_fails(2, 2, 28, 28, 1, 1, -1);
    /* Too many pixels: a side over 16384, or too large an area. */
    expect_new_fails(100, 100, 28, 28, 1, 16, 0);
    expect_new_fails(1, 4, 4096, 4096, 1, 1, 0);
    expect_new_fails(8, 8, 2000, 2000, 1, 1, 0);
    gn_error err = {0};
    cr_assert_null(gn_image_grid_new(0, 0, 0, 0, 0, 0, 0, NULL)); /* err may be NULL */
    /* The largest grids are fine: 10,000 small tiles. */
    gn_image_grid *g = gn_image_grid_new(100, 100, 28, 28, 1, 1, 0, &err);
    cr_assert_not_null(g, "%s", err.msg);
    gn_image_grid_free(g);
}

Test(image, bad_set_arguments_are_invalid) {
    gn_image_grid *g = new_grid(2, 3, 2, 2, 1, 1, 0);
    gn_error err = {0};
    float v[4] = {0, 0.5f, 1, 0};
    expect_invalid(gn_image_grid_set(g, 2, 0, v, GN_IMAGE_MINMAX, 0, 0, NULL, 0, &err), &err);
    expect_invalid(gn_image_grid_set(g, -1, 0, v, GN_IMAGE_MINMAX, 0, 0, NULL, 0, &err), &err);
    expect_invalid(gn_image_grid_set(g, 0, 3, v, GN_IMAGE_MINMAX, 0, 0, NULL, 0, &err), &err);
    expect_invalid(gn_image_grid_set(g, 0, -1, v, GN_IMAGE_MINMAX, 0, 0, NULL, 0, &err), &err);
    expect_invalid(gn_image_grid_set(NULL, 0, 0, v, GN_IMAGE_MINMAX, 0, 0, NULL, 0, &err), &err);
    expect_invalid(gn_image_grid_set(g, 0, 0, NULL, GN_IMAGE_MINMAX, 0, 0, NULL, 0, &err), &err);
    expect_invalid(gn_image_grid_set(g, 0, 0, v, (gn_image_norm)7, 0, 0, NULL, 0, &err), &err);
    expect_invalid(gn_image_grid_set(g, 0, 0, v, GN_IMAGE_RANGE, 1, 1, NULL, 0, &err), &err);
    expect_invalid(gn_image_grid_set(g, 0, 0, v, GN_IMAGE_RANGE, 1, 0, NULL, 0, &err), &err);
    expect_invalid(gn_image_grid_set(g, 0, 0, v, GN_IMAGE_RANGE, NAN, 1, NULL, 0, &err), &err);
    expect_invalid(gn_image_grid_set(g, 0, 0, v, GN_IMAGE_RANGE, 0, INFINITY, NULL, 0, &err), &err);
    /* A caption needs caption lines; "" counts as none. */
    expect_invalid(gn_image_grid_set(g, 0, 0, v, GN_IMAGE_RANGE, 0, 1, "3", 0, &err), &err);
    cr_assert_eq(gn_image_grid_set(g, 0, 0, v, GN_IMAGE_RANGE, 0, 1, "", 0, &err), GN_OK);
    /* Nothing failed left a mark: only (0, 0) is drawn. */
    img im = render(g);
    cr_assert_eq(ink_outside(&im, &(rect){MARGIN, MARGIN, MARGIN + 2, MARGIN + 2}, 1), 0);
    free(im.px);
    gn_image_grid_free(g);
}

Test(image, bad_setter_arguments_leave_the_grid_unchanged) {
    gn_image_grid *g = new_grid(2, 2, 100, 100, 1, 16, 1);
    gn_error err = {0};
    int w0, h0, w, h;
    gn_image_grid_size(g, &w0, &h0);
    expect_invalid(gn_image_grid_set_text_scale(g, 3, &err), &err);
    expect_invalid(gn_image_grid_set_text_scale(g, 0, &err), &err);
    expect_invalid(gn_image_grid_set_row_label(g, 2, "x", &err), &err);
    expect_invalid(gn_image_grid_set_row_label(g, -1, "x", &err), &err);
    expect_invalid(gn_image_grid_set_min_cell_width(g, -1, &err), &err);
    expect_invalid(gn_image_grid_set_min_cell_width(g, 20000, &err), &err);
    /* Within range on its own, but the grid would be wider than 16384. */
    expect_invalid(gn_image_grid_set_min_cell_width(g, 9000, &err), &err);
    expect_invalid(gn_image_grid_set_title(NULL, "t", &err), &err);
    expect_invalid(gn_image_grid_set_row_label(NULL, 0, "t", &err), &err);
    expect_invalid(gn_image_grid_set_text_scale(NULL, 1, &err), &err);
    expect_invalid(gn_image_grid_set_min_cell_width(NULL, 1, &err), &err);
    gn_image_grid_size(g, &w, &h);
    cr_assert_eq(w, w0);
    cr_assert_eq(h, h0);
    gn_image_grid_free(g);

    /* A row label or title that would push the grid past the limit. */
    g = new_grid(1, 1, 16, 1020, 1, 16, 0);
    gn_image_grid_size(g, &w0, &h0);
    cr_assert_eq(w0, 2 * MARGIN + 16320);
    expect_invalid(gn_image_grid_set_row_label(g, 0, "reconstructions", &err), &err);
    gn_image_grid_size(g, &w, &h);
    cr_assert_eq(w, w0);
    gn_image_grid_free(g);
    g = new_grid(4, 1, 4093, 16, 1, 1, 0);
    expect_invalid(gn_image_grid_set_title(g, "title", &err), &err);
    gn_image_grid_free(g);
}
