#!/usr/bin/env bash
# Against a real one-node SLURM (munged, slurmctld, slurmd started here and stopped on exit):
# submits launch/slurm/train.sbatch with 2 tasks on a small synthetic dataset, waits, checks the
# job's state, exit code and outputs, and that a failing rank fails the job; then scores with
# launch/slurm/predict.sbatch. Exits 77 (ctest: skipped) when SLURM is not installed; CI
# installs it.
# Usage: test_slurm_train.sh BIN_DIR SOURCE_DIR
set -uo pipefail
source "$(dirname "$0")/../cli/harness.sh"
bin=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
  echo "SKIP: slurmctld/slurmd/munge not installed (apt-get install slurmctld slurmd slurm-client munge)"
  exit 77
fi
if [ "$(id -u)" -ne 0 ]; then echo "SKIP: starting SLURM daemons needs root"; exit 77; fi

cleanup_hooks+=('bash "$src/tests/slurm/cluster.sh" down')
bash "$src/tests/slurm/cluster.sh" up || { echo "FAIL cluster did not start"; exit 1; }
"$bin/make_test_dataset" "$work/data.h5" 600 200 || exit 1
cat > "$work/small.ini" <<INI
data = $work/data.h5
num_words = 40
maxlen = 24
embedding_dim = 8
units = 6
batch_size = 16
epochs = 2
patience = 2
learning_rate = 0.01
log_every = 1000
INI

source "$src/tests/slurm/run_job.sh"

run_job train --ntasks=2 --ntasks-per-node=2 --cpus-per-task=1 \
  --export=ALL,CONFIG="$work/small.ini",RNNSENT_BIN="$bin" "$src/launch/slurm/train.sbatch" --output_dir "$work/run"
if [ "$state" = COMPLETED ] && [ "$exit_code" = 0:0 ]; then ok "training job COMPLETED, exit $exit_code"; else
  fail "training job $state exit $exit_code: $(tail -3 "$job_err" "$job_out" 2>/dev/null)"; fi
grep -q "2 rank(s) x 1 thread(s)" "$job_out" && ok "job ran 2 ranks x 1 thread" || fail "job log lacks 2 ranks: $(head -3 "$job_out")"
for f in best_model.h5 history.h5 summary.json; do
  [ -s "$work/run/$f" ] && ok "job wrote $f" || fail "job did not write $f"
done
grep -q '"ranks": 2' "$work/run/summary.json" && ok "summary says 2 ranks" || fail "summary: $(cat "$work/run/summary.json")"

# A failing rank fails the job (non-zero exit), it does not hang until the time limit.
run_job failing --ntasks=2 --ntasks-per-node=2 --cpus-per-task=1 \
  --export=ALL,CONFIG="$work/small.ini",RNNSENT_BIN="$bin",RNNSENT_TEST_FAIL_RANK=1 "$src/launch/slurm/train.sbatch" --output_dir "$work/failing"
if [ "$state" = FAILED ] && [ "$exit_code" != 0:0 ] && grep -q "rank 1: error" "$job_err"; then ok "failing rank fails the job ($exit_code)"; else
  fail "failing job: $state $exit_code"; fi

# Preemption (USR1 -> checkpoint -> requeue -> resume, bit for bit) is tested across two nodes
# by tests/multihost/test_multihost_slurm.sh: Slurm holds a requeued job for two minutes, and
# CI has 30 minutes for everything.

printf 'a good film\nbad\n' > "$work/reviews.txt"
run_job predict --export=ALL,MODEL="$work/run/best_model.h5",INPUT="$work/reviews.txt",OUTPUT="$work/pred.tsv",RNNSENT_BIN="$bin" \
  "$src/launch/slurm/predict.sbatch"
if [ "$state" = COMPLETED ] && [ "$(wc -l < "$work/pred.tsv")" = 3 ]; then ok "prediction job scored 2 reviews"; else
  fail "prediction job $state $exit_code: $(tail -2 "$job_err" 2>/dev/null)"; fi

finish
