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

}  // namespace rnnsent
