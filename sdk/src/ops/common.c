/* Shared op helpers. */
#include "ops/ops_internal.h"

gn_status gn_ops_shape_mismatch(gn_error *err, const char *op, const gn_tensor *a,
                                const gn_tensor *b) {
    char sa[64], sb[64];
    gn_tensor_shape_str(a, 0, sa, sizeof sa);
    gn_tensor_shape_str(b, 0, sb, sizeof sb);
    return gn_error_set(err, GN_ERR_INVALID, "%s: shapes %s and %s differ", op, sa, sb);
}
