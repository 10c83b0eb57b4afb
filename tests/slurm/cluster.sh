#!/usr/bin/env bash
# Starts or stops munged, slurmctld and slurmd on localhost (root, no systemd), for tests.
# Usage: cluster.sh up | down
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
wait_for() {  # wait_for SECONDS COMMAND...: retry until it succeeds
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@" >/dev/null 2>&1; do [ "$(date +%s)" -lt "$deadline" ] || return 1; sleep 0.2; done
}
case "${1:-}" in
  up)
    install -D -m 644 "$here/slurm.conf" /etc/slurm/slurm.conf
    if [ ! -s /etc/munge/munge.key ]; then
      head -c 1024 /dev/urandom > /etc/munge/munge.key
      chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
    fi
    install -d -o munge -g munge -m 755 /run/munge
    install -d -o slurm -g slurm -m 755 /run/slurm /var/log/slurm /var/lib/slurm/slurmctld
    install -d -m 755 /var/lib/slurm/slurmd
    munge -n >/dev/null 2>&1 || runuser -u munge -- /usr/sbin/munged
    wait_for 10 munge -n
    slurmctld
    wait_for 20 sh -c 'scontrol ping | grep -q UP'
    slurmd -N localhost
    wait_for 30 sh -c '[ "$(sinfo -h -o %T)" = idle ]' || {
      echo "cluster.sh: node not idle" >&2; tail -5 /var/log/slurm/*.log >&2; exit 1; }
    ;;
  down)
    scontrol shutdown >/dev/null 2>&1 || true
    for f in /run/slurm/slurmd.pid /run/slurm/slurmctld.pid /run/munge/munged.pid; do
      [ -s "$f" ] || continue
      pid=$(cat "$f")
      case "$f" in *munged.pid) kill "$pid" 2>/dev/null || true ;; esac
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$f"
    done
    ;;
  *) echo "usage: cluster.sh up|down" >&2; exit 2 ;;
esac
