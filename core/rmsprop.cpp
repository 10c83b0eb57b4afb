// RMSprop over one flat buffer. A static OpenMP schedule gives each thread the same range on
// every call; each element's update is independent, so the result is thread-count independent.
#include "core/rmsprop.hpp"

#include <cmath>

namespace rnnsent {

void rmsprop_step(const RmspropSettings& settings, std::size_t n, const float* grads,
                  float* accumulators, float* params) {
  const float rho = settings.rho;
  const float one_minus_rho = 1.0f - settings.rho;
  const float lr = settings.learning_rate;
  const float eps = settings.epsilon;
  const long long count = static_cast<long long>(n);
#pragma omp parallel for schedule(static)
  for (long long i = 0; i < count; ++i) {
    const float g = grads[i];
    const float v = rho * accumulators[i] + one_minus_rho * g * g;
    accumulators[i] = v;
    params[i] -= lr * g / (std::sqrt(v) + eps);
  }
}

}  // namespace rnnsent
