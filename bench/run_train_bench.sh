#!/usr/bin/env bash
# Side-by-side training throughput: rnnsent vs the PyTorch peer (../shared/peers), 1 and 2
# threads, interleaved in one run so both see the same machine load; then the time to prepare
# the full archive. Usage: bash bench/run_train_bench.sh [DATA.h5] [IMDB_DIR]
# Needs: python3-torch, python3-numpy, libopenblas0-openmp (for a fair peer), a built tree.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-data/imdb.h5}"
imdb_dir="${2:-data/extract/aclImdb}"
peer=../shared/peers/torch_seed_model.py
batches="${BENCH_BATCHES:-20}"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1  # bench_train_step is a 1-rank MPI job
for round in 1 2; do
  for threads in 1 2; do
    echo "== round $round, $threads thread(s)"
    OMP_NUM_THREADS=$threads build/bin/bench_train_step "$data" "$batches" 3 | grep RESULT
    if [ -f "$peer" ]; then
      /usr/bin/python3 "$peer" --threads "$threads" --bench-batches "$batches" | grep RESULT
    fi
  done
done
if [ -d "$imdb_dir" ]; then
  echo "== prepare the full archive"
  tmp=$(mktemp -d)
  /usr/bin/time -f "prepare wall %e s, max RSS %M KB" build/bin/rnnsent_prepare --imdb-dir "$imdb_dir" --output "$tmp/imdb.h5"
  rm -rf "$tmp"
fi
