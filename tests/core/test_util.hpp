// Small helpers shared by the core tests: seeded random buffers, float<->double copies and a
// scale-aware error measure for comparing the float oneDNN path with the double reference.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace rnnsent::testing {

template <typename S>
std::vector<S> random_vector(std::size_t n, double lo, double hi, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  std::vector<S> v(n);
  for (auto& x : v) x = static_cast<S>(dist(rng));
  return v;
}

inline std::vector<std::int32_t> random_ids(std::size_t n, int V, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> dist(0, V - 1);
  std::vector<std::int32_t> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

template <typename To, typename From>
std::vector<To> cast_vector(const std::vector<From>& v) {
  return std::vector<To>(v.begin(), v.end());
}

// max_i |a_i - b_i| / max(max_i |b_i|, floor): the error relative to the tensor's scale, so
// entries that are tiny by cancellation do not demand an impossible relative accuracy.
template <typename A, typename B>
double scaled_max_error(const A* a, const B* b, std::size_t n, double floor = 1e-3) {
  double diff = 0, scale = floor;
  for (std::size_t i = 0; i < n; ++i) {
    diff = std::max(diff, std::abs(static_cast<double>(a[i]) - static_cast<double>(b[i])));
    scale = std::max(scale, std::abs(static_cast<double>(b[i])));
  }
  return diff / scale;
}

template <typename A, typename B>
double scaled_max_error(const std::vector<A>& a, const std::vector<B>& b, double floor = 1e-3) {
  return scaled_max_error(a.data(), b.data(), std::min(a.size(), b.size()), floor);
}

}  // namespace rnnsent::testing
