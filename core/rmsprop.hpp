// RMSprop exactly as Keras: v <- rho v + (1 - rho) g^2; w <- w - lr g / (sqrt(v) + eps).
// No momentum, not centred. One loop over the flat buffers.
#pragma once

#include <cstddef>

namespace rnnsent {

struct RmspropSettings {
  float learning_rate = 1e-3f;
  float rho = 0.9f;
  float epsilon = 1e-7f;
};

// params, grads and accumulators are n floats each; accumulators start at 0.
void rmsprop_step(const RmspropSettings& settings, std::size_t n, const float* grads,
                  float* accumulators, float* params);

}  // namespace rnnsent
