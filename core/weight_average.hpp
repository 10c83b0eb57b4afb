// An exponential moving average of the weights (Keras: optimizer use_ema=True with
// ema_momentum): after every applied update, average <- momentum average + (1 - momentum) w,
// starting from the initial weights. Training goes on with w; the average, which smooths the
// step-to-step noise of RMSprop, is what validation scores and best_model.h5 keeps.
#pragma once

#include <cstddef>

namespace rnnsent {

// average[i] = average[i] * momentum + params[i] * (1 - momentum), in float, as Keras does.
void update_weight_average(float* average, const float* params, std::size_t n, float momentum);

}  // namespace rnnsent
