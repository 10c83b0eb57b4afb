#!/usr/bin/env bash
# The README's results table, one row per config: trains the config from scratch once per seed
# (one rank, 2 threads), then prints each run's test accuracy of its best-val_loss model (the
# test set is scored once, at the end), epochs, wall time, and the mean and spread over seeds.
# Usage: bash bench/run_results.sh CONFIG.ini [SEED ...]   (default seeds 1 2 3)
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
for seed in "${seeds[@]}"; do
  out="runs/results/$name-seed$seed"
  if [ ! -f "$out/summary.json" ]; then
    build/bin/rnnsent_train --config "$config" --seed "$seed" --threads 2 --output_dir "$out" \
      > "$out.log" 2>&1 || { echo "$name seed $seed: training failed, see $out.log"; exit 1; }
  fi
done
/usr/bin/python3 - "$name" "${seeds[@]}" <<'PY'
import json, statistics, sys
name, seeds = sys.argv[1], sys.argv[2:]
runs = [json.load(open(f"runs/results/{name}-seed{s}/summary.json")) for s in seeds]
for s, r in zip(seeds, runs):
    print(f"{name} seed {s}: test_acc {r['test_acc']:.4f}, best epoch {r['best_epoch']} of "
          f"{r['epochs_run']}, {r['wall_seconds'] / 60:.1f} min")
acc = [r["test_acc"] for r in runs]
spread = statistics.stdev(acc) if len(acc) > 1 else 0.0
print(f"RESULT {name}: test accuracy mean {statistics.mean(acc):.4f}, sd {spread:.4f}, "
      f"min {min(acc):.4f}, max {max(acc):.4f}; epochs {', '.join(str(r['epochs_run']) for r in runs)}; "
      "wall " + ", ".join(f"{r['wall_seconds'] / 60:.1f}" for r in runs) + " min")
PY
