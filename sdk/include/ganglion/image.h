/* Ganglion SDK: PNG grids of small images (misclassified test images with
 * their labels, autoencoder originals above reconstructions, GAN samples,
 * VAE manifolds).
 *
 * A gn_image_grid is rows x cols cells on a white background. Each cell
 * holds one tile (a tile_h x tile_w image with 1 or 3 channels, upscaled by
 * an integer factor with nearest-neighbour pixels) and, optionally, one or
 * two lines of coloured caption text under it. Optional extras: a title on
 * top and a label left of each row. Text uses a built-in 5x9 bitmap font
 * (printable ASCII 32..126, other bytes drawn as '?') at 1x or 2x; text wider
 * than its space is cut at the last whole glyph, never drawn outside it.
 * Unset cells stay white. Everything given is copied; the grid owns its
 * data. Output is deterministic: the same calls give the same bytes.
 *
 * Layout, in pixels (ts = text scale, 1 by default):
 *   - a 2 px margin around the image and a 2 px gap between cells;
 *   - cell width  cw = max(tile_w * scale, min cell width); the tile is
 *     centred in it, at (cw - tile_w * scale) / 2 from the cell's left;
 *   - cell height ch = tile_h * scale, plus 2 + caption_lines * 10 * ts when
 *     caption_lines > 0; caption line k (0-based) starts at
 *     tile_h * scale + 2 + k * 10 * ts below the cell's top and is centred
 *     when it fits, else left-aligned and cut;
 *   - with a title: a band of 10 * ts + 2 above the first row;
 *   - with any row label: a column of 6 * ts * n + 4 left of the first
 *     column, n = the longest label in characters (at most 32);
 *   - width  = 2 + label column + cols * cw + (cols - 1) * 2 + 2,
 *     height = 2 + title band + rows * ch + (rows - 1) * 2 + 2.
 * A glyph is 5 * ts wide and 9 * ts tall (2 * ts of them below the
 * baseline) on a 6 * ts advance.
 *
 * Limits: at most GN_IMAGE_MAX_TILES cells, GN_IMAGE_MAX_SIDE pixels per
 * side and GN_IMAGE_MAX_PIXELS pixels in all; tile sides at most 4096,
 * scale 1..16. Whatever would exceed them is GN_ERR_INVALID, and the grid
 * stays as it was.
 *
 * Append-only: functions are only added, never changed or removed. */
#ifndef GANGLION_IMAGE_H
#define GANGLION_IMAGE_H

#include <stddef.h>
#include <stdint.h>
#include <ganglion/error.h>

typedef struct gn_image_grid gn_image_grid;

#define GN_IMAGE_MAX_TILES 10000
#define GN_IMAGE_MAX_SIDE 16384
#define GN_IMAGE_MAX_PIXELS (64 * 1024 * 1024)

/* Colour of a pixel with a NaN in any channel: magenta, which real data
 * rarely is. */
#define GN_IMAGE_NAN_RGB 0xFF00FFu

/* How a tile's floats become 0..255. */
typedef enum gn_image_norm {
    /* Per tile, over all channels: the smallest finite value is 0, the
     * largest 255 (+Inf 255, -Inf 0). A constant tile is black. */
    GN_IMAGE_MINMAX = 0,
    /* lo is 0 and hi is 255 (lo < hi, finite); values outside are clamped.
     * lo = 0, hi = 1 for images scaled to [0, 1]; -1, 1 for tanh outputs. */
    GN_IMAGE_RANGE = 1
} gn_image_norm;

/* A grid of rows x cols cells for tile_h x tile_w tiles with `channels`
 * channels (1 grey, 3 RGB), each pixel drawn as a scale x scale block, with
 * caption_lines (0, 1 or 2) lines of text under each tile. Caller owns; free
 * with gn_image_grid_free. Returns NULL with err set on a bad argument
 * (GN_ERR_INVALID) or when out of memory (GN_ERR_NOMEM). */
GN_EXPORT gn_image_grid *gn_image_grid_new(int rows, int cols, int tile_h, int tile_w, int channels,
                                           int scale, int caption_lines, gn_error *err);
GN_EXPORT void gn_image_grid_free(gn_image_grid *g);

/* Sets the tile at (row, col), replacing an earlier one. chw holds
 * channels x tile_h x tile_w floats (channel-major, then rows, as a CHW
 * tensor); it is converted to 8 bits now and not kept. lo and hi matter only
 * for GN_IMAGE_RANGE. caption may be NULL; '\n' separates its first line
 * from its second (further lines, and a second line on a one-line grid, are
 * not drawn). A caption on a grid without caption lines is GN_ERR_INVALID.
 * caption_rgb is 0xRRGGBB, e.g. 0x000000 for right and 0xD00000 for wrong
 * predictions. */
GN_EXPORT gn_status gn_image_grid_set(gn_image_grid *g, int row, int col, const float *chw,
                                      gn_image_norm norm, float lo, float hi, const char *caption,
                                      uint32_t caption_rgb, gn_error *err);

/* A title in black, centred above the grid (NULL or "" removes it). */
GN_EXPORT gn_status gn_image_grid_set_title(gn_image_grid *g, const char *title, gn_error *err);

/* A one-line label in black left of the row's tiles, e.g. "original" and
 * "reconstructed" (NULL or "" removes it); cut after 32 characters. */
GN_EXPORT gn_status gn_image_grid_set_row_label(gn_image_grid *g, int row, const char *label,
                                                gn_error *err);

/* Text scale for captions, labels and title: 1 (default) or 2. */
GN_EXPORT gn_status gn_image_grid_set_text_scale(gn_image_grid *g, int text_scale, gn_error *err);

/* Makes every cell at least `width` pixels wide (0 = just the tile), so
 * captions longer than a small tile fit: a 1x caption of n characters needs
 * 6 * n - 1 pixels. */
GN_EXPORT gn_status gn_image_grid_set_min_cell_width(gn_image_grid *g, int width, gn_error *err);

/* Size of the image gn_image_grid_png would produce now (0 x 0 for NULL). */
GN_EXPORT void gn_image_grid_size(const gn_image_grid *g, int *width, int *height);

/* Encodes the grid as an 8-bit RGB PNG in memory. On success *out is a
 * malloc'ed buffer the caller frees with free(), and *len its size. On
 * failure *out is NULL and *len 0: GN_ERR_NOMEM when out of memory,
 * GN_ERR_IO when libpng fails. */
GN_EXPORT gn_status gn_image_grid_png(const gn_image_grid *g, unsigned char **out, size_t *len,
                                      gn_error *err);

#endif
