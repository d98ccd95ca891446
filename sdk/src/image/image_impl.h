/* Internal: the image grid, its layout, an RGB canvas and the bitmap font. */
#ifndef GN_IMAGE_IMPL_H
#define GN_IMAGE_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <ganglion/image.h>

/* Layout constants (documented in image.h). */
enum {
    GN_IMG_MARGIN = 2,
    GN_IMG_GAP = 2,
    GN_IMG_CAPTION_PAD = 2, /* between a tile and its first caption line */
    GN_IMG_LABEL_PAD = 4,   /* between row labels and the first column */
    GN_IMG_TITLE_PAD = 2,   /* between the title and the first row */
    GN_IMG_LABEL_MAX = 32,  /* characters of a row label that count */
    GN_IMG_MAX_TILE_SIDE = 4096,
    GN_IMG_MAX_SCALE = 16,
};

/* The font: glyphs are GN_FONT_W x GN_FONT_H, GN_FONT_ADV apart, lines
 * GN_FONT_LINE apart (all times the text scale). */
enum { GN_FONT_W = 5, GN_FONT_H = 9, GN_FONT_ADV = 6, GN_FONT_LINE = 10 };

/* Everything the pixel layout depends on, so a setter can try a change on a
 * copy before committing it. */
typedef struct gn_image_shape {
    int rows, cols, tile_h, tile_w, scale, caption_lines;
    int text_scale, min_cell_w;
    int label_chars; /* longest row label, at most GN_IMG_LABEL_MAX; 0 = none */
    int has_title;
} gn_image_shape;

typedef struct gn_image_layout {
    int width, height;
    int cell_w, cell_h;
    int tile_pw, tile_ph; /* the tile in pixels, after scaling */
    int left, top;        /* the first cell's top-left corner */
    int label_w, title_h;
} gn_image_layout;

struct gn_image_grid {
    gn_image_shape shape;
    int channels;
    unsigned char **tiles; /* rows * cols; NULL until set, else tile_h*tile_w RGB */
    char **captions;       /* rows * cols; NULL for none */
    uint32_t *caption_rgb;
    char **labels; /* rows; NULL for none */
    char *title;
};

/* Pixel layout of a shape; GN_ERR_INVALID when it exceeds the limits. */
gn_status gn_image_layout_of(const gn_image_shape *s, gn_image_layout *out, gn_error *err);

/* An RGB canvas, 3 bytes per pixel, rows top to bottom. */
typedef struct gn_image_canvas {
    unsigned char *px;
    int w, h;
} gn_image_canvas;

/* A clip rectangle [x0, x1) x [y0, y1). */
typedef struct gn_image_rect {
    int x0, y0, x1, y1;
} gn_image_rect;

/* How many of n glyphs fit in `width` pixels at text scale ts. */
int gn_image_text_fit(size_t n, int width, int ts);

/* Pixel width of n glyphs at text scale ts (no trailing gap). */
int gn_image_text_width(size_t n, int ts);

/* Draws n bytes of s with the top-left of the first glyph at (x, y), glyph
 * by glyph while whole glyphs fit inside clip; nothing outside clip or the
 * canvas is touched. */
void gn_image_draw_text(gn_image_canvas *c, gn_image_rect clip, int x, int y, const char *s,
                        size_t n, uint32_t rgb, int ts);

/* Draws the grid on a new white canvas (caller frees c->px with free()). */
gn_status gn_image_render(const gn_image_grid *g, gn_image_canvas *c, gn_error *err);

#endif
