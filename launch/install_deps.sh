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
  python3-h5py python3-numpy python3-matplotlib curl ca-certificates
  slurmctld slurmd slurm-client munge
  iproute2
  clang-14 libclang-rt-14-dev libomp-14-dev
)
if [ "$(id -u)" -ne 0 ]; then
  echo "install_deps.sh: needs root (apt-get); run it with sudo" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 "${packages[@]}" >/dev/null
echo "install_deps.sh: installed ${#packages[@]} packages"
