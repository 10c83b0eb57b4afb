// Learning-rate scaling and warm-up; see lr_schedule.hpp.
#include "core/lr_schedule.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace rnnsent {

std::string lr_scaling_name(LrScaling scaling) {
  switch (scaling) {
    case LrScaling::none:
      return "none";
    case LrScaling::linear:
      return "linear";
    case LrScaling::sqrt:
      return "sqrt";
  }
  throw std::runtime_error("lr_scaling_name: unknown LrScaling " +
                           std::to_string(static_cast<int>(scaling)));
}

LrScaling parse_lr_scaling(const std::string& name) {
  if (name == "none") return LrScaling::none;
  if (name == "linear") return LrScaling::linear;
  if (name == "sqrt") return LrScaling::sqrt;
  throw std::runtime_error("unknown learning-rate scaling '" + name +
                           "' (expected: none, linear or sqrt)");
}

double scaled_learning_rate(double learning_rate, LrScaling scaling, std::size_t global_batch,
                            std::size_t base_batch) {
  if (base_batch == 0) throw std::invalid_argument("scaled_learning_rate: base batch 0");
  const double ratio = double(global_batch) / double(base_batch);
  switch (scaling) {
    case LrScaling::none:
      return learning_rate;
    case LrScaling::linear:
      return learning_rate * ratio;
    case LrScaling::sqrt:
      return learning_rate * std::sqrt(ratio);
  }
  return learning_rate;
}

double warmup_learning_rate(double target, std::int64_t update, std::int64_t warmup_steps) {
  // Compared rather than min(update, W) / W so the end of the ramp is exactly target
  // (target * W / W may round).
  if (warmup_steps <= 0 || update >= warmup_steps) return target;
  return target * double(std::max<std::int64_t>(update, 1)) / double(warmup_steps);
}

std::string lr_decay_name(LrDecay decay) {
  switch (decay) {
    case LrDecay::constant:
      return "constant";
    case LrDecay::cosine:
      return "cosine";
    case LrDecay::exponential:
      return "exponential";
    case LrDecay::step:
      return "step";
  }
  throw std::runtime_error("lr_decay_name: unknown LrDecay " +
                           std::to_string(static_cast<int>(decay)));
}

LrDecay parse_lr_decay(const std::string& name) {
  for (LrDecay d : {LrDecay::constant, LrDecay::cosine, LrDecay::exponential, LrDecay::step})
    if (name == lr_decay_name(d)) return d;
  throw std::runtime_error("unknown learning-rate schedule '" + name +
                           "' (expected: constant, cosine, exponential or step)");
}

double LrSchedule::at(std::int64_t update) const {
  if (warmup_steps > 0 && update < warmup_steps)
    return warmup_learning_rate(target, update, warmup_steps);
  const double d = double(update - std::max<std::int64_t>(warmup_steps, 0));
  const double D = double(std::max<std::int64_t>(decay_steps, 1));
  switch (decay) {
    case LrDecay::constant:
      return target;
    case LrDecay::cosine: {
      const double pi = std::acos(-1.0);
      return target * (alpha + (1 - alpha) * 0.5 * (1 + std::cos(pi * std::min(d, D) / D)));
    }
    case LrDecay::exponential:
      return target * std::pow(decay_rate, d / D);
    case LrDecay::step:
      return target * std::pow(decay_rate, std::floor(d / D));
  }
  return target;
}

}  // namespace rnnsent
