#!/usr/bin/env bash
# Ganglion against PyTorch (Debian's python3-torch), side by side in one run:
# one epoch of Fashion-MNIST (60000 images, Adam 1e-3, batch 128, the same
# standardised inputs) for each model. Both run with 1 and 2 threads (PyTorch
# with OPENBLAS_NUM_THREADS=1); each side's faster time is kept. Prints the
# epoch times, test accuracies and the time ratio Ganglion / PyTorch.
#   bench/run.sh [MODEL...]        MODEL: mlp cnn_small cnn_wide (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
models=("$@")
[ ${#models[@]} -eq 0 ] && models=(mlp cnn_small cnn_wide)
scripts/install-deps.sh --bench
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build "$build" -j"$(nproc)" > /dev/null
data=/usr/share/datasets/fashion-mnist
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

gn_epoch() { # model threads -> "seconds accuracy"
  "$build/ganglion" run "bench/$1.ini" --out "$tmp/$1-$2" --set experiment.threads="$2" \
    > "$tmp/$1-$2.log"
  local s acc
  s=$(sed -n 's/^epoch 1\/1 - \([0-9.]*\)s.*/\1/p' "$tmp/$1-$2.log")
  acc=$(sed -n 's/.*"test": {"accuracy": \([0-9.]*\).*/\1/p' "$tmp/$1-$2/summary.json")
  echo "$s $acc"
}

summary=()
for m in "${models[@]}"; do
  read -r g1 a1 < <(gn_epoch "$m" 1)
  read -r g2 a2 < <(gn_epoch "$m" 2)
  t1=$(OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_models.py "$m" "$data" 1)
  t2=$(OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_models.py "$m" "$data" 2)
  echo "ganglion model=$m threads=1 epoch_seconds=$g1 test_accuracy=$a1"
  echo "ganglion model=$m threads=2 epoch_seconds=$g2 test_accuracy=$a2"
  echo "$t1"
  echo "$t2"
  summary+=("$(/usr/bin/python3 - "$m" "$g1" "$a1" "$g2" "$a2" "$t1" "$t2" <<'PY'
import sys
m = sys.argv[1]
gs = [(float(sys.argv[2]), sys.argv[3], 1), (float(sys.argv[4]), sys.argv[5], 2)]
g, gacc, gth = min(gs)
runs = [dict(kv.split("=") for kv in line.split()[1:]) for line in sys.argv[6:8]]
best = min(runs, key=lambda r: float(r["epoch_seconds"]))
t = float(best["epoch_seconds"])
print(f"{m:10s} ganglion {g:7.2f}s (threads {gth}, acc {float(gacc):.4f})  pytorch {t:7.2f}s "
      f"(threads {best['threads']}, acc {float(best['test_accuracy']):.4f})  ratio {g / t:.2f}x")
PY
)")
done
echo
echo "one epoch of Fashion-MNIST, ganglion / pytorch (lower is better):"
printf '%s\n' "${summary[@]}"
