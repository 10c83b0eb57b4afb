// The training run: data split, the epoch loop (shuffle, batches, gradient, allreduce,
// clipping, RMSprop or Adam), validation, the callbacks (callbacks.hpp: progress, history,
// early stopping, the learning-rate schedule, resume checkpoints, best_model.h5, CSV logs, the
// watchdog), test evaluation of the best model and summary.json. Written rank-aware: each
// rank takes its share of every global batch and gradients are summed before the update;
// rank 0 alone evaluates, decides and writes files, and broadcasts its decisions.
#pragma once

#include <string>

#include "dist/session.hpp"
#include "io/config.hpp"
#include "launch/lib/callback.hpp"
#include "launch/lib/test_hooks.hpp"

namespace rnnsent {

struct TrainSummary {
  double test_loss = 0, test_acc = 0;
  bool tested = false;  // the dataset had test reviews to score
  int best_epoch = 0, epochs_run = 0;
  double train_samples_per_s = 0, wall_seconds = 0;
  long long skipped_steps =
      0;  // steps skipped for a non-finite loss or gradient (nonfinite = skip)
  bool resumed = false;
  int averaged_epochs = 0;  // average_last_epochs: the epochs averaged into averaged_model.h5
  double averaged_test_loss = 0, averaged_test_acc = 0;
};

// Runs the whole job described by config. Throws std::runtime_error (naming the file, key or
// value) on bad input before any existing output is touched, and Interrupted after a stop
// signal. num_words = 0 (all) and a num_words beyond the dataset's vocabulary are resolved
// against the dataset; the resolved number is what config.ini, checkpoints and best_model.h5
// store. hooks: faults a test injects (test_hooks.hpp).
TrainSummary train(const TrainConfig& config, const dist::Session& session,
                   const TestHooks& hooks = {});

}  // namespace rnnsent
