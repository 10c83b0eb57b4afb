// Adam over one flat buffer; see adam.hpp.
#include "core/adam.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace rnnsent {

float adam_step_size(const AdamSettings& s, std::int64_t t) {
  if (t < 1) throw std::invalid_argument("adam_step_size: update number " + std::to_string(t));
  const double b1t = std::pow(double(s.beta_1), double(t));
  const double b2t = std::pow(double(s.beta_2), double(t));
  return float(double(s.learning_rate) * std::sqrt(1.0 - b2t) / (1.0 - b1t));
}

void adam_step(const AdamSettings& s, std::int64_t t, std::size_t n, const float* grads, float* m,
               float* v, float* params) {
  const float lr_t = adam_step_size(s, t);
  const float one_minus_b1 = 1.0f - s.beta_1, one_minus_b2 = 1.0f - s.beta_2, eps = s.epsilon;
  const long long count = static_cast<long long>(n);
#pragma omp parallel for schedule(static)
  for (long long i = 0; i < count; ++i) {
    const float g = grads[i];
    const float mi = m[i] + one_minus_b1 * (g - m[i]);
    const float vi = v[i] + one_minus_b2 * (g * g - v[i]);
    m[i] = mi;
    v[i] = vi;
    params[i] -= lr_t * mi / (std::sqrt(vi) + eps);
  }
}

}  // namespace rnnsent
