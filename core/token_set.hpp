// The distinct tokens of one chunk of a batch, for layers whose input projection is a table:
// an Embedding straight into a recurrent layer gives every occurrence of a token the same
// input, so x W + b is computed once per distinct token (core/input_projection.hpp) instead of
// once per (review, step). Word dropout keeps that exact: a dropped token's input is zero, so
// its projection is the bias alone (one extra table row), and the kept tokens are all scaled by
// the same 1 / (1 - rate). Element-wise dropout on the embedding output does not fit (every
// occurrence would get its own input), so it uses the dense projection instead.
#pragma once

#include <cstdint>
#include <vector>

#include "core/dropout.hpp"

namespace rnnsent {

struct TokenSet {
  int T = 0, n = 0, E = 0;
  std::vector<std::int32_t> touched;  // the distinct kept tokens, in order of first appearance
  std::vector<int> slot;              // [T, n] each (step, row)'s table row; K = dropped token
  std::vector<float> rows;            // [K, E] their embedding rows
  std::vector<float> demb;            // [K, E] d(rows), summed over the layer's directions
  std::vector<float> weight_mask;     // [K, E] embedding weight dropout on rows; empty = off
  float scale = 1.0f;                 // the kept tokens' word-dropout factor
  bool unscaled_first = false;        // touched[0] is padding, which scale does not apply to
  int K() const { return int(touched.size()); }

  // ids [n, T] (every id in [0, V)), embedding [V, E] (null: rows are not copied, only the
  // tokens and slots are wanted). dropout: word dropout of this training step (its element rate
  // must be 0) or inactive; first_row is this chunk's first global row.
  void build(const std::int32_t* ids, int n, int T, int V, const float* embedding, int E,
             const Dropout& dropout, std::size_t first_row);

 private:
  std::vector<int> slot_of_;  // [V] scratch: token -> its row, -1 when absent
};

}  // namespace rnnsent
