#!/usr/bin/env bash
# Bad input through the real executables: each case must exit non-zero with exactly one line on
# stderr that names the file, key or value, and must leave existing outputs untouched.
# Usage: test_bad_input.sh BIN_DIR SOURCE_DIR
set -uo pipefail
source "$(dirname "$0")/harness.sh"
bin="$1" src="$2"

# expect_error NAME EXPECTED_SUBSTRING -- COMMAND...
expect_error() {
  local name="$1" want="$2"; shift 3
  local err rc
  err=$("$@" 2>&1 >/dev/null); rc=$?
  local lines; lines=$(printf '%s' "$err" | grep -c '')
  if [ "$rc" -eq 0 ]; then echo "FAIL $name: exit 0"; failures=$((failures + 1)); return; fi
  if [ "$lines" -ne 1 ]; then echo "FAIL $name: $lines lines on stderr: $err"; failures=$((failures + 1)); return; fi
  if ! printf '%s' "$err" | grep -qF -- "$want"; then echo "FAIL $name: '$err' lacks '$want'"; failures=$((failures + 1)); return; fi
  echo "ok   $name (exit $rc): $err"; passed=$((passed + 1))
}

# A real prepared file from the hand-written fixture reviews.
"$bin/rnnsent_prepare" --imdb-dir "$src/tests/fixtures/imdb_layout_tiny" --output "$work/tiny.h5" >/dev/null || { echo "FAIL prepare fixture"; exit 1; }
# train_with [KEY VALUE ...]: rnnsent_train on the fixture, the given keys replacing the defaults
# (each flag may be given once).
train_with() {
  declare -A opt=([data]="$work/tiny.h5" [output_dir]="$work/run" [num_words]=50 [maxlen]=10
                  [batch_size]=2 [epochs]=1 [validation_split]=0.34)
  while [ $# -gt 0 ]; do opt[$1]="$2"; shift 2; done
  local args=()
  for k in "${!opt[@]}"; do args+=("--$k" "${opt[$k]}"); done
  "$bin/rnnsent_train" "${args[@]}"
}

printf 'data = %s\nbatchsize = 4\n' "$work/tiny.h5" > "$work/unknown.ini"
expect_error unknown-key "batchsize" -- "$bin/rnnsent_train" --config "$work/unknown.ini"
printf 'data = %s\nbatch_size = many\n' "$work/tiny.h5" > "$work/malformed.ini"
expect_error malformed-value "many" -- "$bin/rnnsent_train" --config "$work/malformed.ini"
expect_error malformed-flag "1e2x" -- train_with maxlen 1e2x
expect_error batch-zero "batch_size" -- train_with batch_size 0
expect_error split-one "validation_split" -- train_with validation_split 1
expect_error split-negative "validation_split" -- train_with validation_split -0.1
expect_error split-zero-plateau "'reduce_lr_on_plateau'" -- train_with validation_split 0 reduce_lr_on_plateau true
expect_error split-zero-restore "'restore_best_weights'" -- train_with validation_split 0 restore_best_weights true
expect_error average-negative "-1 for key 'average_last_epochs'" -- train_with average_last_epochs -1
expect_error maxlen-zero "maxlen" -- train_with maxlen 0
expect_error num-words-small "num_words" -- train_with num_words 3
expect_error epochs-zero "epochs" -- train_with epochs 0
expect_error num-words-text "'lots' for key 'num_words'" -- train_with num_words lots
expect_error optimizer-sgd "'sgd' for key 'optimizer'" -- train_with optimizer sgd
expect_error dropout-one "1 for key 'dropout'" -- train_with dropout 1
expect_error clipnorm-negative "-1 for key 'clipnorm'" -- train_with clipnorm -1
expect_error ema-one "1 for key 'ema_momentum'" -- train_with ema_momentum 1
expect_error layers-zero "0 for key 'layers'" -- train_with layers 0
expect_error lr-scaling-cubic "'cubic' for key 'lr_scaling'" -- train_with lr_scaling cubic
expect_error warmup-negative "-5 for key 'warmup_steps'" -- train_with warmup_steps -5
expect_error beta-2-one "1 for key 'beta_2'" -- train_with beta_2 1
expect_error bidirectional-maybe "maybe" -- train_with bidirectional maybe
expect_error cell-unknown "key 'cell': unknown cell 'transformer'" -- train_with cell transformer
expect_error pooling-sum "key 'pooling': unknown pooling 'sum'" -- train_with pooling sum
expect_error word-dropout-one "1 for key 'word_dropout'" -- train_with word_dropout 1
expect_error negation-without-bigrams "3 for key 'negation_scope': needs bigram_buckets > 0" -- train_with negation_scope 3
expect_error negation-scope-big "11 for key 'negation_scope'" -- train_with negation_scope 11 bigram_buckets 8
train_isa_capped() { RNNSENT_MAX_CPU_ISA="$1" train_with output_dir "$work/run-isa"; }
expect_error isa-cap-unknown "RNNSENT_MAX_CPU_ISA=avx9" -- train_isa_capped avx9
expect_error projection-dropout-negative "-0.1 for key 'projection_dropout'" -- train_with projection_dropout -0.1
expect_error embedding-weight-dropout-one "1 for key 'embedding_weight_dropout'" -- train_with embedding_weight_dropout 1
expect_error lr-schedule-linear "'linear' for key 'lr_schedule'" -- train_with lr_schedule linear
expect_error lr-decay-steps-negative "-1 for key 'lr_decay_steps'" -- train_with lr_decay_steps -1
expect_error lr-decay-rate-zero "0 for key 'lr_decay_rate'" -- train_with lr_decay_rate 0
expect_error lr-decay-rate-two "2 for key 'lr_decay_rate'" -- train_with lr_decay_rate 2
expect_error lr-cosine-alpha-big "1.5 for key 'lr_cosine_alpha'" -- train_with lr_cosine_alpha 1.5
expect_error es-monitor-accuracy "'accuracy' for key 'early_stopping_monitor'" -- train_with early_stopping_monitor accuracy
expect_error es-mode-up "'up' for key 'early_stopping_mode'" -- train_with early_stopping_mode up
expect_error min-delta-negative "-0.1 for key 'min_delta'" -- train_with min_delta -0.1
expect_error min-delta-nan "nan for key 'min_delta'" -- train_with min_delta nan
expect_error start-from-epoch-negative "-2 for key 'start_from_epoch'" -- train_with start_from_epoch -2
expect_error init-from-missing "$work/no-model.h5" -- train_with init_from "$work/no-model.h5"
expect_error progress-fancy "'fancy' for key 'progress'" -- train_with progress fancy
expect_error checkpoint-monitor-f1 "'f1' for key 'checkpoint_monitor'" -- train_with checkpoint_monitor f1
expect_error crop-fraction-one "1 for key 'crop_fraction'" -- train_with crop_fraction 1
expect_error crop-min-zero "0 for key 'crop_min'" -- train_with crop_min 0
expect_error crop-max-below-min "3 for key 'crop_max': must be >= crop_min (5)" -- train_with crop_max 3
expect_error restore-best-weights-maybe "('maybe') for option '--restore_best_weights'" -- train_with restore_best_weights maybe
expect_error reduce-lr-on-plateau-yes-please "('yes-please') for option '--reduce_lr_on_plateau'" -- train_with reduce_lr_on_plateau yes-please
expect_error reduce-lr-monitor-f1 "'f1' for key 'reduce_lr_monitor'" -- train_with reduce_lr_monitor f1
expect_error reduce-lr-factor-one "1 for key 'reduce_lr_factor'" -- train_with reduce_lr_factor 1
expect_error reduce-lr-factor-zero "0 for key 'reduce_lr_factor'" -- train_with reduce_lr_factor 0
expect_error reduce-lr-patience-negative "-1 for key 'reduce_lr_patience'" -- train_with reduce_lr_patience -1
expect_error reduce-lr-min-delta-nan "nan for key 'reduce_lr_min_delta'" -- train_with reduce_lr_min_delta nan
expect_error reduce-lr-cooldown-negative "-3 for key 'reduce_lr_cooldown'" -- train_with reduce_lr_cooldown -3
expect_error reduce-lr-min-lr-negative "-1e-05 for key 'reduce_lr_min_lr'" -- train_with reduce_lr_min_lr -1e-05
printf 'data = %s\noptimizer = adagrad\n' "$work/tiny.h5" > "$work/optimizer.ini"
expect_error optimizer-in-file "adagrad" -- "$bin/rnnsent_train" --config "$work/optimizer.ini"
expect_error missing-config "$work/none.ini" -- "$bin/rnnsent_train" --config "$work/none.ini"
expect_error missing-dataset "$work/none.h5" -- train_with data "$work/none.h5"

echo "not hdf5" > "$work/text.h5"
expect_error dataset-not-hdf5 "$work/text.h5" -- train_with data "$work/text.h5"
head -c $(( $(stat -c %s "$work/tiny.h5") / 2 )) "$work/tiny.h5" > "$work/truncated.h5"
expect_error dataset-truncated "$work/truncated.h5" -- train_with data "$work/truncated.h5"
if /usr/bin/python3 -c "import h5py" 2>/dev/null; then
  cp "$work/tiny.h5" "$work/v99.h5"
  /usr/bin/python3 -c "import h5py,sys; f=h5py.File(sys.argv[1],'r+'); f.attrs['format_version']=99" "$work/v99.h5"
  expect_error dataset-version "format version" -- train_with data "$work/v99.h5" output_dir "$work/run-v99"
fi

mkdir -p "$work/empty"
expect_error prepare-missing-dir "$work/nodir" -- "$bin/rnnsent_prepare" --imdb-dir "$work/nodir" --output "$work/x.h5"
expect_error prepare-empty-dir "$work/empty" -- "$bin/rnnsent_prepare" --imdb-dir "$work/empty" --output "$work/x.h5"
expect_error prepare-no-overwrite "$work/tiny.h5" -- "$bin/rnnsent_prepare" --imdb-dir "$src/tests/fixtures/imdb_layout_tiny" --output "$work/tiny.h5"

# An existing model survives a run that would replace it, and a run with bad data.
mkdir -p "$work/run" && echo "precious model" > "$work/run/best_model.h5"
before=$(md5sum < "$work/run/best_model.h5")
expect_error keeps-model "--overwrite" -- train_with
expect_error keeps-model-bad-data "$work/text.h5" -- "$bin/rnnsent_train" --data "$work/text.h5" --output_dir "$work/run" --overwrite
[ "$(md5sum < "$work/run/best_model.h5")" = "$before" ] && { echo "ok   model untouched"; passed=$((passed + 1)); } || { echo "FAIL model changed"; failures=$((failures + 1)); }

expect_error predict-missing-model "$work/none.h5" -- "$bin/rnnsent_predict" --model "$work/none.h5" "text"
expect_error predict-not-a-model "not an rnnsent model" -- "$bin/rnnsent_predict" --model "$work/tiny.h5" "text"
expect_error predict-bad-format "yaml" -- "$bin/rnnsent_predict" --model "$work/tiny.h5" --format yaml "text"
# Boost.Program_options 1.74 loops forever on its own error message when the bad text holds
# one of its placeholders (found by fuzz_config); each executable refuses it first.
expect_error train-placeholder "'%value%' is not allowed" -- timeout 20 "$bin/rnnsent_train" --data "$work/tiny.h5" --seed %value%
expect_error predict-placeholder "'%value%' is not allowed" -- timeout 20 "$bin/rnnsent_predict" --model "$work/tiny.h5" --maxlen %value% "text"
expect_error predict-placeholder-option "'%canonical_option%' is not allowed" -- timeout 20 "$bin/rnnsent_predict" --model "$work/tiny.h5" --%canonical_option% 1
expect_error eval-placeholder "'%value%' is not allowed" -- timeout 20 "$bin/rnnsent_eval" --model "$work/tiny.h5" --data "$work/tiny.h5" --batch_size %value%
expect_error prepare-placeholder "'%value%' is not allowed" -- timeout 20 "$bin/rnnsent_prepare" --imdb-dir %value% --output "$work/p.h5"

# A refused run leaves no output directory behind when it made it (only its lock would be in it).
expect_error resume-missing "$work/nothing.h5" -- train_with output_dir "$work/fresh-dir" resume "$work/nothing.h5"
if [ -e "$work/fresh-dir" ]; then echo "FAIL resume-missing left $(ls -A "$work/fresh-dir")"; failures=$((failures + 1))
else echo "ok   resume-missing left no output directory"; passed=$((passed + 1)); fi

finish
