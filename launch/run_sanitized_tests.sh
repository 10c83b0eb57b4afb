#!/usr/bin/env bash
# The test suite under AddressSanitizer + UndefinedBehaviorSanitizer, then a short run of every
# fuzz target (docs/FUZZING.md):
#   1. gcc, -DRNNSENT_SANITIZE=ON into build-asan/, and ctest there: unit tests, the MPI
#      equivalence tests under mpirun, the executables end to end. Left out: the full-archive
#      end-to-end test (minutes under ASan; the release suite runs it), the SLURM job, the
#      MultiHost tests and CliResume (see below).
#   2. clang-14, -DRNNSENT_FUZZ=ON into build-fuzz/, and `ctest -L fuzz`: each Fuzz* test
#      fuzzes one parser for RNNSENT_FUZZ_SECONDS seconds (15 here, CI's 30-minute budget;
#      set it to fuzz longer) from its committed corpus.
# Any ASan, LSan or UBSan report fails the test it happens in. Leak suppressions (only for
# leaks inside system libraries) are in tests/sanitizer/lsan.supp, each with its reason.
# Usage: launch/run_sanitized_tests.sh [--no-fuzz | --fuzz-only] [extra ctest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
asan=1 fuzz=1
case "${1:-}" in
  --no-fuzz) fuzz=0; shift ;;
  --fuzz-only) asan=0; shift ;;
esac
jobs=${JOBS:-$(nproc)}
# -O1: a speed the end-to-end tests can live with; asserts stay on. -g1: line tables only, all
# a stack trace needs (file:line per frame), and much cheaper to compile and link than -g.
flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1"
       -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1")

# fast_unwind_on_malloc=0: whole allocation stacks, which the suppressions need (lsan.supp).
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:fast_unwind_on_malloc=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export LSAN_OPTIONS=suppressions=$root/tests/sanitizer/lsan.supp:print_suppressions=0
# The 100,000-line prediction test checks peak RSS: add ASan's 256 MB quarantine and shadow.
export RNNSENT_RSS_LIMIT_KB=600000
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_mpi_yield_when_idle=1

if [ "$asan" = 1 ]; then
  start=$SECONDS
  cmake -S . -B build-asan "${flags[@]}" -DRNNSENT_SANITIZE=ON >/dev/null
  cmake --build build-asan -j"$jobs"
  echo "run_sanitized_tests.sh: build-asan built in $((SECONDS - start)) s"
  start=$SECONDS
  # Left to the release build: the full-archive run, the SLURM job and the MultiHost tests
  # (they test launch across namespaces and time a lost host's deadline, which ASan's slowdown
  # would stretch; the code they run is the trainer the other sanitized tests run), and
  # CliResume (4.5 of the suite's 10 minutes under ASan, for checkpoint code CliHostile and the
  # io tests already run sanitized; CI has 30 minutes in all). For the same reason (a CI run
  # took 32.8 minutes) CliHostile, CliMpiLaunch, CliEvalPredict, CliOwnData, KerasLayout and
  # DistEquivalenceP4 run on the release build only: the parsers they drive are fuzzed and
  # their unit tests (config, HDF5 files, LabelledText, the trainer) run sanitized.
  ctest --test-dir build-asan --output-on-failure --timeout 900 \
    -E '^(ImdbEndToEndTest\.|SlurmTrainJob$|MultiHost|CliResume$|CliHostile$|CliMpiLaunch$|CliEvalPredict$|CliOwnData$|KerasLayout$|DistEquivalenceP4$)' "$@"
  echo "run_sanitized_tests.sh: sanitized suite ran in $((SECONDS - start)) s"
fi

if [ "$fuzz" = 1 ]; then
  if ! command -v clang++-14 >/dev/null; then
    echo "run_sanitized_tests.sh: clang++-14 missing (launch/install_deps.sh): fuzz targets skipped" >&2
    exit 1
  fi
  start=$SECONDS
  CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz "${flags[@]}" -DRNNSENT_FUZZ=ON \
    -DRNNSENT_FUZZ_SECONDS="${RNNSENT_FUZZ_SECONDS:-8}" >/dev/null
  cmake --build build-fuzz -j"$jobs" --target fuzz_targets
  echo "run_sanitized_tests.sh: build-fuzz built in $((SECONDS - start)) s"
  start=$SECONDS
  ctest --test-dir build-fuzz --output-on-failure -L fuzz
  echo "run_sanitized_tests.sh: fuzz targets ran in $((SECONDS - start)) s"
fi
