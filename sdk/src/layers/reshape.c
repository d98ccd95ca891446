/* reshape: per-sample shape from text such as "1 28 28", "7,7,4" or
 * "(7, 7, 4)"; the batch dimension is kept and one dim may be -1. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <ganglion/ops.h>
#include "layers/layers_internal.h"

static const gn_param_schema reshape_schema[] = {
    GN_PARAM_STRING("shape", NULL, "per-sample shape, e.g. \"1 28 28\" or \"7,7,4\""),
    GN_PARAM_END,
};
static const char *const reshape_positional[] = {"shape", NULL};

/* Parses up to GN_MAX_DIMS - 1 integers separated by spaces or commas. */
static gn_status parse_shape(const char *lname, const char *text, gn_op_attrs *a, gn_error *err) {
    const char *p = text ? text : "";
    int nd = 0;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == ',' || *p == '(' || *p == ')')
            p++;
        if (!*p) break;
        if (nd == GN_MAX_DIMS - 1)
            return gn_error_set(err, GN_ERR_CONFIG,
                                "reshape '%s': shape \"%s\" has more than %d dims", lname, text,
                                GN_MAX_DIMS - 1);
        char *end;
        errno = 0;
        long long v = strtoll(p, &end, 10);
        if (end == p || errno || (v < 1 && v != -1))
            return gn_error_set(err, GN_ERR_CONFIG,
                                "reshape '%s': shape \"%s\" must be positive integers (one may be "
                                "-1) separated by spaces or commas",
                                lname, text);
        a->i[1 + nd++] = v;
        p = end;
    }
    if (nd == 0) return gn_error_set(err, GN_ERR_CONFIG, "reshape '%s': shape is empty", lname);
    a->i[0] = nd;
    return GN_OK;
}

static gn_status reshape_build(gn_build *b, const gn_section *params, gn_node *const *inputs,
                               int n_inputs, gn_node **out, gn_error *err) {
    const char *lname = gn_build_layer_name(b);
    gn_status st = gn_layers_check_inputs(b, "reshape", n_inputs, 1, inputs, err);
    if (st) return st;
    gn_op_attrs attrs = {{0}, {0}};
    if ((st = parse_shape(lname, gn_section_str(params, "shape"), &attrs, err))) return st;
    /* The op's infer checks that the sizes match, with the numbers in the message. */
    gn_node *y = gn_graph_apply(gn_build_graph(b), &gn_op_reshape, inputs, 1, &attrs, err);
    if (!y) {
        gn_error_prefix(err, "reshape '%s'", lname);
        return gn_layers_status(err);
    }
    *out = y;
    return GN_OK;
}

const gn_layer_vtable gn_layer_reshape = {
    .struct_size = sizeof(gn_layer_vtable),
    .name = "reshape",
    .doc = "(batch, ...) -> (batch, shape); shape like \"1 28 28\" or \"7,7,4\"",
    .schema = reshape_schema,
    .positional = reshape_positional,
    .build = reshape_build,
};
