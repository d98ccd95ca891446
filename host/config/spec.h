/* Sequential model specs: `layers = flatten dense(200) relu dense(10)`.
 *
 * Layers are separated by spaces; each is `type` or `type(args)` with
 * comma-separated args, positional (bound in order to the layer's
 * `positional` keys: dense(200) sets units) or key=value. A value holding
 * spaces, commas, parentheses or '=' is quoted: reshape(shape="7 7 4"); inside
 * quotes \" and \\ stand for " and \. Types are looked up in the registry
 * ("dense" or "plugin.dense"). */
#ifndef GN_HOST_CONFIG_SPEC_H
#define GN_HOST_CONFIG_SPEC_H

#include <ganglion/layer.h>

typedef struct gn_spec_layer {
    char type[64];             /* as written: "dense" or "core.dense" */
    const gn_layer_vtable *vt; /* borrowed from the registry */
    gn_section *params;        /* raw text values; name = the instance name
                                * the SDK will give it ("dense_1"), file and
                                * line = those of the spec */
} gn_spec_layer;

typedef struct gn_spec {
    int n;
    gn_spec_layer *layers;
} gn_spec;

/* Parses text. file and line are those of the `layers` key (line 0 for a
 * --set value) and appear in errors as "FILE:LINE: [model] layers: ...".
 * On success *out is the caller's (free with gn_spec_free); on error NULL.
 * An empty text gives an empty spec. */
gn_status gn_spec_parse(const char *text, const gn_registry *reg, const char *file, int line,
                        gn_spec **out, gn_error *err);

/* The same, naming `section` ("model.big") instead of "model" in errors. */
gn_status gn_spec_parse_in(const char *text, const gn_registry *reg, const char *file, int line,
                           const char *section, gn_spec **out, gn_error *err);

void gn_spec_free(gn_spec *spec);

/* The spec as text that parses back to the same layers and values: leading
 * keys that are the layer's positional keys in order are written
 * positionally ("dense(200, activation=relu)"), values are quoted where
 * needed. Caller frees the result with free(); NULL when out of memory. */
char *gn_spec_to_string(const gn_spec *spec);

#endif
