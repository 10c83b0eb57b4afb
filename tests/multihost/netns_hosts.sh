# Test hosts as network namespaces on one machine (sourced by the MultiHost tests): each host
# has its own network stack and address on a bridge, the processes share the filesystem (one
# build, one dataset). mpirun reaches them through netns_rsh.sh; MPI then talks TCP only.
# Needs root and iproute2; hosts_available says why not when it cannot run.
export MH_PREFIX=${MH_PREFIX:-rnsmh$$}
export MH_NET=10.78.$(( $$ % 200 + 20 ))
MH_BRIDGE="${MH_PREFIX}br"
mh_hosts=()

hosts_available() {
  [ "$(id -u)" -eq 0 ] || { echo "needs root (network namespaces)"; return 1; }
  command -v ip >/dev/null || { echo "needs iproute2 (ip)"; return 1; }
  ip netns add "${MH_PREFIX}probe" 2>/dev/null || { echo "cannot create a network namespace"; return 1; }
  ip netns del "${MH_PREFIX}probe"
}

# Removes the test hosts of test processes that no longer run (a test killed before its
# cleanup): their bridges would keep a route to a subnet a new test may draw again.
hosts_reap_stale() {
  local name pid
  for name in $(ip -o link show | grep -o 'rnsmh[0-9]*br' | sort -u) \
              $(ip netns list | grep -o '^rnsmh[0-9]*h[0-9]*'); do
    pid=${name#rnsmh}; pid=${pid%%[a-z]*}
    kill -0 "$pid" 2>/dev/null && continue
    case $name in
      *br) ip link del "$name" 2>/dev/null ;;
      *) ip netns pids "$name" | xargs -r kill -9 2>/dev/null; ip netns del "$name" 2>/dev/null ;;
    esac
  done
}

# hosts_up N: hosts 1..N at $MH_NET.1 .. $MH_NET.N, the root namespace at $MH_NET.254.
hosts_up() {
  hosts_reap_stale
  # Every host shares /tmp: a private base for Open MPI's session directories per test keeps a
  # killed run's leftovers out of the next.
  MH_TMP=$(mktemp -d /tmp/rnnsent-mh.XXXXXX)
  ip link add "$MH_BRIDGE" type bridge
  ip addr add "$MH_NET.254/24" dev "$MH_BRIDGE"
  ip link set "$MH_BRIDGE" up
  for i in $(seq 1 "$1"); do
    local ns="${MH_PREFIX}h$i"
    ip netns add "$ns"
    ip link add "${MH_PREFIX}v$i" type veth peer name eth0 netns "$ns"
    ip link set "${MH_PREFIX}v$i" master "$MH_BRIDGE" up
    ip netns exec "$ns" ip addr add "$MH_NET.$i/24" dev eth0
    ip netns exec "$ns" ip link set eth0 up
    ip netns exec "$ns" ip link set lo up
    mh_hosts+=("$MH_NET.$i")
  done
}

hosts_down() {
  for i in $(seq 1 ${#mh_hosts[@]}); do
    # Each step may find its object gone already (deleting a namespace deletes its veth end,
    # and with it the pair), and a caller under `set -e` must not exit non-zero for that.
    ip netns pids "${MH_PREFIX}h$i" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "${MH_PREFIX}h$i" 2>/dev/null || true
    ip link del "${MH_PREFIX}v$i" 2>/dev/null || true
  done
  ip link del "$MH_BRIDGE" 2>/dev/null || true
  if [ -n "${MH_TMP:-}" ]; then rm -rf "$MH_TMP"; fi
  mh_hosts=()
}

# The host's link from the bridge side: cut it (down), restore it (up) or limit it (tbf).
# Restoring it also forgets the neighbour (ARP) entries both sides left unresolved while it was
# down: a daemon of the cut run kept probing, and a new daemon's first connect then joined that
# dying resolution and failed at once ("unable to complete a TCP connection"; 2 launches in 3).
host_link() {
  ip link set "${MH_PREFIX}v$1" "$2"
  if [ "$2" = up ]; then
    ip netns exec "${MH_PREFIX}h$1" ip neigh flush all
    ip neigh flush dev "$MH_BRIDGE"
  fi
}
host_limit() { ip netns exec "${MH_PREFIX}h$1" tc qdisc replace dev eth0 root tbf rate "$2" burst 1mbit latency 50ms; }

# mpirun across the hosts (ended after MH_TIMEOUT seconds, default 300), TCP only: the tests are
# about the network path, so ranks on one test host talk TCP too. Every host runs under a
# hostname of its own (netns_rsh.sh). TCP keepalive on mpirun's own connections makes it notice
# a lost host within about 25 s (the README's advice for clusters) instead of 8 minutes.
# routed=direct: every daemon talks to mpirun itself, as on a small cluster. --bind-to none:
# each host's daemon would bind its first rank to core 0, and the test hosts share one
# machine's cores, so every host's rank 0 would share core 0 (this halved the samples/s across
# hosts: 1,570 against 2,990 on one host; unbound 2,970).
mh_mpirun() {
  timeout "${MH_TIMEOUT:-300}" mpirun --mca plm_rsh_agent "$(dirname "${BASH_SOURCE[0]}")/netns_rsh.sh" \
    --mca orte_tmpdir_base "$MH_TMP" --mca routed direct --bind-to none \
    --mca oob_tcp_keepalive_time 15 --mca oob_tcp_keepalive_intvl 3 \
    --mca oob_tcp_keepalive_probes 3 \
    --mca oob_tcp_if_include "$MH_NET.0/24" --mca btl tcp,self \
    --mca btl_tcp_if_include "$MH_NET.0/24" -x OMP_NUM_THREADS \
    -x OMPI_MCA_mpi_yield_when_idle "$@"
}
