// history.h5: one row per finished epoch (loss, acc, val_loss, val_acc, seconds, learning
// rate), rewritten atomically after every epoch so an interrupted run keeps its history.
#pragma once

#include <string>
#include <vector>

namespace rnnsent {

struct History {
  std::vector<double> loss, acc, val_loss, val_acc, seconds, learning_rate;
  std::size_t epochs() const { return loss.size(); }
};

void write_history(const std::string& path, const History& history);
History read_history(const std::string& path);

}  // namespace rnnsent
