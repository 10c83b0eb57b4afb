#!/usr/bin/env bash
# A lost host or link ends the job fast and cleanly: two test hosts train at P = 2 over TCP;
# (1) host 2's link is cut mid-run: the job ends non-zero within 60 s, rank 0's one line names
# the step and the silent rank, the newest checkpoint verifies and --resume auto finishes the
# run on the host that remains (P = 1); (2) rank 1's process is killed mid-run: the job ends
# within 60 s and the run resumes on both hosts once they are back (P = 2).
# Skipped (exit 77) without root or network namespaces.
# Usage: test_multihost_lost_host.sh BIN_DIR
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
"$bin/make_test_dataset" "$work/data.h5" 6000 300 || { echo "FAIL dataset"; exit 1; }
args=(--data "$work/data.h5" --num_words 40 --maxlen 300 --embedding_dim 32 --units 32
      --batch_size 32 --epochs 8 --patience 8 --log_every 20 --checkpoint_every 20 --threads 1)

# Starts a P=2 run across both hosts in the background; waits until it is in epoch 2.
start_run() {
  local out=$1
  MH_TIMEOUT=200 mh_mpirun -H "$h1,$h2" -np 2 "$bin/rnnsent_train" "${args[@]}" \
    --output_dir "$out" > "$out.log" 2>&1 &
  run_pid=$!
  for _ in $(seq 600); do tr '\r' '\n' < "$out.log" 2>/dev/null | grep -q "Epoch 2/" && return 0; sleep 0.1; done
  return 1
}
newest_checkpoint() { ls "$1"/checkpoints/ckpt-*.h5 2>/dev/null | sort | tail -1; }

# 1. A cut link.
start_run "$work/cut" || fail "the run did not reach epoch 2: $(tail -2 "$work/cut.log")"
host_link 2 down
t0=$(date +%s)
wait "$run_pid"; rc=$?
took=$(( $(date +%s) - t0 ))
[ "$rc" != 0 ] && [ "$took" -le 60 ] && ok "cut link: the job ended with exit $rc after $took s" \
  || fail "cut link: exit $rc after $took s"
line=$(tr '\r' '\n' < "$work/cut.log" | grep -o "rnnsent_train: rank 0: error: step [0-9]*:.*" | head -1)
printf '%s' "$line" | grep -qE "rank(\(s\))? 1 " && ok "rank 0 named the step and rank 1: $line" \
  || fail "no line from rank 0 naming rank 1: $(tr '\r' '\n' < "$work/cut.log" | grep -i error | head -2)"
ckpt=$(newest_checkpoint "$work/cut")
[ -n "$ckpt" ] && "$bin/rnnsent_ckpt" verify "$ckpt" > /dev/null 2>&1 && ok "newest checkpoint $(basename "$ckpt") verifies" \
  || fail "newest checkpoint '$ckpt' does not verify"
sleep 35  # the cut host's rank leaves after its own deadline and grace
ip netns exec "${MH_PREFIX}h1" "$bin/rnnsent_train" "${args[@]}" --output_dir "$work/cut" --resume auto \
  > "$work/cut-resume.log" 2>&1 && ok "--resume auto finished the run on the remaining host (P=1)" \
  || fail "resume on the remaining host: $(tr '\r' '\n' < "$work/cut-resume.log" | grep -i error | head -1)"
host_link 2 up

# 2. A killed rank.
start_run "$work/kill" || fail "the second run did not reach epoch 2: $(tr '\r' '\n' < "$work/kill.log" | tail -5)"
victim=$(ip netns pids "${MH_PREFIX}h2" | xargs -r ps -o pid=,comm= -p | awk '$2=="rnnsent_train"{print $1}' | head -1)
[ -n "$victim" ] && kill -9 "$victim"
t0=$(date +%s)
wait "$run_pid"; rc=$?
took=$(( $(date +%s) - t0 ))
[ -n "$victim" ] && [ "$rc" != 0 ] && [ "$took" -le 60 ] && ok "killed rank: the job ended with exit $rc after $took s" \
  || fail "killed rank ($victim): exit $rc after $took s"
MH_TIMEOUT=200 mh_mpirun -H "$h1,$h2" -np 2 "$bin/rnnsent_train" "${args[@]}" --output_dir "$work/kill" \
  --resume auto > "$work/kill-resume.log" 2>&1 && ok "--resume auto finished the run on both hosts (P=2)" \
  || fail "resume on both hosts: $(tr '\r' '\n' < "$work/kill-resume.log" | grep -i error | head -1)"
finish
