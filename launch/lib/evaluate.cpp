// Batched evaluation; losses are summed in double so long sets do not lose precision.
#include "launch/lib/evaluate.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace rnnsent {

double bce_from_logit(double z, double y) {
  return std::max(z, 0.0) - z * y + std::log1p(std::exp(-std::abs(z)));
}

EvalResult evaluate(SentimentModel& model, const float* params, const PaddedSet& set,
                    int batch_size, std::size_t limit) {
  const std::size_t rows = limit ? std::min(limit, set.rows()) : set.rows();
  const std::size_t bs = std::size_t(batch_size);
  std::vector<std::uint32_t> order(rows);
  std::iota(order.begin(), order.end(), 0u);
  std::vector<std::int32_t> ids(bs * std::size_t(set.maxlen));
  std::vector<float> labels(bs), logits(bs);
  double loss = 0;
  EvalResult r;
  for (std::size_t at = 0; at < rows; at += bs) {
    const std::size_t n = std::min(bs, rows - at);
    gather_batch(set, order.data() + at, n, ids.data(), labels.data());
    model.predict_logits(params, ids.data(), int(n), set.maxlen, logits.data());
    for (std::size_t k = 0; k < n; ++k) {
      loss += bce_from_logit(logits[k], labels[k]);
      const bool predicted = logits[k] > 0, actual = labels[k] > 0.5f;
      (predicted ? (actual ? r.true_pos : r.false_pos) : (actual ? r.false_neg : r.true_neg))++;
    }
  }
  r.count = rows;
  if (rows) {
    r.loss = loss / double(rows);
    r.accuracy = double(r.true_pos + r.true_neg) / double(rows);
  }
  return r;
}

}  // namespace rnnsent
