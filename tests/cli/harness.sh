# Shared by the shell tests in tests/cli and tests/slurm: a scratch folder removed on exit
# (kept when KEEP is set), background jobs killed on exit, and ok/fail counters that end in
# the "N passed, N failed" line ctest and CI read.
work=$(mktemp -d /tmp/rnnsent-test.XXXXXX)
chmod 755 "$work"
cleanup_hooks=()
trap 'for h in "${cleanup_hooks[@]}"; do eval "$h"; done; kill -9 $(jobs -p) 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
failures=0 passed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failures=$((failures + 1)); }
finish() {
  echo "$passed passed, $failures failed"
  [ "$failures" -eq 0 ]
}
