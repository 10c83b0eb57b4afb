// The embedding, first in every layer list, in one of two forms:
//   DenseEmbedding  gathers each token's row (plus its bigram's row, core/bigram.hpp) into
//                   [T, n, E] and applies dropout (element-wise and word dropout); backward's
//                   rows are scatter-added in reduce();
//   TokenEmbedding  only collects the chunk's distinct tokens (core/token_set.hpp) for a first
//                   recurrent layer that projects them through a table; the projections leave
//                   one gradient row per distinct token, added in reduce().
#pragma once

#include <memory>
#include <vector>

#include "core/layer.hpp"
#include "core/token_set.hpp"

namespace rnnsent {

// B: bigram buckets after the V word rows (0 = none).
std::unique_ptr<Layer> make_dense_embedding(int V, int E, std::size_t offset, int B = 0);
std::unique_ptr<Layer> make_token_embedding(int V, int E, std::size_t offset);

}  // namespace rnnsent
