// Builds padded id matrices and assembles batches from them.
#include "launch/lib/padded_set.hpp"

#include <cstring>

namespace rnnsent {

PaddedSet make_padded_set(const EncodedSplit& split, const std::vector<std::uint32_t>& indices,
                          int maxlen, Padding padding, std::int32_t num_words) {
  PaddedSet set;
  set.maxlen = maxlen;
  set.padding = padding;
  set.ids.resize(indices.size() * std::size_t(maxlen));
  set.labels.resize(indices.size());
#pragma omp parallel for schedule(static)
  for (std::size_t r = 0; r < indices.size(); ++r) {
    const std::size_t i = indices[r];
    pad_sequence(split.review(i), split.length(i), maxlen, padding, num_words,
                 set.ids.data() + r * std::size_t(maxlen));
    set.labels[r] = float(split.labels[i]);
  }
  return set;
}

void gather_batch(const PaddedSet& set, const std::uint32_t* order, std::size_t n,
                  std::int32_t* ids, float* labels) {
  const std::size_t row_bytes = std::size_t(set.maxlen) * sizeof(std::int32_t);
  for (std::size_t k = 0; k < n; ++k) {
    std::memcpy(ids + k * std::size_t(set.maxlen), set.row(order[k]), row_bytes);
    labels[k] = set.labels[order[k]];
  }
}

}  // namespace rnnsent
