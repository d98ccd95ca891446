/* Host: sweeps. A [sweep] section whose keys are SECTION.KEY = v1 | v2 | ...
 * runs every combination (the cartesian product), `repeats = N` seeds each,
 * and writes sweep.csv (one row per run), sweep_summary.csv (mean and
 * standard deviation over repeats), a console table sorted by `sort`, and
 * learning curves of all runs in one chart (sweep_curves.svg). */
#ifndef GN_HOST_SWEEP_H
#define GN_HOST_SWEEP_H

#include "config/ini.h"
#include "run/run.h"

/* Runs the sweep that ini (borrowed, already overridden by --set) declares. */
gn_status gn_sweep_run(const gn_run_opts *opts, const gn_ini *ini, gn_error *err);

#endif
