#!/usr/bin/env python3
"""Plots a training history as the course does, and writes it as CSV for spreadsheets.

    launch/plot_history.py RUN_DIR/history.h5 [--out DIR]

writes DIR/accuracy.png (training vs validation accuracy by epoch), DIR/loss.png (training vs
validation loss by epoch) and, unless DIR has one already (rnnsent_train writes it beside
history.h5), DIR/history.csv (one row per epoch). DIR defaults to the history file's folder.
Needs h5py and matplotlib: Debian's python3-h5py and python3-matplotlib, which /usr/bin/python3
sees (a pyenv or conda python3 may not).
"""
import argparse
import csv
import os
import sys

COLUMNS = ["epoch", "loss", "acc", "val_loss", "val_acc", "seconds", "learning_rate", "grad_norm"]
OPTIONAL = {"grad_norm"}  # history format version 1 has none: read as NaN


def read_history(path):
    import h5py
    try:
        with h5py.File(path, "r") as f:
            kind = f.attrs.get("kind", b"")
            kind = kind.decode() if isinstance(kind, bytes) else str(kind)
            if kind != "rnnsent-history":
                raise ValueError("not an rnnsent history file")
            epochs = len(f["epoch"])
            return {c: [float(v) for v in f[c][:]] if c in f or c not in OPTIONAL
                    else [float("nan")] * epochs for c in COLUMNS}
    except (OSError, KeyError, ValueError) as e:
        sys.exit(f"plot_history.py: error: {path}: {e}")


def plot(history, out_dir):
    import matplotlib
    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt
    epochs = [int(e) for e in history["epoch"]]
    for name, train_key, val_key, title in (("accuracy", "acc", "val_acc", "Accuracy vs Epochs"),
                                            ("loss", "loss", "val_loss", "Loss vs Epochs")):
        fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
        ax.plot(epochs, history[train_key], "o-", label=f"Training {name}")
        ax.plot(epochs, history[val_key], "s-", label=f"Validation {name}")
        ax.set_title(title)
        ax.set_xlabel("epoch")
        ax.set_ylabel(name)
        ax.set_xticks(epochs)
        ax.grid(alpha=0.3)
        ax.legend()
        fig.tight_layout()
        fig.savefig(os.path.join(out_dir, f"{name}.png"))
        plt.close(fig)


def check_modules():
    missing = []
    for module in ("h5py", "matplotlib"):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    if missing:
        sys.exit(f"plot_history.py: error: {sys.executable} has no {' or '.join(missing)}; run it "
                 "with /usr/bin/python3 after `apt-get install python3-h5py python3-matplotlib`, "
                 "or `pip install h5py matplotlib` for this Python")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("history", help="history.h5 written by rnnsent_train")
    ap.add_argument("--out", help="output folder (default: beside history.h5)")
    args = ap.parse_args()
    check_modules()
    out_dir = args.out or os.path.dirname(os.path.abspath(args.history))
    os.makedirs(out_dir, exist_ok=True)
    history = read_history(args.history)
    csv_path = os.path.join(out_dir, "history.csv")
    wrote = ["accuracy.png", "loss.png"]
    if not os.path.exists(csv_path):  # the trainer's own, with full precision, is kept
        with open(csv_path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(COLUMNS)
            for i in range(len(history["epoch"])):
                w.writerow([int(history["epoch"][i])] + [f"{history[c][i]:.6g}" for c in COLUMNS[1:]])
        wrote.append("history.csv")
    plot(history, out_dir)
    print(f"plot_history.py: wrote {', '.join(wrote)} to {out_dir}")


if __name__ == "__main__":
    main()
