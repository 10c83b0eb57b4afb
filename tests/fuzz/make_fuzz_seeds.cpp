// Writes the fuzz targets' seed corpora (tests/fuzz/corpus/<target>/): small valid files of
// every kind rnnsent reads, made by rnnsent's own writers, so mutations start from the real
// layouts. No IMDB data. The output is committed; rerun after a format change:
//   build-fuzz/bin/make_fuzz_seeds tests/fuzz/corpus
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/model_shape.hpp"
#include "io/checkpoint_file.hpp"
#include "io/dataset_file.hpp"
#include "io/history_file.hpp"
#include "io/model_file.hpp"
#include "launch/lib/model_io.hpp"

namespace {

using namespace rnnsent;

void make_dir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
    throw std::runtime_error(dir + ": cannot create");
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error(path + ": cannot write");
}

// HDF5 writers go through path.tmp and a rename; the corpus file keeps no extension so
// .gitignore's *.h5 does not hide it.
template <typename Write>
void write_h5(const std::string& path, Write&& write) {
  write(path + ".h5");
  if (std::rename((path + ".h5").c_str(), path.c_str()) != 0)
    throw std::runtime_error(path + ": cannot rename");
}

Vocabulary tiny_vocabulary() {
  return Vocabulary({"good", "bad", "movie", "the"}, {9, 7, 5, 3});
}

void models(const std::string& dir) {
  struct Variant {
    const char* name;
    CellKind cell;
    bool bidirectional;
    int layers;
    Pooling pooling;
  };
  const Variant variants[] = {{"model-simple-rnn", CellKind::simple_rnn, false, 1, Pooling::last},
                              {"model-lstm-bidi-2", CellKind::lstm, true, 2, Pooling::mean},
                              {"model-gru-max", CellKind::gru, false, 1, Pooling::max}};
  for (const Variant& v : variants) {
    ModelShape shape;
    shape.num_words = 8;
    shape.embedding_dim = 2;
    shape.units = 2;
    shape.cell = v.cell;
    shape.bidirectional = v.bidirectional;
    shape.layers = v.layers;
    shape.pooling = v.pooling;
    std::vector<float> params(make_layout(shape).total());
    std::iota(params.begin(), params.end(), -1.0f);
    for (float& p : params) p *= 0.01f;
    TrainConfig config;
    config.data = "data.h5";
    config.maxlen = 6;
    config.num_words = 8;
    const ModelFile m = pack_model(shape, params.data(), tiny_vocabulary(), config, {1, 0.5, 0.75});
    write_h5(dir + "/" + v.name, [&](const std::string& p) { write_model(p, m); });
  }
}

History tiny_history() {
  History h;
  h.loss = {0.7, 0.6};
  h.acc = {0.5, 0.6};
  h.val_loss = {0.69, 0.65};
  h.val_acc = {0.5, 0.55};
  h.seconds = {1, 1};
  h.learning_rate = {1e-3, 1e-3};
  h.grad_norm = {0.5, 0.4};
  return h;
}

void checkpoints(const std::string& dir) {
  for (bool adam : {false, true}) {
    TrainState s;
    TrainConfig config;
    config.data = "data.h5";
    config.optimizer = adam ? "adam" : "rmsprop";
    config.ema_momentum = adam ? 0.9 : 0;
    s.config_ini = to_ini(config);
    s.global_step = 7;
    s.epoch = 2;
    s.step_in_epoch = 3;
    s.checkpoint_best = 0.65;
    s.stopping_best = 0.55;
    s.best_epoch = 2;
    s.history = tiny_history();
    s.params = {0.1f, -0.2f, 0.3f, 0.4f};
    s.accumulators = {0.01f, 0.02f, 0.03f, 0.04f};
    s.best_params = s.params;
    if (adam) {
      s.momentum = {0.001f, 0.002f, 0.003f, 0.004f};
      s.optimizer_updates = 7;
      s.weight_average = s.params;
    }
    write_h5(dir + (adam ? "/checkpoint-adam-ema" : "/checkpoint-rmsprop"),
             [&](const std::string& p) { write_checkpoint(p, s); });
  }
  write_h5(dir + "/history", [&](const std::string& p) { write_history(p, tiny_history()); });
}

EncodedSplit tiny_split(const std::vector<std::vector<std::int32_t>>& reviews) {
  EncodedSplit s;
  s.offsets.push_back(0);
  for (std::size_t i = 0; i < reviews.size(); ++i) {
    s.tokens.push_back(kStartId);
    s.tokens.insert(s.tokens.end(), reviews[i].begin(), reviews[i].end());
    s.offsets.push_back(std::int64_t(s.tokens.size()));
    s.labels.push_back(std::uint8_t(i % 2));
    s.ratings.push_back(i % 2 ? 9 : 2);
    s.review_ids.push_back(std::int32_t(i));
  }
  return s;
}

void datasets(const std::string& dir) {
  PreparedDataset d;
  d.vocabulary = tiny_vocabulary();
  d.tokenizer = "ascii_alnum_apostrophe_v1";
  d.train = tiny_split({{4, 6, 7}, {5, 2, 6}, {4, 4}, {7}});
  d.test = tiny_split({{5, 6}, {4, 7, 2}});
  write_h5(dir + "/dataset", [&](const std::string& p) { write_dataset(p, d); });
}

// The fuzz_config input's command-line part: each argument after a NUL byte.
std::string flags(const std::vector<std::string>& args) {
  std::string out;
  for (const std::string& a : args) out += std::string(1, '\0') + a;
  return out;
}

void configs(const std::string& dir) {
  const std::string base =
      "data = data/imdb.h5\noutput_dir = runs/imdb\nnum_words = 30000\nmaxlen = 500\n"
      "padding = pre\ncell = simple_rnn\nembedding_dim = 128\nunits = 64\nbatch_size = 128\n"
      "epochs = 10\nlearning_rate = 0.001\nrho = 0.9\nepsilon = 1e-7\nvalidation_split = 0.2\n"
      "patience = 1\nseed = 1\n";
  write_text(dir + "/course", base);
  write_text(dir + "/course-with-flags",
             base + flags({"--epochs", "2", "--cell", "lstm", "--bidirectional", "true"}));
  TrainConfig c;
  c.data = "d.h5";
  c.cell = "gru";
  c.optimizer = "adam";
  c.lr_scaling = "sqrt";
  c.pooling = "max";
  c.layers = 3;
  c.num_words = 0;
  write_text(dir + "/to-ini-gru-adam", to_ini(c));
  write_text(dir + "/flags-only", flags({"--data=x.h5", "--num_words", "all", "--seed", "7"}));
  write_text(dir + "/comments", "# a comment\n[section]\ndata=a.h5 ; x\nunknown = 1\n");
}

void texts(const std::string& dir) {
  // The first two bytes are parameters (num_words, maxlen and padding), then the text.
  write_text(dir + "/course-sentence",
             std::string("\x0c\x05") + "This movie was great! I don't think it's bad.<br />10/10");
  write_text(dir + "/utf8", std::string("\x03\x48") + "Caf\xc3\xa9 \xe2\x80\x94 na\xc3\xafve");
  write_text(dir + "/invalid-utf8", std::string("\x0f\x3f") + "a\xff\xfe" "b<br /c<br />'''");
}

void word_indexes(const std::string& dir) {
  write_text(dir + "/small", "{\"the\": 1, \"and\": 2, \"a\": 3, \"of\": 4}");
  write_text(dir + "/escapes",
             "{ \"caf\\u00e9\": 2,\n  \"\\ud83d\\ude00\": 1, \"q\\\"\\\\\\/\\n\": 5 }\n");
  write_text(dir + "/empty", "{}");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_fuzz_seeds CORPUS_DIR\n");
    return 2;
  }
  try {
    const std::string root = argv[1];
    make_dir(root);
    const std::pair<const char*, void (*)(const std::string&)> kinds[] = {
        {"config", configs},         {"text", texts},         {"word_index", word_indexes},
        {"model_file", models},      {"checkpoint_file", checkpoints},
        {"dataset_file", datasets}};
    for (const auto& [name, write] : kinds) {
      make_dir(root + "/" + name);
      write(root + "/" + name);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_fuzz_seeds: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
