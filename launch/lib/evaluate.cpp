// Batched evaluation; losses are summed in double so long sets do not lose precision.
#include "launch/lib/evaluate.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "launch/lib/scoring.hpp"

namespace rnnsent {

double bce_from_logit(double z, double y) {
  return std::max(z, 0.0) - z * y + std::log1p(std::exp(-std::abs(z)));
}

EvalResult evaluate(SentimentModel& model, const float* params, const PaddedSet& set,
                    int batch_size, std::size_t limit) {
  const std::size_t rows = limit ? std::min(limit, set.rows()) : set.rows();
  // A batch larger than the set would only allocate rows never filled (eval_batch_size = 2^31
  // ran out of memory on 80 reviews).
  batch_size = int(std::min<std::size_t>(std::size_t(batch_size), std::max<std::size_t>(rows, 1)));
  std::vector<float> logits(rows);
  score_rows(model, params, set, rows, batch_size, logits.data());
  model.release_inference();  // evaluation happens once an epoch: keep training's memory low
  double loss = 0;
  EvalResult r;
  for (std::size_t k = 0; k < rows; ++k) {
    loss += bce_from_logit(logits[k], set.labels[k]);
    const bool predicted = logits[k] > 0, actual = set.labels[k] > 0.5f;
    (predicted ? (actual ? r.true_pos : r.false_pos) : (actual ? r.false_neg : r.true_neg))++;
  }
  r.count = rows;
  if (rows) {
    r.loss = loss / double(rows);
    r.accuracy = double(r.true_pos + r.true_neg) / double(rows);
  }
  return r;
}

}  // namespace rnnsent
