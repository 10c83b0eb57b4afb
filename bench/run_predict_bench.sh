#!/usr/bin/env bash
# Prediction speed, side by side with the PyTorch peer's forward-only pass in the same run:
# - latency of one sentence as a whole process (start to output), 10 runs;
# - throughput scoring the 25,000 test reviews from a text file (one review per line),
#   rnnsent_predict vs torch_seed_model.py --bench-infer (forward only, batch 128, T 500).
# Usage: bash bench/run_predict_bench.sh MODEL.h5 [IMDB_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
model="${1:?usage: run_predict_bench.sh MODEL.h5 [IMDB_DIR]}"
imdb_dir="${2:-data/extract/aclImdb}"
threads="${THREADS:-2}"
export OMP_NUM_THREADS=$threads
reviews=$(mktemp)
trap 'rm -f "$reviews"' EXIT
for f in "$imdb_dir"/test/pos/*.txt "$imdb_dir"/test/neg/*.txt; do tr '\n\r' '  ' < "$f"; echo; done > "$reviews"
echo "== $(wc -l < "$reviews") test reviews, $threads threads"
sentence="This movie is really bad . I do not like this movie because the direction was horrible ."
build/bin/rnnsent_predict --model "$model" "$sentence" > /dev/null  # warm the page cache
best=999
for _ in $(seq 10); do
  t0=$(date +%s.%N); build/bin/rnnsent_predict --model "$model" "$sentence" > /dev/null; t1=$(date +%s.%N)
  best=$(echo "$t0 $t1 $best" | awk '{d = $2 - $1; print (d < $3 ? d : $3)}')
done
echo "RESULT rnnsent one-sentence process latency (best of 10) = ${best} s"
for round in 1 2; do
  t0=$(date +%s.%N)
  build/bin/rnnsent_predict --model "$model" --input "$reviews" --format tsv > /dev/null
  t1=$(date +%s.%N)
  echo "$t0 $t1" | awk '{printf "RESULT rnnsent predict 25000 reviews: %.2f s = %.0f reviews/s\n", $2 - $1, 25000 / ($2 - $1)}'
  if [ -f ../shared/peers/torch_seed_model.py ]; then
    /usr/bin/python3 ../shared/peers/torch_seed_model.py --threads "$threads" --bench-batches 40 \
      --bench-infer --bench-no-train | grep RESULT
  fi
done
