// Scores raw texts with a trained model using only what best_model.h5 holds: its tokenizer,
// vocabulary (+3 offset, unknown words -> 2), num_words, maxlen and padding. Batched through
// the inference primitive; needs no dataset and no MPI launcher.
#pragma once

#include <string>
#include <vector>

#include "core/sentiment_model.hpp"
#include "io/sequences.hpp"
#include "io/vocabulary.hpp"
#include "launch/lib/model_io.hpp"
#include "launch/lib/padded_set.hpp"

namespace rnnsent {

// texts tokenized and looked up as `model` does (its vocabulary `vocab`, num_words, maxlen,
// padding) into set, labels 0.
void encode_texts(const std::vector<std::string>& texts, const Vocabulary& vocab,
                  const LoadedModel& model, PaddedSet& set);

class Predictor {
 public:
  explicit Predictor(const std::string& model_path);
  // A model already loaded (e.g. by load_keras_model).
  explicit Predictor(LoadedModel model);
  // Probability of positive for each text, in order.
  std::vector<float> probabilities(const std::vector<std::string>& texts);
  // The logits behind them.
  std::vector<float> logits(const std::vector<std::string>& texts);
  const Vocabulary& vocabulary() const { return vocab_; }
  const LoadedModel& model() const { return loaded_; }

 private:
  LoadedModel loaded_;
  Vocabulary vocab_;
  SentimentModel net_;
  static constexpr int kBatch = 128;  // reviews per inference call
  PaddedSet set_;                     // the texts of one probabilities() call, padded
  std::vector<float> logits_;
  std::vector<float> padding_states_;  // the weights never change: computed once, for every call
};

}  // namespace rnnsent
