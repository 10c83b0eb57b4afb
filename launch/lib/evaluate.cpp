// Batched evaluation; losses are summed in double so long sets do not lose precision.
#include "launch/lib/evaluate.hpp"

#include <algorithm>
#include <cmath>
#include <utility>
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
  return evaluate_logits(logits.data(), set.labels.data(), rows);
}

namespace {

// Counts, accuracy and the mean loss from each review's (predicted, loss).
template <typename Review>
EvalResult tally(std::size_t n, const float* labels, Review&& review) {
  EvalResult r;
  double loss = 0;
  for (std::size_t k = 0; k < n; ++k) {
    const auto [predicted, review_loss] = review(k);
    loss += review_loss;
    const bool actual = labels[k] > 0.5f;
    (predicted ? (actual ? r.true_pos : r.false_pos) : (actual ? r.false_neg : r.true_neg))++;
  }
  r.count = n;
  if (n) {
    r.loss = loss / double(n);
    r.accuracy = double(r.true_pos + r.true_neg) / double(n);
  }
  return r;
}

}  // namespace

EvalResult evaluate_logits(const float* logits, const float* labels, std::size_t n) {
  return tally(n, labels, [&](std::size_t k) {
    return std::pair{logits[k] > 0, bce_from_logit(logits[k], labels[k])};
  });
}

EvalResult evaluate_probabilities(const std::vector<double>& p, const float* labels) {
  // A probability of exactly 0 or 1 (a very confident model) would make the loss infinite.
  constexpr double kEdge = 1e-15;
  return tally(p.size(), labels, [&](std::size_t k) {
    const double q = std::min(std::max(p[k], kEdge), 1 - kEdge), y = labels[k];
    return std::pair{p[k] > 0.5, -(y * std::log(q) + (1 - y) * std::log(1 - q))};
  });
}

std::vector<double> mean_probability(const std::vector<std::vector<float>>& logits_per_model) {
  std::vector<double> mean(logits_per_model.empty() ? 0 : logits_per_model[0].size(), 0.0);
  for (const std::vector<float>& z : logits_per_model)
    for (std::size_t k = 0; k < mean.size(); ++k) mean[k] += 1 / (1 + std::exp(-double(z[k])));
  for (double& m : mean) m /= double(logits_per_model.size());
  return mean;
}

}  // namespace rnnsent
