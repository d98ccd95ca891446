/* The plugin's sources compiled into the test binary (the plugin itself is
 * a MODULE, so its internal functions are tested from here). plugin.c, the
 * entry point, is left out. */
#include "../../plugins/toyproblems/bisect.c"
#include "../../plugins/toyproblems/common.c"
#include "../../plugins/toyproblems/objective.c"
#include "../../plugins/toyproblems/objective_1d.c"
#include "../../plugins/toyproblems/objective_2d.c"
#include "../../plugins/toyproblems/optimizers.c"
#include "../../plugins/toyproblems/parse.c"
#include "../../plugins/toyproblems/piecewise.c"
#include "../../plugins/toyproblems/runner.c"
#include "../../plugins/toyproblems/schema.c"
#include "../../plugins/toyproblems/table.c"
#include "../../plugins/toyproblems/toy_plot.c"
#include "../../plugins/toyproblems/trace_csv.c"
#include "../../plugins/toyproblems/trainer_optimize.c"
#include "../../plugins/toyproblems/trainer_threshold.c"
#include "../../plugins/toyproblems/wells.c"
