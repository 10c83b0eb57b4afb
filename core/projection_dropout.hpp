// Projection dropout for one direction of a recurrent layer (core/dropout.hpp): each reading
// position's input row b + x_s W becomes b + m (x_s W), m 0 or 1 / (1 - rate) per gate unit,
// drawn from (global row, token position s, layer and direction). The projections
// (core/input_projection.hpp) hand their unmasked rows in and read the masked gradient back,
// so the token table and the dense projection share one mask and one implementation.
#pragma once

#include <cstdint>
#include <vector>

#include "core/dropout.hpp"
#include "core/time_reversal.hpp"

namespace rnnsent {

class ProjectionDropout {
 public:
  // rows [T * n] in reading order, each b + x W of width GH; spans null for the forward
  // direction. ld: 2 * layer + direction. ids [n, T]: padding positions (id 0) are never
  // masked (core/dropout.hpp). Writes the masked rows and keeps the mask.
  void forward(const Dropout& d, int ld, int T, int n, int GH, const TimeSpan* spans,
               const std::int32_t* ids, const float* b, const float* const* rows);
  const float* const* rows() const { return rows_.data(); }
  // out = m dxp, row for row, and db += the column sums of dxp (the bias is not masked). dxp
  // in reading order, or in token order (the dense projection's buffer; a backward direction's
  // rows permuted by its spans) when token_order; out in the same order.
  void backward(const float* dxp, bool token_order, float* out, float* db) const;

 private:
  int T_ = 0, n_ = 0, GH_ = 0;
  float keep_scale_ = 1.0f;
  const TimeSpan* spans_ = nullptr;
  std::vector<float> masked_;          // [T * n, GH] reading order
  std::vector<std::uint8_t> keep_;     // [T * n, GH] reading order
  std::vector<std::uint8_t> padding_;  // [T * n] reading order: the position is padding
  std::vector<const float*> rows_;
};

}  // namespace rnnsent
