// Global-norm clipping helpers; see grad_clip.hpp.
#include "core/grad_clip.hpp"

namespace rnnsent {

double sum_of_squares(const float* values, std::size_t n) {
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i) sum += double(values[i]) * double(values[i]);
  return sum;
}

double clip_scale(double norm, double clipnorm) {
  return clipnorm > 0 && norm > clipnorm ? clipnorm / norm : 1.0;
}

void scale_values(float* values, std::size_t n, float scale) {
  for (std::size_t i = 0; i < n; ++i) values[i] *= scale;
}

}  // namespace rnnsent
