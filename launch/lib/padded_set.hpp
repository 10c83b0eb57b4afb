// Reviews as the model eats them: a dense [rows, maxlen] id matrix (padded and truncated,
// ids >= num_words mapped to OOV) with float labels. Built once per run from the prepared
// dataset; batches are then row copies.
#pragma once

#include <cstdint>
#include <vector>

#include "io/dataset_file.hpp"
#include "io/sequences.hpp"

namespace rnnsent {

struct PaddedSet {
  int maxlen = 0;
  Padding padding = Padding::pre;
  std::vector<std::int32_t> ids;  // [rows, maxlen]
  std::vector<float> labels;      // [rows]
  std::size_t rows() const { return labels.size(); }
  const std::int32_t* row(std::size_t i) const { return ids.data() + i * std::size_t(maxlen); }
};

// Rows of split in the order given by indices.
PaddedSet make_padded_set(const EncodedSplit& split, const std::vector<std::uint32_t>& indices,
                          int maxlen, Padding padding, std::int32_t num_words);

// Copies rows order[first, first + n) of set into ids [n, maxlen] and labels [n].
void gather_batch(const PaddedSet& set, const std::uint32_t* order, std::size_t n,
                  std::int32_t* ids, float* labels);

}  // namespace rnnsent
