#!/usr/bin/env bash
# Builds rnnsent and runs every test with ctest. The end-to-end test needs the IMDB archive:
# RNNSENT_IMDB_ARCHIVE, else ../shared/data/aclImdb_v1_labeled.tar.gz beside the checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
bash launch/build.sh
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_mpi_yield_when_idle=1
ctest --test-dir build --output-on-failure --timeout 900 "$@"
