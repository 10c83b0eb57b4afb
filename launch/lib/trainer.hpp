// The training run: data split, the epoch loop (shuffle, batches, gradient, allreduce,
// clipping, RMSprop or Adam), validation, early stopping on val_acc, best-val_loss checkpointing,
// history, test evaluation of the best model and summary.json. Written rank-aware: each rank takes
// its share of every global batch and gradients are summed before the update; rank 0 alone
// evaluates, decides and writes files, and broadcasts its decisions.
#pragma once

#include <stdexcept>
#include <string>

#include "dist/session.hpp"
#include "io/config.hpp"

namespace rnnsent {

struct TrainSummary {
  double test_loss = 0, test_acc = 0;
  bool tested = false;  // the dataset had test reviews to score
  int best_epoch = 0, epochs_run = 0;
  double train_samples_per_s = 0, wall_seconds = 0;
  long long skipped_steps =
      0;  // steps skipped for a non-finite loss or gradient (nonfinite = skip)
  bool resumed = false;
};

// Thrown on every rank when a stop signal was honoured: the resume checkpoint is written.
struct Interrupted : std::runtime_error {
  Interrupted(const std::string& what, int signal) : std::runtime_error(what), signal(signal) {}
  int signal;
};

// Runs the whole job described by config. Throws std::runtime_error (naming the file, key or
// value) on bad input before any existing output is touched. num_words = 0 (all) and a
// num_words beyond the dataset's vocabulary are resolved against the dataset; the resolved
// number is what config.ini, checkpoints and best_model.h5 store.
TrainSummary train(const TrainConfig& config, const dist::Session& session);

}  // namespace rnnsent
