/* Ganglion SDK: ABI version, export macro and build signature. */
#ifndef GANGLION_ABI_H
#define GANGLION_ABI_H

/* The major changes when any public struct or signature changes
 * incompatibly; the minor when something is appended. A host loads a plugin
 * when the majors match and the plugin's minor is not newer than its own. */
#define GN_ABI_MAJOR 1
#define GN_ABI_MINOR 4
#define GN_VERSION "0.1.0"

#define GN_MAX_DIMS 4

/* Float type, maximum tensor rank and pointer size: a plugin built with
 * another signature cannot share tensors with this host. */
#define GN_STR_(x) #x
#define GN_STR(x) GN_STR_(x)
#define GN_BUILD_SIGNATURE "f32-dims" GN_STR(GN_MAX_DIMS) "-ptr" GN_STR(__SIZEOF_POINTER__)

#if defined(__GNUC__)
#define GN_EXPORT __attribute__((visibility("default")))
#else
#define GN_EXPORT
#endif

#ifdef __GNUC__
#define GN_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define GN_PRINTF(a, b)
#endif

#endif
