// Monitored metrics for early stopping and best-model choice; see epoch_monitor.hpp.
#include "launch/lib/epoch_monitor.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace rnnsent {

bool is_monitor_metric(const std::string& m) {
  return m == "loss" || m == "acc" || m == "val_loss" || m == "val_acc";
}

bool is_monitor_mode(const std::string& m) { return m == "auto" || m == "min" || m == "max"; }

Monitor::Monitor(const std::string& metric, const std::string& mode, double min_delta)
    : metric_(metric), min_delta_(std::abs(min_delta)) {
  if (!is_monitor_metric(metric))
    throw std::invalid_argument("unknown metric '" + metric +
                                "' (expected: loss, acc, val_loss, val_acc)");
  if (!is_monitor_mode(mode))
    throw std::invalid_argument("unknown mode '" + mode + "' (expected: auto, min, max)");
  const bool is_loss = metric == "loss" || metric == "val_loss";
  lower_is_better_ = mode == "min" || (mode == "auto" && is_loss);
}

double Monitor::latest(const History& h) const {
  const std::vector<double>& column = metric_ == "loss"       ? h.loss
                                      : metric_ == "acc"      ? h.acc
                                      : metric_ == "val_loss" ? h.val_loss
                                                              : h.val_acc;
  if (column.empty()) throw std::logic_error("Monitor::latest before the first epoch");
  return column.back();
}

bool Monitor::improves(double current, double best) const {
  if (std::isnan(current)) return false;
  return lower_is_better_ ? current + min_delta_ < best : current - min_delta_ > best;
}

double Monitor::worst() const {
  const double inf = std::numeric_limits<double>::infinity();
  return lower_is_better_ ? inf : -inf;
}

bool EarlyStopping::stop_after(int epoch, const History& history, double& best, int& wait) const {
  if (epoch <= start_from_epoch) return false;
  const double current = monitor.latest(history);
  ++wait;
  if (monitor.improves(current, best)) {
    best = current;
    wait = 0;
    return false;
  }
  return wait >= patience && epoch > 1;
}

}  // namespace rnnsent
