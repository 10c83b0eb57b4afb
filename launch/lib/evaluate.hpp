// Loss and accuracy of a model over a padded set, batched through the inference primitive.
#pragma once

#include <cstddef>
#include <vector>

#include "core/sentiment_model.hpp"
#include "launch/lib/padded_set.hpp"

namespace rnnsent {

struct EvalResult {
  double loss = 0;      // mean binary cross-entropy
  double accuracy = 0;  // fraction with (logit > 0) == label, i.e. probability > 0.5
  std::size_t count = 0;
  // Confusion counts, positive = label 1.
  std::size_t true_pos = 0, false_pos = 0, true_neg = 0, false_neg = 0;
  double precision() const {
    return true_pos + false_pos ? double(true_pos) / double(true_pos + false_pos) : 0;
  }
  double recall() const {
    return true_pos + false_neg ? double(true_pos) / double(true_pos + false_neg) : 0;
  }
  double f1() const {
    const double p = precision(), r = recall();
    return p + r > 0 ? 2 * p * r / (p + r) : 0;
  }
};

// Evaluates rows [0, limit) of set (limit 0 = all) in batches of batch_size.
EvalResult evaluate(SentimentModel& model, const float* params, const PaddedSet& set,
                    int batch_size, std::size_t limit = 0);

// The metrics of logits[0, n) against labels (1 = positive).
EvalResult evaluate_logits(const float* logits, const float* labels, std::size_t n);

// An ensemble's: the metrics of probabilities p (the mean of its models') against labels;
// the loss is the cross-entropy of p, positive is p > 0.5.
EvalResult evaluate_probabilities(const std::vector<double>& p, const float* labels);

// The mean over models of each review's probability of positive (sigmoid of its logit).
std::vector<double> mean_probability(const std::vector<std::vector<float>>& logits_per_model);

// The stable per-review loss from a logit: max(z, 0) - z y + log(1 + exp(-|z|)).
double bce_from_logit(double z, double y);

}  // namespace rnnsent
