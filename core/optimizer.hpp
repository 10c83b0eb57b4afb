// The optimizer of a training step, chosen by name: RMSprop (lazy over the embedding table,
// core/rmsprop.hpp) or Adam (dense, core/adam.hpp). Its state lives in the caller's
// OptimizerState, so checkpoints can save and restore it; the object itself holds only the
// settings and RMSprop's bookkeeping of pending decays.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/adam.hpp"
#include "core/rmsprop.hpp"

namespace rnnsent {

enum class OptimizerKind { rmsprop, adam };

std::string optimizer_name(OptimizerKind kind);          // "rmsprop", "adam"
OptimizerKind parse_optimizer(const std::string& name);  // throws naming the value

struct OptimizerSettings {
  OptimizerKind kind = OptimizerKind::rmsprop;
  float rho = 0.9f;                      // RMSprop
  float beta_1 = 0.9f, beta_2 = 0.999f;  // Adam
  float epsilon = 1e-7f;                 // both
};

// Everything an optimizer carries from update to update, one float per parameter per buffer.
struct OptimizerState {
  std::vector<float> accumulators;  // RMSprop's and Adam's v (mean of squared gradients)
  std::vector<float> momentum;      // Adam's m; empty for RMSprop
  std::int64_t updates = 0;         // updates applied (Adam's t; skipped steps do not count)
};

// Zero state for n parameters.
OptimizerState make_optimizer_state(OptimizerKind kind, std::size_t n);

// One update of a flat buffer that starts (at table_offset) with an embedding table of which a
// step touches a few rows. Rows not listed as touched must have a zero gradient.
class TableOptimizer {
 public:
  TableOptimizer(const OptimizerSettings& settings, std::size_t table_offset, std::size_t rows,
                 std::size_t width, std::size_t total);

  OptimizerKind kind() const { return settings_.kind; }

  // One update at learning_rate; increments state.updates. touched: ascending, unique. Leaves
  // every gradient entry that may be non-zero at zero, so the next step can accumulate into
  // grads without clearing the whole buffer.
  void step(float learning_rate, const std::vector<std::int32_t>& touched, float* grads,
            float* params, OptimizerState& state);

  // Brings state fully up to date (RMSprop's pending decays); call before reading it.
  void flush(OptimizerState& state);

 private:
  OptimizerSettings settings_;
  std::size_t table_offset_, rows_, width_, total_;
  LazyRmsprop rmsprop_;
};

}  // namespace rnnsent
