#!/usr/bin/env bash
# Ganglion against PyTorch (Debian's python3-torch), side by side in one run:
# one training epoch of each model (Adam, batch 128, the same inputs).
#   mlp cnn_small cnn_wide   classifiers on Fashion-MNIST (bench/torch_models.py)
#   vae                      MLP VAE 784-512-20-512-784 on Fashion-MNIST (bench/torch_vae.py)
#   gan                      MLP GAN 100-256-512-784 / 784-512-256-1 on MNIST (bench/torch_gan.py)
# Both sides run with 1 and 2 threads (PyTorch with OPENBLAS_NUM_THREADS=1);
# each side's faster time is kept. Prints the epoch times, the test metric
# (accuracy, or loss in nats per image for the VAE) and the ratio
# Ganglion / PyTorch. MNIST is looked up on GANGLION_DATA_PATH.
#   bench/run.sh [MODEL...]        (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
models=("$@")
[ ${#models[@]} -eq 0 ] && models=(mlp cnn_small cnn_wide vae gan)
scripts/install-deps.sh --bench
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build "$build" -j"$(nproc)" > /dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

data_dir() { # dataset -> folder holding its gz IDX files
  local d
  IFS=: read -ra path <<< "${GANGLION_DATA_PATH:-}"
  for d in "${path[@]}" /usr/local/share/ganglion/datasets /usr/share/ganglion/datasets \
           /usr/share/datasets; do
    [ -n "$d" ] && [ -f "$d/$1/train-images-idx3-ubyte.gz" ] && { echo "$d/$1"; return; }
  done
  echo "bench: dataset $1 not found on GANGLION_DATA_PATH" >&2
  return 1
}

gn_epoch() { # model threads -> "seconds"; the run folder keeps summary.json
  "$build/ganglion" run "bench/$1.ini" --out "$tmp/$1-$2" --set experiment.threads="$2" \
    > "$tmp/$1-$2.log"
  sed -n 's/^epoch 1\/1 - \([0-9.]*\)s.*/\1/p' "$tmp/$1-$2.log"
}

summary=()
for m in "${models[@]}"; do
  script=bench/torch_models.py data=fashion-mnist
  [ -f "bench/torch_$m.py" ] && script=bench/torch_$m.py
  [ "$m" = gan ] && data=mnist
  dir=$(data_dir "$data")
  g1=$(gn_epoch "$m" 1)
  g2=$(gn_epoch "$m" 2)
  t1=$(OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$script" "$m" "$dir" 1)
  t2=$(OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$script" "$m" "$dir" 2)
  echo "ganglion model=$m threads=1 epoch_seconds=$g1"
  echo "ganglion model=$m threads=2 epoch_seconds=$g2"
  echo "$t1"
  echo "$t2"
  summary+=("$(/usr/bin/python3 - "$m" "$g1" "$g2" "$tmp/$m-1/summary.json" \
    "$tmp/$m-2/summary.json" "$t1" "$t2" <<'PY'
import json, sys
m, g1, g2, s1, s2, t1, t2 = sys.argv[1:]
runs = [dict(kv.split("=") for kv in line.split()[1:]) for line in (t1, t2)]
best = min(runs, key=lambda r: float(r["epoch_seconds"]))
key = next((k for k in best if k.startswith("test_")), None)
g, summ, gth = min((float(g1), s1, 1), (float(g2), s2, 2))
test = json.load(open(summ)).get("test", {})
def metric(v):
    return f"{key[5:]} {float(v):.4f}" if key and v is not None else "-"
t = float(best["epoch_seconds"])
print(f"{m:10s} ganglion {g:7.2f}s (threads {gth}, {metric(test.get(key[5:]) if key else None)})"
      f"  pytorch {t:7.2f}s (threads {best['threads']}, {metric(best.get(key) if key else None)})"
      f"  ratio {g / t:.2f}x")
PY
)")
done
echo
echo "one training epoch, ganglion / pytorch (lower is better):"
printf '%s\n' "${summary[@]}"
