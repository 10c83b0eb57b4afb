// The run's files a user reads besides the model: train.log (everything rank 0 prints, after
// the resolved config and the model summary), history.csv (one row per finished epoch) and
// steps.csv (one row every log_every steps). Only rank 0 writes them; on the other ranks a
// RunLog is closed and print() does nothing.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "io/history_file.hpp"

namespace rnnsent {

struct StepRow {
  std::int64_t step = 0;  // global step (optimizer steps taken, skipped ones included)
  int epoch = 0;
  double loss = 0, acc = 0;  // running means over the epoch so far
  double learning_rate = 0, grad_norm = 0, samples_per_s = 0;
};

class RunLog {
 public:
  RunLog() = default;  // closed: a rank other than 0
  // Appends to output_dir/train.log and output_dir/steps.csv (a resumed run continues them);
  // on a resume, steps.csv rows after resumed_step are dropped first (they are trained again),
  // and a new run (--overwrite) drops all the old run's rows.
  // Throws naming the file when it cannot be written.
  RunLog(const std::string& output_dir, bool resuming, std::int64_t resumed_step);
  ~RunLog();
  RunLog(const RunLog&) = delete;
  RunLog& operator=(const RunLog&) = delete;

  // printf to standard output and to train.log.
  void print(const char* format, ...) __attribute__((format(printf, 2, 3)));
  // To train.log only (the config and model summary at the start).
  void note(const std::string& text);
  void step(const StepRow& row);
  // Rewrites output_dir/history.csv from history (atomically).
  void history(const History& history) const;

 private:
  std::string dir_;
  std::FILE* log_ = nullptr;
  std::FILE* steps_ = nullptr;
};

// history.csv's text: a header and one row per epoch.
std::string history_csv(const History& history);

}  // namespace rnnsent
