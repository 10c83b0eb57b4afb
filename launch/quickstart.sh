#!/usr/bin/env bash
# The newcomer's one command: install the Debian packages, build, prepare the IMDB data, train
# the course model (configs/imdb.ini) on one rank, print its test accuracy, score the course's
# example sentence and plot the history. Options are passed to prepare_data.sh
# (--archive PATH or --imdb-dir DIR); extra training flags go after `--`.
set -euo pipefail
cd "$(dirname "$0")/.."
data_args=() train_args=()
while [ $# -gt 0 ]; do
  if [ "$1" = "--" ]; then shift; train_args=("$@"); break; fi
  data_args+=("$1"); shift
done
# The packages: as root directly; as a user install_deps.sh succeeds only when none is missing,
# and otherwise sudo runs it.
if [ "$(id -u)" -eq 0 ]; then
  bash launch/install_deps.sh
elif ! bash launch/install_deps.sh 2>/dev/null; then
  if ! command -v sudo >/dev/null; then
    echo "quickstart: Debian packages are missing and there is no sudo; run launch/install_deps.sh as root" >&2
    exit 1
  fi
  sudo bash launch/install_deps.sh
fi
bash launch/build.sh
bash launch/prepare_data.sh "${data_args[@]}"
run_dir="runs/imdb-$(date +%Y%m%d-%H%M%S)"
build/bin/rnnsent_train --config configs/imdb.ini --output_dir "$run_dir" "${train_args[@]}"
sentence="This movie is really bad . I do not like this movie because the direction was horrible ."
build/bin/rnnsent_predict --model "$run_dir/best_model.h5" "$sentence"
/usr/bin/python3 launch/plot_history.py "$run_dir/history.h5" || echo "quickstart: plots need python3-matplotlib"
echo "quickstart: model, history, plots and summary are in $run_dir"
