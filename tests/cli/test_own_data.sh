#!/usr/bin/env bash
# The user's own labelled data through the real executables: the same 1,000 training and 500
# test reviews as folders, CSV, TSV and JSON Lines prepare to the same reviews, labels and
# vocabulary; a model trained on one scores the CSV test file with `rnnsent_eval --input`
# exactly as its prepared test split; two models averaged (`--model A --model B`) score the
# mean of their probabilities; every bad row is one line naming the file and the line.
# Usage: test_own_data.sh BIN_DIR
set -uo pipefail
source "$(dirname "$0")/harness.sh"
bin="$1"
here="$(dirname "$0")"
export OMP_NUM_THREADS=1
py=/usr/bin/python3

$py "$here/make_own_data.py" "$work/own" 1000 500 || exit 1
prep() { "$bin/rnnsent_prepare" --output "$work/$1.h5" "${@:2}" > "$work/$1.log" 2>&1; }
prep folders --train "$work/own/train" --test "$work/own/test" || fail "folders: $(tail -1 "$work/folders.log")"
prep csv --train "$work/own/train.csv" --test "$work/own/test.csv" || fail "csv: $(tail -1 "$work/csv.log")"
prep tsv --train "$work/own/train.tsv" --test "$work/own/test.tsv" --labels neg,pos || fail "tsv: $(tail -1 "$work/tsv.log")"
prep jsonl --train "$work/own/train.jsonl" --test "$work/own/test.jsonl" || fail "jsonl: $(tail -1 "$work/jsonl.log")"
same=$($py - "$work" <<'PY'
import h5py, numpy as np, sys
w = sys.argv[1]
files = {k: h5py.File("%s/%s.h5" % (w, k), "r") for k in ("folders", "csv", "tsv", "jsonl")}
ref = files["folders"]
assert ref["train/labels"].shape == (1000,) and ref["test/labels"].shape == (500,), ref["train/labels"].shape
for name, f in files.items():
    for key in ("train/tokens", "train/offsets", "train/labels", "test/tokens", "test/offsets",
                "test/labels", "vocabulary/counts"):
        assert np.array_equal(f[key][:], ref[key][:]), (name, key)
    assert list(f["vocabulary/words"][:]) == list(ref["vocabulary/words"][:]), name
print("same")
PY
)
[ "$same" = same ] && ok "folders, CSV, TSV and JSON Lines prepare to the same reviews, labels and vocabulary" || fail "the four formats differ: $same"
prep split --train "$work/own/train.csv" --test-split 0.2 --seed 3 || fail "test-split: $(tail -1 "$work/split.log")"
grep -q "train    800 reviews" "$work/split.log" && grep -q "test     200 reviews" "$work/split.log" \
  && ok "--test-split 0.2 holds out 200 of 1000" || fail "test-split: $(cat "$work/split.log")"

# A model on the CSV data; its test split scored from the prepared file and from test.csv.
small=(--data "$work/csv.h5" --num_words 40 --maxlen 40 --embedding_dim 8 --batch_size 32 --epochs 2
       --patience 2 --learning_rate 0.01 --threads 1 --log_every 1000)
"$bin/rnnsent_train" "${small[@]}" --units 6 --cell gru --output_dir "$work/a" > "$work/a.log" 2>&1 || fail "train A: $(tail -1 "$work/a.log")"
"$bin/rnnsent_train" "${small[@]}" --units 5 --cell gru --seed 9 --output_dir "$work/b" > "$work/b.log" 2>&1 || fail "train B: $(tail -1 "$work/b.log")"
"$bin/rnnsent_eval" --model "$work/a/best_model.h5" --data "$work/csv.h5" --format json > "$work/eval_split.json" 2>&1
"$bin/rnnsent_eval" --model "$work/a/best_model.h5" --input "$work/own/test.csv" --format json > "$work/eval_file.json" 2>&1
agree=$($py - "$work/eval_split.json" "$work/eval_file.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
for k in ("reviews", "loss", "accuracy", "confusion"):
    assert a[k] == b[k], (k, a[k], b[k])
assert a["reviews"] == 500 and a["accuracy"] > 0.7, a
print("agree %d %.4f" % (a["reviews"], a["accuracy"]))
PY
)
[[ "$agree" == agree* ]] && ok "rnnsent_eval --input test.csv equals --data --split test: $agree" || fail "eval on the file differs: $agree $(cat "$work/eval_file.json")"

# Ensembles: rnnsent_predict --model A --model B is the mean of A's and B's probabilities.
for m in a b; do "$bin/rnnsent_predict" --model "$work/$m/best_model.h5" --input "$work/own/test.jsonl" --input-format jsonl --format tsv > "$work/p_$m.tsv" 2>&1; done
"$bin/rnnsent_predict" --model "$work/a/best_model.h5" --model "$work/b/best_model.h5" --input "$work/own/test.jsonl" --input-format jsonl --format tsv > "$work/p_ab.tsv" 2>&1
"$bin/rnnsent_eval" --model "$work/a/best_model.h5" --model "$work/b/best_model.h5" --input "$work/own/test.jsonl" --format json > "$work/eval_ab.json" 2>&1
mean=$($py - "$work" <<'PY'
import csv, json, sys
w = sys.argv[1]
def probs(name):
    with open("%s/p_%s.tsv" % (w, name), newline="") as f:
        return [float(r["probability"]) for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)]
a, b, ab = probs("a"), probs("b"), probs("ab")
assert len(a) == len(b) == len(ab) == 500, (len(a), len(b), len(ab))
worst = max(abs((x + y) / 2 - z) for x, y, z in zip(a, b, ab))
# The TSV rounds each probability to 6 decimals: (x + y) / 2 and z can differ by 1e-6 from
# that alone.
assert worst <= 1.5e-6, worst
labels = [json.loads(l)["label"] for l in open("%s/own/test.jsonl" % w)]
acc = sum((p > 0.5) == (y == 1) for p, y in zip(ab, labels)) / 500
e = json.load(open("%s/eval_ab.json" % w))
assert e["models"] == 2 and abs(e["accuracy"] - acc) < 1e-12, (e, acc)
print("mean %.1e %.4f" % (worst, acc))
PY
)
[[ "$mean" == mean* ]] && ok "--model A --model B is the mean of A and B (predict and eval): $mean" || fail "ensemble: $mean"
"$bin/rnnsent_predict" --model "$work/a/best_model.h5" --threshold 0.99 "great superb wonderful" | grep -q "negative" \
  && ok "--threshold 0.99 labels a likely positive review negative" || fail "threshold"

# --tokenizer unicode: the vocabulary keeps café and naïve (ascii: caf, na, ve), the model
# records the tokenizer, and scoring test.csv with it equals scoring the prepared split.
prep unicode --train "$work/own/train.csv" --test "$work/own/test.csv" --tokenizer unicode || fail "unicode: $(tail -1 "$work/unicode.log")"
"$bin/rnnsent_train" "${small[@]}" --data "$work/unicode.h5" --units 6 --cell gru --epochs 1 --output_dir "$work/u" > "$work/u.log" 2>&1 || fail "train unicode: $(tail -1 "$work/u.log")"
"$bin/rnnsent_eval" --model "$work/u/best_model.h5" --data "$work/unicode.h5" --format json > "$work/u_split.json" 2>&1
"$bin/rnnsent_eval" --model "$work/u/best_model.h5" --input "$work/own/test.csv" --format json > "$work/u_file.json" 2>&1
uni=$($py - "$work" <<'PY'
import h5py, json, sys
w = sys.argv[1]
words = [x.decode() for x in h5py.File(w + "/unicode.h5", "r")["vocabulary/words"][:]]
ascii_words = [x.decode() for x in h5py.File(w + "/csv.h5", "r")["vocabulary/words"][:]]
assert "café" in words and "naïve" in words and "caf" not in words, words
assert "caf" in ascii_words and "café" not in ascii_words, ascii_words
m = h5py.File(w + "/u/best_model.h5", "r").attrs["tokenizer"]
assert (m.decode() if isinstance(m, bytes) else m) == "unicode_nfkc_casefold_v1", m
a, b = (json.load(open(w + p)) for p in ("/u_split.json", "/u_file.json"))
assert all(a[k] == b[k] for k in ("reviews", "loss", "accuracy", "confusion")), (a, b)
print("unicode %.4f" % a["accuracy"])
PY
)
[[ "$uni" == unicode* ]] && ok "--tokenizer unicode: kept café/naïve, stored in the model, used by eval --input: $uni" || fail "unicode tokenizer: $uni"
err=$("$bin/rnnsent_prepare" --train "$work/own/train.csv" --tokenizer utf8 --output "$work/x.h5" 2>&1); rc=$?
[ "$rc" = 2 ] && printf '%s' "$err" | grep -q "'utf8' for --tokenizer" && ok "--tokenizer utf8: $err" || fail "bad tokenizer (exit $rc): $err"

err=$("$bin/rnnsent_predict" --model "$work/a/best_model.h5" --model "$work/u/best_model.h5" "good" 2>&1); rc=$?
[ "$rc" = 1 ] && printf '%s' "$err" | grep -q "must share the tokenizer" && ok "an ensemble of an ascii and a unicode model is refused: $err" || fail "mixed tokenizers (exit $rc): $err"
# --format csv quotes texts with commas, quotes and newlines (RFC 4180): Python's csv reads back the texts.
"$bin/rnnsent_predict" --model "$work/a/best_model.h5" --input "$work/own/test.jsonl" --input-format jsonl --format csv > "$work/p.csv" 2>&1
back=$($py - "$work" <<'PY'
import csv, json, sys
w = sys.argv[1]
texts = [json.loads(l)["text"] for l in open(w + "/own/test.jsonl", encoding="utf-8")]
with open(w + "/p.csv", newline="", encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
assert [r["text"] for r in rows] == texts, "texts differ"
assert any("\n" in t for t in texts) and any('"' in t for t in texts) and any("," in t for t in texts)
print("csv %d" % len(rows))
PY
)
[[ "$back" == csv* ]] && ok "--format csv: every text (commas, quotes, newlines) reads back: $back" || fail "csv output: $back"

# Bad rows and bad files: exit 1 and one line naming the file (and the line).
bad() {  # NAME EXPECTED FILE [prepare flags...]
  local name=$1 want=$2 file=$3; shift 3
  local err rc
  err=$("$bin/rnnsent_prepare" --train "$file" --output "$work/bad-$name.h5" "$@" 2>&1 >/dev/null); rc=$?
  if [ "$rc" = 1 ] && [ "$(printf '%s\n' "$err" | wc -l)" = 1 ] && printf '%s' "$err" | grep -qF -- "$want"; then
    ok "$name: $err"
  else
    fail "$name (exit $rc): '$err' lacks '$want'"
  fi
  [ ! -e "$work/bad-$name.h5" ] || fail "$name: an output was written"
}
printf 'text,label\ngood film,1\nno label here\n' > "$work/missing.csv"
bad missing-field "missing.csv:3: 1 field(s), the header has 2" "$work/missing.csv"
printf 'text,label\ngood film,maybe\n' > "$work/label.csv"
bad unknown-label "label.csv:2: label 'maybe' is not 0 or 1" "$work/label.csv"
printf 'text,label\ngood,1\nbad \xff\xfe film,0\n' > "$work/utf8.csv"
bad invalid-utf8 "utf8.csv:3: invalid UTF-8 in the text at byte 4" "$work/utf8.csv"
: > "$work/empty.csv"
bad empty-file "empty.csv: empty file" "$work/empty.csv"
printf 'text,label\n' > "$work/header.csv"
bad header-only "header.csv: no reviews" "$work/header.csv"
printf 'text,label\ngood,1\nfine,1\n' > "$work/oneclass.csv"
bad one-class "every training review has label 1" "$work/oneclass.csv"
printf 'text,label\ngood,1\n"never closed,0\nmore,1\n' > "$work/quote.csv"
bad open-quote "quote.csv:3: a quoted field is not closed" "$work/quote.csv"
printf 'review,label\ngood,1\n' > "$work/column.csv"
bad no-column "column.csv:1: the header has no column 'text'" "$work/column.csv"
$py -c "import sys; sys.stdout.write('text,label\ngood,1\n' + 'x' * 10000000 + ',2\n')" > "$work/huge.csv"
bad huge-field "huge.csv:3: label '2' is not 0 or 1" "$work/huge.csv"
printf '{"text": "good", "label": 1}\n{"text": "bad", "label": \n' > "$work/broken.jsonl"
bad jsonl-broken "broken.jsonl:2: not valid JSON" "$work/broken.jsonl"
printf '{"text": "good", "label": 1}\n{"body": "bad", "label": 0}\n' > "$work/nofield.jsonl"
bad jsonl-no-text "nofield.jsonl:2: no string field 'text'" "$work/nofield.jsonl"
$py -c "import sys; sys.stdout.write('{\"text\": \"a\", \"label\": 1}\n' + '[' * 1000000 + '\n')" > "$work/deep.jsonl"
bad jsonl-deep "deep.jsonl:2: JSON nested deeper than 64 levels" "$work/deep.jsonl"
printf '{"text": "bad \xff", "label": 1}\n' > "$work/utf8.jsonl"
bad jsonl-utf8 "utf8.jsonl:1: not valid JSON" "$work/utf8.jsonl"
mkdir -p "$work/three/a" "$work/three/b" "$work/three/c"
bad three-classes "holds 3 class folder(s)" "$work/three"
printf 'good\n' > "$work/reviews.txt"
bad unknown-format "reviews.txt: cannot tell its format from the name; give --input-format" "$work/reviews.txt"
bad labels-unknown "label.csv:2: label 'maybe' is not 0 or 1 nor neg or pos (--labels)" "$work/label.csv" --labels neg,pos
err=$("$bin/rnnsent_prepare" --train "$work/own/train.csv" --test-split 1.5 --output "$work/x.h5" 2>&1); rc=$?
[ "$rc" = 2 ] && printf '%s' "$err" | grep -q "1.500000 for --test-split" && ok "--test-split 1.5: $err" || fail "test-split 1.5 (exit $rc): $err"
err=$("$bin/rnnsent_eval" --model "$work/a/best_model.h5" --input "$work/label.csv" 2>&1); rc=$?
[ "$rc" = 1 ] && printf '%s' "$err" | grep -q "label.csv:2: label 'maybe'" && ok "eval --input with a bad row: $err" || fail "eval bad row (exit $rc): $err"
finish
