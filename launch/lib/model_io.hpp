// Bridges the flat parameter buffer (core/) and best_model.h5 (io/): packs slots into named
// tensors with the vocabulary and settings prediction needs, and unpacks them with every
// shape checked against the layout the file's own architecture implies.
#pragma once

#include <string>
#include <vector>

#include "core/model_shape.hpp"
#include "io/config.hpp"
#include "io/model_file.hpp"
#include "io/tokenizer.hpp"
#include "io/vocabulary.hpp"

namespace rnnsent {

struct EpochMetrics {
  int epoch = 0;
  double val_loss = 0, val_acc = 0;
};

// The dataset a model was trained on: its tokenizer (prediction must tokenize the same way) and
// its fingerprint.
struct DatasetStamp {
  std::string tokenizer, fingerprint;
};

ModelFile pack_model(const ModelShape& shape, const float* params, const Vocabulary& vocab,
                     const DatasetStamp& dataset, const TrainConfig& config,
                     const EpochMetrics& metrics);

struct LoadedModel;

// The models of an ensemble, loaded from paths, must share the tokenizer: each reads the text
// as it was trained to. Throws naming the first that differs.
void check_same_tokenizer(const std::vector<std::string>& paths,
                          const std::vector<const LoadedModel*>& models);

struct LoadedModel {
  ModelShape shape;
  int maxlen = 0;
  std::string padding;
  std::string tokenizer = kTokenizerName;  // the name stored with the model (a Keras file: ascii)
  std::vector<std::string> words;
  std::vector<float> params;        // laid out by make_layout(shape)
  std::string config_ini;           // the training run's resolved configuration
  std::string dataset_fingerprint;  // of its training data ("" for older or Keras files)
  EpochMetrics metrics;
};

// Reads and checks path; errors name the file and the slot or setting at fault.
LoadedModel load_model(const std::string& path);

// A model saved by tf.keras (Embedding -> SimpleRNN -> Dense(1) weights in its .h5 layout) with
// its word index JSON: ids are word-index rank + 3; maxlen and padding as given.
LoadedModel load_keras_model(const std::string& path, const std::string& word_index_path,
                             int maxlen, const std::string& padding);

}  // namespace rnnsent
