/* Ganglion host: resizing 8-bit images to a dataset's sample size.
 *
 * Separable, per axis: an axis that shrinks is resampled by area (each
 * output pixel is the mean of the exact source footprint it covers,
 * fractional edge pixels weighted, like OpenCV's INTER_AREA); an axis that
 * grows is interpolated bilinearly with half-pixel centres (source
 * coordinate (o + 0.5) * in / out - 0.5, clamped at the edges: PyTorch's
 * align_corners = False, OpenCV's INTER_LINEAR); an axis of equal size is
 * copied. Results are rounded to the nearest integer. */
#ifndef GN_HOST_DATA_RESIZE_H
#define GN_HOST_DATA_RESIZE_H

#include <stdint.h>
#include <ganglion/error.h>

/* Resizes the interleaved (height x width x channels, HWC) image at src to
 * out_h x out_w, writing it channel-major (CHW: channels planes of
 * out_h x out_w) into the caller's dst (channels * out_h * out_w bytes).
 * All sizes must be >= 1. Fails only with GN_ERR_NOMEM or GN_ERR_INVALID. */
gn_status gn_resize_hwc_to_chw(const uint8_t *src, int height, int width, int channels,
                               uint8_t *dst, int out_h, int out_w, gn_error *err);

#endif
