// RMSprop over one flat buffer. A static OpenMP schedule gives each thread the same range on
// every call; each element's update is independent, so the result is thread-count independent.
// Most of the buffer is the embedding table, and a batch touches about a quarter of its rows:
// the other rows have a zero gradient, for which the update reduces exactly (bit for bit) to
// v <- rho v with w unchanged, so blocks of zero gradient skip the square root, the division
// and the write of w.
#include "core/rmsprop.hpp"

#include <cmath>

namespace rnnsent {
namespace {

constexpr long long kBlock = 64;  // floats; a multiple of the embedding width keeps rows whole

}  // namespace

void rmsprop_step(const RmspropSettings& settings, std::size_t n, const float* grads,
                  float* accumulators, float* params) {
  const float rho = settings.rho;
  const float one_minus_rho = 1.0f - settings.rho;
  const float lr = settings.learning_rate;
  const float eps = settings.epsilon;
  const long long count = static_cast<long long>(n);
  const long long blocks = (count + kBlock - 1) / kBlock;
#pragma omp parallel for schedule(static)
  for (long long b = 0; b < blocks; ++b) {
    const long long begin = b * kBlock;
    const long long end = begin + kBlock < count ? begin + kBlock : count;
    bool any = false;
    for (long long i = begin; i < end; ++i) any |= grads[i] != 0.0f;
    if (!any) {
      // rho v + (1 - rho) 0^2 == rho v and w - lr 0 / (sqrt(v) + eps) == w, exactly.
      for (long long i = begin; i < end; ++i) accumulators[i] *= rho;
      continue;
    }
    for (long long i = begin; i < end; ++i) {
      const float g = grads[i];
      const float v = rho * accumulators[i] + one_minus_rho * g * g;
      accumulators[i] = v;
      params[i] -= lr * g / (std::sqrt(v) + eps);
    }
  }
}

}  // namespace rnnsent
