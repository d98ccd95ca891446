/* Builds the models an experiment file declares.
 *
 * [model] declares the model "model", [model.NAME] the model NAME. A model
 * section holds exactly one of
 *   layers = flatten dense(200) relu dense(10)   (sequential; see spec.h)
 *   output = LAYERNAME                           (graph form)
 * In graph form each layer is a [layer.LAYERNAME] section with type = TYPE,
 * input = SOURCES (space-separated names of layers of the same model, or
 * `input` for the model input), model = NAME (default "model") and the
 * layer's own keys. Sections may come in any order; every layer must feed
 * the output. */
#ifndef GN_HOST_CONFIG_MODEL_BUILD_H
#define GN_HOST_CONFIG_MODEL_BUILD_H

#include <ganglion/model.h>
#include "config/ini.h"

/* Builds and finalizes model_name ("model" or the NAME of [model.NAME]) on an
 * input "input" of shape (batch, sample_dims...). reg and rng are borrowed
 * for the model's lifetime. On success *out is the caller's (free with
 * gn_model_free); on error *out is NULL and err names FILE:LINE. */
gn_status gn_config_build_model(const gn_ini *ini, const char *model_name, const gn_registry *reg,
                                gn_rng *rng, int ndim, const int64_t *sample_dims, gn_model **out,
                                gn_error *err);

/* Names of the declared models in file order ("model" for [model], NAME for
 * [model.NAME]); stores at most max of them (borrowed from ini) and returns
 * how many there are. names may be NULL when max is 0. */
int gn_config_model_names(const gn_ini *ini, const char **names, int max);

#endif
