// Hashed bigram rows of the embedding table (fastText's trick, inside a recurrent model): the
// table holds V word rows, then B bucket rows; the step that reads word `cur` after word `prev`
// also adds the row of the pair's bucket, so a phrase such as "not good" gets an input of its
// own that no word has. Padding (id 0) forms no bigram, so a pre-padded review's padding steps
// read exactly the rows they read without bigrams (the padding-state shortcut stays exact), and
// a review's first kept token has none (its predecessor was cut off or is padding).
// core/phrase_rows.hpp lists every extra row a step reads (bigrams and negated words).
#pragma once

#include <cstddef>
#include <cstdint>

namespace rnnsent {

inline constexpr int kMaxBigramBuckets = 1 << 24;

// The bucket row of a 64-bit key for V words and B > 0 buckets. The hash is a fixed 64-bit
// mix: models keep their meaning across builds and machines.
inline std::int32_t bucket_row(std::uint64_t k, int V, int B) {
  k ^= k >> 33;  // splitmix64's finaliser
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return std::int32_t(V) + std::int32_t(k % std::uint64_t(B));
}

// The table row of the bigram (prev, cur), or -1 when there is none (B = 0, or either id is
// padding).
inline std::int32_t bigram_row(std::int32_t prev, std::int32_t cur, int V, int B) {
  if (B <= 0 || prev == 0 || cur == 0) return -1;
  return bucket_row((std::uint64_t(std::uint32_t(prev)) << 32) | std::uint32_t(cur), V, B);
}

}  // namespace rnnsent
