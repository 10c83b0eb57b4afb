// The embedding, first in every layer list, in one of two forms:
//   DenseEmbedding  gathers each token's row (plus its phrase rows, core/phrase_rows.hpp) into
//                   [T, n, E] and applies dropout (element-wise and word dropout); backward's
//                   rows are scatter-added in reduce();
//   TokenEmbedding  only collects the chunk's distinct tokens (core/token_set.hpp) for a first
//                   recurrent layer that projects them through a table; the projections leave
//                   one gradient row per distinct token, added in reduce().
#pragma once

#include <memory>
#include <vector>

#include "core/layer.hpp"
#include "core/model_shape.hpp"
#include "core/token_set.hpp"

namespace rnnsent {

// The shape's V words of width E, with its bigram and negated rows (core/phrase_rows.hpp).
std::unique_ptr<Layer> make_dense_embedding(const ModelShape& shape, std::size_t offset);
std::unique_ptr<Layer> make_token_embedding(int V, int E, std::size_t offset);

}  // namespace rnnsent
