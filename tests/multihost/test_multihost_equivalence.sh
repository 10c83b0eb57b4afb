#!/usr/bin/env bash
# Data parallelism across hosts: two test hosts (network namespaces, MPI over TCP only) train
# the model the single process trains. Where the batch chunks match the bits match: P = 2 (one
# rank per host, one thread each) equals one process with two threads (two chunks, summed in the
# same order), through the sparse allgather (the default across hosts) and through the
# allreduce; P = 4 (two ranks per host) equals P = 4 on one host without the shared-memory window
# (the same sparse allgather, summed in rank order). Across hosts that window must not open: the
# gradient goes over TCP. Skipped (exit 77) without root or network namespaces.
# Usage: test_multihost_equivalence.sh BIN_DIR
set -uo pipefail
here=$(dirname "$0")
source "$here/../cli/harness.sh"
source "$here/netns_hosts.sh"
bin="$1"
why=$(hosts_available) || { echo "SKIP MultiHost: $why"; exit 77; }
cleanup_hooks+=("hosts_down")
hosts_up 2
export OMP_NUM_THREADS=1 OMPI_MCA_mpi_yield_when_idle=1
h1=${mh_hosts[0]} h2=${mh_hosts[1]}

"$bin/make_test_dataset" "$work/data.h5" 1200 300 || { echo "FAIL dataset"; exit 1; }
args=(--data "$work/data.h5" --num_words 40 --maxlen 24 --embedding_dim 8 --units 6
      --batch_size 32 --epochs 2 --patience 3 --log_every 1000)
checksum() {
  /usr/bin/python3 -c "import h5py,sys; print(h5py.File(sys.argv[1],'r').attrs['weights_checksum'])" "$1/best_model.h5"
}

for cell in simple_rnn gru; do
  extra=(--cell "$cell")
  [ "$cell" = gru ] && extra+=(--bidirectional true --dropout 0.2)
  "$bin/rnnsent_train" "${args[@]}" "${extra[@]}" --threads 2 --output_dir "$work/$cell-p1" \
    > "$work/$cell-p1.log" 2>&1 || fail "$cell one process: $(tail -1 "$work/$cell-p1.log")"
  mh_mpirun -H "$h1,$h2" -np 2 "$bin/rnnsent_train" "${args[@]}" "${extra[@]}" \
    --threads 1 --output_dir "$work/$cell-x2" > "$work/$cell-x2.log" 2>&1 \
    || fail "$cell P=2 across hosts: $(tail -3 "$work/$cell-x2.log")"
  grep -q "gradient exchange: sparse allgather over MPI" "$work/$cell-x2.log" \
    && ok "$cell: across hosts the gradient goes over MPI (sparse allgather)" \
    || fail "$cell: across hosts: $(grep -o 'gradient exchange: .*' "$work/$cell-x2.log")"
  a=$(checksum "$work/$cell-p1") b=$(checksum "$work/$cell-x2")
  [ -n "$a" ] && [ "$a" = "$b" ] && ok "$cell: P=2 across 2 hosts == 1 process x 2 threads (checksum $a)" \
    || fail "$cell: P=2 across hosts $b != one process $a"
  # The allreduce of the union, the exchange beyond 4 ranks, to the same bits.
  mh_mpirun -H "$h1,$h2" -np 2 "$bin/rnnsent_train" "${args[@]}" "${extra[@]}" --sparse_exchange false \
    --threads 1 --output_dir "$work/$cell-a2" > "$work/$cell-a2.log" 2>&1 \
    || fail "$cell P=2 across hosts, allreduce: $(tail -3 "$work/$cell-a2.log")"
  b=$(checksum "$work/$cell-a2")
  grep -q "gradient exchange: MPI allreduce" "$work/$cell-a2.log" && [ "$a" = "$b" ] \
    && ok "$cell: P=2 across hosts over the allreduce == 1 process (checksum $b)" \
    || fail "$cell: allreduce across hosts $b != one process $a ($(grep -o 'gradient exchange: .*' "$work/$cell-a2.log"))"
  mh_mpirun -H "$h1:2,$h2:2" -np 4 "$bin/rnnsent_train" "${args[@]}" "${extra[@]}" \
    --threads 1 --output_dir "$work/$cell-x4" > "$work/$cell-x4.log" 2>&1 \
    || fail "$cell P=4 across hosts: $(tail -3 "$work/$cell-x4.log")"
  timeout 300 mpirun --oversubscribe -np 4 "$bin/rnnsent_train" "${args[@]}" "${extra[@]}" \
    --threads 1 --shared_memory_exchange false --output_dir "$work/$cell-l4" > "$work/$cell-l4.log" 2>&1 \
    || fail "$cell P=4 on one host: $(tail -3 "$work/$cell-l4.log")"
  a=$(checksum "$work/$cell-l4") b=$(checksum "$work/$cell-x4")
  [ -n "$a" ] && [ "$a" = "$b" ] && ok "$cell: P=4 across 2 hosts == P=4 on one host (checksum $a)" \
    || fail "$cell: P=4 across hosts $b != P=4 on one host $a"
  # Ranks dealt round-robin (0 and 2 on one host, 1 and 3 on the other): the sparse exchange's
  # ring visits each host's ranks together, and the sums stay in rank order.
  if [ "$cell" = simple_rnn ]; then
    mh_mpirun -H "$h1:2,$h2:2" --map-by node -np 4 "$bin/rnnsent_train" "${args[@]}" "${extra[@]}" \
      --threads 1 --output_dir "$work/$cell-n4" > "$work/$cell-n4.log" 2>&1 \
      || fail "$cell P=4 across hosts by node: $(tail -3 "$work/$cell-n4.log")"
    b=$(checksum "$work/$cell-n4")
    [ "$a" = "$b" ] && ok "$cell: P=4 dealt round-robin over 2 hosts == P=4 on one host (checksum $b)" \
      || fail "$cell: P=4 round-robin across hosts $b != P=4 on one host $a"
  fi
done
grep -q "ranks.: 4" "$work/simple_rnn-x4/summary.json" && ok "summary counts 4 ranks" || fail "summary.json ranks"
finish
