#!/usr/bin/env bash
# One epoch of the quickstart MLP (784-200-10, Adam 1e-3, batch 128, all 60000
# training images) in Ganglion and in PyTorch, same data, same machine, same run.
# PyTorch runs with 1 thread and with 2 threads (OPENBLAS_NUM_THREADS=1); its
# faster time is the reference. Prints epoch times, accuracies and the ratio.
#   bench/mlp.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
scripts/install-deps.sh --bench
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build "$build" -j"$(nproc)" > /dev/null
data=/usr/share/datasets/fashion-mnist
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

gn_epoch() { # threads -> "seconds accuracy"
  "$build/ganglion" run conf/quickstart.ini --out "$tmp/gn$1" --set experiment.threads="$1" \
    --set train.epochs=1 --set data.validation_split=0 --set evaluate.metrics=accuracy \
    > "$tmp/gn$1.log"
  local s acc
  s=$(sed -n 's/^epoch 1\/1 - \([0-9.]*\)s.*/\1/p' "$tmp/gn$1.log")
  acc=$(sed -n 's/.*"test": {"accuracy": \([0-9.]*\).*/\1/p' "$tmp/gn$1/summary.json")
  echo "$s $acc"
}

read -r g1 ga1 < <(gn_epoch 1)
read -r g2 ga2 < <(gn_epoch 2)
t1=$(OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_mlp.py "$data" 1)
t2=$(OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_mlp.py "$data" 2)
echo "ganglion threads=1 epoch_seconds=$g1 test_accuracy=$ga1"
echo "ganglion threads=2 epoch_seconds=$g2 test_accuracy=$ga2"
echo "$t1"
echo "$t2"
/usr/bin/python3 - "$g1" "$g2" "$ga1" "$ga2" "$t1" "$t2" <<'PY'
import sys
g = min(float(sys.argv[1]), float(sys.argv[2]))
gacc = sys.argv[3] if float(sys.argv[1]) <= float(sys.argv[2]) else sys.argv[4]
runs = [dict(kv.split("=") for kv in line.split()[1:]) for line in sys.argv[5:7]]
best = min(runs, key=lambda r: float(r["epoch_seconds"]))
t = float(best["epoch_seconds"])
print(f"MLP epoch: ganglion {g:.3f}s (acc {gacc}) vs pytorch {t:.3f}s "
      f"(threads={best['threads']}, acc {best['test_accuracy']}): ratio {g / t:.2f}x (target <= 0.8x)")
PY
