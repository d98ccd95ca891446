/* Internal: registration of the SDK's own ops and layers (plugin "core"). */
#ifndef GN_CORE_REGISTER_H
#define GN_CORE_REGISTER_H

#include <ganglion/registry.h>

gn_status gn_ops_register_core(gn_registry *r, gn_error *err);    /* src/ops/register.c */
gn_status gn_layers_register_core(gn_registry *r, gn_error *err); /* src/layers/register.c */

#endif
