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
      padding_(parse_padding(loaded_.padding)),
      net_(loaded_.shape),
      padding_states_((std::size_t(loaded_.maxlen) + 1) * state_size(loaded_.shape)) {
  net_.padding_states(loaded_.params.data(), loaded_.maxlen, padding_states_.data());
}

std::vector<float> Predictor::probabilities(const std::vector<std::string>& texts) {
  const int T = loaded_.maxlen;
  const std::size_t n = texts.size();
  std::vector<float> out(n);
  if (n == 0) return out;
  set_.maxlen = T;
  set_.padding = padding_;
  set_.ids.resize(n * std::size_t(T));
  set_.labels.assign(n, 0.0f);
  // Tokenizing is a third of the work for short reviews: spread it over the threads too.
#pragma omp parallel for schedule(dynamic, 64)
  for (std::size_t i = 0; i < n; ++i) {
    const std::vector<std::int32_t> encoded =
        encode_text(texts[i], vocab_, loaded_.shape.num_words);
    pad_sequence(encoded.data(), encoded.size(), T, padding_, loaded_.shape.num_words,
                 set_.ids.data() + i * std::size_t(T));
  }
  logits_.resize(n);
  score_rows(net_, loaded_.params.data(), set_, n, kBatch, logits_.data(), &padding_states_);
  for (std::size_t i = 0; i < n; ++i) out[i] = float(1.0 / (1.0 + std::exp(-double(logits_[i]))));
  return out;
}

}  // namespace rnnsent
