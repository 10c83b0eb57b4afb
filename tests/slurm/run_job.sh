# run_job NAME SBATCH_ARGS... -- SCRIPT ARGS...: submits with sbatch, waits up to 240 s for the
# job to leave the queue, and sets $state, $exit_code, $job_out and $job_err (sourced by the
# SLURM tests; needs $work).
run_job() {
  local name="$1"; shift
  local id
  id=$(sbatch --parsable --chdir="$work" --output="$work/$name-%j.out" --error="$work/$name-%j.err" "$@") || { state=SUBMIT_FAILED; return; }
  local deadline=$(( $(date +%s) + 240 ))
  while [ -n "$(squeue -h -j "$id" 2>/dev/null)" ] && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.5; done
  local info; info=$(scontrol show job "$id")
  state=$(printf '%s' "$info" | grep -o 'JobState=[A-Z_]*' | cut -d= -f2)
  exit_code=$(printf '%s' "$info" | grep -o ' ExitCode=[0-9:]*' | cut -d= -f2)
  job_out="$work/$name-$id.out" job_err="$work/$name-$id.err"
}

# preempt_job ID: the preemption a time limit brings, once job ID is well into training (its
# output $work/requeue.out shows epoch 4): SIGUSR1 to the batch shell (what
# --signal=B:USR1@120 does). Waits up to 240 s for the requeued rerun to complete and sets
# $state and $restarts. A signal that reached srun 0.8 s after the launch, on a loaded machine,
# made Slurm cancel the step instead of forwarding it (slurmd: "STEP CANCELLED"; the rank then
# died in PMIx's error path); real preemption signals come minutes after the launch.
preempt_job() {
  local id=$1 info deadline
  for _ in $(seq 1200); do grep -q "Epoch 4/" "$work/requeue.out" 2>/dev/null && break; sleep 0.05; done
  scancel --signal=USR1 --batch "$id"
  deadline=$(( $(date +%s) + 240 ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    info=$(scontrol show job "$id")
    printf '%s' "$info" | grep -q "JobState=COMPLETED" && printf '%s' "$info" | grep -q "Restarts=1" && break
    printf '%s' "$info" | grep -qE "JobState=(FAILED|CANCELLED|TIMEOUT)" && break
    sleep 0.5
  done
  restarts=$(scontrol show job "$id" | grep -o 'Restarts=[0-9]*')
  state=$(scontrol show job "$id" | grep -o 'JobState=[A-Z_]*' | cut -d= -f2)
}
