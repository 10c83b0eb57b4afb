// Keras-fit-like console output: a live progress bar (batches done, samples/s, running loss and
// accuracy, ETA) rewritten in place with carriage returns, or a plain line every log_every
// batches, or nothing; and one summary line per epoch (printed by the trainer).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "launch/lib/run_log.hpp"

namespace rnnsent {

enum class ProgressMode { bar, lines, none };

// The `progress` key: bar | lines | none, or auto: the bar only when standard output is a
// user's terminal, which under mpirun or srun it is not even when it looks like one (Open MPI
// gives each rank a pseudo-terminal, and the carriage returns then fill the job's log file).
ProgressMode resolve_progress_mode(const std::string& mode, bool stdout_is_terminal,
                                   bool under_launcher);
// Whether this process was started by mpirun / mpiexec, srun or another PMI launcher.
bool started_by_launcher();

class Progress {
 public:
  // Lines go to standard output and log (train.log); the bar to standard output only.
  Progress(RunLog& log, bool enabled, ProgressMode mode, int log_every);
  void start_epoch(int epoch, int epochs, std::size_t batches);
  // After each batch: totals so far in this epoch.
  void update(std::size_t batches_done, std::size_t samples_done, double loss_sum,
              std::size_t correct);
  // Ends the live bar's line before the epoch summary is printed.
  void finish_epoch();
  double epoch_seconds() const;

 private:
  RunLog& log_;
  bool enabled_;
  ProgressMode mode_;
  int log_every_;
  std::size_t batches_ = 0;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace rnnsent
