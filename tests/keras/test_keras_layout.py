#!/usr/bin/env python3
"""best_model.h5 read the way tf.keras's h5 loader reads it, and scored in NumPy.

Trains a small model with the real rnnsent_train, then, without TensorFlow:
- walks /model_weights as Keras's load_weights_from_hdf5_group does (layer_names, then each
  layer's weight_names, every name decoded from fixed-length bytes) and checks the shapes a
  Keras Embedding(V, E) -> SimpleRNN(H) -> Dense(1) expects;
- recomputes the forward pass of a few reviews in NumPy from those arrays (zero initial state,
  h = tanh(x K + h R + b), sigmoid(h W + c)) and requires rnnsent_predict's probabilities to
  match to 1e-5.
Usage: test_keras_layout.py BIN_DIR
"""
import os
import re
import subprocess
import sys
import tempfile

import h5py
import numpy as np

BIN = sys.argv[1]


def run(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


def tokenize(text):
    # docs/DATA.md: ASCII lowercase, "<br />" -> space, tokens are runs of [a-z0-9'].
    return re.findall(r"[a-z0-9']+", re.sub(r"<br />", " ", text, flags=re.I).lower())


def main():
    work = tempfile.mkdtemp(prefix="rnnsent_keras_")
    data = os.path.join(work, "data.h5")
    run(os.path.join(BIN, "make_test_dataset"), data, "400", "100")
    run(os.path.join(BIN, "rnnsent_train"), "--data", data, "--output_dir", os.path.join(work, "run"),
        "--num_words", "30", "--maxlen", "12", "--embedding_dim", "8", "--units", "5",
        "--batch_size", "16", "--epochs", "2", "--learning_rate", "0.01", "--threads", "1",
        env=dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1"))
    model = os.path.join(work, "run", "best_model.h5")

    with h5py.File(model, "r") as f:
        g = f["model_weights"]
        assert g.attrs["backend"] in (b"tensorflow", "tensorflow"), g.attrs["backend"]
        assert "keras_version" in g.attrs
        layer_names = [n.decode("utf8") for n in g.attrs["layer_names"]]
        assert layer_names == ["embedding", "simple_rnn", "dense"], layer_names
        weights = {}
        for layer in layer_names:
            names = [n.decode("utf8") for n in g[layer].attrs["weight_names"]]
            for name in names:
                weights[name] = np.asarray(g[layer][name], dtype=np.float32)
                assert g[layer][name].dtype == np.float32, name
        words = [w.decode("utf8") if isinstance(w, bytes) else w for w in f["vocabulary/words"][:]]
        maxlen = int(f.attrs["maxlen"])
        num_words = int(f.attrs["num_words"])
    expected = {
        "embedding/embeddings:0": (30, 8),
        "simple_rnn/simple_rnn_cell/kernel:0": (8, 5),
        "simple_rnn/simple_rnn_cell/recurrent_kernel:0": (5, 5),
        "simple_rnn/simple_rnn_cell/bias:0": (5,),
        "dense/kernel:0": (5, 1),
        "dense/bias:0": (1,),
    }
    assert {k: v.shape for k, v in weights.items()} == expected, {k: v.shape for k, v in weights.items()}

    emb = weights["embedding/embeddings:0"]
    K = weights["simple_rnn/simple_rnn_cell/kernel:0"]
    R = weights["simple_rnn/simple_rnn_cell/recurrent_kernel:0"]
    b = weights["simple_rnn/simple_rnn_cell/bias:0"]
    W = weights["dense/kernel:0"]
    c = weights["dense/bias:0"]
    word_id = {w: r + 4 for r, w in enumerate(words)}  # rank r (from 1) -> r + 3

    texts = ["w1 w2 w3", "W4, w5! w6 w7 w8 w9 w10 w11 w12 w13 w14 w15 w16", "unknownword w2",
             "", "w30 w31 w33 w1<br />w2"]
    probs = []
    for text in texts:
        ids = [1] + [word_id.get(t, 2) for t in tokenize(text)]
        ids = [i if i < num_words else 2 for i in ids][-maxlen:]  # truncate 'pre'
        ids = [0] * (maxlen - len(ids)) + ids                      # pad 'pre'
        h = np.zeros(5, dtype=np.float64)
        for i in ids:
            h = np.tanh(emb[i].astype(np.float64) @ K + h @ R + b)
        logit = h @ W[:, 0] + c[0]
        probs.append(1.0 / (1.0 + np.exp(-logit)))

    out = run(os.path.join(BIN, "rnnsent_predict"), "--model", model, "--format", "tsv", *texts).stdout
    rows = out.strip("\n").split("\n")[1:]
    assert len(rows) == len(texts), out
    got = [float(r.split("\t")[0]) for r in rows]
    worst = max(abs(g - p) for g, p in zip(got, probs))
    print("numpy:", [round(p, 6) for p in probs])
    print("rnnsent_predict:", got)
    print("max abs difference", worst)
    # rnnsent_predict prints 6 decimals (rounding <= 5e-7) and computes in float32 (about 1e-7
    # over 12 steps of 5 units): 1e-5 leaves a wide margin and still catches any wrong weight.
    assert worst < 1e-5, worst
    assert len(set(round(p, 4) for p in probs)) > 1, "all reviews scored alike: test is vacuous"
    keras_to_rnnsent(work)
    for cell, bidirectional, layers in [("lstm", False, 1), ("gru", False, 1), ("lstm", True, 1),
                                        ("gru", True, 2), ("lstm", False, 2)]:
        keras_cell_model(work, cell, bidirectional, layers)
    print("7 passed, 0 failed")


def write_keras_file(path, arrays):
    """{layer: {weight name: array}} in the layout tf.keras's model.save() writes: a
    model_weights group, layer_names, and per layer its weight_names in order."""
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = b"2.11.0"
        f.attrs["backend"] = b"tensorflow"
        g = f.create_group("model_weights")
        g.attrs["layer_names"] = np.array([n.encode() for n in arrays], dtype="S")
        for layer, weights in arrays.items():
            lg = g.create_group(layer)
            lg.attrs["weight_names"] = np.array([n.encode() for n in weights], dtype="S")
            for name, value in weights.items():
                lg.create_dataset(name, data=value.astype(np.float32))


def keras_to_rnnsent(work):
    """The reverse: a file in the layout tf.keras's model.save() writes, plus a word index JSON
    (imdb.get_word_index() style), scored by rnnsent_predict --word-index as NumPy scores it."""
    import json
    rng = np.random.default_rng(7)
    V, E, H, maxlen = 40, 6, 4, 10
    arrays = {
        "embedding": {"embedding/embeddings:0": rng.normal(0, 0.5, (V, E))},
        "simple_rnn": {"simple_rnn/simple_rnn_cell/kernel:0": rng.normal(0, 0.5, (E, H)),
                       "simple_rnn/simple_rnn_cell/recurrent_kernel:0": rng.normal(0, 0.5, (H, H)),
                       "simple_rnn/simple_rnn_cell/bias:0": rng.normal(0, 0.1, (H,))},
        "dense": {"dense/kernel:0": rng.normal(0, 0.5, (H, 1)), "dense/bias:0": np.array([0.1])},
    }
    path = os.path.join(work, "keras_model.h5")
    write_keras_file(path, arrays)
    words = ["great", "bad", "movie", "the", "plot", "awful", "loved", "it's"]
    index = {w: r + 1 for r, w in enumerate(words)}
    index["extra"] = 50  # beyond num_words: out of vocabulary for this model
    wi = os.path.join(work, "word_index.json")
    with open(wi, "w") as f:
        json.dump(index, f)
    texts = ["Great movie, loved it's plot", "bad bad awful", "the extra unknown words"]
    emb = arrays["embedding"]["embedding/embeddings:0"].astype(np.float32)
    K, R, b = (arrays["simple_rnn"][k].astype(np.float32) for k in arrays["simple_rnn"])
    W, c = (arrays["dense"][k].astype(np.float32) for k in arrays["dense"])
    probs = []
    for text in texts:
        ids = [1] + [index[t] + 3 if t in index else 2 for t in tokenize(text)]
        ids = [i if i < V else 2 for i in ids][-maxlen:]
        ids = [0] * (maxlen - len(ids)) + ids
        h = np.zeros(H)
        for i in ids:
            h = np.tanh(emb[i] @ K + h @ R + b)
        probs.append(1 / (1 + np.exp(-(h @ W[:, 0] + c[0]))))
    out = run(os.path.join(BIN, "rnnsent_predict"), "--model", path, "--word-index", wi,
              "--maxlen", str(maxlen), "--format", "tsv", *texts).stdout
    got = [float(r.split("\t")[0]) for r in out.strip("\n").split("\n")[1:]]
    worst = max(abs(g - p) for g, p in zip(got, probs))
    print("keras file: numpy", [round(p, 6) for p in probs], "rnnsent", got, "max diff", worst)
    assert worst < 1e-5, worst


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def run_cell(cell, xs, K, R, b, H):
    """Keras's LSTM / GRU (reset_after=True) over the rows of xs from zero states."""
    h, c, out = np.zeros(H), np.zeros(H), []
    for x in xs:
        if cell == "lstm":
            a = x @ K + h @ R + b
            i, f, g, o = sigmoid(a[:H]), sigmoid(a[H:2 * H]), np.tanh(a[2 * H:3 * H]), sigmoid(a[3 * H:])
            c = f * c + i * g
            h = o * np.tanh(c)
        else:
            ax, ah = x @ K + b[0], h @ R + b[1]
            z, r = sigmoid(ax[:H] + ah[:H]), sigmoid(ax[H:2 * H] + ah[H:2 * H])
            n = np.tanh(ax[2 * H:] + r * ah[2 * H:])
            h = z * h + (1 - z) * n
        out.append(h)
    return np.array(out)


def keras_cell_model(work, cell, bidirectional, layers):
    """A Keras-layout file of Embedding -> [Bidirectional] LSTM/GRU x layers -> Dense(1), named
    as tf.keras names them, scored by rnnsent_predict as NumPy scores it. The backward direction
    reads the real tokens last to first after the padding (Keras's Bidirectional with
    mask_zero=True), see core/time_reversal.hpp."""
    import json
    rng = np.random.default_rng(11 + layers + 3 * bidirectional)
    V, E, H, maxlen = 30, 5, 3, 9
    G = 4 if cell == "lstm" else 3
    D = 2 if bidirectional else 1
    arrays = {"embedding": {"embedding/embeddings:0": rng.normal(0, 0.5, (V, E))}}
    params = []  # per layer, per direction: (K, R, b)
    for layer in range(layers):
        suffix = "" if layer == 0 else "_%d" % layer
        width = E if layer == 0 else D * H
        group = ("bidirectional" if bidirectional else cell) + suffix
        arrays[group] = {}
        params.append([])
        for d in range(D):
            K = rng.normal(0, 0.5, (width, G * H))
            R = rng.normal(0, 0.5, (H, G * H))
            b = rng.normal(0, 0.3, (2, G * H) if cell == "gru" else (G * H,))
            inner = group if not bidirectional else \
                "%s/%s_%s%s" % (group, ("forward", "backward")[d], cell, suffix)
            for name, value in (("kernel", K), ("recurrent_kernel", R), ("bias", b)):
                arrays[group]["%s/%s_cell_%d/%s:0" % (inner, cell, 7 + d, name)] = value
            params[-1].append((K.astype(np.float32), R.astype(np.float32), b.astype(np.float32)))
    arrays["dense"] = {"dense/kernel:0": rng.normal(0, 0.5, (D * H, 1)), "dense/bias:0": np.array([0.05])}
    path = os.path.join(work, "keras_%s_%d_%d.h5" % (cell, D, layers))
    write_keras_file(path, arrays)
    words = ["great", "bad", "movie", "the", "plot", "awful", "loved"]
    index = {w: r + 1 for r, w in enumerate(words)}
    wi = os.path.join(work, "word_index_cells.json")
    with open(wi, "w") as f:
        json.dump(index, f)
    texts = ["great movie loved the plot", "bad awful plot", "the the movie", "loved"]
    emb = arrays["embedding"]["embedding/embeddings:0"].astype(np.float32)
    W = arrays["dense"]["dense/kernel:0"].astype(np.float32)
    c = float(arrays["dense"]["dense/bias:0"][0])
    probs = []
    for text in texts:
        ids = [1] + [index[t] + 3 if t in index else 2 for t in tokenize(text)]
        ids = ids[-maxlen:]
        first = maxlen - len(ids)
        ids = [0] * first + ids
        # The backward direction's order: padding in place, real tokens reversed.
        order = list(range(first)) + list(range(maxlen - 1, first - 1, -1))
        xs = emb[ids].astype(np.float64)
        for layer in range(layers):
            outs, last = [], []
            for d in range(D):
                K, R, b = params[layer][d]
                seq = xs if d == 0 else xs[order]
                states = run_cell(cell, seq, K, R, b, H)
                last.append(states[-1])
                outs.append(states if d == 0 else states[np.argsort(order)])
            xs = np.concatenate(outs, axis=1)
        logit = np.concatenate(last) @ W[:, 0] + c
        probs.append(1 / (1 + np.exp(-logit)))
    out = run(os.path.join(BIN, "rnnsent_predict"), "--model", path, "--word-index", wi,
              "--maxlen", str(maxlen), "--format", "tsv", *texts).stdout
    got = [float(r.split("\t")[0]) for r in out.strip("\n").split("\n")[1:]]
    worst = max(abs(g - p) for g, p in zip(got, probs))
    print("keras %s x%d %s: numpy" % (cell, layers, "bidirectional" if bidirectional else ""),
          [round(p, 6) for p in probs], "rnnsent", got, "max diff", worst)
    assert worst < 1e-5, worst
    assert len(set(round(p, 4) for p in probs)) > 1, "all reviews scored alike: test is vacuous"


if __name__ == "__main__":
    main()
