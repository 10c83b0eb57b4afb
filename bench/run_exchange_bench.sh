#!/usr/bin/env bash
# Issue 13's exchange figures: the course model's step (bench_dist_step, one thread per rank)
# at P = 2 (one rank per host) and P = 4 (two per host) across two test hosts (network
# namespaces, MPI over TCP only), with the links at full speed and limited to 10 and 1 Gbit/s
# (tc tbf), each with the sharded update (shard_optimizer, ZeRO stage 1; exchange=1), the
# allreduce of the union (exchange=0) and the sparse allgather of each rank's own rows
# (sparse_exchange, the trainer's default across hosts; exchange=3). Prints
# per step: milliseconds of exchange (including waiting for the slower rank), of the optimizer,
# of compute, and the payload handed to the collectives. Root only.
# Usage: bash bench/run_exchange_bench.sh [DATA.h5] [batches]
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-data/imdb.h5}" batches="${2:-20}"
source tests/multihost/netns_hosts.sh
why=$(hosts_available) || { echo "run_exchange_bench.sh: $why" >&2; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_mpi_yield_when_idle=1
export OMP_NUM_THREADS=1
trap 'hosts_down' EXIT
hosts_up 2
h1=${mh_hosts[0]} h2=${mh_hosts[1]}
isa=$(grep -qw avx512f /proc/cpuinfo && echo AVX-512 || echo "AVX2, no AVX-512")
echo "instruction set: $isa; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
# Absolute data path: the ranks start in their namespaces' working directory.
data=$(realpath "$data")
for limit in full 10gbit 1gbit; do
  for i in 1 2; do
    if [ "$limit" = full ]; then
      ip netns exec "${MH_PREFIX}h$i" tc qdisc del dev eth0 root 2>/dev/null || true
    else
      host_limit "$i" "$limit"
    fi
  done
  for p in 2 4; do
    hosts="$h1,$h2"
    [ "$p" = 4 ] && hosts="$h1:2,$h2:2"
    for exchange in 1 0 3; do
      line=$(mh_mpirun -H "$hosts" -np "$p" "$(realpath build/bin/bench_dist_step)" "$data" "$batches" 128 500 "$exchange" | grep RESULT)
      echo "link $limit P=$p: ${line#RESULT rnnsent }"
    done
  done
done
