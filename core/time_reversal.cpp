// Per-row time reversal of the real tokens; see time_reversal.hpp.
#include "core/time_reversal.hpp"

#include <cstddef>

namespace rnnsent {

TimeSpan real_span(const std::int32_t* row, int T) {
  TimeSpan s;
  int first = 0;
  while (first < T && row[first] == 0) ++first;
  int last = T;
  while (last > first && row[last - 1] == 0) --last;
  s.begin = first;
  s.end = last;
  return s;
}

namespace {
template <bool kAdd>
void map_steps(const float* in, int T, int N, int C, const TimeSpan* spans, float* out) {
  const std::size_t row = std::size_t(C), step = std::size_t(N) * row;
  for (int t = 0; t < T; ++t)
    for (int n = 0; n < N; ++n) {
      const float* src = in + std::size_t(reversed_step(spans[n], t)) * step + std::size_t(n) * row;
      float* dst = out + std::size_t(t) * step + std::size_t(n) * row;
      for (int c = 0; c < C; ++c) {
        if (kAdd) {
          dst[c] += src[c];
        } else {
          dst[c] = src[c];
        }
      }
    }
}
}  // namespace

void reverse_real_steps(const float* in, int T, int N, int C, const TimeSpan* spans, float* out) {
  map_steps<false>(in, T, N, C, spans, out);
}

void add_reversed_real_steps(const float* in, int T, int N, int C, const TimeSpan* spans,
                             float* out) {
  map_steps<true>(in, T, N, C, spans, out);
}

}  // namespace rnnsent
