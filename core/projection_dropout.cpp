// ProjectionDropout: see the header.
#include "core/projection_dropout.hpp"

namespace rnnsent {

void ProjectionDropout::forward(const Dropout& d, int ld, int T, int n, int GH,
                                const TimeSpan* spans, const std::int32_t* ids, const float* b,
                                const float* const* rows) {
  T_ = T;
  n_ = n;
  GH_ = GH;
  spans_ = spans;
  keep_scale_ = 1.0f / (1.0f - d.projection_rate);
  const std::uint32_t threshold = projection_threshold(d.projection_rate);
  const std::size_t R = std::size_t(T) * std::size_t(n), W = std::size_t(GH);
  if (masked_.size() < R * W) masked_.resize(R * W);
  if (keep_.size() < R * W) keep_.resize(R * W);
  rows_.resize(R);
  padding_.resize(R);
  for (int t = 0; t < T; ++t)
    for (int i = 0; i < n; ++i) {
      const std::size_t r = std::size_t(t) * std::size_t(n) + std::size_t(i);
      const int s = spans ? reversed_step(spans[i], t) : t;
      padding_[r] = ids[std::size_t(i) * std::size_t(T) + std::size_t(s)] == 0;
      if (padding_[r]) {  // the unmasked row: every row's padding input stays the same
        rows_[r] = rows[r];
        continue;
      }
      const std::uint32_t key = projection_key(d, d.first_row + std::size_t(i), s, ld);
      const float* in = rows[r];
      float* out = masked_.data() + r * W;
      std::uint8_t* keep = keep_.data() + r * W;
      const float scale = keep_scale_;
#pragma omp simd
      for (int j = 0; j < GH; ++j) {
        const float m = projection_multiplier(key, j, threshold, scale);
        out[j] = b[j] + m * (in[j] - b[j]);
        keep[j] = m != 0.0f;
      }
      rows_[r] = out;
    }
}

void ProjectionDropout::backward(const float* dxp, bool token_order, float* out, float* db) const {
  const std::size_t W = std::size_t(GH_);
  const float scale = keep_scale_;
  for (int t = 0; t < T_; ++t)
    for (int i = 0; i < n_; ++i) {
      const std::size_t r = std::size_t(t) * std::size_t(n_) + std::size_t(i);
      const int s = token_order && spans_ ? reversed_step(spans_[i], t) : t;
      const std::size_t at = (std::size_t(s) * std::size_t(n_) + std::size_t(i)) * W;
      const std::uint8_t* __restrict keep = keep_.data() + r * W;
      const float* __restrict from = dxp + at;
      float* __restrict to = out + at;
      float* __restrict bias = db;
      if (padding_[r]) {
        for (int j = 0; j < GH_; ++j) {
          bias[j] += from[j];
          to[j] = from[j];
        }
        continue;
      }
#pragma omp simd
      for (int j = 0; j < GH_; ++j) {
        bias[j] += from[j];
        to[j] = from[j] * (scale * float(keep[j]));
      }
    }
}

}  // namespace rnnsent
