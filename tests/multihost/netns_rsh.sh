#!/usr/bin/env bash
# mpirun's remote-shell agent for the namespace test hosts (netns_hosts.sh): skips ssh-style
# options, maps the host address MH_NET.N to namespace MH_PREFIX hN and runs the command there
# under its own hostname (MH_PREFIX hN, in a UTS namespace of its own). Distinct hostnames
# matter: a daemon that reports mpirun's own hostname gets mistaken for mpirun's node, and about
# one launch in ten then failed with "ORTE does not know how to route a message".
while [ $# -gt 0 ] && [ "${1#-}" != "$1" ]; do shift; done
host=$1
shift
name="${MH_PREFIX}h${host##*.}"
exec ip netns exec "$name" unshare --uts /bin/sh -c "hostname $name && $*"
