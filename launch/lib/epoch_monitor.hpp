// Keras's callback decisions at the end of an epoch, on a monitored metric: EarlyStopping
// (monitor, mode, min_delta, patience, start_from_epoch) and ModelCheckpoint's save_best_only
// (monitor, mode). Pure functions of the epoch's metrics and the stored best and wait, so rank
// 0 decides them, a checkpoint carries their state and a unit test needs no training run.
#pragma once

#include <string>

#include "io/history_file.hpp"

namespace rnnsent {

// A metric of the latest epoch in History, and which way is better.
class Monitor {
 public:
  // metric: loss | acc | val_loss | val_acc; mode: auto (min for the losses, max for the
  // accuracies) | min | max. Throws naming the value.
  Monitor(const std::string& metric, const std::string& mode, double min_delta = 0);
  const std::string& metric() const { return metric_; }
  double latest(const History& history) const;
  // current beats best by more than min_delta (Keras: current - min_delta > best for max,
  // current + min_delta < best for min). A NaN never improves.
  bool improves(double current, double best) const;
  double worst() const;  // the best before any epoch: +inf for min, -inf for max

 private:
  std::string metric_;
  bool lower_is_better_;
  double min_delta_;
};

struct EarlyStopping {
  Monitor monitor;
  int patience = 1;
  int start_from_epoch = 0;  // epochs 1..start_from_epoch are not watched (warm-up)
  // Updates best and wait after epoch (1-based); true when training stops after it. As
  // Keras: wait counts the epochs since the last gain, and the first epoch never stops.
  bool stop_after(int epoch, const History& history, double& best, int& wait) const;
};

// The metric names and modes config keys accept (for the messages).
bool is_monitor_metric(const std::string& metric);
// val_loss and val_acc: metrics that exist only when validation_split > 0.
inline bool is_validation_metric(const std::string& metric) { return metric.rfind("val_", 0) == 0; }
bool is_monitor_mode(const std::string& mode);

}  // namespace rnnsent
