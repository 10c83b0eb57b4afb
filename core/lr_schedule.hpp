// The learning rate of each optimizer update: an optional scaling with the global batch and a
// linear warm-up (Goyal et al. 2017, "Accurate, Large Minibatch SGD"). A larger global batch
// averages more reviews per update, so fewer, less noisy updates can take larger steps:
// linear scaling (Goyal et al.) suits SGD, square-root scaling is the usual choice for
// adaptive optimizers (RMSprop, Adam). Large rates are unstable while the weights are still
// random, so the warm-up climbs to the target over the first updates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace rnnsent {

enum class LrScaling { none, linear, sqrt };

std::string lr_scaling_name(LrScaling scaling);       // "none", "linear", "sqrt"
LrScaling parse_lr_scaling(const std::string& name);  // throws naming the value

// learning_rate (given for a global batch of base_batch) for a global batch of global_batch:
// unchanged, times global_batch / base_batch, or times its square root.
double scaled_learning_rate(double learning_rate, LrScaling scaling, std::size_t global_batch,
                            std::size_t base_batch);

// The rate of update `update` (1-based): target * update / warmup_steps during the first
// warmup_steps updates (target / warmup_steps at update 1, exactly target at update
// warmup_steps), target afterwards and whenever warmup_steps is 0.
double warmup_learning_rate(double target, std::int64_t update, std::int64_t warmup_steps);

// After the warm-up, the rate decays with the updates d since the warm-up ended, as Keras's
// schedules do with the step: constant; cosine, target * (alpha + (1 - alpha) * (1 +
// cos(pi * min(d, D) / D)) / 2) (CosineDecay); exponential, target * rate^(d / D)
// (ExponentialDecay); step, target * rate^floor(d / D) (ExponentialDecay with staircase).
// A function of the update count alone, so every rank and a resumed run get the same rates.
enum class LrDecay { constant, cosine, exponential, step };

std::string lr_decay_name(LrDecay decay);         // "constant", "cosine", "exponential", "step"
LrDecay parse_lr_decay(const std::string& name);  // throws naming the value

struct LrSchedule {
  double target = 1e-3;  // after scaling
  std::int64_t warmup_steps = 0;
  LrDecay decay = LrDecay::constant;
  std::int64_t decay_steps = 1;  // D, >= 1
  double decay_rate = 0.5;       // exponential and step
  double alpha = 0;              // cosine: the final rate as a fraction of target
  double at(std::int64_t update) const;
};

}  // namespace rnnsent
