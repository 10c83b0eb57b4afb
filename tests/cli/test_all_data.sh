#!/usr/bin/env bash
# Training on every training review (validation_split = 0) and checkpoint averaging
# (average_last_epochs, rnnsent_average), through the real executables: all epochs run,
# best_model.h5 is the latest, the averaged model is the mean of the epoch models (checked in
# NumPy), P = 2 equals one rank, a resume extends the average, and bad uses are refused.
# Usage: test_all_data.sh BIN_DIR
set -uo pipefail
source "$(dirname "$0")/harness.sh"
bin="$1"
export OMP_NUM_THREADS=2

"$bin/make_test_dataset" "$work/data.h5" 600 300 || exit 1
args=(--data "$work/data.h5" --num_words 40 --maxlen 24 --embedding_dim 8 --units 6 --batch_size 16
      --learning_rate 0.01 --validation_split 0 --patience 0 --progress none)
attr() { /usr/bin/python3 -c "import h5py,sys; print(h5py.File(sys.argv[1],'r').attrs[sys.argv[2]])" "$1" "$2"; }
json() { /usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }

# patience 0 would stop after epoch 2 on a val_ metric; without validation all 4 epochs run.
"$bin/rnnsent_train" "${args[@]}" --epochs 4 --average_last_epochs 3 --output_dir "$work/all" \
  > "$work/all.log" 2>&1 || { fail "training with validation_split 0: $(tail -1 "$work/all.log")"; exit 1; }
[ "$(json "$work/all/summary.json" epochs_run)" = 4 ] && ok "all 4 epochs run" || fail "epochs run: $(json "$work/all/summary.json" epochs_run)"
grep -q "0 validation" "$work/all.log" && ! grep -q "val_loss:" "$work/all.log" && ok "no validation reviews, no val_ figures printed" || fail "log: $(head -3 "$work/all.log")"
[ "$(attr "$work/all/best_model.h5" epoch)" = 4 ] && [ "$(attr "$work/all/best_model.h5" weights_checksum)" = "$(attr "$work/all/final_model.h5" weights_checksum)" ] \
  && ok "best_model.h5 is the latest epoch, the same weights as final_model.h5" || fail "best_model.h5 is not the last epoch"
/usr/bin/python3 -c "
import h5py, math, sys
h = h5py.File(sys.argv[1], 'r')
assert all(math.isnan(v) for v in h['val_loss'][:]) and all(math.isnan(v) for v in h['val_acc'][:]) and len(h['loss'][:]) == 4
" "$work/all/history.h5" && ok "history.h5: val_ metrics NaN" || fail "history.h5 val_ metrics"
# The averaged model is the mean of epochs 2-4's models, weight by weight.
if /usr/bin/python3 - "$work/all" <<'PY'
import h5py, numpy as np, sys
d = sys.argv[1]
avg = h5py.File(d + "/averaged_model.h5", "r")
eps = [h5py.File(d + "/models/epoch_%03d.h5" % e, "r") for e in (2, 3, 4)]
names = []
avg["model_weights"].visititems(lambda n, o: names.append("model_weights/" + n) if isinstance(o, h5py.Dataset) else None)
for n in names:
    want = np.mean([np.asarray(e[n], dtype=np.float64) for e in eps], axis=0)
    assert np.allclose(np.asarray(avg[n], dtype=np.float64), want, rtol=0, atol=1e-6), n
assert len(names) >= 4, names
assert [e.attrs["epoch"] for e in eps] == [2, 3, 4]
PY
then ok "averaged_model.h5 is the NumPy mean of the epoch 2-4 models"; else fail "averaged_model.h5 differs from the mean"; fi
"$bin/rnnsent_eval" --model "$work/all/averaged_model.h5" --data "$work/data.h5" --format json > "$work/avg.json" 2>&1 \
  && /usr/bin/python3 -c "
import json, sys
e, s = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert s['averaged_epochs'] == 3 and abs(e['accuracy'] - s['averaged_test_acc']) < 1e-9, (e, s)" "$work/avg.json" "$work/all/summary.json" \
  && ok "eval of averaged_model.h5 reproduces training's averaged test accuracy" || fail "averaged test figures: $(cat "$work/avg.json")"
"$bin/rnnsent_average" --output "$work/tool.h5" "$work/all/models/epoch_00"{2,3,4}.h5 > /dev/null 2>&1 \
  && [ "$(attr "$work/tool.h5" weights_checksum)" = "$(attr "$work/all/averaged_model.h5" weights_checksum)" ] \
  && ok "rnnsent_average writes the trainer's averaged weights" || fail "rnnsent_average differs from averaged_model.h5"
err=$("$bin/rnnsent_eval" --model "$work/all/best_model.h5" --data "$work/data.h5" --split val 2>&1 >/dev/null); rc=$?
[ "$rc" != 0 ] && [ "$(printf '%s' "$err" | grep -c '')" = 1 ] && printf '%s' "$err" | grep -q "validation_split = 0" \
  && ok "eval --split val refused: $err" || fail "eval --split val of a validation_split 0 model: $rc $err"

# A second run in the same folder leaves every model as it was.
before=$(md5sum "$work/all/"*.h5 "$work/all/models/"*.h5)
"$bin/rnnsent_train" "${args[@]}" --epochs 4 --average_last_epochs 3 --output_dir "$work/all" > "$work/again.log" 2>&1; rc=$?
[ "$rc" != 0 ] && [ "$before" = "$(md5sum "$work/all/"*.h5 "$work/all/models/"*.h5)" ] && ok "a second run is refused, models intact" || fail "second run: $rc"
# A run that left only epoch models (killed in epoch 2) is not overwritten by a new one.
mkdir -p "$work/half/models" && cp "$work/all/models/epoch_001.h5" "$work/half/models/"
"$bin/rnnsent_train" "${args[@]}" --epochs 2 --average_last_epochs 2 --output_dir "$work/half" > "$work/half.log" 2>&1; rc=$?
[ "$rc" != 0 ] && grep -q "epoch_001.h5" "$work/half.log" && cmp -s "$work/half/models/epoch_001.h5" "$work/all/models/epoch_001.h5" \
  && ok "epoch models of an earlier run are not overwritten" || fail "earlier epoch models: $rc $(tail -1 "$work/half.log")"

# --resume auto to 6 epochs: the average moves to epochs 4-6.
"$bin/rnnsent_train" "${args[@]}" --epochs 6 --average_last_epochs 3 --output_dir "$work/all" --resume auto > "$work/more.log" 2>&1 \
  && [ "$(attr "$work/all/best_model.h5" epoch)" = 6 ] && grep -q "epochs 4-6" "$work/more.log" \
  && ok "resumed to 6 epochs, averaged 4-6" || fail "resume to 6 epochs: $(tail -2 "$work/more.log")"

# P = 2 (one thread each) equals one rank with two threads, bit for bit.
"$bin/rnnsent_train" "${args[@]}" --epochs 2 --threads 2 --output_dir "$work/p1" > "$work/p1.log" 2>&1
timeout 120 mpirun --oversubscribe -np 2 "$bin/rnnsent_train" "${args[@]}" --epochs 2 --threads 1 --output_dir "$work/p2" > "$work/p2.log" 2>&1
[ -f "$work/p1/best_model.h5" ] && [ "$(attr "$work/p1/best_model.h5" weights_checksum)" = "$(attr "$work/p2/best_model.h5" weights_checksum 2>/dev/null)" ] \
  && ok "P = 2 equals P = 1 without validation" || fail "P = 2 differs: $(tail -1 "$work/p2.log")"

# rnnsent_average refuses what it cannot do, in one line, touching nothing.
"$bin/rnnsent_train" --data "$work/data.h5" --num_words 40 --maxlen 24 --embedding_dim 8 --units 5 --batch_size 16 \
  --epochs 1 --output_dir "$work/other" --progress none > /dev/null 2>&1
refused() {
  local name="$1" want="$2"; shift 2
  local err rc; err=$("$bin/rnnsent_average" "$@" 2>&1 >/dev/null); rc=$?
  [ "$rc" != 0 ] && printf '%s' "$err" | head -1 | grep -qF -- "$want" && ok "average refuses $name: $(printf '%s' "$err" | head -1)" || fail "average $name: $rc $err"
}
m="$work/all/models"
kept=$(md5sum "$m/epoch_002.h5" "$work/tool.h5")
refused "an existing output" "already exists" --output "$work/tool.h5" "$m/epoch_001.h5" "$m/epoch_002.h5"
refused "an output that is an input" "is one of the models" --overwrite --output "$m/epoch_002.h5" "$m/epoch_001.h5" "$m/epoch_002.h5"
refused "another architecture" "units 5" --output "$work/x.h5" "$m/epoch_001.h5" "$work/other/best_model.h5"
refused "a file that is no model" "$work/data.h5" --output "$work/x.h5" "$m/epoch_001.h5" "$work/data.h5"
refused "a missing model" "$work/none.h5" --output "$work/x.h5" "$m/epoch_001.h5" "$work/none.h5"
refused "one model" "at least two" --output "$work/x.h5" "$m/epoch_001.h5"
[ ! -e "$work/x.h5" ] && [ "$kept" = "$(md5sum "$m/epoch_002.h5" "$work/tool.h5")" ] && ok "nothing written by the refusals" || fail "x.h5 written"
# launch/train_ensemble.sh: two members side by side, scored alone and together; a second call
# reuses them.
src=$(cd "$(dirname "$0")/../.." && pwd)
printf 'data = %s\nnum_words = 40\nmaxlen = 24\nembedding_dim = 8\nunits = 6\nbatch_size = 16\nepochs = 2\nvalidation_split = 0\naverage_last_epochs = 2\n' "$work/data.h5" > "$work/ens.ini"
JOBS=2 RNNSENT_BIN="$bin" bash "$src/launch/train_ensemble.sh" "$work/ens.ini" "$work/ens" 2 --learning_rate 0.01 > "$work/ens.log" 2>&1; rc=$?
first=$(md5sum "$work/ens/member-"*/averaged_model.h5)
[ "$rc" = 0 ] && grep -q "ensemble of 2 models" "$work/ens.log" && [ "$(grep -c "member-[12]/averaged_model.h5: loss" "$work/ens.log")" = 2 ] \
  && ok "train_ensemble.sh: 2 members and their ensemble scored" || fail "train_ensemble.sh: $rc $(tail -3 "$work/ens.log")"
JOBS=2 RNNSENT_BIN="$bin" bash "$src/launch/train_ensemble.sh" "$work/ens.ini" "$work/ens" 2 --learning_rate 0.01 > "$work/ens2.log" 2>&1 \
  && [ "$first" = "$(md5sum "$work/ens/member-"*/averaged_model.h5)" ] && ok "train_ensemble.sh reuses finished members" || fail "rerun of train_ensemble.sh"
err=$(bash "$src/launch/train_ensemble.sh" "$work/ens.ini" "$work/ens" 0 2>&1); rc=$?
[ "$rc" = 2 ] && printf '%s' "$err" | grep -q usage && ok "train_ensemble.sh refuses K = 0" || fail "K = 0: $rc $err"
finish
