#!/usr/bin/env bash
# Installs rnnsent's build and run dependencies from Debian 12's packages (needs root).
# ocl-icd-opencl-dev is only there because Debian's oneDNN CMake config looks for OpenCL.
# clang-14, libclang-rt-14-dev (libFuzzer, ASan, UBSan runtimes) and libomp-14-dev (clang's
# OpenMP) build the fuzz targets of launch/run_sanitized_tests.sh; gcc's sanitizers need nothing.
set -euo pipefail
packages=(
  build-essential cmake
  openmpi-bin libopenmpi-dev
  libhdf5-dev hdf5-tools
  libdnnl-dev ocl-icd-opencl-dev
  libeigen3-dev libboost-program-options-dev libgtest-dev nlohmann-json3-dev
  libutf8proc-dev
  python3-h5py python3-numpy python3-matplotlib curl ca-certificates
  slurmctld slurmd slurm-client munge
  iproute2
  clang-14 libclang-rt-14-dev libomp-14-dev
)
# Nothing to do (and no network needed) when every package is already installed.
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install_deps.sh: all ${#packages[@]} packages are installed"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install_deps.sh: needs root for apt-get (${#missing[@]} missing: ${missing[*]}); run it as root or with sudo" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 "${packages[@]}" >/dev/null
echo "install_deps.sh: installed ${#packages[@]} packages"
