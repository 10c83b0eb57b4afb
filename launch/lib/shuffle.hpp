// Seeded permutations that depend only on (seed, stream), never on the rank count or the
// standard library's distribution algorithms, so every rank and every machine shuffles alike.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace rnnsent {

// A permutation of [0, n) by Fisher-Yates driven by splitmix64(seed, stream).
std::vector<std::uint32_t> seeded_permutation(std::size_t n, std::uint64_t seed,
                                              std::uint64_t stream);

// One 64-bit value of splitmix64(seed, stream): a well-mixed key derived from both, e.g. the
// dropout stream of a training step.
std::uint64_t seeded_key(std::uint64_t seed, std::uint64_t stream);

}  // namespace rnnsent
