/* Ganglion SDK: parameter schemas and typed, validated config sections.
 *
 * Every layer, trainer and evaluator declares a schema; the host validates
 * each INI section against it (unknown keys, wrong types, out-of-range
 * values, missing required keys) and hands the plugin a gn_section whose
 * values are typed and complete (defaults filled in). */
#ifndef GANGLION_SCHEMA_H
#define GANGLION_SCHEMA_H

#include <math.h>
#include <stdint.h>
#include <ganglion/error.h>

typedef enum gn_type {
    GN_TYPE_INT = 1,
    GN_TYPE_FLOAT,
    GN_TYPE_BOOL, /* true/false, yes/no, on/off, 1/0 */
    GN_TYPE_STRING,
    GN_TYPE_CHOICE, /* one of the '|'-separated words in choices */
} gn_type;

typedef struct gn_param_schema {
    const char *key;
    gn_type type;
    const char *def;     /* default as text; NULL = required; "" for INT and
                          * FLOAT = optional without a default (test with
                          * gn_section_has) */
    double min, max;     /* inclusive range for INT and FLOAT */
    const char *choices; /* "sgd|adam" for CHOICE */
    const char *doc;     /* one line */
} gn_param_schema;

#define GN_PARAM_INT(k, d, lo, hi, doc)                                                            \
    { (k), GN_TYPE_INT, (d), (lo), (hi), NULL, (doc) }
#define GN_PARAM_FLOAT(k, d, lo, hi, doc)                                                          \
    { (k), GN_TYPE_FLOAT, (d), (lo), (hi), NULL, (doc) }
#define GN_PARAM_BOOL(k, d, doc)                                                                   \
    { (k), GN_TYPE_BOOL, (d), 0, 0, NULL, (doc) }
#define GN_PARAM_STRING(k, d, doc)                                                                 \
    { (k), GN_TYPE_STRING, (d), 0, 0, NULL, (doc) }
#define GN_PARAM_CHOICE(k, d, ch, doc)                                                             \
    { (k), GN_TYPE_CHOICE, (d), 0, 0, (ch), (doc) }
#define GN_PARAM_END                                                                               \
    { NULL, 0, NULL, 0, 0, NULL, NULL }
#define GN_INF HUGE_VAL

/* A validated section: typed key/values with the file and line each came
 * from (line 0 for defaults and --set values). */
typedef struct gn_section gn_section;

/* Caller owns; free with gn_section_free. */
GN_EXPORT gn_section *gn_section_new(const char *name, const char *file);
GN_EXPORT void gn_section_free(gn_section *s);
GN_EXPORT const char *gn_section_name(const gn_section *s);
GN_EXPORT const char *gn_section_file(const gn_section *s);

/* Stores raw text for key (replacing an earlier value). Copies both. */
GN_EXPORT gn_status gn_section_set(gn_section *s, const char *key, const char *value, int line,
                                   gn_error *err);

/* Checks every key against schema, converts values to their types and fills
 * defaults. Errors name FILE:LINE and the key. Keys listed in extra (NULL-
 * terminated, may be NULL) are allowed without a schema entry. */
GN_EXPORT gn_status gn_section_validate(gn_section *s, const gn_param_schema *schema,
                                        const char *const *extra, gn_error *err);

GN_EXPORT int gn_section_has(const gn_section *s, const char *key);
GN_EXPORT int gn_section_line(const gn_section *s, const char *key); /* 0 if unknown */
/* Typed getters: valid after validation. Missing keys give 0 / NULL. */
GN_EXPORT int64_t gn_section_int(const gn_section *s, const char *key);
GN_EXPORT double gn_section_float(const gn_section *s, const char *key);
GN_EXPORT int gn_section_bool(const gn_section *s, const char *key);
GN_EXPORT const char *gn_section_str(const gn_section *s, const char *key); /* raw text */

/* Iteration in insertion order. */
GN_EXPORT int gn_section_count(const gn_section *s);
GN_EXPORT const char *gn_section_key_at(const gn_section *s, int i);

/* Deep copy (caller owns). */
GN_EXPORT gn_section *gn_section_clone(const gn_section *s, gn_error *err);

#endif
