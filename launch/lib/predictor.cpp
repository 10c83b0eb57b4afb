// Prediction from a checkpoint; see predictor.hpp.
#include "launch/lib/predictor.hpp"

#include <cmath>

#include "launch/lib/scoring.hpp"

namespace rnnsent {

Predictor::Predictor(const std::string& model_path) : Predictor(load_model(model_path)) {}

Predictor::Predictor(LoadedModel model)
    : loaded_(std::move(model)),
      // Counts are not needed to look words up; the stored order is the rank order.
      vocab_(loaded_.words, std::vector<std::int64_t>(loaded_.words.size(), 0)),
      net_(loaded_.shape),
      padding_states_((std::size_t(loaded_.maxlen) + 1) * state_size(loaded_.shape)) {
  net_.padding_states(loaded_.params.data(), loaded_.maxlen, padding_states_.data());
}

void encode_texts(const std::vector<std::string>& texts, const Vocabulary& vocab,
                  const LoadedModel& model, PaddedSet& set) {
  const int T = model.maxlen;
  const std::size_t n = texts.size();
  set.maxlen = T;
  set.padding = parse_padding(model.padding);
  set.ids.resize(n * std::size_t(T));
  set.labels.assign(n, 0.0f);
  const TokenizerKind kind = tokenizer_from_name(model.tokenizer);
  // Tokenizing is a third of the work for short reviews: spread it over the threads too.
#pragma omp parallel for schedule(dynamic, 64)
  for (std::size_t i = 0; i < n; ++i) {
    const std::vector<std::int32_t> encoded =
        encode_text(texts[i], vocab, model.shape.num_words, kind);
    pad_sequence(encoded.data(), encoded.size(), T, set.padding, model.shape.num_words,
                 set.ids.data() + i * std::size_t(T));
  }
}

std::vector<float> Predictor::logits(const std::vector<std::string>& texts) {
  const std::size_t n = texts.size();
  if (n == 0) return {};
  encode_texts(texts, vocab_, loaded_, set_);
  logits_.resize(n);
  score_rows(net_, loaded_.params.data(), set_, n, kBatch, logits_.data(), &padding_states_);
  return logits_;
}

std::vector<float> Predictor::probabilities(const std::vector<std::string>& texts) {
  const std::vector<float> z = logits(texts);
  std::vector<float> out(z.size());
  for (std::size_t i = 0; i < z.size(); ++i) out[i] = float(1.0 / (1.0 + std::exp(-double(z[i]))));
  return out;
}

}  // namespace rnnsent
