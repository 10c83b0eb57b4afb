#!/usr/bin/env bash
# mpirun's remote-shell agent for the namespace test hosts (netns_hosts.sh): skips ssh-style
# options, maps the host address MH_NET.N to namespace MH_PREFIX hN and runs the command there.
while [ $# -gt 0 ] && [ "${1#-}" != "$1" ]; do shift; done
host=$1
shift
exec ip netns exec "${MH_PREFIX}h${host##*.}" /bin/sh -c "$*"
