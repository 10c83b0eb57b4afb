// Ends the process when training makes no progress for too long (a rank stuck in I/O or a
// collective whose partner died without the job noticing): a thread checks the time since the
// last mark() and exits the process with kExitWatchdog, which makes mpirun or srun end the
// other ranks. A hung job would otherwise burn its whole allocation.
#pragma once

#include <atomic>
#include <thread>

namespace rnnsent {

inline constexpr int kExitWatchdog = 70;

class Watchdog {
 public:
  Watchdog(int seconds, int rank);  // seconds <= 0: disabled
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  void mark();  // progress was made
  // Validation, checkpoints and the test evaluation are not steps: while paused the watchdog
  // does not fire (a long validation of a healthy run ended it); resuming marks progress.
  void pause();
  void resume();

 private:
  int seconds_, rank_;
  std::atomic<long long> last_ms_;
  std::atomic<bool> done_{false}, paused_{false};
  std::thread thread_;
};

}  // namespace rnnsent
