/* Schemas of the sections the host itself reads. */
#include "run/run_impl.h"

const gn_param_schema gn_schema_experiment[] = {
    GN_PARAM_STRING("name", "", "run name (default: the config file's name)"),
    GN_PARAM_STRING("plugins", "", "plugins to load, space-separated"),
    GN_PARAM_STRING("trainer", NULL, "registered trainer; its settings are in [train]"),
    GN_PARAM_INT("seed", "42", 0, 9007199254740992.0, "seed of the run's random numbers"),
    GN_PARAM_INT("threads", "0", 0, 256, "BLAS threads; 0 = all cores"),
    GN_PARAM_END,
};

const gn_param_schema gn_schema_data[] = {
    GN_PARAM_STRING("dataset", NULL, "manifest name (datasets/NAME.ini) or path"),
    GN_PARAM_FLOAT("validation_split", "0", 0, 0.9,
                   "fraction of the training set held out for validation (the last samples)"),
    GN_PARAM_INT("folds", "0", 0, 100,
                 "k-fold cross-validation: validate on fold `fold` of K (0 = off; "
                 "validation_split is then not used)"),
    GN_PARAM_INT("fold", "1", 1, 100, "which fold validates, 1..folds"),
    GN_PARAM_CHOICE(
        "normalize", "scale", "scale|standard|symmetric|none",
        "scale: pixels / 255 (tables: as they are); standard: zero mean, unit variance over "
        "train; symmetric: pixels to [-1, 1] (tanh outputs, GANs); none: raw"),
    GN_PARAM_END,
};

const gn_param_schema gn_schema_evaluate[] = {
    GN_PARAM_STRING("metrics", "",
                    "extra evaluators run on the test split (the trainer "
                    "reports its own loss and accuracy)"),
    GN_PARAM_END,
};
