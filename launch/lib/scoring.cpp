// Length-bucketed inference with shared padding states; see scoring.hpp.
#include "launch/lib/scoring.hpp"

#include <algorithm>
#include <numeric>
#include <vector>

namespace rnnsent {
namespace {

constexpr int kBuckets = 16;

// Real (non-padding) length of a 'pre'-padded row: everything after its leading zeros.
int real_length(const std::int32_t* row, int maxlen) {
  int lead = 0;
  while (lead < maxlen && row[lead] == 0) ++lead;
  return maxlen - lead;
}

}  // namespace

void score_rows(SentimentModel& model, const float* params, const PaddedSet& set, std::size_t rows,
                int batch_size, float* logits, const std::vector<float>* padding) {
  const int T = set.maxlen;
  const std::size_t S = state_size(model.shape());  // floats of one review's state
  const std::size_t bs = std::size_t(batch_size);
  std::vector<std::int32_t> ids(bs * std::size_t(T));
  std::vector<float> batch_logits(bs);
  if (set.padding == Padding::post || T < 3) {
    for (std::size_t at = 0; at < rows; at += bs) {
      const std::size_t n = std::min(bs, rows - at);
      model.predict_logits(params, set.row(at), int(n), T, logits + at);
    }
    return;
  }
  std::vector<int> length(rows);
  for (std::size_t i = 0; i < rows; ++i) length[i] = real_length(set.row(i), T);
  std::vector<std::uint32_t> order(rows);
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return length[a] < length[b]; });
  std::vector<float> computed;
  if (!padding) {
    computed.resize(std::size_t(T + 1) * S);
    model.padding_states(params, T, computed.data());
  }
  const std::vector<float>& states = padding ? *padding : computed;
  for (std::size_t at = 0; at < rows; at += bs) {
    const std::size_t n = std::min(bs, rows - at);
    // The longest row of the batch sets its steps, rounded up to one of kBuckets lengths so
    // that only that many inference primitives (each with a [T, N, H] buffer) are ever built;
    // starting a few padding steps earlier is just as exact. oneDNN's RNN needs two steps.
    const int bucket = (T + kBuckets - 1) / kBuckets;
    const int longest = length[order[at + n - 1]];
    const int steps = std::max(2, std::min(T, (longest + bucket - 1) / bucket * bucket));
    for (std::size_t k = 0; k < n; ++k)
      std::copy(set.row(order[at + k]) + (T - steps), set.row(order[at + k]) + T,
                ids.begin() + std::ptrdiff_t(k * std::size_t(steps)));
    model.predict_logits(params, ids.data(), int(n), steps, batch_logits.data(),
                         states.data() + std::size_t(T - steps) * S);
    for (std::size_t k = 0; k < n; ++k) logits[order[at + k]] = batch_logits[k];
  }
}

}  // namespace rnnsent
