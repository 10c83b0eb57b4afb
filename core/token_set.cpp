// TokenSet::build: one pass over the chunk's ids in time-major order (so the table's row order,
// and with it every rounding, depends only on the ids), then a copy of the embedding rows.
#include "core/token_set.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace rnnsent {

void TokenSet::build(const std::int32_t* ids, int n_rows, int steps, int V, const float* embedding,
                     int width, const Dropout& dropout, std::size_t first_row) {
  if (dropout.rate > 0.0f)
    throw std::logic_error("TokenSet: element-wise dropout cannot use a token table");
  T = steps;
  n = n_rows;
  E = width;
  const bool word = dropout.word_rate > 0.0f;
  scale = word ? 1.0f / (1.0f - dropout.word_rate) : 1.0f;
  if (slot_of_.size() != std::size_t(V)) slot_of_.assign(std::size_t(V), -1);
  touched.clear();
  slot.resize(std::size_t(T) * std::size_t(n));
  // Word dropout never drops or scales padding (core/dropout.hpp), so padding takes row 0,
  // which the table projects unscaled.
  unscaled_first = word && std::find(ids, ids + std::size_t(n_rows) * std::size_t(steps), 0) !=
                               ids + std::size_t(n_rows) * std::size_t(steps);
  if (unscaled_first) {
    slot_of_[0] = 0;
    touched.push_back(0);
  }
  for (int t = 0; t < T; ++t)
    for (int i = 0; i < n; ++i) {
      const std::int32_t v = ids[std::size_t(i) * std::size_t(T) + std::size_t(t)];
      if (v < 0 || v >= V)
        throw std::runtime_error("TokenSet: token id " + std::to_string(v) + " outside [0, " +
                                 std::to_string(V) + ")");
      int& here = slot[std::size_t(t) * std::size_t(n) + std::size_t(i)];
      if (word && v != 0 && dropout_multiplier(dropout, first_row + std::size_t(i), t, 0) == 0.0f) {
        here = -1;  // dropped: resolved to the bias row K below
        continue;
      }
      int& s = slot_of_[std::size_t(v)];
      if (s < 0) {
        s = int(touched.size());
        touched.push_back(v);
      }
      here = s;
    }
  for (std::int32_t v : touched) slot_of_[std::size_t(v)] = -1;  // ready for the next call
  const int dropped_row = K();
  for (int& s : slot)
    if (s < 0) s = dropped_row;
  weight_mask.clear();
  if (!embedding) return;
  rows.resize(touched.size() * std::size_t(E));
  for (std::size_t k = 0; k < touched.size(); ++k)
    std::copy(embedding + std::size_t(touched[k]) * std::size_t(E),
              embedding + std::size_t(touched[k] + 1) * std::size_t(E),
              rows.begin() + std::ptrdiff_t(k * std::size_t(E)));
  if (dropout.embedding_weight_rate > 0.0f) {
    weight_mask.resize(rows.size());
    for (std::size_t k = 0; k < touched.size(); ++k)
      for (int e = 0; e < E; ++e) {
        const std::size_t at = k * std::size_t(E) + std::size_t(e);
        weight_mask[at] = embedding_weight_multiplier(dropout, touched[k], e);
        rows[at] *= weight_mask[at];
      }
  }
}

}  // namespace rnnsent
