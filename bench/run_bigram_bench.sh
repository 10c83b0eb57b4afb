#!/usr/bin/env bash
# What the hashed bigram rows (bigram_buckets) cost in training: a config as shipped against the
# same config with --bigram_buckets 0, side by side (three interleaved rounds), rnnsent_train on
# 2,560 reviews for one epoch (summary.json's train_samples_per_s: the training steps only).
# Usage: bash bench/run_bigram_bench.sh [DATA.h5] [THREADS=2] [CONFIG=configs/imdb_best.ini]
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-data/imdb.h5}"
threads="${2:-2}"
cfg="${3:-configs/imdb_best.ini}"
[ -f "$cfg" ] || { echo "run_bigram_bench.sh: $cfg: no such config file" >&2; exit 2; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
buckets=$(awk -F' *= *' '$1=="bigram_buckets"{print $2}' "$cfg")
[ -n "$buckets" ] && [ "$buckets" != 0 ] ||
  { echo "run_bigram_bench.sh: $cfg sets no bigram_buckets; nothing to compare" >&2; exit 2; }
isa=$(grep -qw avx512f /proc/cpuinfo && echo AVX-512 || echo "AVX2, no AVX-512")
echo "instruction set: $isa; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); threads $threads; $cfg"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rate() { # samples/s of one run with the given bucket count
  local out="$work/b$1-$2" off=()
  [ "$1" = 0 ] && off=(--negation_scope 0)  # negated rows live in the buckets
  build/bin/rnnsent_train --config "$cfg" --data "$data" --output_dir "$out" --max_train 2560 \
    --epochs 1 --max_test 256 --threads "$threads" --bigram_buckets "$1" "${off[@]}" >"$out.log" 2>&1 ||
    { echo "rnnsent_train failed:" >&2; tail -3 "$out.log" >&2; exit 1; }
  python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['train_samples_per_s'])" "$out/summary.json"
}
for round in 1 2 3; do
  with=$(rate "$buckets" "$round")
  without=$(rate 0 "$round")
  printf "round %d  bigram_buckets %s: %7.1f samples/s  bigram_buckets 0: %7.1f  ratio %.3f\n" \
    "$round" "$buckets" "$with" "$without" "$(python3 -c "print($with / $without)")"
done
