// Dropout on the embedding output (Keras Dropout semantics: during training each element is
// zeroed with probability rate and the survivors are scaled by 1 / (1 - rate); evaluation and
// prediction never drop). The mask is a hash of (stream, global row, time step, feature), not
// a draw from a sequential RNG, so a review gets the same mask whichever rank or thread
// computes it: P ranks stay equivalent to one.
// Projection dropout (projection_rate) drops elements of each recurrent layer's input
// projection x_s W (not its bias), per (review, token position, layer and direction, gate
// unit): unlike element-wise dropout on the embedding it leaves every occurrence of a token the
// same input, so the token table stays exact (core/input_projection.hpp).
// Embedding weight dropout (embedding_weight_rate) drops elements of the embedding matrix
// itself, per (token id, feature), a new mask every step: every occurrence of a token in the
// step reads the same masked row, so it too keeps the token table exact.
// Padding positions (id 0) are never dropped or scaled by the per-position kinds (element,
// word, projection; the embedding weight mask is per token and applies): a padding step
// carries no information, and masking it would only give each review a random starting state.
// Left alone, every row's padding steps see the same input, so training computes them once
// for all rows (core/step_plan.hpp).
#pragma once

#include <cstddef>
#include <cstdint>

namespace rnnsent {

struct Dropout {
  float rate = 0.0f;             // 0 = off
  std::uint64_t stream = 0;      // differs per optimizer step (e.g. mixed from seed and step)
  std::size_t first_row = 0;     // global row index of the caller's first review in the batch
  float word_rate = 0.0f;        // whole tokens: Keras Dropout(noise_shape=(batch, T, 1)); 0 = off
  float projection_rate = 0.0f;  // elements of every x_s W; 0 = off
  float embedding_weight_rate = 0.0f;  // elements of the embedding matrix this step; 0 = off
  // Whether the embedding output is masked (projection dropout is the recurrent layers' own).
  bool active() const { return rate > 0.0f || word_rate > 0.0f || embedding_weight_rate > 0.0f; }
};

namespace detail {
// splitmix64's finaliser over a key; its top 24 bits.
inline std::uint32_t dropout_bits24(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return std::uint32_t(z >> 40);
}
// Uniform in [0, 1) from those bits: k / 2^24.
inline float dropout_uniform(std::uint64_t z) {
  return float(dropout_bits24(z)) * (1.0f / 16777216.0f);
}
// dropout_uniform(z) < rate as an integer comparison, for vectorised loops: k / 2^24 < rate
// exactly when k < ceil(rate 2^24) (both exact in double).
inline std::uint32_t dropout_bits24_threshold(float rate) {
  const double scaled = double(rate) * 16777216.0;
  const auto floor = std::uint32_t(scaled);
  return double(floor) == scaled ? floor : floor + 1;
}
// The key of token position t of global row `row`: element e draws from key ^ e, the whole
// token (word dropout) from key ^ 0xFFFFF.
inline std::uint64_t dropout_token_key(const Dropout& d, std::size_t row, int t) {
  return d.stream ^ (std::uint64_t(row) * 0x9E3779B97F4A7C15ull) ^ (std::uint64_t(t) << 20);
}
}  // namespace detail

// The multiplier of element (row, t, e) of the embedding output: the element mask (0 or
// 1 / (1 - rate)) times the token mask (0 or 1 / (1 - word_rate), the same for every e).
inline float dropout_multiplier(const Dropout& d, std::size_t row, int t, int e) {
  const std::uint64_t key = detail::dropout_token_key(d, row, t);
  float m = 1.0f;
  if (d.rate > 0.0f)
    m = detail::dropout_uniform(key ^ std::uint64_t(e)) < d.rate ? 0.0f : 1.0f / (1.0f - d.rate);
  if (d.word_rate > 0.0f && m != 0.0f)  // the token key differs from every element key
    m *= detail::dropout_uniform(key ^ 0xFFFFFull) < d.word_rate ? 0.0f
                                                                 : 1.0f / (1.0f - d.word_rate);
  return m;
}

// The multiplier of feature e of token v's embedding row in this step (0 or 1 / (1 - rate)).
inline float embedding_weight_multiplier(const Dropout& d, std::int32_t v, int e) {
  if (!(d.embedding_weight_rate > 0.0f)) return 1.0f;
  const std::uint64_t key = d.stream ^ 0x5851F42D4C957F2Dull ^
                            (std::uint64_t(std::uint32_t(v)) * 0x9E3779B97F4A7C15ull) ^
                            (std::uint64_t(e) << 44);
  return detail::dropout_uniform(key) < d.embedding_weight_rate
             ? 0.0f
             : 1.0f / (1.0f - d.embedding_weight_rate);
}

// Projection dropout: one 32-bit key per (global row, token position s, layer and direction
// ld), then a 32-bit integer hash per gate unit j (vectorisable: the fast path draws a whole
// row at once), kept when its top 24 bits are at least rate * 2^24.
inline std::uint32_t projection_key(const Dropout& d, std::size_t row, int s, int ld) {
  std::uint64_t z = d.stream ^ 0xD1B54A32D192ED03ull ^
                    (std::uint64_t(row) * 0x9E3779B97F4A7C15ull) ^ (std::uint64_t(s) << 20) ^
                    (std::uint64_t(ld) << 56);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return std::uint32_t(z ^ (z >> 31));
}
inline std::uint32_t projection_threshold(float rate) {
  return std::uint32_t(double(rate) * 16777216.0 + 0.5);
}
// The multiplier of unit j (0 or 1 / (1 - rate)) under a key from projection_key.
inline float projection_multiplier(std::uint32_t key, int j, std::uint32_t threshold,
                                   float keep_scale) {
  std::uint32_t x = key ^ (std::uint32_t(j) * 0x9E3779B9u);
  x ^= x >> 16;
  x *= 0x7FEB352Du;
  x ^= x >> 15;
  x *= 0x846CA68Bu;
  x ^= x >> 16;
  return (x >> 8) < threshold ? 0.0f : keep_scale;
}

}  // namespace rnnsent
