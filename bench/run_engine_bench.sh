#!/usr/bin/env bash
# Training samples/s of each shipped recipe against the PyTorch peer with the same cell,
# direction, widths and dropout, side by side in one run (two interleaved rounds), then the
# ratio of each pair. rnnsent is timed as a user runs it: rnnsent_train on 2,560 reviews for
# one epoch (summary.json's train_samples_per_s: the training steps only); the peer times 10
# training batches of the same shape (T 500, batch 128).
# ISA=avx2 runs both sides as on an AVX2 + FMA machine, on an AVX-512 one: rnnsent with
# DNNL_MAX_CPU_ISA=AVX2 (oneDNN) and RNNSENT_MAX_CPU_ISA=avx2 (the cells' kernels,
# core/cpu_isa.hpp), the peer with ATEN_CPU_CAPABILITY=avx2 (ATen's kernels) and
# OPENBLAS_CORETYPE=Haswell (its BLAS). Only the instruction set is emulated: the caches, clock
# and memory stay this machine's.
# PEER_FLUSH=1 runs the peer with torch.set_flush_denormal(True): PyTorch does not flush
# subnormal floats by default, and on Intel cores the GRU peer then runs 3-4x slower than it can
# (docs/PERFORMANCE.md, eighth session); rnnsent always flushes (core/flush_denormals.hpp).
# Usage: [ISA=avx2] [PEER_FLUSH=1] bash bench/run_engine_bench.sh [DATA.h5] [THREADS=2] [CONFIG ...]
# Needs: python3-torch, python3-numpy, libopenblas0-openmp (a fair peer), a built tree.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-data/imdb.h5}"
threads="${2:-2}"
shift $(( $# > 2 ? 2 : $# ))
configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(configs/imdb.ini configs/imdb_lstm.ini configs/imdb_gru.ini configs/imdb_best.ini)
peer=../shared/peers/torch_seed_model.py
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
ours_env=() peer_env=()
case "${ISA:-native}" in
  native) ;;
  avx2) ours_env=(DNNL_MAX_CPU_ISA=AVX2 RNNSENT_MAX_CPU_ISA=avx2)
        peer_env=(ATEN_CPU_CAPABILITY=avx2 OPENBLAS_CORETYPE=Haswell) ;;
  *) echo "run_engine_bench.sh: ISA must be native or avx2, not '$ISA'" >&2; exit 2 ;;
esac
isa=$(grep -qw avx512f /proc/cpuinfo && echo AVX-512 || echo "AVX2, no AVX-512")
echo "instruction set: $isa, run as ${ISA:-native}; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); threads $threads"
case "${PEER_FLUSH:-0}" in
  0) peer_run=(/usr/bin/python3 "$peer") ;;
  1) peer_run=(/usr/bin/python3 -c 'import runpy, sys, torch; torch.set_flush_denormal(True); sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name="__main__")' "$peer")
     echo "peer: subnormal floats flushed (torch.set_flush_denormal)" ;;
  *) echo "run_engine_bench.sh: PEER_FLUSH must be 0 or 1, not '$PEER_FLUSH'" >&2; exit 2 ;;
esac

# The peer's flags for a config: its cell, direction and embedding dropout.
peer_flags() {
  local cfg=$1 cell bi dropout
  cell=$(awk -F' *= *' '$1=="cell"{print $2}' "$cfg"); cell=${cell:-rnn}
  [ "$cell" = simple_rnn ] && cell=rnn
  bi=$(awk -F' *= *' '$1=="bidirectional"{print $2}' "$cfg")
  dropout=$(awk -F' *= *' '$1=="dropout"{print $2}' "$cfg")
  echo "--cell $cell ${bi:+$([ "$bi" = true ] && echo --bidirectional)} --dropout ${dropout:-0}"
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for round in 1 2; do
  for cfg in "${configs[@]}"; do
    name=$(basename "$cfg" .ini)
    out="$work/$name-$round"
    # --bigram_buckets 0: the peer has no bigram rows, so both sides run the same model.
    env "${ours_env[@]}" build/bin/rnnsent_train --config "$cfg" --data "$data" --output_dir "$out" --max_train 2560 \
      --epochs 1 --max_test 256 --threads "$threads" --bigram_buckets 0 --negation_scope 0 >"$out.log" 2>&1 ||
      { echo "rnnsent_train failed on $cfg:"; tail -3 "$out.log"; exit 1; }
    ours=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['train_samples_per_s'])" "$out/summary.json")
    # shellcheck disable=SC2046
    theirs=$(env "${peer_env[@]}" "${peer_run[@]}" $(peer_flags "$cfg") --threads "$threads" --bench-batches 10 |
      awk '/RESULT/ && /train/ {print $NF}')
    printf "round %d %-10s rnnsent %8.1f  peer %7.1f  ratio %5.2fx\n" "$round" "$name" "$ours" \
      "$theirs" "$(python3 -c "print($ours / $theirs)")"
  done
done
