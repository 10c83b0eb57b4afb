// Dropout on the embedding output (Keras Dropout semantics: during training each element is
// zeroed with probability rate and the survivors are scaled by 1 / (1 - rate); evaluation and
// prediction never drop). The mask is a hash of (stream, global row, time step, feature), not
// a draw from a sequential RNG, so a review gets the same mask whichever rank or thread
// computes it: P ranks stay equivalent to one.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rnnsent {

struct Dropout {
  float rate = 0.0f;          // 0 = off
  std::uint64_t stream = 0;   // differs per optimizer step (e.g. mixed from seed and step)
  std::size_t first_row = 0;  // global row index of the caller's first review in the batch
};

// The multiplier of element (row, t, e) of the embedding output: 0 (dropped) or 1 / (1 - rate).
inline float dropout_multiplier(const Dropout& d, std::size_t row, int t, int e) {
  // splitmix64's finaliser over a key that packs the element's coordinates.
  std::uint64_t z = d.stream ^ (std::uint64_t(row) * 0x9E3779B97F4A7C15ull) ^
                    (std::uint64_t(t) << 20) ^ std::uint64_t(e);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  const float u = float(z >> 40) * (1.0f / 16777216.0f);  // uniform in [0, 1), 24 bits
  return u < d.rate ? 0.0f : 1.0f / (1.0f - d.rate);
}

}  // namespace rnnsent
