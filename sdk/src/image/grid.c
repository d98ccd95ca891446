/* The image grid: arguments, limits, layout and tiles. Drawing is in
 * render.c, PNG encoding in png.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "image_impl.h"

gn_status gn_image_layout_of(const gn_image_shape *s, gn_image_layout *out, gn_error *err) {
    /* In 64 bits: the limits are checked on the result, so nothing may wrap
     * on the way there. */
    int64_t ts = s->text_scale;
    int64_t tpw = (int64_t)s->tile_w * s->scale, tph = (int64_t)s->tile_h * s->scale;
    int64_t cw = tpw > s->min_cell_w ? tpw : s->min_cell_w;
    int64_t ch =
        tph + (s->caption_lines ? GN_IMG_CAPTION_PAD + s->caption_lines * GN_FONT_LINE * ts : 0);
    int64_t label_w = s->label_chars ? GN_FONT_ADV * ts * s->label_chars + GN_IMG_LABEL_PAD : 0;
    int64_t title_h = s->has_title ? GN_FONT_LINE * ts + GN_IMG_TITLE_PAD : 0;
    int64_t w = 2 * GN_IMG_MARGIN + label_w + s->cols * cw + (s->cols - 1) * GN_IMG_GAP;
    int64_t h = 2 * GN_IMG_MARGIN + title_h + s->rows * ch + (s->rows - 1) * GN_IMG_GAP;
    if (w > GN_IMAGE_MAX_SIDE || h > GN_IMAGE_MAX_SIDE)
        return gn_error_set(err, GN_ERR_INVALID,
                            "image: the grid would be %lld x %lld pixels; at most %d per side",
                            (long long)w, (long long)h, GN_IMAGE_MAX_SIDE);
    if (w * h > GN_IMAGE_MAX_PIXELS)
        return gn_error_set(err, GN_ERR_INVALID,
                            "image: the grid would be %lld x %lld = %lld pixels; at most %d",
                            (long long)w, (long long)h, (long long)(w * h), GN_IMAGE_MAX_PIXELS);
    *out = (gn_image_layout){.width = (int)w,
                             .height = (int)h,
                             .cell_w = (int)cw,
                             .cell_h = (int)ch,
                             .tile_pw = (int)tpw,
                             .tile_ph = (int)tph,
                             .left = (int)(GN_IMG_MARGIN + label_w),
                             .top = (int)(GN_IMG_MARGIN + title_h),
                             .label_w = (int)label_w,
                             .title_h = (int)title_h};
    return GN_OK;
}

gn_image_grid *gn_image_grid_new(int rows, int cols, int tile_h, int tile_w, int channels,
                                 int scale, int caption_lines, gn_error *err) {
    if (rows < 1 || cols < 1 || (int64_t)rows * cols > GN_IMAGE_MAX_TILES) {
        gn_error_set(err, GN_ERR_INVALID, "image: a grid of %d x %d cells; need 1 to %d cells",
                     rows, cols, GN_IMAGE_MAX_TILES);
        return NULL;
    }
    if (tile_h < 1 || tile_w < 1 || tile_h > GN_IMG_MAX_TILE_SIDE ||
        tile_w > GN_IMG_MAX_TILE_SIDE) {
        gn_error_set(err, GN_ERR_INVALID, "image: tiles of %d x %d pixels; each side must be 1..%d",
                     tile_h, tile_w, GN_IMG_MAX_TILE_SIDE);
        return NULL;
    }
    if (channels != 1 && channels != 3) {
        gn_error_set(err, GN_ERR_INVALID, "image: %d channels; need 1 (grey) or 3 (RGB)", channels);
        return NULL;
    }
    if (scale < 1 || scale > GN_IMG_MAX_SCALE) {
        gn_error_set(err, GN_ERR_INVALID, "image: scale %d; need 1..%d", scale, GN_IMG_MAX_SCALE);
        return NULL;
    }
    if (caption_lines < 0 || caption_lines > 2) {
        gn_error_set(err, GN_ERR_INVALID, "image: %d caption lines; need 0, 1 or 2", caption_lines);
        return NULL;
    }
    gn_image_shape s = {.rows = rows,
                        .cols = cols,
                        .tile_h = tile_h,
                        .tile_w = tile_w,
                        .scale = scale,
                        .caption_lines = caption_lines,
                        .text_scale = 1};
    gn_image_layout lay;
    if (gn_image_layout_of(&s, &lay, err) != GN_OK) return NULL;

    gn_image_grid *g = calloc(1, sizeof *g);
    size_t n = (size_t)rows * (size_t)cols;
    if (g) {
        g->shape = s;
        g->channels = channels;
        g->tiles = calloc(n, sizeof *g->tiles);
        g->captions = calloc(n, sizeof *g->captions);
        g->caption_rgb = calloc(n, sizeof *g->caption_rgb);
        g->labels = calloc((size_t)rows, sizeof *g->labels);
    }
    if (!g || !g->tiles || !g->captions || !g->caption_rgb || !g->labels) {
        gn_image_grid_free(g);
        gn_error_set(err, GN_ERR_NOMEM, "image: out of memory for a %d x %d grid", rows, cols);
        return NULL;
    }
    return g;
}

void gn_image_grid_free(gn_image_grid *g) {
    if (!g) return;
    size_t n = (size_t)g->shape.rows * (size_t)g->shape.cols;
    for (size_t i = 0; i < n; i++) {
        if (g->tiles) free(g->tiles[i]);
        if (g->captions) free(g->captions[i]);
    }
    if (g->labels)
        for (int r = 0; r < g->shape.rows; r++)
            free(g->labels[r]);
    free(g->tiles);
    free(g->captions);
    free(g->caption_rgb);
    free(g->labels);
    free(g->title);
    free(g);
}

/* A copy of s, or NULL for NULL and "" (meaning "none"); *oom on failure. */
static char *dup_text(const char *s, int *oom) {
    *oom = 0;
    if (!s || !*s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (!d)
        *oom = 1;
    else
        memcpy(d, s, n);
    return d;
}

/* Maps v to 0..255 with [lo, hi] onto the full range, rounding to nearest. */
static unsigned char to_byte(double v, double lo, double hi) {
    double t = hi > lo ? (v - lo) / (hi - lo) : (v > hi ? 1.0 : 0.0);
    if (!(t > 0.0)) return 0; /* also -Inf */
    if (t >= 1.0) return 255;
    return (unsigned char)(t * 255.0 + 0.5);
}

/* Converts one CHW tile to RGB bytes in px (tile_h * tile_w * 3). */
static void convert_tile(const gn_image_grid *g, const float *chw, double lo, double hi,
                         unsigned char *px) {
    size_t hw = (size_t)g->shape.tile_h * (size_t)g->shape.tile_w;
    int c = g->channels;
    for (size_t i = 0; i < hw; i++) {
        int nan = 0;
        for (int k = 0; k < c; k++)
            nan |= isnan(chw[(size_t)k * hw + i]);
        if (nan) {
            px[3 * i] = (unsigned char)(GN_IMAGE_NAN_RGB >> 16);
            px[3 * i + 1] = (unsigned char)(GN_IMAGE_NAN_RGB >> 8);
            px[3 * i + 2] = (unsigned char)GN_IMAGE_NAN_RGB;
            continue;
        }
        for (int k = 0; k < 3; k++) /* grey: the one channel three times */
            px[3 * i + k] = to_byte(chw[(size_t)(c == 3 ? k : 0) * hw + i], lo, hi);
    }
}

gn_status gn_image_grid_set(gn_image_grid *g, int row, int col, const float *chw,
                            gn_image_norm norm, float lo, float hi, const char *caption,
                            uint32_t caption_rgb, gn_error *err) {
    if (!g) return gn_error_set(err, GN_ERR_INVALID, "image: grid is NULL");
    const gn_image_shape *s = &g->shape;
    if (row < 0 || row >= s->rows || col < 0 || col >= s->cols)
        return gn_error_set(err, GN_ERR_INVALID, "image: cell (%d, %d) is outside the %d x %d grid",
                            row, col, s->rows, s->cols);
    if (!chw)
        return gn_error_set(err, GN_ERR_INVALID, "image: cell (%d, %d): pixels are NULL", row, col);
    if (norm != GN_IMAGE_MINMAX && norm != GN_IMAGE_RANGE)
        return gn_error_set(err, GN_ERR_INVALID, "image: cell (%d, %d): unknown normalisation %d",
                            row, col, (int)norm);
    if (norm == GN_IMAGE_RANGE && !(isfinite(lo) && isfinite(hi) && lo < hi))
        return gn_error_set(err, GN_ERR_INVALID,
                            "image: cell (%d, %d): range [%g, %g] needs finite lo < hi", row, col,
                            (double)lo, (double)hi);
    if (caption && *caption && s->caption_lines == 0)
        return gn_error_set(err, GN_ERR_INVALID,
                            "image: cell (%d, %d) has a caption but the grid has 0 caption "
                            "lines",
                            row, col);

    size_t hw = (size_t)s->tile_h * (size_t)s->tile_w;
    double a = lo, b = hi;
    if (norm == GN_IMAGE_MINMAX) {
        /* Finite values only: one Inf or NaN must not flatten the rest. */
        a = INFINITY;
        b = -INFINITY;
        for (size_t i = 0; i < hw * (size_t)g->channels; i++) {
            if (!isfinite(chw[i])) continue;
            if (chw[i] < a) a = chw[i];
            if (chw[i] > b) b = chw[i];
        }
        if (a > b) a = b = 0.0; /* no finite value at all */
    }
    int oom;
    char *text = dup_text(caption, &oom);
    size_t i = (size_t)row * (size_t)s->cols + (size_t)col;
    unsigned char *px = g->tiles[i] ? g->tiles[i] : malloc(hw * 3);
    if (oom || !px) {
        free(text);
        if (px != g->tiles[i]) free(px);
        return gn_error_set(err, GN_ERR_NOMEM, "image: cell (%d, %d): out of memory", row, col);
    }
    convert_tile(g, chw, a, b, px);
    g->tiles[i] = px;
    free(g->captions[i]);
    g->captions[i] = text;
    g->caption_rgb[i] = caption_rgb & 0xFFFFFFu;
    return GN_OK;
}

/* Commits shape s if its layout is within the limits. */
static gn_status try_shape(gn_image_grid *g, const gn_image_shape *s, gn_error *err) {
    gn_image_layout lay;
    gn_status st = gn_image_layout_of(s, &lay, err);
    if (st == GN_OK) g->shape = *s;
    return st;
}

gn_status gn_image_grid_set_title(gn_image_grid *g, const char *title, gn_error *err) {
    if (!g) return gn_error_set(err, GN_ERR_INVALID, "image: grid is NULL");
    int oom;
    char *t = dup_text(title, &oom);
    if (oom) return gn_error_set(err, GN_ERR_NOMEM, "image: out of memory for the title");
    gn_image_shape s = g->shape;
    s.has_title = t != NULL;
    gn_status st = try_shape(g, &s, err);
    if (st != GN_OK) {
        free(t);
        return st;
    }
    free(g->title);
    g->title = t;
    return GN_OK;
}

gn_status gn_image_grid_set_row_label(gn_image_grid *g, int row, const char *label, gn_error *err) {
    if (!g) return gn_error_set(err, GN_ERR_INVALID, "image: grid is NULL");
    if (row < 0 || row >= g->shape.rows)
        return gn_error_set(err, GN_ERR_INVALID, "image: row %d is outside the %d rows", row,
                            g->shape.rows);
    int oom;
    char *t = dup_text(label, &oom);
    if (oom) return gn_error_set(err, GN_ERR_NOMEM, "image: out of memory for a row label");
    gn_image_shape s = g->shape;
    s.label_chars = 0;
    for (int r = 0; r < s.rows; r++) {
        const char *l = r == row ? t : g->labels[r];
        size_t n = l ? strlen(l) : 0;
        if (n > GN_IMG_LABEL_MAX) n = GN_IMG_LABEL_MAX;
        if ((int)n > s.label_chars) s.label_chars = (int)n;
    }
    gn_status st = try_shape(g, &s, err);
    if (st != GN_OK) {
        free(t);
        return st;
    }
    free(g->labels[row]);
    g->labels[row] = t;
    return GN_OK;
}

gn_status gn_image_grid_set_text_scale(gn_image_grid *g, int text_scale, gn_error *err) {
    if (!g) return gn_error_set(err, GN_ERR_INVALID, "image: grid is NULL");
    if (text_scale != 1 && text_scale != 2)
        return gn_error_set(err, GN_ERR_INVALID, "image: text scale %d; need 1 or 2", text_scale);
    gn_image_shape s = g->shape;
    s.text_scale = text_scale;
    return try_shape(g, &s, err);
}

gn_status gn_image_grid_set_min_cell_width(gn_image_grid *g, int width, gn_error *err) {
    if (!g) return gn_error_set(err, GN_ERR_INVALID, "image: grid is NULL");
    if (width < 0 || width > GN_IMAGE_MAX_SIDE)
        return gn_error_set(err, GN_ERR_INVALID, "image: minimum cell width %d; need 0..%d", width,
                            GN_IMAGE_MAX_SIDE);
    gn_image_shape s = g->shape;
    s.min_cell_w = width;
    return try_shape(g, &s, err);
}

void gn_image_grid_size(const gn_image_grid *g, int *width, int *height) {
    gn_image_layout lay = {0};
    /* Every committed shape passed the limits, so this cannot fail. */
    if (g) gn_image_layout_of(&g->shape, &lay, NULL);
    if (width) *width = lay.width;
    if (height) *height = lay.height;
}
