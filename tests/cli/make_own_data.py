#!/usr/bin/env python3
"""Writes the same labelled reviews as folders (Keras's text_dataset_from_directory layout),
CSV, TSV and JSON Lines, for tests/cli/test_own_data.sh.

usage: make_own_data.py OUT_DIR N_TRAIN N_TEST

OUT_DIR/{train,test}/{neg,pos}/NNNNN.txt, OUT_DIR/{train,test}.{csv,tsv,jsonl}. The files list
the reviews in the order the folders are read (neg then pos, each by file name), so all four
prepare to the same reviews. Texts hold commas, quotes, a newline and non-ASCII letters, which
CSV must quote; TSV texts hold no tab or newline (TSV has no quoting convention to rely on).
"""
import csv
import json
import os
import random
import sys

POSITIVE = ["great", "wonderful", "superb", "moving", "brilliant", "funny", "loved"]
NEGATIVE = ["awful", "boring", "dull", "terrible", "weak", "hated", "mess"]
NEUTRAL = ["the", "film", "plot", "actor", "scene", "movie", "story", "it", "was", "and", "a",
           "café", "naïve", "director's", "ending"]


def review(rng, label):
    words = [rng.choice(NEUTRAL) for _ in range(rng.randint(5, 30))]
    signal = POSITIVE if label else NEGATIVE
    for _ in range(rng.randint(1, 4)):
        words.insert(rng.randrange(len(words) + 1), rng.choice(signal))
    text = " ".join(words)
    if rng.random() < 0.3:
        text = text.replace(" ", ", ", 1)
    if rng.random() < 0.2:
        text = 'he said "' + text + '" twice'
    return text


def write(out, split, n, rng, tsv_safe):
    rows = []
    for label in (0, 1):
        folder = os.path.join(out, split, "pos" if label else "neg")
        os.makedirs(folder)
        for i in range(n // 2):
            text = review(rng, label)
            if not tsv_safe and i % 17 == 3:
                text += "\nA second line."
            with open(os.path.join(folder, "%05d.txt" % i), "w", encoding="utf-8") as f:
                f.write(text)
            rows.append((text, label))
    with open(os.path.join(out, split + ".csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["text", "label"])
        w.writerows(rows)
    with open(os.path.join(out, split + ".tsv"), "w", encoding="utf-8") as f:
        f.write("label\ttext\n")
        for text, label in rows:
            f.write("%s\t%s\n" % ("pos" if label else "neg", text.replace("\n", " ")))
    with open(os.path.join(out, split + ".jsonl"), "w", encoding="utf-8") as f:
        for text, label in rows:
            f.write(json.dumps({"text": text, "label": label}, ensure_ascii=False) + "\n")


def main():
    out, n_train, n_test = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(7)
    write(out, "train", n_train, rng, False)
    write(out, "test", n_test, rng, False)


if __name__ == "__main__":
    main()
