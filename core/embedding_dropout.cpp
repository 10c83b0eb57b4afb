#include "core/embedding_dropout.hpp"

#include <cstddef>

#include "core/isa_clones.hpp"

namespace rnnsent {
namespace {

__attribute__((always_inline)) inline void dropout_body(const EmbeddingDropoutRows& a) {
  const Dropout& d = *a.dropout;
  const int E = a.E;
  const bool elements = d.rate > 0.0f, words = d.word_rate > 0.0f;
  const std::uint32_t element_threshold = detail::dropout_bits24_threshold(d.rate);
  const std::uint32_t word_threshold = detail::dropout_bits24_threshold(d.word_rate);
  const float element_scale = 1.0f / (1.0f - d.rate);
  const float word_scale = 1.0f / (1.0f - d.word_rate);
  for (int i = 0; i < a.n; ++i) {
    const std::size_t row = d.first_row + std::size_t(i);
    for (int t = 0; t < a.T; ++t) {
      const std::size_t at = (std::size_t(t) * std::size_t(a.n) + std::size_t(i)) * std::size_t(E);
      float* __restrict x = a.x + at;
      float* __restrict m = a.mask + at;
      const std::int32_t v = a.ids[std::size_t(i) * std::size_t(a.T) + std::size_t(t)];
      if (v == 0) {  // padding is never dropped nor scaled (core/dropout.hpp)
        for (int e = 0; e < E; ++e)
          m[e] = d.embedding_weight_rate > 0.0f ? embedding_weight_multiplier(d, 0, e) : 1.0f;
#pragma omp simd
        for (int e = 0; e < E; ++e) x[e] *= m[e];
        continue;
      }
      const std::uint64_t key = detail::dropout_token_key(d, row, t);
      // The token's multiplier; an element already dropped stays 0 whatever it is.
      const float word = !words                                                      ? 1.0f
                         : detail::dropout_bits24(key ^ 0xFFFFFull) < word_threshold ? 0.0f
                                                                                     : word_scale;
      if (elements) {
#pragma omp simd
        for (int e = 0; e < E; ++e)
          m[e] =
              (detail::dropout_bits24(key ^ std::uint64_t(e)) < element_threshold ? 0.0f
                                                                                  : element_scale) *
              word;
      } else {
        for (int e = 0; e < E; ++e) m[e] = word;
      }
      if (d.embedding_weight_rate > 0.0f) {
        for (int e = 0; e < E; ++e) m[e] *= embedding_weight_multiplier(d, v, e);
      }
#pragma omp simd
      for (int e = 0; e < E; ++e) x[e] *= m[e];
    }
  }
}

RNNSENT_ISA_CLONES(dropout_rows, dropout_body, EmbeddingDropoutRows)

}  // namespace

void apply_embedding_dropout(const EmbeddingDropoutRows& rows) { dropout_rows(rows); }

}  // namespace rnnsent
