/* Draws a grid onto an RGB canvas: tiles, captions, row labels, title. */
#include <stdlib.h>
#include <string.h>
#include "image_impl.h"

/* Copies a tile_h x tile_w RGB tile with each pixel as a scale x scale block. */
static void blit_tile(gn_image_canvas *c, const gn_image_shape *s, const unsigned char *tile,
                      int x0, int y0) {
    size_t stride = (size_t)c->w * 3;
    for (int ty = 0; ty < s->tile_h; ty++) {
        unsigned char *dst = c->px + (size_t)(y0 + ty * s->scale) * stride + (size_t)x0 * 3;
        const unsigned char *src = tile + (size_t)ty * (size_t)s->tile_w * 3;
        for (int tx = 0; tx < s->tile_w; tx++)
            for (int k = 0; k < s->scale; k++)
                memcpy(dst + ((size_t)tx * (size_t)s->scale + (size_t)k) * 3, src + tx * 3, 3);
        /* The other rows of the block repeat the first. */
        for (int k = 1; k < s->scale; k++)
            memcpy(dst + (size_t)k * stride, dst, (size_t)s->tile_w * (size_t)s->scale * 3);
    }
}

/* One line of text in rect r: centred when it fits, else left-aligned and cut. */
static void draw_line(gn_image_canvas *c, gn_image_rect r, int y, const char *s, size_t n,
                      uint32_t rgb, int ts) {
    int fit = gn_image_text_fit(n, r.x1 - r.x0, ts);
    int x = r.x0;
    if ((size_t)fit == n) x += (r.x1 - r.x0 - gn_image_text_width(n, ts)) / 2;
    gn_image_draw_text(c, r, x, y, s, (size_t)fit, rgb, ts);
}

static void draw_caption(gn_image_canvas *c, const gn_image_shape *s, const gn_image_layout *lay,
                         const char *text, uint32_t rgb, int cx, int cy) {
    int ts = s->text_scale;
    const char *line = text;
    for (int k = 0; k < s->caption_lines && line; k++) {
        const char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        int y = cy + lay->tile_ph + GN_IMG_CAPTION_PAD + k * GN_FONT_LINE * ts;
        gn_image_rect r = {cx, y, cx + lay->cell_w, y + GN_FONT_LINE * ts};
        draw_line(c, r, y, line, n, rgb, ts);
        line = nl ? nl + 1 : NULL;
    }
}

gn_status gn_image_render(const gn_image_grid *g, gn_image_canvas *c, gn_error *err) {
    const gn_image_shape *s = &g->shape;
    gn_image_layout lay;
    gn_status st = gn_image_layout_of(s, &lay, err);
    if (st != GN_OK) return st;
    size_t bytes = (size_t)lay.width * (size_t)lay.height * 3;
    c->px = malloc(bytes);
    if (!c->px)
        return gn_error_set(err, GN_ERR_NOMEM, "image: out of memory for a %d x %d image",
                            lay.width, lay.height);
    c->w = lay.width;
    c->h = lay.height;
    memset(c->px, 255, bytes);

    int ts = s->text_scale;
    for (int row = 0; row < s->rows; row++) {
        int cy = lay.top + row * (lay.cell_h + GN_IMG_GAP);
        for (int col = 0; col < s->cols; col++) {
            size_t i = (size_t)row * (size_t)s->cols + (size_t)col;
            int cx = lay.left + col * (lay.cell_w + GN_IMG_GAP);
            if (g->tiles[i]) blit_tile(c, s, g->tiles[i], cx + (lay.cell_w - lay.tile_pw) / 2, cy);
            if (g->captions[i]) draw_caption(c, s, &lay, g->captions[i], g->caption_rgb[i], cx, cy);
        }
        if (g->labels[row]) {
            /* Vertically centred on the tile by the capital height (7 rows). */
            int y = cy + (lay.tile_ph - 7 * ts) / 2;
            if (y < cy) y = cy;
            size_t n = strlen(g->labels[row]);
            gn_image_rect r = {GN_IMG_MARGIN, cy, lay.left - GN_IMG_LABEL_PAD, cy + lay.cell_h};
            gn_image_draw_text(c, r, r.x0, y, g->labels[row],
                               (size_t)gn_image_text_fit(n, r.x1 - r.x0, ts), 0x000000, ts);
        }
    }
    if (g->title) {
        gn_image_rect r = {GN_IMG_MARGIN, GN_IMG_MARGIN, lay.width - GN_IMG_MARGIN,
                           GN_IMG_MARGIN + GN_FONT_LINE * ts};
        draw_line(c, r, r.y0, g->title, strlen(g->title), 0x000000, ts);
    }
    return GN_OK;
}
