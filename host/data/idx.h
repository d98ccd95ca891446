/* Ganglion host: IDX files (the MNIST format) parsed from memory.
 *
 * Layout: two zero bytes, a type byte, the number of dimensions (1..4),
 * then each dimension as a big-endian uint32, then the elements in
 * row-major order. Only type 0x08 (unsigned byte) is supported. */
#ifndef GN_HOST_DATA_IDX_H
#define GN_HOST_DATA_IDX_H

#include <stddef.h>
#include <stdint.h>
#include <ganglion/error.h>

#define GN_IDX_UBYTE 0x08
#define GN_IDX_MAX_DIMS 4
/* More elements than this is refused as absurd (1 TiB of bytes). */
#define GN_IDX_MAX_ELEMENTS ((int64_t)1 << 40)

typedef struct gn_idx {
    int type;                      /* GN_IDX_UBYTE */
    int ndim;                      /* 1..4 */
    int64_t dims[GN_IDX_MAX_DIMS]; /* each >= 1; unused ones are 0 */
    const uint8_t *data;           /* borrowed: points into the parsed buffer */
} gn_idx;

/* Parses the n bytes at buf (what names the file in messages). On success
 * out->data points into buf, which the caller keeps alive. Rejects a bad
 * magic, unsupported types, zero or absurd dimensions, and any size other
 * than exactly header + prod(dims) bytes. */
gn_status gn_idx_parse(const uint8_t *buf, size_t n, const char *what, gn_idx *out, gn_error *err);

/* Number of elements, prod(dims). */
int64_t gn_idx_count(const gn_idx *idx);

#endif
