// join_directions and friends: see the header.
#include "core/direction_join.hpp"

#include <algorithm>
#include <cstddef>

namespace rnnsent {
namespace {

std::size_t at(int t, int i, int n, int width) {
  return (std::size_t(t) * std::size_t(n) + std::size_t(i)) * std::size_t(width);
}

}  // namespace

void join_directions(const float* const* states, int D, int T, int n, int H,
                     const TimeSpan* spans, float* seq) {
  const int W = D * H;
  for (int d = 0; d < D; ++d)
    for (int t = 0; t < T; ++t)
      for (int i = 0; i < n; ++i) {
        const int s = d == 0 ? t : reversed_step(spans[i], t);
        const float* from = states[d] + at(t, i, n, H);
        std::copy(from, from + H, seq + at(s, i, n, W) + std::size_t(d) * std::size_t(H));
      }
}

void split_direction(const float* dseq, int d, int D, int T, int n, int H, const TimeSpan* spans,
                     float* out) {
  const int W = D * H;
  for (int t = 0; t < T; ++t)
    for (int i = 0; i < n; ++i) {
      const int s = d == 0 ? t : reversed_step(spans[i], t);
      const float* from = dseq + at(s, i, n, W) + std::size_t(d) * std::size_t(H);
      std::copy(from, from + H, out + at(t, i, n, H));
    }
}

void join_last(const float* const* last, int D, int n, int H, float* vec) {
  for (int i = 0; i < n; ++i)
    for (int d = 0; d < D; ++d)
      std::copy(last[d] + std::size_t(i) * std::size_t(H),
                last[d] + std::size_t(i + 1) * std::size_t(H),
                vec + std::size_t(i) * std::size_t(D * H) + std::size_t(d) * std::size_t(H));
}

void split_last(const float* dvec, int d, int D, int n, int H, float* out) {
  for (int i = 0; i < n; ++i) {
    const float* from = dvec + std::size_t(i) * std::size_t(D * H) + std::size_t(d) * std::size_t(H);
    std::copy(from, from + H, out + std::size_t(i) * std::size_t(H));
  }
}

}  // namespace rnnsent
