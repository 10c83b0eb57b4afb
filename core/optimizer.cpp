// The optimizer chosen by name; see optimizer.hpp.
#include "core/optimizer.hpp"

#include <algorithm>
#include <stdexcept>

namespace rnnsent {

std::string optimizer_name(OptimizerKind kind) {
  switch (kind) {
    case OptimizerKind::rmsprop:
      return "rmsprop";
    case OptimizerKind::adam:
      return "adam";
  }
  throw std::runtime_error("optimizer_name: unknown OptimizerKind " +
                           std::to_string(static_cast<int>(kind)));
}

OptimizerKind parse_optimizer(const std::string& name) {
  if (name == "rmsprop") return OptimizerKind::rmsprop;
  if (name == "adam") return OptimizerKind::adam;
  throw std::runtime_error("unknown optimizer '" + name + "' (expected: rmsprop or adam)");
}

OptimizerState make_optimizer_state(OptimizerKind kind, std::size_t n) {
  OptimizerState s;
  s.accumulators.assign(n, 0.0f);
  if (kind == OptimizerKind::adam) s.momentum.assign(n, 0.0f);
  return s;
}

TableOptimizer::TableOptimizer(const OptimizerSettings& settings, std::size_t table_offset,
                               std::size_t rows, std::size_t width, std::size_t total)
    : settings_(settings),
      table_offset_(table_offset),
      rows_(rows),
      width_(width),
      total_(total),
      rmsprop_({1e-3f, settings.rho, settings.epsilon}, table_offset, rows, width, total) {}

void TableOptimizer::step(float learning_rate, const std::vector<std::int32_t>& touched,
                          float* grads, float* params, OptimizerState& state) {
  if (state.accumulators.size() != total_ ||
      (settings_.kind == OptimizerKind::adam && state.momentum.size() != total_))
    throw std::invalid_argument("TableOptimizer: optimizer state does not match the parameters");
  if (settings_.kind == OptimizerKind::rmsprop) {
    rmsprop_.set_learning_rate(learning_rate);
    rmsprop_.step(touched, grads, state.accumulators.data(), params);
    ++state.updates;
    return;
  }
  // Adam: dense over the buffer (untouched rows have g = 0 but their momentum still moves
  // them), then clear what may be non-zero: the touched rows and everything outside the table.
  const AdamSettings adam{learning_rate, settings_.beta_1, settings_.beta_2, settings_.epsilon};
  adam_step(adam, state.updates + 1, total_, grads, state.momentum.data(),
            state.accumulators.data(), params);
  ++state.updates;
  const std::size_t table_end = table_offset_ + rows_ * width_;
  std::fill(grads, grads + table_offset_, 0.0f);
  std::fill(grads + table_end, grads + total_, 0.0f);
  for (std::int32_t r : touched) {
    float* row = grads + table_offset_ + std::size_t(r) * width_;
    std::fill(row, row + width_, 0.0f);
  }
}

void TableOptimizer::flush(OptimizerState& state) {
  if (settings_.kind == OptimizerKind::rmsprop) rmsprop_.flush(state.accumulators.data());
}

}  // namespace rnnsent
