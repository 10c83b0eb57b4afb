#!/usr/bin/env bash
# Issue 13's throughput bars, side by side in one run (two interleaved rounds), the course
# config at --max_train 6400 --epochs 1, one thread per rank (summary.json's
# train_samples_per_s):
#   P=1 x 2 threads            one process, two batch chunks
#   P=2 one host               two ranks, the gradient summed in rnnsent's shared-memory window
#                              (shared_memory_exchange, the default)
#   P=2 one host, MPI          the sharded update over MPI's shared-memory transport
#                              (shared_memory_exchange = false, shard_optimizer = true)
#   P=2 one host, sparse       MPI's transport, each rank allgathering its own rows and updating
#                              every row (both false; sparse_exchange, the default)
#   P=2 two hosts              one rank on each of two test hosts (network namespaces, TCP):
#                              the sparse allgather, the default across hosts
#   P=2 two hosts, 10 Gbit/s   the same with each host's link limited by tc tbf
#   ... allreduce              the same over the allreduce of the union (sparse_exchange = false)
# Root only (network namespaces). Usage: bash bench/run_multihost_bench.sh [DATA.h5] [CONFIG]
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-data/imdb.h5}" config="${2:-configs/imdb.ini}"
source tests/multihost/netns_hosts.sh
why=$(hosts_available) || { echo "run_multihost_bench.sh: $why" >&2; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_mpi_yield_when_idle=1
work=$(mktemp -d)
trap 'hosts_down; rm -rf "$work"' EXIT
hosts_up 2
h1=${mh_hosts[0]} h2=${mh_hosts[1]}
isa=$(grep -qw avx512f /proc/cpuinfo && echo AVX-512 || echo "AVX2, no AVX-512")
echo "instruction set: $isa; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $config"
args=(--config "$config" --data "$data" --max_train "${MAX_TRAIN:-6400}" --epochs 1 --max_test 256)
rate() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['train_samples_per_s'])" "$1/summary.json"; }
for round in 1 2; do
  out="$work/r$round"
  OMP_NUM_THREADS=2 build/bin/rnnsent_train "${args[@]}" --threads 2 --output_dir "$out-p1" > "$out-p1.log" 2>&1
  OMP_NUM_THREADS=1 mpirun --oversubscribe -np 2 -x OMP_NUM_THREADS -x OMPI_MCA_mpi_yield_when_idle \
    build/bin/rnnsent_train "${args[@]}" --threads 1 --output_dir "$out-local" > "$out-local.log" 2>&1
  OMP_NUM_THREADS=1 mpirun --oversubscribe -np 2 -x OMP_NUM_THREADS -x OMPI_MCA_mpi_yield_when_idle \
    build/bin/rnnsent_train "${args[@]}" --threads 1 --shared_memory_exchange false --shard_optimizer true --output_dir "$out-mpi" > "$out-mpi.log" 2>&1
  OMP_NUM_THREADS=1 mpirun --oversubscribe -np 2 -x OMP_NUM_THREADS -x OMPI_MCA_mpi_yield_when_idle \
    build/bin/rnnsent_train "${args[@]}" --threads 1 --shared_memory_exchange false --shard_optimizer false --output_dir "$out-repl" > "$out-repl.log" 2>&1
  export OMP_NUM_THREADS=1
  mh_mpirun -H "$h1,$h2" -np 2 build/bin/rnnsent_train "${args[@]}" --threads 1 \
    --output_dir "$out-hosts" > "$out-hosts.log" 2>&1
  host_limit 1 10gbit && host_limit 2 10gbit
  mh_mpirun -H "$h1,$h2" -np 2 build/bin/rnnsent_train "${args[@]}" --threads 1 \
    --output_dir "$out-10g" > "$out-10g.log" 2>&1
  mh_mpirun -H "$h1,$h2" -np 2 build/bin/rnnsent_train "${args[@]}" --threads 1 \
    --sparse_exchange false --output_dir "$out-10g-all" > "$out-10g-all.log" 2>&1
  for i in 1 2; do ip netns exec "${MH_PREFIX}h$i" tc qdisc del dev eth0 root; done
  unset OMP_NUM_THREADS
  p1=$(rate "$out-p1") local=$(rate "$out-local") mpi=$(rate "$out-mpi") repl=$(rate "$out-repl")
  hosts=$(rate "$out-hosts") g10=$(rate "$out-10g") g10all=$(rate "$out-10g-all")
  ratio() { python3 -c "print(f'{$1 / $2:.2f}x')"; }
  echo "round $round (samples/s): P=1x2 threads $p1"
  echo "  P=2 one host, shared-memory window $local ($(ratio "$local" "$p1") of P=1x2)"
  echo "  P=2 one host, sharded over MPI $mpi ($(ratio "$mpi" "$p1")); sparse allgather over MPI $repl ($(ratio "$repl" "$p1"))"
  echo "  P=2 two hosts $hosts; 10 Gbit/s $g10 ($(ratio "$g10" "$local") of the window, $(ratio "$g10" "$mpi") of MPI on one host)"
  echo "  P=2 two hosts, 10 Gbit/s, allreduce of the union $g10all ($(ratio "$g10all" "$local") of the window)"
done
