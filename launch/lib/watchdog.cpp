// The watchdog thread; see watchdog.hpp.
#include "launch/lib/watchdog.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace rnnsent {
namespace {

long long now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Watchdog::Watchdog(int seconds, int rank) : seconds_(seconds), rank_(rank), last_ms_(now_ms()) {
  if (seconds_ <= 0) return;
  thread_ = std::thread([this] {
    while (!done_) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      if (!paused_ && now_ms() - last_ms_ > 1000LL * seconds_) {
        std::fprintf(stderr,
                     "rnnsent_train: rank %d: error: watchdog: no training step finished for %d s "
                     "(watchdog_seconds); ending the job\n",
                     rank_, seconds_);
        std::fflush(stderr);
        std::_Exit(kExitWatchdog);
      }
    }
  });
}

Watchdog::~Watchdog() {
  done_ = true;
  if (thread_.joinable()) thread_.join();
}

void Watchdog::mark() { last_ms_ = now_ms(); }

void Watchdog::pause() { paused_ = true; }

void Watchdog::resume() {
  mark();
  paused_ = false;
}

}  // namespace rnnsent
