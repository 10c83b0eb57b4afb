// Global-norm clipping helpers; see grad_clip.hpp.
#include "core/grad_clip.hpp"

#include <cstdint>
#include <cstring>

#include "core/rmsprop.hpp"  // RNNSENT_WIDE_SIMD

namespace rnnsent {

// Eight running sums, entry i going to sum i % 8, added pairwise at the end: one sum in
// order is a chain of dependent additions (4 cycles each), which made the norm of a step's
// million touched entries cost a millisecond; eight independent ones vectorise. Still a fixed
// order, so the same bits everywhere.
RNNSENT_WIDE_SIMD double sum_of_squares(const float* values, std::size_t n) {
  constexpr std::size_t kLanes = 8;
  double lane[kLanes] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::size_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (std::size_t k = 0; k < kLanes; ++k)
      lane[k] += double(values[i + k]) * double(values[i + k]);
  double sum =
      ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
  for (; i < n; ++i) sum += double(values[i]) * double(values[i]);
  return sum;
}

RNNSENT_WIDE_SIMD bool all_finite(const float* values, std::size_t n) {
  constexpr std::uint32_t kExponent = 0x7f800000u;  // all ones: inf or NaN
  std::uint32_t bad = 0;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t bits;
    std::memcpy(&bits, values + i, sizeof bits);
    bad |= std::uint32_t((bits & kExponent) == kExponent);
  }
  return bad == 0;
}

double clip_scale(double norm, double clipnorm) {
  return clipnorm > 0 && norm > clipnorm ? clipnorm / norm : 1.0;
}

void scale_values(float* values, std::size_t n, float scale) {
  for (std::size_t i = 0; i < n; ++i) values[i] *= scale;
}

}  // namespace rnnsent
