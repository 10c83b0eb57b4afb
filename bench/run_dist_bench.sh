#!/usr/bin/env bash
# Data-parallel scaling on this machine: P = 1 and P = 2 ranks with one thread each, alternated
# over two rounds so both see the same load (P = 2 through the shared-memory window); prints samples/s, the P=2 / P=1 ratio and the
# allreduce share. Usage: bash bench/run_dist_bench.sh [DATA.h5] [batches]
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-data/imdb.h5}" batches="${2:-20}"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_mpi_yield_when_idle=1 OMP_NUM_THREADS=1
for round in 1 2; do
  for p in 1 2; do
    mpirun --oversubscribe -np "$p" -x OMP_NUM_THREADS build/bin/bench_dist_step "$data" "$batches" 128 500 2 | tee -a /tmp/rnnsent_dist_bench.$$
  done
done
awk '/RESULT/ { for (i = 1; i <= NF; ++i) { if ($i ~ /^ranks=/) k = $i; if ($i == "samples/s") v = $(i + 2) }
                r[k] = r[k] " " v; if (k == "ranks=1") last1 = v; else printf "P=2 / P=1 (round %d): %.2fx\n", ++n, v / last1 }
     END { print "samples/s at ranks=1:" r["ranks=1"] "; at ranks=2:" r["ranks=2"] }' /tmp/rnnsent_dist_bench.$$
rm -f /tmp/rnnsent_dist_bench.$$
