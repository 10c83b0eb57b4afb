// Reading and writing best_model.h5 (layout in model_file.hpp and docs/ARCHITECTURE.md).
#include "io/model_file.hpp"

#include <cstdio>
#include <stdexcept>

#include "io/atomic_file.hpp"
#include "io/checksum.hpp"
#include "io/h5_util.hpp"
#include "io/keras_weights.hpp"

namespace rnnsent {
namespace {

constexpr const char* kKind = "rnnsent-model";

// FNV-1a over every weight's name and bytes, in order: a flipped byte in the weights would
// otherwise load as a silently different model.
std::int64_t weights_checksum(const std::vector<NamedTensor>& weights) {
  Fnv1a h;
  for (const NamedTensor& t : weights) {
    h.mix(t.name.data(), t.name.size());
    h.mix(t.values.data(), t.values.size() * sizeof(float));
  }
  return h.value();
}

// Creates the groups of "a/b/c" below root and returns the group that holds "c".
H5::Group parent_group(H5::Group root, const std::string& name, std::string& leaf) {
  std::size_t start = 0, slash;
  H5::Group g = root;
  while ((slash = name.find('/', start)) != std::string::npos) {
    const std::string part = name.substr(start, slash - start);
    g = h5::has(g, part) ? g.openGroup(part) : g.createGroup(part);
    start = slash + 1;
  }
  leaf = name.substr(start);
  return g;
}

// The oldest version that holds the model: 3, or 4 with negated rows, so that a build that
// knows only 3 still reads every other model and refuses (rather than misreads) one with
// negated rows. A version other than the current one is written as given (files read back).
int version_to_write(const ModelFile& m) {
  if (m.format_version != kModelFormatVersion) return m.format_version;
  return m.negation_scope > 0 ? 4 : 3;
}

void write_file(const std::string& path, const ModelFile& m) {
  H5::H5File file = h5::create_in_memory(path);
  h5::set_attr(file, "kind", std::string(kKind));
  h5::set_attr(file, "format_version", std::int64_t(version_to_write(m)));
  h5::set_attr(file, "cell", m.cell);
  h5::set_attr(file, "num_words", std::int64_t(m.num_words));
  h5::set_attr(file, "embedding_dim", std::int64_t(m.embedding_dim));
  h5::set_attr(file, "units", std::int64_t(m.units));
  h5::set_attr(file, "bidirectional", std::int64_t(m.bidirectional ? 1 : 0));
  h5::set_attr(file, "layers", std::int64_t(m.layers));
  h5::set_attr(file, "pooling", m.pooling);
  h5::set_attr(file, "bigram_buckets", std::int64_t(m.bigram_buckets));
  if (m.negation_scope > 0) {  // files without negated rows stay as they were
    h5::set_attr(file, "negation_scope", std::int64_t(m.negation_scope));
    h5::set_attr(file, "negator_rule", m.negator_rule);
  }
  h5::set_attr(file, "maxlen", std::int64_t(m.maxlen));
  h5::set_attr(file, "padding", m.padding);
  h5::set_attr(file, "tokenizer", m.tokenizer);
  h5::set_attr(file, "dataset_fingerprint", m.dataset_fingerprint);
  h5::set_attr(file, "epoch", std::int64_t(m.epoch));
  h5::set_attr(file, "val_loss", m.val_loss);
  h5::set_attr(file, "val_acc", m.val_acc);
  h5::set_attr(file, "config", m.config_ini);
  h5::set_attr(file, "weights_checksum", weights_checksum(m.weights));

  H5::Group weights = file.createGroup("weights");
  std::vector<std::string> order;
  for (const NamedTensor& t : m.weights) {
    std::string leaf;
    H5::Group g = parent_group(weights, t.name, leaf);
    std::vector<hsize_t> shape(t.shape.begin(), t.shape.end());
    h5::write_array(g, leaf, t.values.data(), shape);
    order.push_back(t.name);
  }
  h5::write_strings(weights, "order", order);  // slot order, so readers need no naming rules
  // The same weights as Keras's load_weights reads them; a Keras Embedding has no bigram rows.
  if (m.bigram_buckets == 0) write_keras_weights(file, m.weights);
  H5::Group vocab = file.createGroup("vocabulary");
  h5::write_strings(vocab, "words", m.words);
  h5::save_atomically(file, path);
}

}  // namespace

void write_model(const std::string& path, const ModelFile& model) { write_file(path, model); }

static ModelFile read_model_unguarded(const std::string& path) {
  H5::H5File file = h5::open_read(path);
  ModelFile m;
  m.format_version = h5::checked_format_version(file, path, kKind, "model",
                                                kOldestModelFormatVersion, kModelFormatVersion);
  m.cell = h5::get_string_attr(file, "cell");
  m.num_words = h5::get_int32_attr(file, "num_words");
  m.embedding_dim = h5::get_int32_attr(file, "embedding_dim");
  m.units = h5::get_int32_attr(file, "units");
  if (m.format_version >= 3) {  // version 2 models are one unidirectional layer
    m.bidirectional = h5::get_int_attr(file, "bidirectional") != 0;
    m.layers = h5::get_int32_attr(file, "layers");
    // Early format-3 files predate pooling: they are all "last".
    if (h5::has_attr(file, "pooling")) m.pooling = h5::get_string_attr(file, "pooling");
    if (h5::has_attr(file, "bigram_buckets"))  // files from before bigrams have none
      m.bigram_buckets = h5::get_int32_attr(file, "bigram_buckets");
    if (h5::has_attr(file, "negation_scope")) {
      m.negation_scope = h5::get_int32_attr(file, "negation_scope");
      m.negator_rule = h5::get_string_attr(file, "negator_rule");
    }
  }
  m.maxlen = h5::get_int32_attr(file, "maxlen");
  m.padding = h5::get_string_attr(file, "padding");
  m.tokenizer = h5::get_string_attr(file, "tokenizer");
  if (h5::has_attr(file, "dataset_fingerprint"))  // optional: older files predate it
    m.dataset_fingerprint = h5::get_string_attr(file, "dataset_fingerprint");
  m.epoch = h5::get_int32_attr(file, "epoch");
  m.val_loss = h5::get_double_attr(file, "val_loss");
  m.val_acc = h5::get_double_attr(file, "val_acc");
  m.config_ini = h5::get_string_attr(file, "config");
  if (!h5::has(file, "weights")) throw std::runtime_error(path + ": missing group 'weights'");
  H5::Group weights = file.openGroup("weights");
  for (const std::string& name : h5::read_strings(weights, "order")) {
    NamedTensor t;
    t.name = name;
    std::vector<hsize_t> shape;
    t.values = h5::read_array<float>(weights, name, &shape);
    t.shape.assign(shape.begin(), shape.end());
    m.weights.push_back(std::move(t));
  }
  if (h5::get_int_attr(file, "weights_checksum") != weights_checksum(m.weights))
    throw std::runtime_error(path + ": weights do not match their checksum (file damaged)");
  if (!h5::has(file, "vocabulary")) throw std::runtime_error(path + ": missing group 'vocabulary'");
  m.words = h5::read_strings(file.openGroup("vocabulary"), "words");
  return m;
}

ModelFile read_model(const std::string& path) {
  return h5::guard(path, [&] { return read_model_unguarded(path); });
}

}  // namespace rnnsent
