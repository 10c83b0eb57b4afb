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
  float rate = 0.0f;           // 0 = off
  std::uint64_t stream = 0;    // differs per optimizer step (e.g. mixed from seed and step)
  std::size_t first_row = 0;   // global row index of the caller's first review in the batch
};

}  // namespace rnnsent
