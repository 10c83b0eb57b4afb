#!/usr/bin/env bash
# The README's results table, one row per config: trains the config from scratch once per seed
# (one rank, 2 threads), then prints each run's test accuracy of its best-val_loss model (the
# test set is scored once, at the end), epochs, wall time, and the mean and spread over seeds.
# Usage: [JOBS=1] [THREADS=2] bash bench/run_results.sh CONFIG.ini [SEED ...]  (seeds 1 2 3)
# JOBS runs train side by side, THREADS threads each (JOBS=2 THREADS=1 uses the two cores as
# two one-thread runs; a seed's result depends on its thread count, which summary.json records).
# Outputs go to runs/results/NAME-seedS/ (existing ones are kept: a finished run is reused).
set -euo pipefail
cd "$(dirname "$0")/.."
config="$1"
shift
seeds=("${@:-1 2 3}")
read -r -a seeds <<< "${seeds[*]}"
name=$(basename "$config" .ini)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mkdir -p runs/results
jobs="${JOBS:-1}" threads="${THREADS:-2}"
run_seed() {
  local out="runs/results/$name-seed$1"
  [ -f "$out/summary.json" ] && return 0
  OMP_NUM_THREADS=$threads build/bin/rnnsent_train --config "$config" --seed "$1" \
    --threads "$threads" --output_dir "$out" > "$out.log" 2>&1 \
    || { echo "$name seed $1: training failed, see $out.log"; return 1; }
}
pids=()
for seed in "${seeds[@]}"; do
  run_seed "$seed" &
  pids+=($!)
  if [ "${#pids[@]}" -ge "$jobs" ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
done
for pid in "${pids[@]}"; do wait "$pid"; done
/usr/bin/python3 - "$name" "${seeds[@]}" <<'PY'
import json, statistics, sys
name, seeds = sys.argv[1], sys.argv[2:]
runs = [json.load(open(f"runs/results/{name}-seed{s}/summary.json")) for s in seeds]
for s, r in zip(seeds, runs):
    print(f"{name} seed {s}: test_acc {r['test_acc']:.4f}, best epoch {r['best_epoch']} of "
          f"{r['epochs_run']}, {r['wall_seconds'] / 60:.1f} min with {r['threads']} thread(s)")
acc = [r["test_acc"] for r in runs]
spread = statistics.stdev(acc) if len(acc) > 1 else 0.0
print(f"RESULT {name}: test accuracy mean {statistics.mean(acc):.4f}, sd {spread:.4f}, "
      f"min {min(acc):.4f}, max {max(acc):.4f}; epochs {', '.join(str(r['epochs_run']) for r in runs)}; "
      "wall " + ", ".join(f"{r['wall_seconds'] / 60:.1f}" for r in runs) + " min")
PY
