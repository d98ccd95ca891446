/* Ganglion host: the data search path.
 *
 * A data file named in a manifest is looked up, in order, in each folder of
 * the environment variable GANGLION_DATA_PATH (colon-separated), then in
 * /usr/share/datasets and /usr/local/share/datasets. In each folder DIR,
 * DIR/SUBDIR/FILE is tried before DIR/FILE. */
#ifndef GN_HOST_DATA_SEARCH_H
#define GN_HOST_DATA_SEARCH_H

#include <stddef.h>
#include <ganglion/error.h>

#define GN_DATA_PATH_ENV "GANGLION_DATA_PATH"

/* Finds file (a safe relative path: no "..", no leading '/') in the data
 * search path, trying the subfolder subdir (NULL or "" for none) of each
 * folder first. Writes the path found into the caller's out (outsz bytes).
 * GN_ERR_NOT_FOUND lists the folders searched. */
gn_status gn_data_find(const char *file, const char *subdir, char *out, size_t outsz,
                       gn_error *err);

#endif
