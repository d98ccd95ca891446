/* Ganglion host: PNG (libpng) and JPEG (libjpeg-turbo) decoding from memory.
 *
 * Inputs are hostile: the format is told by its signature (not the file
 * name), dimensions are checked from the header before any pixel buffer is
 * allocated, and decoder errors (and libjpeg's corrupt-data warnings, such
 * as a truncated file) come back as GN_ERR_FORMAT instead of ending the
 * process. Nothing is printed. */
#ifndef GN_HOST_DATA_IMAGE_DECODE_H
#define GN_HOST_DATA_IMAGE_DECODE_H

#include <stddef.h>
#include <stdint.h>
#include <ganglion/error.h>

#define GN_IMAGE_MAX_SIDE 16384                /* width or height above: absurd */
#define GN_IMAGE_MAX_PIXELS ((int64_t)1 << 26) /* 64 Mpixel: decompression bomb cap */
#define GN_IMAGE_MAX_JPEG_SCANS 500            /* progressive JPEG scan cap (CPU bomb) */

typedef struct gn_image {
    int width, height;
    int channels;  /* 1 (gray) or 3 (RGB) */
    uint8_t *data; /* height x width x channels bytes, interleaved, row after row */
} gn_image;

/* Decodes the n bytes at buf (what names it in messages), a PNG or a JPEG,
 * into 8-bit samples with `channels` (1 or 3) channels:
 *   PNG: palette, gray of 1/2/4 bits and 16-bit samples become 8-bit gray
 *        or RGB (16 bits are scaled, rounding); alpha and tRNS are dropped.
 *   JPEG: gray or YCbCr/RGB; CMYK is refused.
 * Gray becomes RGB by copying; RGB becomes gray as
 * (299 R + 587 G + 114 B) / 1000 rounded (ITU-R 601 luma, as PIL's
 * convert("L")). Fails with GN_ERR_FORMAT for an empty buffer, other
 * formats, zero or absurd dimensions (over GN_IMAGE_MAX_SIDE), more than
 * GN_IMAGE_MAX_PIXELS pixels, and truncated or corrupt data. On success the
 * caller owns out->data (free()). */
gn_status gn_image_decode(const uint8_t *buf, size_t n, int channels, const char *what,
                          gn_image *out, gn_error *err);

#endif
