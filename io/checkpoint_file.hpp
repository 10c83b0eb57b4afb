// Resume checkpoints: everything a run needs to continue exactly where it stopped - the
// parameters, the optimizer's state (accumulators, Adam's momentum and update count), the best
// model so far, the position (epoch and step within it; shuffles are a function of seed and
// epoch, so no RNG state is needed), the early-stopping state, the epoch's running totals and
// the history - with a format version and a checksum over all of it that loading verifies.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "io/history_file.hpp"

namespace rnnsent {

// 2 added the optimizer's momentum and update count (Adam), the epoch's gradient-norm totals
// and the history's grad_norm. Version 1 files (RMSprop runs) still load: no momentum, the
// update count is global_step - skipped_steps, the norms they never recorded read as NaN, and
// the running epoch's mean norm then covers only the steps after the resume.
// 3 added the moving average of the weights (ema_momentum); older files have none.
// 4 added the fingerprint of the dataset the run trains on (a resume on another is refused);
// older files have none and are resumed unchecked.
// 5 added ReduceLROnPlateau's state (the learning-rate scale so far, its best, wait and
// cooldown) and EarlyStopping's restore_best_weights (the weights of its best epoch); older
// files read as a scale of 1, a fresh plateau watch and no weights to restore.
inline constexpr int kCheckpointFormatVersion = 5;

struct TrainState {
  int format_version = kCheckpointFormatVersion;
  std::string config_ini;          // the run's resolved configuration
  std::int64_t global_step = 0;    // optimizer steps taken
  int epoch = 1;                   // the epoch to continue (1-based)
  std::int64_t step_in_epoch = 0;  // steps of that epoch already taken
  double epoch_loss_sum = 0, epoch_correct = 0, epoch_seen = 0, epoch_seconds = 0;
  double epoch_grad_norm_sum = 0, epoch_updates = 0;  // pre-clip norms of the epoch's updates
  // The best value so far of checkpoint_monitor (best_model.h5's metric, val_loss by default)
  // and of early_stopping_monitor (val_acc by default): the worst value (+inf or -inf) before
  // the first epoch. Stored as the attributes best_val_loss and best_val_acc, their names
  // from before the monitors could be chosen. wait: epochs without an early-stopping gain.
  double checkpoint_best = 0, stopping_best = 0;
  int wait = 0, best_epoch = 0;
  double train_seconds = 0, train_samples = 0;
  std::int64_t skipped_steps = 0;  // steps skipped for a non-finite loss or gradient
  int ranks = 1;                   // informative: the rank count that wrote it
  int finished = 0;                // early stopping or the last epoch ended the run
  History history;
  std::vector<float> params, accumulators, best_params;
  std::vector<float> momentum;         // Adam's first moment; empty for RMSprop
  std::int64_t optimizer_updates = 0;  // updates applied (Adam's t)
  std::vector<float> weight_average;   // ema_momentum's average; empty when off (or version < 3)
  std::string dataset_fingerprint;     // DatasetReader::fingerprint(); empty before version 4
  // ReduceLROnPlateau: the factor its reductions have multiplied the schedule's rate by, the
  // best value of its monitor (NaN: not watched yet), and its wait and cooldown counters.
  double lr_scale = 1, plateau_best = std::numeric_limits<double>::quiet_NaN();
  int plateau_wait = 0, plateau_cooldown = 0;
  // restore_best_weights: the weights of early_stopping_monitor's best epoch (empty when off).
  std::vector<float> restore_params;
  int restore_epoch = 0;
};

// Writes path.tmp, flushes it to disk, renames it over path and flushes the directory.
// before_publish runs with the temporary file complete and not yet renamed (a test hook).
void write_checkpoint(const std::string& path, const TrainState& state,
                      const std::function<void(const std::string& path)>& before_publish = {});

// Throws naming the file: missing, not HDF5, truncated, not a checkpoint, a format version
// other than 1 to 5, or a checksum that does not match (a damaged byte anywhere in the state).
// format_version reports the file's version; writing always produces the current one.
TrainState read_checkpoint(const std::string& path);

}  // namespace rnnsent
