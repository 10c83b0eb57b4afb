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

struct LrSchedule {
  double target = 1e-3;  // after scaling
  std::int64_t warmup_steps = 0;
  double at(std::int64_t update) const {
    return warmup_learning_rate(target, update, warmup_steps);
  }
};

}  // namespace rnnsent
