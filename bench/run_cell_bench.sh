#!/usr/bin/env bash
# LSTM and GRU training throughput, rnnsent vs the PyTorch peer's --cell lstm|gru, interleaved
# in one run (course shapes otherwise: T 500, batch 128, E 128, H 64), then the ratios.
# Usage: bash bench/run_cell_bench.sh [DATA.h5] [THREADS=2]
# Needs: python3-torch, python3-numpy, libopenblas0-openmp (for a fair peer), a built tree.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-data/imdb.h5}"
threads="${2:-2}"
peer=../shared/peers/torch_seed_model.py
batches="${BENCH_BATCHES:-10}"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1  # a 1-rank MPI job
log=$(mktemp)
for round in 1 2; do
  for cell in lstm gru; do
    echo "== round $round, $cell, $threads thread(s)"
    OMP_NUM_THREADS=$threads build/bin/bench_train_step "$data" "$batches" 3 500 128 "$cell" |
      grep RESULT | tee -a "$log"
    /usr/bin/python3 "$peer" --cell "$cell" --threads "$threads" --bench-batches "$batches" |
      grep RESULT | tee -a "$log"
  done
done
# Pair each rnnsent line with the peer line after it: the ratio of one side-by-side round.
awk '/RESULT rnnsent/ { cell = $3; ours = $NF; next }
     /RESULT cell=/ { printf "ratio %s: rnnsent %.1f / peer %.1f = %.2fx\n", cell, ours, $NF, ours / $NF }' "$log"
rm -f "$log"
