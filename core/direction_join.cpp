// join_directions and friends: see the header.
#include "core/direction_join.hpp"

#include <algorithm>
#include <cstddef>
#include <vector>

namespace rnnsent {
namespace {

void grow(std::vector<float>& v, std::size_t n) {
  if (v.size() < n) v.resize(n);
}

std::size_t at(int t, int i, int n, int width) {
  return (std::size_t(t) * std::size_t(n) + std::size_t(i)) * std::size_t(width);
}

}  // namespace

void join_directions(const float* const* states, int D, int T, int n, int H, const TimeSpan* spans,
                     float* seq) {
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
    const float* from =
        dvec + std::size_t(i) * std::size_t(D * H) + std::size_t(d) * std::size_t(H);
    std::copy(from, from + H, out + std::size_t(i) * std::size_t(H));
  }
}

Flow DirectionJoin::join(const float* const* last, const float* const* states, int D, int T, int n,
                         int H, const TimeSpan* spans, bool emit_sequence) {
  Flow out;
  out.width = D * H;
  grow(vec_, std::size_t(n) * std::size_t(D * H));
  join_last(last, D, n, H, vec_.data());
  out.vec = vec_.data();
  if (!emit_sequence) return out;
  if (D == 1) {
    out.seq = states[0];
  } else {
    grow(seq_, std::size_t(T) * std::size_t(n) * std::size_t(D * H));
    join_directions(states, D, T, n, H, spans, seq_.data());
    out.seq = seq_.data();
  }
  return out;
}

const float* DirectionJoin::dlast(const FlowGrad& dout, int d, int D, int n, int H) {
  if (!dout.vec) return nullptr;
  grow(dlast_, std::size_t(n) * std::size_t(H));
  split_last(dout.vec, d, D, n, H, dlast_.data());
  return dlast_.data();
}

const float* DirectionJoin::dstates(const FlowGrad& dout, int d, int D, int T, int n, int H,
                                    const TimeSpan* spans) {
  if (!dout.seq) return nullptr;
  if (D == 1) return dout.seq;  // one direction: already in its step order
  grow(dstates_, std::size_t(T) * std::size_t(n) * std::size_t(H));
  split_direction(dout.seq, d, D, T, n, H, spans, dstates_.data());
  return dstates_.data();
}

}  // namespace rnnsent
