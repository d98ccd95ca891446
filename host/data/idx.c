/* IDX parser. */
#include "data/idx.h"

#include <stdio.h>
#include <string.h>

static const char *type_name(int t) {
    switch (t) {
    case 0x08:
        return "unsigned byte";
    case 0x09:
        return "signed byte";
    case 0x0B:
        return "int16";
    case 0x0C:
        return "int32";
    case 0x0D:
        return "float32";
    case 0x0E:
        return "float64";
    default:
        return NULL;
    }
}

static uint32_t be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

int64_t gn_idx_count(const gn_idx *idx) {
    int64_t c = 1;
    for (int i = 0; i < idx->ndim; i++)
        c *= idx->dims[i];
    return c;
}

gn_status gn_idx_parse(const uint8_t *buf, size_t n, const char *what, gn_idx *out, gn_error *err) {
    memset(out, 0, sizeof *out);
    if (!what) what = "IDX data";
    if (n < 4)
        return gn_error_set(err, GN_ERR_FORMAT,
                            "'%s': truncated: %zu bytes, too short for an IDX header", what, n);
    if (buf[0] != 0 || buf[1] != 0 || !type_name(buf[2]))
        return gn_error_set(err, GN_ERR_FORMAT,
                            "'%s': bad IDX magic %02x %02x %02x %02x (expected 00 00 08 0N; "
                            "is it an IDX file?)",
                            what, buf[0], buf[1], buf[2], buf[3]);
    if (buf[2] != GN_IDX_UBYTE)
        return gn_error_set(err, GN_ERR_UNSUPPORTED,
                            "'%s': IDX element type 0x%02X (%s) is not supported; only 0x08 "
                            "(unsigned byte) is",
                            what, buf[2], type_name(buf[2]));
    int ndim = buf[3];
    if (ndim < 1 || ndim > GN_IDX_MAX_DIMS)
        return gn_error_set(err, GN_ERR_FORMAT,
                            "'%s': IDX has %d dimensions; 1 to %d are supported", what, ndim,
                            GN_IDX_MAX_DIMS);
    size_t header = 4 + 4 * (size_t)ndim;
    if (n < header)
        return gn_error_set(err, GN_ERR_FORMAT,
                            "'%s': truncated: expected a %zu-byte IDX header, found %zu bytes",
                            what, header, n);
    int64_t count = 1;
    for (int i = 0; i < ndim; i++) {
        int64_t d = be32(buf + 4 + 4 * i);
        if (d == 0)
            return gn_error_set(err, GN_ERR_FORMAT, "'%s': IDX dimension %d is 0", what, i + 1);
        if (count > GN_IDX_MAX_ELEMENTS / d) {
            char dims[128] = "";
            size_t used = 0;
            for (int j = 0; j < ndim && used < sizeof dims; j++)
                used += (size_t)snprintf(dims + used, sizeof dims - used, "%s%u", j ? " x " : "",
                                         (unsigned)be32(buf + 4 + 4 * j));
            return gn_error_set(err, GN_ERR_FORMAT,
                                "'%s': absurd IDX dimensions %s (more than 2^40 elements)", what,
                                dims);
        }
        count *= d;
        out->dims[i] = d;
    }
    size_t have = n - header;
    if ((uint64_t)count > have)
        return gn_error_set(err, GN_ERR_FORMAT,
                            "'%s': truncated: expected %lld bytes of data, found %zu", what,
                            (long long)count, have);
    if ((uint64_t)count < have)
        return gn_error_set(err, GN_ERR_FORMAT,
                            "'%s': %zu bytes of trailing garbage after %lld bytes of IDX data",
                            what, have - (size_t)count, (long long)count);
    out->type = buf[2];
    out->ndim = ndim;
    out->data = buf + header;
    return GN_OK;
}
