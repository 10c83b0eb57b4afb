#include "core/embedding_dropout.hpp"

#include <cstddef>

#include "core/isa_clones.hpp"

namespace rnnsent {
namespace {

// dropout_uniform(z) < rate, as an integer comparison: the uniform is k / 2^24 for the 24-bit
// k = z >> 40, and k / 2^24 < rate exactly when k < ceil(rate 2^24) (both exact in double).
std::uint32_t uniform_threshold(float rate) {
  const double scaled = double(rate) * 16777216.0;
  const auto floor = std::uint32_t(scaled);
  return double(floor) == scaled ? floor : floor + 1;
}

inline std::uint32_t top24(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return std::uint32_t(z >> 40);
}

__attribute__((always_inline)) inline void dropout_body(const EmbeddingDropoutRows& a) {
  const Dropout& d = *a.dropout;
  const int E = a.E;
  const bool elements = d.rate > 0.0f, words = d.word_rate > 0.0f;
  const std::uint32_t element_threshold = uniform_threshold(d.rate);
  const std::uint32_t word_threshold = uniform_threshold(d.word_rate);
  const float element_scale = 1.0f / (1.0f - d.rate);
  const float word_scale = 1.0f / (1.0f - d.word_rate);
  for (int i = 0; i < a.n; ++i) {
    const std::size_t row = d.first_row + std::size_t(i);
    for (int t = 0; t < a.T; ++t) {
      const std::size_t at = (std::size_t(t) * std::size_t(a.n) + std::size_t(i)) * std::size_t(E);
      float* __restrict x = a.x + at;
      float* __restrict m = a.mask + at;
      const std::uint64_t key =
          d.stream ^ (std::uint64_t(row) * 0x9E3779B97F4A7C15ull) ^ (std::uint64_t(t) << 20);
      // The token's multiplier; an element already dropped stays 0 whatever it is.
      const float word = !words                                     ? 1.0f
                         : top24(key ^ 0xFFFFFull) < word_threshold ? 0.0f
                                                                    : word_scale;
      if (elements) {
#pragma omp simd
        for (int e = 0; e < E; ++e)
          m[e] = (top24(key ^ std::uint64_t(e)) < element_threshold ? 0.0f : element_scale) * word;
      } else {
        for (int e = 0; e < E; ++e) m[e] = word;
      }
      if (d.embedding_weight_rate > 0.0f) {
        const std::int32_t v = a.ids[std::size_t(i) * std::size_t(a.T) + std::size_t(t)];
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
