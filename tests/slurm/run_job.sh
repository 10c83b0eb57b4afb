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
