#!/usr/bin/env bash
# Fault injection at random moments: N runs (default 20) of a small training job, each hit by
# SIGKILL or SIGUSR1 after a random delay, then continued with --resume auto until it finishes.
# Checks that --resume auto never fails and that every run ends with the uninterrupted run's
# weights, bit for bit. Usage: bash bench/kill_points.sh [N] [seed] [checkpoint_every]
set -uo pipefail
cd "$(dirname "$0")/.."
n=${1:-20} seed=${2:-1} every=${3:-5}  # every: checkpoint_every (0 = epoch ends only)
bin=build/bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMP_NUM_THREADS=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
"$bin/make_test_dataset" "$work/data.h5" 6000 200 >/dev/null
args=(--data "$work/data.h5" --num_words 40 --maxlen 200 --embedding_dim 8 --units 16 --batch_size 32
      --epochs 8 --patience 8 --learning_rate 0.01 --threads 1 --log_every 1000 --checkpoint_every "$every")
checksum() { /usr/bin/python3 -c "import h5py,sys; print(h5py.File(sys.argv[1],'r').attrs['weights_checksum'])" "$1/best_model.h5"; }
start=$(date +%s.%N)
"$bin/rnnsent_train" "${args[@]}" --output_dir "$work/ref" > /dev/null 2>&1 || { echo "reference run failed"; exit 1; }
duration=$(echo "$start $(date +%s.%N)" | awk '{ print $2 - $1 }')
echo "reference run: ${duration}s; kill points drawn uniformly over it"
ref=$(checksum "$work/ref")
RANDOM=$seed
good=0 bad=0
for i in $(seq "$n"); do
  dir="$work/run$i"
  signal=$([ $((RANDOM % 2)) = 0 ] && echo KILL || echo USR1)
  delay=$(awk -v r=$RANDOM -v d="$duration" 'BEGIN { printf "%.2f", 0.3 + (r / 32768) * (d - 0.4) }')
  "$bin/rnnsent_train" "${args[@]}" --output_dir "$dir" > "$dir.log" 2>&1 &
  pid=$!
  disown "$pid" 2>/dev/null || true
  sleep "$delay"; kill -"$signal" "$pid" 2>/dev/null
  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  rc=1; [ -f "$dir/summary.json" ] && ! grep -q interrupted "$dir.log" && rc=0
  resumes=0 status=ok
  while [ ! -f "$dir/summary.json" ] || [ "$rc" != 0 ]; do
    resumes=$((resumes + 1))
    "$bin/rnnsent_train" "${args[@]}" --output_dir "$dir" --resume auto >> "$dir.log" 2>&1; rc=$?
    if [ "$rc" != 0 ] || [ "$resumes" -gt 2 ]; then status="resume failed (exit $rc)"; break; fi
  done
  [ "$status" = ok ] && [ "$(checksum "$dir")" != "$ref" ] && status="weights differ"
  [ "$status" = ok ] && good=$((good + 1)) || bad=$((bad + 1))
  echo "run $i: SIG$signal after ${delay}s, $( [ "$resumes" = 0 ] && echo "finished before the signal" || echo "interrupted, $resumes resume(s)" ): $status"
done
echo "$good passed, $bad failed"
[ "$bad" = 0 ]
