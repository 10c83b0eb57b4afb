#!/usr/bin/env bash
# Fuzzes one libFuzzer target for SECONDS from its committed seed corpus (read only) plus a
# scratch corpus in the build tree (where libFuzzer adds what it finds), with the sanitizer
# options of launch/run_sanitized_tests.sh. A crash, leak, UB report, out-of-memory or timeout
# fails the test and leaves the input in WORK/artifacts/; reproduce with `TARGET FILE`.
# --hdf5: for the HDF5 readers. libFuzzer runs in fork mode and goes on after a crash, leak,
# timeout or out-of-memory, and tests/fuzz/triage.py then sorts them: one inside libhdf5 itself
# (Debian's 1.10.8 trusts sizes in damaged files, docs/FUZZING.md) is reported and tolerated,
# any other fails the test.
# Usage: run_fuzzer.sh [--hdf5] TARGET SEED_CORPUS WORK [SECONDS=30] [extra libFuzzer flags...]
set -euo pipefail
hdf5=0
if [ "${1:-}" = --hdf5 ]; then hdf5=1; shift; fi
target=$1 seeds=$2 work=$3 seconds=${4:-30}
shift $(( $# < 4 ? $# : 4 ))
rm -rf "$work/artifacts"
mkdir -p "$work/corpus" "$work/artifacts"
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
# The inputs that once crashed (tests/fuzz/regressions/<target>/) are replayed too.
corpora=("$work/corpus" "$seeds")
regressions="$(dirname "$seeds")/../regressions/$(basename "$seeds")"
[ -d "$regressions" ] && corpora+=("$regressions")
# -rss_limit_mb and -malloc_limit_mb: a hostile file must not make rnnsent allocate gigabytes.
# -timeout: one input may take at most 10 s. -print_final_stats: executions for the log.
flags=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024
       -print_final_stats=1 -artifact_prefix="$work/artifacts/")
# The targets' scratch files (one per process; a crashed process leaves its own) go here.
RNNSENT_FUZZ_SCRATCH=$(mktemp -d /dev/shm/rnnsent-fuzz.XXXXXX 2>/dev/null || mktemp -d)
export RNNSENT_FUZZ_SCRATCH
trap 'rm -rf "$RNNSENT_FUZZ_SCRATCH"' EXIT
status=0
if [ "$hdf5" = 0 ]; then
  "$target" "${flags[@]}" "$@" "${corpora[@]}" || status=$?
  exit "$status"
fi
"$target" "${flags[@]}" -fork=1 -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1 "$@" \
  "${corpora[@]}" 2>&1 | tee "$work/fuzz.log" || true
# libFuzzer's exit status is that of the last crash, timeout or OOM it went past (ASan's 1,
# LSan's 23, 70, 71, 77): those are triage's to judge. The run itself must have reached its end.
if ! grep -q "INFO: fuzzed for\|INFO: exiting:\|^Done " "$work/fuzz.log"; then
  echo "run_fuzzer.sh: $target did not run to its end" >&2
  status=1
fi
python3 "$(dirname "$0")/triage.py" "$target" "$work/artifacts" || status=1
exit "$status"
