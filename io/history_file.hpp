// history.h5: one row per finished epoch (loss, acc, val_loss, val_acc, seconds, learning
// rate, gradient norm), rewritten atomically after every epoch so an interrupted run keeps its
// history.
#pragma once

#include <string>
#include <vector>

namespace rnnsent {

struct History {
  std::vector<double> loss, acc, val_loss, val_acc, seconds;
  std::vector<double> learning_rate;  // the rate of the epoch's last update
  // Mean over the epoch's updates of the gradient's global L2 norm before clipping; NaN where
  // it was not recorded (files and checkpoints from before format version 2).
  std::vector<double> grad_norm;
  std::size_t epochs() const { return loss.size(); }
};

inline constexpr int kHistoryFormatVersion = 2;  // 2 added grad_norm

void write_history(const std::string& path, const History& history);
// Reads format versions 1 (no grad_norm: filled with NaN) and 2.
History read_history(const std::string& path);

}  // namespace rnnsent
