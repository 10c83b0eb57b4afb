// best_model.h5: everything prediction needs, without the dataset: the weights as named
// datasets, the architecture, the vocabulary (the words whose id is < num_words), the tokenizer
// name, maxlen and padding, the resolved training config and a format version. io/ stays free
// of core/: weights travel as named tensors and launch/ maps them onto the parameter layout.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace rnnsent {

inline constexpr int kModelFormatVersion = 4;  // 2: weights_checksum, Keras layout;
                                               // 3: bidirectional, layers, pooling (2 still reads);
                                               // 4: negation_scope (written only by such models,
                                               // so that a build before it refuses them)
inline constexpr int kOldestModelFormatVersion = 2;

struct NamedTensor {
  std::string name;                // e.g. "simple_rnn/kernel"; '/' makes HDF5 sub-groups
  std::vector<std::size_t> shape;  // row-major
  std::vector<float> values;
};

struct ModelFile {
  int format_version = kModelFormatVersion;
  std::string cell;
  int num_words = 0;
  int embedding_dim = 0;
  int units = 0;
  bool bidirectional = false;
  int layers = 1;
  std::string pooling = "last";
  int bigram_buckets = 0;    // hashed bigram rows after the words; 0 in files from before them
  int negation_scope = 0;    // core/phrase_rows.hpp; 0 in files from before it
  std::string negator_rule;  // with negation_scope > 0: io/negators.hpp's rule name
  int maxlen = 0;
  std::string padding;
  std::string tokenizer;
  std::string dataset_fingerprint;  // of the training data; "" in files from before it
  std::vector<std::string> words;   // rank order: words[r - 1] has id r + 3
  std::vector<NamedTensor> weights;
  std::string config_ini;  // the resolved training config
  int epoch = 0;           // epoch (1-based) these weights are from
  double val_loss = 0;
  double val_acc = 0;
};

// Writes path.tmp, then renames it over path: a crash never leaves a half-written model.
void write_model(const std::string& path, const ModelFile& model);

// Throws std::runtime_error naming the file: missing, not HDF5, truncated, not an rnnsent
// model, another format version, or a missing or malformed entry.
ModelFile read_model(const std::string& path);

}  // namespace rnnsent
