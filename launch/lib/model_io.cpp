// Packing and unpacking model checkpoints; see model_io.hpp.
#include "launch/lib/model_io.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <sstream>
#include <stdexcept>

#include "core/bigram.hpp"  // kMaxBigramBuckets
#include "io/keras_weights.hpp"
#include "io/negators.hpp"
#include "io/tokenizer.hpp"
#include "io/word_index.hpp"

namespace rnnsent {
namespace {

std::string shape_text(const std::vector<std::size_t>& shape) {
  std::ostringstream os;
  os << "[";
  for (std::size_t i = 0; i < shape.size(); ++i) os << (i ? ", " : "") << shape[i];
  os << "]";
  return os.str();
}

// A weight that is inf or NaN scores every review as NaN or as certain; such a file (a diverged
// run, a damaged Keras file whose checksum was recomputed) is refused, naming the weight.
void check_finite(const std::string& path, const ParamLayout& layout,
                  const std::vector<float>& params) {
  for (const Slot& s : layout.slots())
    for (std::size_t i = 0; i < s.size(); ++i)
      if (!std::isfinite(params[s.offset + i]))
        throw std::runtime_error(path + ": weight '" + s.name + "' holds a non-finite value (" +
                                 std::to_string(params[s.offset + i]) + " at index " +
                                 std::to_string(i) + "); the model cannot be used");
}

}  // namespace

ModelFile pack_model(const ModelShape& shape, const float* params, const Vocabulary& vocab,
                     const DatasetStamp& dataset, const TrainConfig& config,
                     const EpochMetrics& metrics) {
  ModelFile m;
  m.cell = cell_name(shape.cell);
  m.num_words = shape.num_words;
  m.embedding_dim = shape.embedding_dim;
  m.units = shape.units;
  m.bidirectional = shape.bidirectional;
  m.layers = shape.layers;
  m.pooling = pooling_name(shape.pooling);
  m.bigram_buckets = shape.bigram_buckets;
  m.negation_scope = shape.negation_scope;
  if (shape.negation_scope > 0) m.negator_rule = kNegatorRule;
  m.maxlen = config.maxlen;
  m.padding = config.padding;
  m.tokenizer = dataset.tokenizer;
  m.dataset_fingerprint = dataset.fingerprint;
  // Only words whose id is below num_words can reach the model; the rest are OOV anyway.
  const std::size_t kept =
      std::min<std::size_t>(vocab.size(), std::size_t(shape.num_words - kIndexFrom - 1));
  m.words.assign(vocab.words().begin(), vocab.words().begin() + std::ptrdiff_t(kept));
  const ParamLayout layout = make_layout(shape);  // named: slots() refers into it
  for (const Slot& s : layout.slots())
    m.weights.push_back(
        {s.name, s.shape, std::vector<float>(params + s.offset, params + s.offset + s.size())});
  m.config_ini = to_ini(config);
  m.epoch = metrics.epoch;
  m.val_loss = metrics.val_loss;
  m.val_acc = metrics.val_acc;
  return m;
}

void check_same_tokenizer(const std::vector<std::string>& paths,
                          const std::vector<const LoadedModel*>& models) {
  for (std::size_t m = 1; m < models.size(); ++m)
    if (models[m]->tokenizer != models[0]->tokenizer)
      throw std::runtime_error(paths[m] + ": tokenizes with '" + models[m]->tokenizer + "', " +
                               paths[0] + " with '" + models[0]->tokenizer +
                               "'; the models of an ensemble must share the tokenizer");
}

LoadedModel load_model(const std::string& path) {
  ModelFile file = read_model(path);
  LoadedModel out;
  try {
    tokenizer_from_name(file.tokenizer);  // prediction must tokenize as training did
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
  out.tokenizer = file.tokenizer;
  try {
    out.shape.cell = parse_cell(file.cell);
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
  out.shape.num_words = file.num_words;
  out.shape.embedding_dim = file.embedding_dim;
  out.shape.units = file.units;
  out.shape.bidirectional = file.bidirectional;
  out.shape.layers = file.layers;
  try {
    out.shape.pooling = parse_pooling(file.pooling);
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
  if (file.num_words < 4 || file.embedding_dim < 1 || file.units < 1 || file.maxlen < 1 ||
      file.layers < 1 || file.layers > 64 || file.bigram_buckets < 0 ||
      file.bigram_buckets > kMaxBigramBuckets || file.num_words > INT32_MAX - file.bigram_buckets)
    throw std::runtime_error(path +
                             ": implausible architecture (num_words, bigram_buckets, "
                             "embedding_dim, units, layers or maxlen)");
  out.shape.bigram_buckets = file.bigram_buckets;
  if (file.negation_scope < 0 || file.negation_scope > 10 ||
      (file.negation_scope > 0 && file.bigram_buckets == 0))
    throw std::runtime_error(path + ": implausible negation_scope " +
                             std::to_string(file.negation_scope) +
                             " (0-10, and only with bigram_buckets > 0)");
  if (file.negation_scope > 0 && file.negator_rule != kNegatorRule)
    throw std::runtime_error(path + ": negator_rule '" + file.negator_rule + "' is not this " +
                             "build's '" + kNegatorRule + "'");
  out.shape.negation_scope = file.negation_scope;
  if (file.padding != "pre" && file.padding != "post")
    throw std::runtime_error(path + ": padding '" + file.padding + "' is neither pre nor post");
  out.maxlen = file.maxlen;
  out.padding = file.padding;
  out.words = std::move(file.words);
  if (out.shape.negation_scope > 0)  // as in training: the rule over the model's own words
    out.shape.negators = negator_ids(out.words, out.shape.num_words);
  const ParamLayout layout = make_layout(out.shape);
  // Every slot is checked against the tensors the file really holds before the parameter
  // buffer is allocated, so a header claiming a huge architecture is an error, not an
  // allocation the size of its claim.
  std::vector<const NamedTensor*> found;
  for (const Slot& s : layout.slots()) {
    auto it = std::find_if(file.weights.begin(), file.weights.end(),
                           [&](const NamedTensor& t) { return t.name == s.name; });
    if (it == file.weights.end())
      throw std::runtime_error(path + ": missing weight '" + s.name + "'");
    if (it->shape != s.shape || it->values.size() != s.size())
      throw std::runtime_error(path + ": weight '" + s.name + "' has shape " +
                               shape_text(it->shape) + ", the architecture needs " +
                               shape_text(s.shape));
    found.push_back(&*it);
  }
  out.params.assign(layout.total(), 0.0f);
  for (std::size_t k = 0; k < found.size(); ++k)
    std::copy(found[k]->values.begin(), found[k]->values.end(),
              out.params.begin() + std::ptrdiff_t(layout.slots()[k].offset));
  check_finite(path, layout, out.params);
  out.metrics = {file.epoch, file.val_loss, file.val_acc};
  out.config_ini = file.config_ini;
  out.dataset_fingerprint = file.dataset_fingerprint;
  return out;
}

LoadedModel load_keras_model(const std::string& path, const std::string& word_index_path,
                             int maxlen, const std::string& padding) {
  std::vector<NamedTensor> weights = read_keras_weights(path);
  auto find = [&](const std::string& name) -> const NamedTensor& {
    for (const NamedTensor& t : weights)
      if (t.name == name) return t;
    throw std::runtime_error(path + ": no Keras weight for '" + name +
                             "' (expected Embedding -> recurrent layers -> Dense(1))");
  };
  const NamedTensor& emb = find("embedding/embeddings");
  if (emb.shape.size() != 2) throw std::runtime_error(path + ": embedding is not a matrix");
  // ids 0-3 are reserved, so a smaller table cannot hold one word (and num_words - 4 below
  // would wrap around).
  if (emb.shape[0] < 4 || emb.shape[0] > std::size_t(INT32_MAX) || emb.shape[1] < 1)
    throw std::runtime_error(path + ": the Keras embedding is " + shape_text(emb.shape) +
                             "; it needs at least 4 rows (ids 0-3 are reserved) and 1 column");
  LoadedModel out;
  out.shape.num_words = int(emb.shape[0]);
  out.shape.embedding_dim = int(emb.shape[1]);
  // The architecture from the layer names: which recurrent cell, bidirectional or not, and how
  // many stacked layers (Keras names them <cell>, <cell>_1, ... and bidirectional, ..._1, ...).
  auto has = [&](const std::string& name) {
    return std::any_of(weights.begin(), weights.end(),
                       [&](const NamedTensor& t) { return t.name == name; });
  };
  bool found = false;
  for (CellKind cell : {CellKind::simple_rnn, CellKind::lstm, CellKind::gru}) {
    for (bool bidirectional : {false, true}) {
      ModelShape probe = out.shape;
      probe.cell = cell;
      probe.bidirectional = bidirectional;
      if (found || !has(rnn_slot_prefix(probe, 0, 0) + "/recurrent_kernel")) continue;
      found = true;
      out.shape.cell = cell;
      out.shape.bidirectional = bidirectional;
      out.shape.layers = 1;
      while (has(rnn_slot_prefix(out.shape, out.shape.layers, 0) + "/recurrent_kernel"))
        ++out.shape.layers;
    }
  }
  if (!found)
    throw std::runtime_error(path +
                             ": no SimpleRNN, LSTM or GRU layer (optionally Bidirectional) found");
  const NamedTensor& rec = find(rnn_slot_prefix(out.shape, 0, 0) + "/recurrent_kernel");
  if (rec.shape.size() != 2) throw std::runtime_error(path + ": recurrent kernel is not a matrix");
  out.shape.units = int(rec.shape[0]);
  out.maxlen = maxlen;
  out.padding = padding;
  if (maxlen < 1) throw std::runtime_error("--maxlen must be >= 1");
  if (padding != "pre" && padding != "post")
    throw std::runtime_error("--padding must be pre or post");
  const ParamLayout layout = make_layout(out.shape);
  out.params.assign(layout.total(), 0.0f);
  for (const Slot& s : layout.slots()) {
    const NamedTensor& t = find(s.name);
    if (t.shape != s.shape)
      throw std::runtime_error(path + ": Keras weight '" + s.name + "' has shape " +
                               shape_text(t.shape) + ", expected " + shape_text(s.shape));
    std::copy(t.values.begin(), t.values.end(), out.params.begin() + std::ptrdiff_t(s.offset));
  }
  check_finite(path, layout, out.params);
  out.words = read_word_index(word_index_path);
  // Words whose id would reach num_words are out of vocabulary for this model anyway.
  if (out.words.size() > std::size_t(out.shape.num_words - kIndexFrom - 1))
    out.words.resize(std::size_t(out.shape.num_words - kIndexFrom - 1));
  return out;
}

}  // namespace rnnsent
