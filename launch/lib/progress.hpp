// Keras-fit-like console output: a live progress line on a terminal (batches done, samples/s,
// running loss and accuracy, ETA), or a plain line every N batches when stdout is a file or a
// pipe (SLURM logs), and one summary line per epoch.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace rnnsent {

class Progress {
 public:
  Progress(bool enabled, int log_every);
  void start_epoch(int epoch, int epochs, std::size_t batches);
  // After each batch: totals so far in this epoch.
  void update(std::size_t batches_done, std::size_t samples_done, double loss_sum,
              std::size_t correct);
  // Clears the live line before the epoch summary is printed.
  void finish_epoch();
  double epoch_seconds() const;

 private:
  bool enabled_;
  bool tty_;
  int log_every_;
  std::size_t batches_ = 0;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace rnnsent
