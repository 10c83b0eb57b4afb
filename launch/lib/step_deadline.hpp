// How long a training step's allreduces may take before the job is declared to have lost a
// rank (dist::Session::begin_step): 20 times the slowest of the last 20 steps, at least 10 s,
// at most watchdog_seconds (which also applies alone until 3 steps are measured: the first
// steps build oneDNN kernels and MPI connections). A cut link then ends a job of 30 ms steps in
// about 10 s instead of the 900 s watchdog, and a slow but healthy job is never cut off: its own
// steps set the bar. watchdog_seconds = 0 turns the deadline off with the watchdog.
#pragma once

#include <algorithm>
#include <deque>

namespace rnnsent {

class StepDeadline {
 public:
  explicit StepDeadline(double cap_seconds) : cap_(cap_seconds) {}
  void record(double step_seconds) {
    recent_.push_back(step_seconds);
    if (recent_.size() > kWindow) recent_.pop_front();
    ++measured_;
  }
  double seconds() const {
    if (cap_ <= 0) return 0;
    if (measured_ < 3) return cap_;
    const double slowest = *std::max_element(recent_.begin(), recent_.end());
    return std::min(cap_, std::max(kFloor, kFactor * slowest));
  }

  static constexpr double kFactor = 20, kFloor = 10;
  static constexpr std::size_t kWindow = 20;

 private:
  double cap_;
  std::deque<double> recent_;
  long measured_ = 0;
};

}  // namespace rnnsent
