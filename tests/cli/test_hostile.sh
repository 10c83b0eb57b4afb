#!/usr/bin/env bash
# Faults and hostile inputs from issue 14, through the real executables: a full disk, ranks
# that run different jobs, --overwrite over an old run, two runs in one directory, non-finite
# weights, a resume on another dataset, a full standard output. Each case names its defect.
# Usage: test_hostile.sh BIN_DIR
set -uo pipefail
source "$(dirname "$0")/harness.sh"
bin="$1"
export OMP_NUM_THREADS=1

"$bin/make_test_dataset" "$work/data.h5" 400 100 || { echo "FAIL dataset"; exit 1; }
"$bin/make_test_dataset" "$work/other.h5" 300 100 || { echo "FAIL dataset"; exit 1; }
args=(--data "$work/data.h5" --num_words 40 --maxlen 16 --embedding_dim 4 --units 3 --batch_size 32
      --epochs 2 --patience 2 --learning_rate 0.01 --threads 1 --log_every 1000 --checkpoint_every 5)
train() { "$bin/rnnsent_train" "${args[@]}" "$@"; }
one_line() { [ "$(printf '%s' "$1" | grep -c '')" = 1 ]; }

# expect_error NAME WANT_RC EXPECTED_SUBSTRING -- COMMAND...: exit WANT_RC ("!0" = any non-zero)
# with exactly one line on stderr that contains the text.
expect_error() {
  local name="$1" want_rc="$2" want="$3"; shift 4
  local err rc
  err=$("$@" 2>&1 >/dev/null); rc=$?
  if [ "$want_rc" = "!0" ] && [ "$rc" -eq 0 ] || { [ "$want_rc" != "!0" ] && [ "$rc" != "$want_rc" ]; }; then
    fail "$name: exit $rc (want $want_rc): $err"; return; fi
  one_line "$err" || { fail "$name: not one line on stderr: $err"; return; }
  printf '%s' "$err" | grep -qF -- "$want" || { fail "$name: '$err' lacks '$want'"; return; }
  ok "$name (exit $rc): $err"
}
# expect_mpi_error NAME EXPECTED_SUBSTRING -- COMMAND...: as expect_error, but mpirun adds its
# own banner, so exactly one of the lines must come from rnnsent.
expect_mpi_error() {
  local name="$1" want="$2"; shift 3
  local err rc
  err=$("$@" 2>&1 >/dev/null); rc=$?
  [ "$rc" -ne 0 ] || { fail "$name: exit 0"; return; }
  err=$(printf '%s\n' "$err" | grep '^rnnsent')
  one_line "$err" || { fail "$name: not one line from rnnsent: $err"; return; }
  printf '%s' "$err" | grep -qF -- "$want" || { fail "$name: '$err' lacks '$want'"; return; }
  ok "$name (exit $rc): $err"
}

# A dataset whose model file is mostly vocabulary (3,000 words of 40 letters, a tiny model):
# best_model.h5 is then larger than a checkpoint, so a disk can hold the checkpoint but not it.
/usr/bin/python3 - "$work/wordy" <<'PY'
import os, random, sys
random.seed(1)
words = ["".join(random.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(40)) for _ in range(3000)]
i = 0
for split in ("train", "test"):
    for label, stars in (("pos", 8), ("neg", 2)):
        d = os.path.join(sys.argv[1], split, label)
        os.makedirs(d)
        for _ in range(20):
            text = " ".join(random.choice(words) for _ in range(200)) + (" good" if label == "pos" else " bad")
            open(os.path.join(d, "%d_%d.txt" % (i, stars)), "w").write(text)
            i += 1
PY
"$bin/rnnsent_prepare" --imdb-dir "$work/wordy" --output "$work/wordy.h5" > /dev/null || fail "prepare the wordy dataset"
wordy=(--data "$work/wordy.h5" --num_words all --maxlen 8 --embedding_dim 1 --units 1 --batch_size 8
       --epochs 1 --threads 1 --checkpoint_every 0 --keep_checkpoints 1)

# 1. A full disk while best_model.h5 is written: exit 1 with one line, no .tmp left, the old
# model and config.ini untouched (config.ini describes a run only once its outputs are there).
if [ "$(id -u)" = 0 ] && mkdir -p "$work/full" && mount -t tmpfs -o size=2m tmpfs "$work/full" 2>/dev/null; then
  cleanup_hooks+=("umount -l '$work/full'")
  "$bin/rnnsent_train" "${wordy[@]}" --output_dir "$work/sizes" > /dev/null 2>&1 || fail "wordy run"
  ckpt=$(stat -c %s "$work/sizes"/checkpoints/ckpt-*.h5) model=$(stat -c %s "$work/sizes/best_model.h5")
  [ "$model" -gt $((ckpt + 65536)) ] || fail "the wordy model ($model bytes) is not larger than its checkpoint ($ckpt)"
  echo "old model" > "$work/full/best_model.h5" && echo "old config" > "$work/full/config.ini"
  free=$(( $(df --output=avail -B1 "$work/full" | tail -1) ))
  # Leave room for the checkpoint (pages rounded up, plus slack) and half the model.
  leave=$(( (ckpt / 4096 + 4) * 4096 + model / 2 ))
  head -c $((free - leave)) /dev/zero > "$work/full/filler"
  expect_error full-disk-model 1 "best_model.h5.tmp: cannot write (No space left on device)" -- \
    "$bin/rnnsent_train" "${wordy[@]}" --output_dir "$work/full" --overwrite
  ls "$work/full" "$work/full/checkpoints" | grep -q '\.tmp$' && fail "a .tmp is left: $(ls -R "$work/full")" || ok "no .tmp left on the full disk"
  [ "$(cat "$work/full/best_model.h5")" = "old model" ] && ok "the old best_model.h5 survives" || fail "old model replaced"
  [ "$(cat "$work/full/config.ini")" = "old config" ] && ok "config.ini not replaced" || fail "config.ini replaced"
  # The same with nothing free at all: the first write (a checkpoint) fails the same way.
  rm -f "$work/full/filler" "$work/full/checkpoints/"*; free=$(( $(df --output=avail -B1 "$work/full" | tail -1) ))
  head -c "$free" /dev/zero > "$work/full/filler" 2>/dev/null
  expect_error full-disk-checkpoint 1 "No space left on device" -- \
    "$bin/rnnsent_train" "${wordy[@]}" --output_dir "$work/full" --overwrite
  ls "$work/full/checkpoints" | grep -q '\.tmp$' && fail "a checkpoint .tmp is left" || ok "no checkpoint .tmp left"
else
  echo "skip full-disk cases (need root to mount a tmpfs)"
fi

# 2. Ranks that run different jobs (an MPMD launch): one line naming the key and the ranks,
# before any collective could crash, hang or silently mix the runs.
mpmd() { timeout 60 mpirun --oversubscribe -np 1 "$bin/rnnsent_train" "${args[@]}" --output_dir "$work/mpmd" : \
           -np 1 "$bin/rnnsent_train" "${args[@]}" --output_dir "$work/mpmd" "$@"; }
expect_mpi_error mpmd-units "units = 12 on rank 1, units = 3 on rank 0" -- mpmd --units 12
expect_mpi_error mpmd-max-train "max_train = 100 on rank 1, max_train = 0 on rank 0" -- mpmd --max_train 100
expect_mpi_error mpmd-seed "seed = 7 on rank 1, seed = 1 on rank 0" -- mpmd --seed 7
expect_mpi_error mpmd-dataset "dataset fingerprint = " -- mpmd --data "$work/other.h5"
[ -e "$work/mpmd/best_model.h5" ] && fail "a mismatched job wrote a model" || ok "a mismatched job writes no model"

# 3. --overwrite over an old run: its checkpoints (higher step numbers) are moved aside, not
# pruned against the new run's or resumed instead of them; a fresh run without --overwrite
# refuses a directory that holds checkpoints.
train --output_dir "$work/old" > /dev/null 2>&1 || fail "old run"
old_ckpts=$(ls "$work/old/checkpoints")
RNNSENT_TEST_SIGNAL_AT_STEP=3 train --output_dir "$work/old" --overwrite --seed 5 --keep_checkpoints 1 > "$work/new.log" 2>&1; rc=$?
[ "$rc" = 75 ] && [ -f "$work/old/checkpoints/ckpt-0000000003.h5" ] && ok "the new run's checkpoint survives pruning" \
  || fail "overwrite + stop: exit $rc, checkpoints: $(ls "$work/old/checkpoints")"
[ "$(ls "$work/old/checkpoints.replaced-1")" = "$old_ckpts" ] && ok "the old run's checkpoints are moved aside: $(echo $old_ckpts)" \
  || fail "old checkpoints: $(ls -R "$work/old")"
train --output_dir "$work/old" --seed 5 --keep_checkpoints 1 --resume auto > "$work/new-r.log" 2>&1 || fail "resume the new run: $(tail -1 "$work/new-r.log")"
grep -q "resuming from .*ckpt-0000000003.h5" "$work/new-r.log" && ok "--resume auto continues the new run" || fail "resumed: $(grep resuming "$work/new-r.log")"
mkdir -p "$work/stale/checkpoints" && cp "$work/old/checkpoints.replaced-1/$(echo $old_ckpts | cut -d' ' -f1)" "$work/stale/checkpoints/"
expect_error fresh-run-over-checkpoints 1 "holds 1 checkpoint(s) of an earlier run" -- train --output_dir "$work/stale"
# A resume from an older checkpoint moves the newer ones (another continuation) aside.
cp -r "$work/stale" "$work/branch" && cp "$work/old/checkpoints.replaced-1/"* "$work/branch/checkpoints/"
first=$(ls "$work/branch/checkpoints" | head -1)
train --output_dir "$work/branch" --resume "$work/branch/checkpoints/$first" --keep_checkpoints 1 > "$work/branch.log" 2>&1 || fail "branch resume: $(tail -1 "$work/branch.log")"
grep -q "moved 1 checkpoint(s) of another run" "$work/branch.log" && [ "$(ls "$work/branch/checkpoints" | tail -1)" = "ckpt-0000000020.h5" ] \
  && ok "resume from an older checkpoint: the newer one moved aside" || fail "branch: $(ls -R "$work/branch" | tr '\n' ' ')"

# 4. One run per output directory: a second run is refused naming the directory and the
# holder; a lock left by a killed run does not block.
RNNSENT_TEST_HANG_AT_STEP=2 "$bin/rnnsent_train" "${args[@]}" --output_dir "$work/busy" > "$work/busy.log" 2>&1 &
holder=$!
for _ in $(seq 100); do grep -q "training," "$work/busy.log" && break; sleep 0.1; done
expect_error second-run-refused 1 "output_dir $work/busy is in use by another run (process $holder" -- train --output_dir "$work/busy" --overwrite
expect_error second-resume-refused 1 "is in use by another run" -- train --output_dir "$work/busy" --resume auto
kill -9 "$holder"; wait "$holder" 2>/dev/null
train --output_dir "$work/busy" --overwrite > "$work/busy2.log" 2>&1 && ok "a killed run's lock does not block" || fail "after kill: $(tail -1 "$work/busy2.log")"

# 5. Non-finite weights: an update that makes them inf/NaN stops the run (it cannot be
# skipped), no run exits 0 without a model, model files holding inf/NaN are refused at load,
# and every real-valued key must be finite.
# Whether the diverged logits overflow float depends on the kernels: on AVX2 they reach inf
# (no finite val_loss: exit 1, no model, no summary.json), on AVX-512 they stay near 1e29 (a
# finite, huge val_loss: a model, exit 0). Either way exit 0 comes with a model that holds a
# finite val_loss, and exit 1 with none.
err=$(train --output_dir "$work/lr30" --learning_rate 1e30 --nonfinite skip 2>&1 >/dev/null); rc=$?
if [ "$rc" = 1 ]; then
  printf '%s' "$err" | tail -1 | grep -q "no epoch reached a finite val_loss, so no best_model.h5 was written" && [ ! -e "$work/lr30/best_model.h5" ] \
    && [ ! -e "$work/lr30/summary.json" ] && ok "lr 1e30, skip: exit 1, no model, no summary.json: $(printf '%s' "$err" | tail -1)" || fail "lr 1e30 skip: $(printf '%s' "$err" | tail -1)"
elif [ "$rc" = 0 ] && /usr/bin/python3 -c "import h5py, math, sys; assert math.isfinite(h5py.File(sys.argv[1], 'r').attrs['val_loss'])" "$work/lr30/best_model.h5"; then
  ok "lr 1e30, skip: the val_loss stayed finite here, so exit 0 with a model holding it"
else
  fail "lr 1e30 skip: exit $rc: $(printf '%s' "$err" | tail -1)"
fi
# An update that itself overflows (the rate is inf in float): cannot be skipped.
mkdir -p "$work/lr-inf"
train --output_dir "$work/lr-inf" --optimizer adam --learning_rate 3e38 --beta_2 0.5 --nonfinite skip > /dev/null 2> "$work/lr-inf.err"; rc=$?
[ "$rc" = 1 ] && tail -1 "$work/lr-inf.err" | grep -q "made the weights non-finite" && ok "an overflowing update stops the run: $(tail -1 "$work/lr-inf.err")" \
  || fail "overflowing update: exit $rc: $(tail -1 "$work/lr-inf.err")"
expect_error lr-beyond-float 2 "must be > 0 and <= 3.40282e+38" -- train --output_dir "$work/nf" --learning_rate 1e39
expect_error epsilon-below-float 2 "invalid value 1e-50 for key 'epsilon'" -- train --output_dir "$work/nf" --epsilon 1e-50
for kv in "epsilon inf" "learning_rate nan" "rho -inf" "clipnorm inf" "dropout nan" "validation_split nan" "beta_1 nan"; do
  set -- $kv
  expect_error "$1-$2" 2 "invalid value $2 for key '$1': must be a finite number" -- train --output_dir "$work/nf" --$1 $2
done
train --output_dir "$work/good" > /dev/null 2>&1 || fail "a good run"
printf '{"w1": 1, "w2": 2}' > "$work/word_index.json"
# poison FILE DATASET: a NaN in one weight, and (native layout) the checksum recomputed over it,
# as a diverged run or a careless tool would leave it.
poison() {
  /usr/bin/python3 - "$@" <<'PY'
import h5py, numpy as np, struct, sys
path, name = sys.argv[1], sys.argv[2]
with h5py.File(path, "r+") as f:
    d = f[name]; v = d[...]; v.flat[0] = np.nan; d[...] = v
    if name.startswith("weights/"):
        h = 1469598103934665603
        for n in f["weights/order"][...]:
            n = n.decode() if isinstance(n, bytes) else n
            for b in n.encode() + np.ascontiguousarray(f["weights/" + n][...], dtype="<f4").tobytes():
                h = ((h ^ b) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
        f.attrs["weights_checksum"] = struct.unpack("<q", struct.pack("<Q", h))[0]
PY
}
cp "$work/good/best_model.h5" "$work/nan_native.h5" && poison "$work/nan_native.h5" weights/simple_rnn/kernel
expect_error nan-native-model 1 "weight 'simple_rnn/kernel' holds a non-finite value" -- "$bin/rnnsent_predict" --model "$work/nan_native.h5" "w1 w2"
expect_error nan-native-eval 1 "holds a non-finite value" -- "$bin/rnnsent_eval" --model "$work/nan_native.h5" --data "$work/data.h5"
cp "$work/good/best_model.h5" "$work/nan_keras.h5" && poison "$work/nan_keras.h5" "model_weights/dense/dense/kernel:0"
expect_error nan-keras-model 1 "weight 'dense/kernel' holds a non-finite value" -- "$bin/rnnsent_predict" --model "$work/nan_keras.h5" --word-index "$work/word_index.json" "w1 w2"

# 6. A resume on another dataset is refused (checkpoints carry the dataset's fingerprint); a
# copy of the same file resumes; the tokenizer is the dataset's and must be this build's.
RNNSENT_TEST_SIGNAL_AT_STEP=3 train --output_dir "$work/fp" > /dev/null 2>&1
expect_error resume-other-dataset 1 "written from a dataset with fingerprint" -- train --output_dir "$work/fp" --resume auto --data "$work/other.h5"
[ -e "$work/fp/best_model.h5" ] && fail "a refused resume wrote a model" || ok "a refused resume writes nothing"
cp "$work/data.h5" "$work/copy.h5"
train --output_dir "$work/fp" --resume auto --data "$work/copy.h5" > "$work/fp.log" 2>&1 && ok "a copy of the dataset resumes" || fail "resume on a copy: $(tail -1 "$work/fp.log")"
fp_model=$(/usr/bin/python3 -c "import h5py,sys; print(h5py.File(sys.argv[1],'r').attrs['dataset_fingerprint'].decode())" "$work/fp/best_model.h5" 2>&1)
[ ${#fp_model} = 16 ] && ok "best_model.h5 carries the dataset fingerprint $fp_model" || fail "model fingerprint: $fp_model"
cp "$work/data.h5" "$work/tok.h5"
/usr/bin/python3 -c "import h5py,sys,numpy as np; f=h5py.File(sys.argv[1],'r+'); f.attrs['tokenizer']=np.bytes_('unicode_v9')" "$work/tok.h5"
expect_error dataset-tokenizer 1 "prepared with tokenizer 'unicode_v9'" -- train --output_dir "$work/tok" --data "$work/tok.h5"

# 7. A full standard output is an error, not exit 0 with rows missing.
ckpt_file=$(ls "$work/fp/checkpoints/"*.h5 | head -1)
seq 20000 | sed 's/^/w1 w2 review /' > "$work/many.txt"
expect_error predict-dev-full 1 "cannot write to standard output (No space left on device)" -- sh -c "exec '$bin/rnnsent_predict' --model '$work/good/best_model.h5' --input '$work/many.txt' > /dev/full"
expect_error predict-json-dev-full 1 "cannot write to standard output" -- sh -c "exec '$bin/rnnsent_predict' --model '$work/good/best_model.h5' --format json 'w1' > /dev/full"
expect_error eval-dev-full 1 "cannot write to standard output" -- sh -c "exec '$bin/rnnsent_eval' --model '$work/good/best_model.h5' --data '$work/data.h5' > /dev/full"
expect_error ckpt-info-dev-full 1 "cannot write to standard output" -- sh -c "exec '$bin/rnnsent_ckpt' info '$ckpt_file' > /dev/full"
expect_error ckpt-verify-dev-full 1 "cannot write to standard output" -- sh -c "exec '$bin/rnnsent_ckpt' verify '$ckpt_file' > /dev/full"

# 9. Integer data must be stored as integers (HDF5 would truncate 0.7 to 0 without a word);
# integer attributes must fit (2^32 + 8 is not 8).
retype() {  # FILE DATASET DTYPE [SCALE]: the dataset rewritten with another type
  /usr/bin/python3 - "$@" <<'PY'
import h5py, sys
path, name, dtype = sys.argv[1:4]
scale = float(sys.argv[4]) if len(sys.argv) > 4 else 1.0
with h5py.File(path, "r+") as f:
    v = f[name][...].astype(dtype) * scale
    del f[name]; f[name] = v
PY
}
cp "$work/data.h5" "$work/flabels.h5" && retype "$work/flabels.h5" train/labels float32 0.7
expect_error float-labels 1 "dataset 'labels' is stored as floating-point numbers, expected integers" -- train --output_dir "$work/t9" --data "$work/flabels.h5"
cp "$work/data.h5" "$work/ftokens.h5" && retype "$work/ftokens.h5" test/tokens float64
expect_error float-tokens 1 "dataset 'tokens' is stored as floating-point numbers, expected integers" -- train --output_dir "$work/t9" --data "$work/ftokens.h5"
cp "$work/good/best_model.h5" "$work/units.h5"
/usr/bin/python3 -c "import h5py,sys,numpy as np; f=h5py.File(sys.argv[1],'r+'); f.attrs['units']=np.int64(2**32+3)" "$work/units.h5"
expect_error units-2-32 1 "attribute 'units' = 4294967299 is out of range" -- "$bin/rnnsent_predict" --model "$work/units.h5" "w1"
cp "$work/good/best_model.h5" "$work/funits.h5"
/usr/bin/python3 -c "import h5py,sys,numpy as np; f=h5py.File(sys.argv[1],'r+'); f.attrs['units']=np.float64(3.7)" "$work/funits.h5"
expect_error units-float 1 "attribute 'units' is not an integer" -- "$bin/rnnsent_predict" --model "$work/funits.h5" "w1"

# 10. Every review is checked before any output changes: a bad id deep in the training split
# is refused before "Epoch 1", config.ini and the checkpoints directory.
set_token() {  # FILE DATASET INDEX VALUE
  /usr/bin/python3 -c "import h5py,sys; f=h5py.File(sys.argv[1],'r+'); f[sys.argv[2]][int(sys.argv[3])]=int(sys.argv[4])" "$@"
}
for case in "badid train/tokens 3000 999" "nostart train/tokens 0 7"; do
  set -- $case
  cp "$work/data.h5" "$work/$1.h5" && set_token "$work/$1.h5" "$2" "$3" "$4"
  out=$(train --output_dir "$work/t10-$1" --data "$work/$1.h5" 2>"$work/t10.err"); rc=$?
  if [ "$rc" = 1 ] && one_line "$(cat "$work/t10.err")" && ! printf '%s' "$out" | grep -q "^Epoch" \
     && [ -z "$(ls "$work/t10-$1")" ]; then ok "$1: refused before any output (exit 1): $(cat "$work/t10.err")"
  else fail "$1: exit $rc, stdout '$out', dir: $(ls "$work/t10-$1")"; fi
done

# 11. No test reviews: no test metrics (null, not an accuracy of 0); rnnsent_eval refuses an
# empty split.
"$bin/make_test_dataset" "$work/notest.h5" 400 0 || fail "dataset without test reviews"
train --output_dir "$work/notest" --data "$work/notest.h5" > "$work/notest.log" 2>&1 || fail "train without test reviews: $(tail -1 "$work/notest.log")"
grep -q '"test_acc": null' "$work/notest/summary.json" && grep -q "has no test reviews" "$work/notest.log" \
  && ok "no test reviews: test_acc null in summary.json" || fail "no test reviews: $(cat "$work/notest/summary.json")"
expect_error eval-empty-split 1 "the test split has no reviews to evaluate" -- "$bin/rnnsent_eval" --model "$work/notest/best_model.h5" --data "$work/notest.h5"

# 12. Command-line mistakes are refused, not ignored (exit 2: bad flags).
expect_error stray-positional 2 "unexpected argument 'base.ini'" -- train --output_dir "$work/t12" base.ini
expect_error config-directory 2 "$work: --config must name a file (this is a directory)" -- train --output_dir "$work/t12" --config "$work"
expect_error predict-maxlen-native 2 "--maxlen applies only with --word-index" -- "$bin/rnnsent_predict" --model "$work/good/best_model.h5" --maxlen 0 "w1"
expect_error predict-padding-native 2 "--padding applies only with --word-index" -- "$bin/rnnsent_predict" --model "$work/good/best_model.h5" --padding sideways "w1"
expect_error predict-maxlen-negative 2 "invalid value -5 for --maxlen" -- "$bin/rnnsent_predict" --model "$work/good/best_model.h5" --word-index "$work/word_index.json" --maxlen -5 "w1"
expect_error predict-padding-sideways 2 "invalid value 'sideways' for --padding" -- "$bin/rnnsent_predict" --model "$work/good/best_model.h5" --word-index "$work/word_index.json" --padding sideways "w1"
expect_error predict-stdin-closed 2 "standard input is closed" -- sh -c "exec '$bin/rnnsent_predict' --model '$work/good/best_model.h5' <&-"
[ -z "$(ls "$work/t12" 2>/dev/null)" ] && ok "refused command lines touch no output" || fail "t12: $(ls "$work/t12")"

# 13. rnnsent_ckpt --help is help (exit 0), not a usage error.
out=$("$bin/rnnsent_ckpt" --help); rc=$?
[ "$rc" = 0 ] && printf '%s' "$out" | grep -q "usage: rnnsent_ckpt" && ok "rnnsent_ckpt --help: exit 0" || fail "rnnsent_ckpt --help: exit $rc"
# Sizes: checked against the data and the machine before anything is allocated.
train --output_dir "$work/bigeval" --eval_batch_size 2000000000 --epochs 1 > /dev/null 2>&1 && ok "eval_batch_size 2^31 on 80 reviews runs" || fail "eval_batch_size 2^31"
expect_error huge-embedding 1 "of memory (mostly from batch_size, maxlen, embedding_dim, units)" -- train --output_dir "$work/t13" --embedding_dim 100000000
expect_error huge-units 1 "of memory (mostly from num_words, bigram_buckets, embedding_dim, units, layers)" -- train --output_dir "$work/t13" --units 100000
# Text with a NUL byte is echoed whole.
printf 'w1 \000 w2 tail\n' > "$work/nul.txt"
"$bin/rnnsent_predict" --model "$work/good/best_model.h5" --input "$work/nul.txt" | grep -qa "w2 tail" && ok "a NUL byte does not cut the echoed text" || fail "NUL cut the text"
printf '{}' > "$work/empty_index.json"
expect_error empty-word-index 1 "the word index is empty" -- "$bin/rnnsent_predict" --model "$work/good/best_model.h5" --word-index "$work/empty_index.json" "w1"
cp "$work/good/best_model.h5" "$work/smallemb.h5"
/usr/bin/python3 -c "
import h5py,sys,numpy as np
f=h5py.File(sys.argv[1],'r+'); d='model_weights/embedding/embedding/embeddings:0'; v=f[d][:2]; del f[d]; f[d]=v" "$work/smallemb.h5"
expect_error keras-small-embedding 1 "smallemb.h5: the Keras embedding is [2, 4]; it needs at least 4 rows" -- "$bin/rnnsent_predict" --model "$work/smallemb.h5" --word-index "$work/word_index.json" "w1"
# The watchdog counts training steps: a validation longer than watchdog_seconds is not a hang.
RNNSENT_TEST_SLOW_VALIDATION=3 train --output_dir "$work/slowval" --epochs 1 --watchdog_seconds 1 > /dev/null 2>&1; rc=$?
[ "$rc" = 0 ] && ok "a 3 s validation under watchdog_seconds 1: exit 0" || fail "slow validation: exit $rc"
# --resume auto on a finished run: continued when it ended at its epoch limit, else told why.
train --output_dir "$work/done" --epochs 1 --patience 5 > /dev/null 2>&1
train --output_dir "$work/done" --epochs 2 --patience 5 --resume auto > "$work/done.log" 2>&1
grep -q "finished its 1 epoch(s); continuing to epoch 2" "$work/done.log" && grep -q "^Epoch 2/2" "$work/done.log" \
  && ok "a finished run is extended by a larger --epochs" || fail "extend: $(cat "$work/done.log")"
train --output_dir "$work/done" --epochs 2 --patience 5 --resume auto > "$work/done2.log" 2>&1
grep -q "already finished its 2 epoch(s); nothing to train" "$work/done2.log" && ok "a finished run says why nothing is trained" || fail "finished: $(cat "$work/done2.log")"

# Found in this pass (docs/HOSTILE.md): values Boost read wrongly, checks one rank made alone.
expect_error seed-negative 2 "invalid value '-1' for key 'seed'" -- train --output_dir "$work/more" --seed -1
expect_error config-dev-null 2 "missing key 'data'" -- "$bin/rnnsent_train" --config /dev/null
expect_mpi_error mpi-batch-below-ranks "rnnsent_train: error: batch_size 2 is smaller than the number of ranks 3" -- \
  timeout 60 mpirun --oversubscribe -np 3 "$bin/rnnsent_train" "${args[@]}" --batch_size 2 --output_dir "$work/more"
expect_error eval-val-other-dataset 1 "so its val split cannot be rebuilt" -- "$bin/rnnsent_eval" --model "$work/good/best_model.h5" --data "$work/other.h5" --split val
expect_error predict-input-directory 1 "--input names a directory" -- "$bin/rnnsent_predict" --model "$work/good/best_model.h5" --input "$work"

# 8. JSON is valid whatever the input: bad UTF-8 (overlong, surrogate, 0xF5) becomes U+FFFD.
printf 'ok w1\n\300\257 overlong\n\355\240\200 surrogate\n\365\200 high\n"quote" \\ back\n' > "$work/bad_utf8.txt"
"$bin/rnnsent_predict" --model "$work/good/best_model.h5" --input "$work/bad_utf8.txt" --format json > "$work/bad_utf8.json" 2>&1
if /usr/bin/python3 -c "
import json, sys
r = json.load(open(sys.argv[1], encoding='utf-8', errors='strict'))
assert [x['text'] for x in r] == ['ok w1', '\ufffd\ufffd overlong', '\ufffd\ufffd\ufffd surrogate', '\ufffd\ufffd high', '\"quote\" \\\\ back'], r
" "$work/bad_utf8.json"; then ok "json-bad-utf8: strict UTF-8 JSON"; else fail "json-bad-utf8: $(cat "$work/bad_utf8.json")"; fi
finish
