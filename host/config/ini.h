/* Experiment files: every section of an INI file, in file order, as raw
 * gn_sections (text values with the line each came from), plus --set
 * overrides and writing the resolved config back.
 *
 * Syntax (inih's, with stricter checks): [section] headers, key = value or
 * key: value, comments on their own line starting with ; or #, inline
 * comments after " ;". An indented line continues the previous key's value
 * (joined with one space). Errors read "FILE:LINE: ..."; the CLI prefixes
 * "ganglion: ". */
#ifndef GN_HOST_CONFIG_INI_H
#define GN_HOST_CONFIG_INI_H

#include <stdio.h>
#include <ganglion/schema.h>

#define GN_INI_MAX_LINE 4096          /* bytes per line, without the newline */
#define GN_INI_MAX_FILE (1024 * 1024) /* bytes per file */
#define GN_INI_MAX_SECTION 127        /* bytes in a section name */
#define GN_INI_MAX_KEY 63             /* bytes in a key */

typedef struct gn_ini gn_ini;

/* Parses path. On success *out is the caller's (free with gn_ini_free); on
 * error *out is NULL and err says "FILE:LINE: what" or "FILE: what". Rejects
 * files over 1 MiB, lines over 4096 bytes, NUL bytes, keys outside any
 * section, duplicate keys within a section and repeated section headers. */
gn_status gn_ini_load(const char *path, gn_ini **out, gn_error *err);

/* An empty config that reports errors against `file` (caller owns). */
gn_ini *gn_ini_new(const char *file, gn_error *err);
void gn_ini_free(gn_ini *ini);

/* The path the config was loaded from (borrowed). */
const char *gn_ini_file(const gn_ini *ini);

/* Sections in file order (then those created by overrides). The returned
 * sections are borrowed: they live as long as ini. They are non-const so a
 * caller may validate one in place; validate a gn_section_clone instead if
 * the raw text must survive (gn_ini_write writes whatever the section holds). */
int gn_ini_count(const gn_ini *ini);
gn_section *gn_ini_at(const gn_ini *ini, int i);              /* NULL if out of range */
gn_section *gn_ini_find(const gn_ini *ini, const char *name); /* NULL if absent */

/* Line of the [name] header; 0 for a section made by an override, -1 if
 * there is no such section. */
int gn_ini_section_line(const gn_ini *ini, const char *name);

/* Adds an empty section `name` (header line 0) unless one exists already,
 * e.g. so that a schema's defaults apply to a section the file lacks. */
gn_status gn_ini_add_section(gn_ini *ini, const char *name, gn_error *err);

/* Applies "SECTION.KEY=VALUE" (from --set). SECTION may contain dots: the
 * key is what follows the last dot before '='. Creates the section if it is
 * absent; the value gets line 0. Spaces around key and value are trimmed. */
gn_status gn_ini_override(gn_ini *ini, const char *assignment, gn_error *err);

/* Writes every section as INI text ("[name]" then "key = value" lines, a
 * blank line between sections): the resolved config of a run. */
gn_status gn_ini_write(const gn_ini *ini, FILE *f, gn_error *err);

#endif
