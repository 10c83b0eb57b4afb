// Hashed bigram rows of the embedding table (fastText's trick, inside a recurrent model): the
// table holds V word rows, then B bucket rows; the step that reads word `cur` after word `prev`
// also adds the row of the pair's bucket, so a phrase such as "not good" gets an input of its
// own that no word has. Padding (id 0) forms no bigram, so a pre-padded review's padding steps
// read exactly the rows they read without bigrams (the padding-state shortcut stays exact), and
// a review's first kept token has none (its predecessor was cut off or is padding).
#pragma once

#include <cstddef>
#include <cstdint>

namespace rnnsent {

inline constexpr int kMaxBigramBuckets = 1 << 24;

// The table row of the bigram (prev, cur) for V words and B buckets, or -1 when there is none
// (B = 0, or either id is padding). The hash is a fixed 64-bit mix: models keep their meaning
// across builds and machines.
inline std::int32_t bigram_row(std::int32_t prev, std::int32_t cur, int V, int B) {
  if (B <= 0 || prev == 0 || cur == 0) return -1;
  std::uint64_t k = (std::uint64_t(std::uint32_t(prev)) << 32) | std::uint32_t(cur);
  k ^= k >> 33;  // splitmix64's finaliser
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return std::int32_t(V) + std::int32_t(k % std::uint64_t(B));
}

// Marks every table row the ids [n, T] read (their words and, with B > 0, their bigrams):
// mark[row] = 1 for each, mark sized V + B.
template <typename M>
void mark_table_rows(const std::int32_t* ids, std::size_t n, int T, int V, int B, M* mark) {
  for (std::size_t r = 0; r < n; ++r) {
    const std::int32_t* row = ids + r * std::size_t(T);
    for (int t = 0; t < T; ++t) {
      mark[std::size_t(row[t])] = M(1);
      if (B > 0 && t > 0) {
        const std::int32_t b = bigram_row(row[t - 1], row[t], V, B);
        if (b >= 0) mark[std::size_t(b)] = M(1);
      }
    }
  }
}

}  // namespace rnnsent
