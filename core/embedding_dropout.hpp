// Element-wise and word dropout on the dense embedding output [T, n, E], with the multipliers
// kept for backward. The same masks as dropout_multiplier() x embedding_weight_multiplier()
// (core/dropout.hpp) bit for bit, drawn a row of E features at a time: the token's key and
// word-dropout draw once per (review, step), the element draws as one vectorised loop (built
// per instruction set, core/isa_clones.hpp). Drawn one element at a time, the masks took 15% of
// a bidirectional GRU training step (perf, imdb_best.ini, AVX-512).
#pragma once

#include <cstdint>

#include "core/dropout.hpp"

namespace rnnsent {

struct EmbeddingDropoutRows {
  const Dropout* dropout = nullptr;
  const std::int32_t* ids = nullptr;  // [n, T]
  int n = 0, T = 0, E = 0;
  float* x = nullptr;     // [T, n, E], multiplied in place
  float* mask = nullptr;  // [T, n, E], the multipliers
};

void apply_embedding_dropout(const EmbeddingDropoutRows& rows);

}  // namespace rnnsent
