# A two-node SLURM cluster on the namespace test hosts (sourced after netns_hosts.sh and
# hosts_up): slurmctld in the root namespace at $MH_NET.254, one slurmd per test host under its
# own hostname and address. Everything the daemons write (config, state, spool, logs, pid files)
# is under $1, and SLURM_CONF points every client and daemon at it; its own ports keep it apart
# from the one-node cluster of tests/slurm. Root daemons (SlurmUser=root): test only.
# slurm_up DIR NODES; slurm_down.

slurm_wait_for() {  # slurm_wait_for SECONDS COMMAND...: retry until it succeeds
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@" >/dev/null 2>&1; do [ "$(date +%s)" -lt "$deadline" ] || return 1; sleep 0.2; done
}

slurm_up() {
  local dir=$1 nodes=$2 i
  SLURM_DIR=$dir
  export SLURM_CONF="$dir/slurm.conf"
  mkdir -p "$dir/ctld"
  {
    echo "ClusterName=rnnsent-mh"
    echo "SlurmctldHost=$(hostname -s)($MH_NET.254)"
    echo "SlurmctldPort=6837"
    echo "SlurmdPort=6838"
    echo "SlurmUser=root"
    echo "SlurmdUser=root"
    echo "AuthType=auth/munge"
    echo "CredType=cred/munge"
    echo "StateSaveLocation=$dir/ctld"
    echo "SlurmctldPidFile=$dir/slurmctld.pid"
    echo "SlurmctldLogFile=$dir/slurmctld.log"
    echo "SlurmdSpoolDir=$dir/spool-%n"
    echo "SlurmdPidFile=$dir/slurmd-%n.pid"
    echo "SlurmdLogFile=$dir/slurmd-%n.log"
    # The PMIx plugin's per-step directories go under TmpFS: one per node, not a shared /tmp.
    echo "TmpFS=$dir/tmp-%n"
    echo "ProctrackType=proctrack/linuxproc"
    echo "TaskPlugin=task/none"
    echo "JobAcctGatherType=jobacct_gather/none"
    echo "AccountingStorageType=accounting_storage/none"
    echo "SelectType=select/cons_tres"
    echo "SelectTypeParameters=CR_Core"
    echo "MpiDefault=pmix"
    echo "MailProg=/bin/true"
    echo "EnforcePartLimits=ALL"
    echo "ReturnToService=2"
    echo "SlurmdParameters=config_overrides"
    echo "InactiveLimit=0"
    echo "KillWait=5"
    echo "MinJobAge=300"
    for i in $(seq 1 "$nodes"); do
      echo "NodeName=node$i NodeHostname=${MH_PREFIX}h$i NodeAddr=$MH_NET.$i CPUs=2 Sockets=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=4000 State=UNKNOWN"
    done
    echo "PartitionName=mh Nodes=node[1-$nodes] Default=YES MaxTime=INFINITE State=UP"
  } > "$SLURM_CONF"
  for i in $(seq 1 "$nodes"); do mkdir -p "$dir/spool-node$i" "$dir/tmp-node$i"; done
  if ! munge -n >/dev/null 2>&1; then
    if [ ! -s /etc/munge/munge.key ]; then
      head -c 1024 /dev/urandom > /etc/munge/munge.key
      chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
    fi
    install -d -o munge -g munge -m 755 /run/munge
    runuser -u munge -- /usr/sbin/munged
    SLURM_STARTED_MUNGE=1
  fi
  slurm_wait_for 10 munge -n || { echo "munged did not start"; return 1; }
  slurmctld || return 1
  slurm_wait_for 20 sh -c 'scontrol ping | grep -q UP' || { echo "slurmctld not up"; return 1; }
  for i in $(seq 1 "$nodes"); do
    local ns="${MH_PREFIX}h$i"
    # nsenter, not `ip netns exec`: that remounts /sys for the namespace, which hides the
    # cgroup mounts slurmd needs at start-up.
    nsenter --net="/run/netns/$ns" unshare --uts /bin/sh -c "hostname $ns && exec slurmd -N node$i" ||
      return 1
  done
  slurm_wait_for 40 sh -c '[ -z "$(sinfo -h -o %T | grep -v "^idle$")" ] && [ -n "$(sinfo -h -o %T)" ]' || {
    echo "nodes not idle: $(sinfo -h -o '%N %T' | tr '\n' ' ')"; for f in "$dir"/*.log; do echo "== $f"; tail -n 3 "$f"; done; return 1; }
}

slurm_down() {
  [ -n "${SLURM_CONF:-}" ] || return 0
  scontrol shutdown >/dev/null 2>&1
  local f pid
  for f in "$SLURM_DIR"/slurmd-*.pid "$SLURM_DIR/slurmctld.pid"; do
    [ -s "$f" ] || continue
    pid=$(cat "$f")
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  done
  if [ -n "${SLURM_STARTED_MUNGE:-}" ] && [ -s /run/munge/munged.pid ]; then
    kill "$(cat /run/munge/munged.pid)" 2>/dev/null
  fi
  unset SLURM_CONF
}
