#!/usr/bin/env bash
# The step profile of the course config (T 500, batch 128) at 1 rank x 1 thread, 1 rank x 2
# threads and 2 ranks x 1 thread (over MPI's allreduce, then through the shared-memory window),
# in one run, with each rank's peak resident memory.
# Usage: bash bench/run_profile.sh [DATA.h5] [batches]
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-data/imdb.h5}" batches="${2:-20}"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_mpi_yield_when_idle=1
OMP_NUM_THREADS=1 build/bin/bench_dist_step "$data" "$batches"
OMP_NUM_THREADS=2 build/bin/bench_dist_step "$data" "$batches"
OMP_NUM_THREADS=1 mpirun --oversubscribe -np 2 -x OMP_NUM_THREADS build/bin/bench_dist_step "$data" "$batches" 128 500 0
OMP_NUM_THREADS=1 mpirun --oversubscribe -np 2 -x OMP_NUM_THREADS build/bin/bench_dist_step "$data" "$batches" 128 500 2
