#!/usr/bin/env bash
# A two-node SLURM cluster on two test hosts (network namespaces; slurm_hosts.sh):
# launch/slurm/train.sbatch with --nodes 2, one rank per node, trains through srun --mpi=pmix
# and through mpirun inside the allocation, each giving the weights one process with two
# threads gives (the same two batch chunks); then SIGUSR1 to the batch shell -> checkpoint ->
# requeue -> resume across the two nodes ends bit-identical too. Skipped (exit 77) without
# root, network namespaces or SLURM.
# Usage: test_multihost_slurm.sh BIN_DIR SOURCE_DIR
set -uo pipefail
here=$(dirname "$0")
source "$here/../cli/harness.sh"
source "$here/netns_hosts.sh"
source "$here/slurm_hosts.sh"
bin=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
source "$src/tests/slurm/run_job.sh"
why=$(hosts_available) || { echo "SKIP MultiHost: $why"; exit 77; }
for d in slurmctld slurmd munged srun nsenter unshare; do
  command -v "$d" >/dev/null || { echo "SKIP MultiHostSlurm: $d not installed"; exit 77; }
done
cleanup_hooks+=("slurm_down" "hosts_down")
hosts_up 2
slurm_up "$work/slurm" 2 || { echo "FAIL the two-node cluster did not start"; exit 1; }
ok "two slurmd on two test hosts: $(sinfo -h -o '%N %T' | tr '\n' ' ')"

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_mpi_yield_when_idle=1
# MPI between the nodes over the hosts' network only (TCP; no shared memory across hosts).
export OMPI_MCA_btl=self,tcp OMPI_MCA_btl_tcp_if_include="$MH_NET.0/24"
export OMPI_MCA_oob_tcp_if_include="$MH_NET.0/24" OMPI_MCA_routed=direct
checksum() {
  /usr/bin/python3 -c "import h5py,sys; print(h5py.File(sys.argv[1],'r').attrs['weights_checksum'])" "$1/best_model.h5" 2>/dev/null
}

"$bin/make_test_dataset" "$work/data.h5" 1200 300 || { echo "FAIL dataset"; exit 1; }
cat > "$work/small.ini" <<INI
data = $work/data.h5
num_words = 40
maxlen = 24
embedding_dim = 8
units = 6
batch_size = 32
epochs = 2
patience = 3
log_every = 1000
INI
OMP_NUM_THREADS=2 "$bin/rnnsent_train" --config "$work/small.ini" --threads 2 \
  --output_dir "$work/p1" > "$work/p1.log" 2>&1 || fail "one process: $(tail -1 "$work/p1.log")"
want=$(checksum "$work/p1")

for launcher in srun mpirun; do
  run_job "$launcher" --nodes=2 --ntasks-per-node=1 --cpus-per-task=1 \
    --export=ALL,CONFIG="$work/small.ini",RNNSENT_BIN="$bin",LAUNCHER="$launcher" \
    "$src/launch/slurm/train.sbatch" --output_dir "$work/$launcher"
  if [ "$state" = COMPLETED ] && [ "$exit_code" = 0:0 ]; then ok "$launcher: job COMPLETED on 2 nodes"; else
    fail "$launcher: job $state exit $exit_code: $(tail -n 3 "$job_err" "$job_out" 2>/dev/null | tr '\n' ' ')"; fi
  grep -q "on node\[1-2\]" "$job_out" && grep -q "2 rank(s) x 1 thread(s)" "$job_out" &&
    ok "$launcher: 2 ranks x 1 thread on node[1-2]" || fail "$launcher: log: $(head -n 3 "$job_out" | tr '\n' ' ')"
  got=$(checksum "$work/$launcher")
  [ -n "$want" ] && [ "$got" = "$want" ] && ok "$launcher: weights == 1 process x 2 threads (checksum $want)" ||
    fail "$launcher: checksum $got != one process $want"
done

# Preemption across the nodes: USR1 to the batch shell (what --signal=B:USR1@120 does) once
# the job is well into training; the ranks checkpoint and exit 75, the script requeues, the
# rerun resumes on both nodes and ends with the uninterrupted weights.
"$bin/make_test_dataset" "$work/big.h5" 6000 200 || { echo "FAIL dataset"; exit 1; }
sed "s|^data = .*|data = $work/big.h5|; s|^maxlen = .*|maxlen = 200|; s|^epochs = .*|epochs = 8|; s|^patience = .*|patience = 8|" \
  "$work/small.ini" > "$work/big.ini"
echo "checkpoint_every = 20" >> "$work/big.ini"
OMP_NUM_THREADS=2 "$bin/rnnsent_train" --config "$work/big.ini" --threads 2 \
  --output_dir "$work/big-p1" > "$work/big-p1.log" 2>&1 || fail "one process (big): $(tail -1 "$work/big-p1.log")"
id=$(sbatch --parsable --chdir="$work" --output="$work/requeue.out" --error="$work/requeue.err" \
  --nodes=2 --ntasks-per-node=1 --cpus-per-task=1 \
  --export=ALL,CONFIG="$work/big.ini",RNNSENT_BIN="$bin" \
  "$src/launch/slurm/train.sbatch" --output_dir "$work/requeued")
preempt_job "$id"
want=$(checksum "$work/big-p1")
if [ "$state" = COMPLETED ] && [ "$restarts" = Restarts=1 ] && grep -q "requeueing job" "$work/requeue.out" &&
   grep -q "resuming from" "$work/requeue.out" && [ -n "$want" ] && [ "$(checksum "$work/requeued")" = "$want" ]; then
  ok "USR1 -> checkpoint -> requeue -> resume on 2 nodes: COMPLETED, bit-identical to the uninterrupted run"
else
  fail "requeue across nodes: $state $restarts; $(grep -E 'rnnsent-train|resuming|interrupted|error' "$work/requeue.out" "$work/requeue.err" | tr '\n' ' ')"
fi
finish
