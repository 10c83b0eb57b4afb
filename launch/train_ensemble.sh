#!/usr/bin/env bash
# Trains an ensemble and scores it: K members of one config with seeds 1..K (one after
# another, or JOBS at a time with the cores shared between them), then rnnsent_eval on the
# test split for each member and for all of them together (the mean of their probabilities).
# A member's model is its averaged_model.h5 when the config keeps one (average_last_epochs),
# else its best_model.h5. A finished member is reused and a stopped one resumed, so running
# the command again completes an interrupted ensemble.
# Usage: [JOBS=1] [RNNSENT_BIN=build/bin] bash launch/train_ensemble.sh CONFIG.ini OUT_DIR K
#          [rnnsent_train flags ...]
# Members of several configs: run it once per config and pass all models to rnnsent_eval.
set -euo pipefail
bin=$(realpath "${RNNSENT_BIN:-$(dirname "$0")/../build/bin}")
if [ $# -lt 3 ] || ! [[ "$3" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: [JOBS=1] bash launch/train_ensemble.sh CONFIG.ini OUT_DIR K [rnnsent_train flags ...]" >&2
  exit 2
fi
config="$1" out="$2" members="$3"
shift 3
[ -f "$config" ] || { echo "train_ensemble.sh: $config: no such config file" >&2; exit 1; }
jobs="${JOBS:-1}"
cores=$(nproc)
threads=$(( cores / jobs > 0 ? cores / jobs : 1 ))
mkdir -p "$out"

train_member() {
  local seed="$1" dir="$out/member-$1"
  shift
  [ -f "$dir/summary.json" ] && return 0
  local resume=()
  [ -d "$dir/checkpoints" ] && resume=(--resume auto)
  "$bin/rnnsent_train" --config "$config" --seed "$seed" --threads "$threads" --output_dir "$dir" \
    --progress none "${resume[@]}" "$@" > "$dir.log" 2>&1 \
    || { echo "train_ensemble.sh: member $seed failed, see $dir.log" >&2; return 1; }
}

start=$SECONDS
pids=()
for seed in $(seq 1 "$members"); do
  train_member "$seed" "$@" &
  pids+=($!)
  if [ "${#pids[@]}" -ge "$jobs" ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
done
for pid in "${pids[@]}"; do wait "$pid"; done
echo "train_ensemble.sh: $members member(s) trained in $((SECONDS - start)) s ($jobs at a time, $threads thread(s) each)"

models=()
for seed in $(seq 1 "$members"); do
  dir="$out/member-$seed"
  model="$dir/best_model.h5"
  [ -f "$dir/averaged_model.h5" ] && model="$dir/averaged_model.h5"
  models+=(--model "$model")
done
data=$(sed -n 's/^data = //p' "$out/member-1/config.ini")
for ((i = 1; i < ${#models[@]}; i += 2)); do
  printf '%s: ' "${models[i]}"
  "$bin/rnnsent_eval" --model "${models[i]}" --data "$data" | sed -n 2p
done
echo "the ensemble of $members:"
"$bin/rnnsent_eval" "${models[@]}" --data "$data"
