// Progress printing; see progress.hpp.
#include "launch/lib/progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace rnnsent {

Progress::Progress(bool enabled, int log_every)
    : enabled_(enabled), tty_(enabled && ::isatty(STDOUT_FILENO)), log_every_(log_every) {}

void Progress::start_epoch(int epoch, int epochs, std::size_t batches) {
  batches_ = batches;
  start_ = std::chrono::steady_clock::now();
  if (enabled_) std::printf("Epoch %d/%d\n", epoch, epochs), std::fflush(stdout);
}

double Progress::epoch_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::update(std::size_t done, std::size_t samples, double loss_sum, std::size_t correct) {
  if (!enabled_ || samples == 0) return;
  const bool last = done == batches_;
  if (!tty_ && !(done % std::size_t(log_every_) == 0 || last)) return;
  const double secs = epoch_seconds();
  const double rate = secs > 0 ? double(samples) / secs : 0.0;
  const double eta = done ? secs / double(done) * double(batches_ - done) : 0.0;
  std::printf("%s%5zu/%zu - %7.1f samples/s - loss: %.4f - acc: %.4f - ETA: %4.0fs%s",
              tty_ ? "\r" : "", done, batches_, rate, loss_sum / double(samples),
              double(correct) / double(samples), eta, tty_ ? "" : "\n");
  std::fflush(stdout);
}

void Progress::finish_epoch() {
  if (enabled_ && tty_) std::printf("\n");
}

}  // namespace rnnsent
