// Checkpoint averaging; see model_average.hpp.
#include "io/model_average.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace rnnsent {
namespace {

// What must be equal for two models' weights to be averaged, as "name value" text.
std::string settings(const ModelFile& m) {
  return "cell " + m.cell + ", num_words " + std::to_string(m.num_words) + ", embedding_dim " +
         std::to_string(m.embedding_dim) + ", units " + std::to_string(m.units) +
         ", bidirectional " + std::to_string(m.bidirectional) + ", layers " +
         std::to_string(m.layers) + ", pooling " + m.pooling + ", bigram_buckets " +
         std::to_string(m.bigram_buckets) + ", negation_scope " + std::to_string(m.negation_scope) +
         (m.negation_scope > 0 ? " (" + m.negator_rule + ")" : "") + ", maxlen " +
         std::to_string(m.maxlen) + ", padding " + m.padding + ", tokenizer " + m.tokenizer;
}

void check_compatible(const ModelFile& first, const ModelFile& m, const std::string& path,
                      const std::string& first_path) {
  const auto refuse = [&](const std::string& what) {
    throw std::runtime_error(path + ": cannot be averaged with " + first_path + ": " + what);
  };
  if (settings(m) != settings(first)) refuse("its model differs (" + settings(m) + ")");
  if (m.words != first.words) refuse("its vocabulary differs");
  if (!m.dataset_fingerprint.empty() && !first.dataset_fingerprint.empty() &&
      m.dataset_fingerprint != first.dataset_fingerprint)
    refuse("it was trained on another dataset (fingerprint " + m.dataset_fingerprint + ")");
  if (m.weights.size() != first.weights.size()) refuse("it holds another number of weights");
  for (std::size_t w = 0; w < m.weights.size(); ++w)
    if (m.weights[w].name != first.weights[w].name || m.weights[w].shape != first.weights[w].shape)
      refuse("weight '" + m.weights[w].name + "' differs in name or shape");
}

}  // namespace

ModelFile average_models(const std::vector<ModelFile>& models,
                         const std::vector<std::string>& paths) {
  if (models.empty() || models.size() != paths.size())
    throw std::invalid_argument("average_models: one path per model, at least one model");
  for (std::size_t i = 1; i < models.size(); ++i)
    check_compatible(models[0], models[i], paths[i], paths[0]);
  ModelFile mean = models[0];
  for (std::size_t w = 0; w < mean.weights.size(); ++w) {
    std::vector<double> sum(mean.weights[w].values.size(), 0.0);
    for (const ModelFile& m : models)
      for (std::size_t k = 0; k < sum.size(); ++k) sum[k] += double(m.weights[w].values[k]);
    for (std::size_t k = 0; k < sum.size(); ++k)
      mean.weights[w].values[k] = float(sum[k] / double(models.size()));
  }
  for (const ModelFile& m : models) mean.epoch = std::max(mean.epoch, m.epoch);
  mean.val_loss = mean.val_acc = std::numeric_limits<double>::quiet_NaN();
  return mean;
}

}  // namespace rnnsent
