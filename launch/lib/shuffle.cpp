// Fisher-Yates over splitmix64: tiny, fast and fully specified (std::shuffle is not).
#include "launch/lib/shuffle.hpp"

namespace rnnsent {
namespace {

struct SplitMix64 {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, bound) by rejection, so no index is favoured.
  std::uint64_t below(std::uint64_t bound) {
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    std::uint64_t r;
    do r = next();
    while (r >= limit);
    return r % bound;
  }
};

SplitMix64 seeded_generator(std::uint64_t seed, std::uint64_t stream) {
  return {seed * 0x2545F4914F6CDD1Dull + stream * 0x9E3779B97F4A7C15ull + 1};
}

}  // namespace

std::vector<std::uint32_t> seeded_permutation(std::size_t n, std::uint64_t seed,
                                              std::uint64_t stream) {
  std::vector<std::uint32_t> p(n);
  for (std::size_t i = 0; i < n; ++i) p[i] = std::uint32_t(i);
  SplitMix64 rng = seeded_generator(seed, stream);
  for (std::size_t i = n; i > 1; --i) std::swap(p[i - 1], p[rng.below(i)]);
  return p;
}

std::uint64_t seeded_key(std::uint64_t seed, std::uint64_t stream) {
  return seeded_generator(seed, stream).next();
}

}  // namespace rnnsent
