// See weight_average.hpp. Element-wise and independent, so any thread split gives the same bits.
#include "core/weight_average.hpp"

namespace rnnsent {

void update_weight_average(float* average, const float* params, std::size_t n, float momentum) {
  const float keep = momentum, take = 1.0f - momentum;
  const long long count = static_cast<long long>(n);
#pragma omp parallel for schedule(static)
  for (long long i = 0; i < count; ++i) average[i] = average[i] * keep + params[i] * take;
}

}  // namespace rnnsent
