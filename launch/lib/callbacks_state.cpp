// HistoryRecorder and BackupAndRestore: the run's record and its resume checkpoints (rank 0
// writes; every rank brings its optimizer state up to date first).
#include <chrono>

#include "io/config_keys.hpp"
#include "io/history_file.hpp"
#include "launch/lib/callbacks.hpp"
#include "launch/lib/run_dir.hpp"
#include "launch/lib/stop_signals.hpp"

namespace rnnsent {

void HistoryRecorder::on_train_begin(Run& run) {
  if (run.root && run.state.history.epochs() > 0) write_history(path_, run.state.history);
}

void HistoryRecorder::on_epoch_end(Run& run, const EpochLogs& logs) {
  if (!run.root) return;
  History& h = run.state.history;
  h.loss.push_back(logs.loss);
  h.acc.push_back(logs.acc);
  h.val_loss.push_back(logs.val_loss);
  h.val_acc.push_back(logs.val_acc);
  h.seconds.push_back(logs.seconds);
  h.learning_rate.push_back(logs.learning_rate);
  h.grad_norm.push_back(logs.grad_norm);
  write_history(path_, h);
}

std::string BackupAndRestore::save(Run& run, int epoch, std::int64_t step_in_epoch) {
  // RMSprop decays untouched embedding rows lazily: bring them up to date (no value changes).
  if (run.stepper) run.stepper->flush_optimizer(run.optimizer);
  const std::string path = checkpoint_path(options_.output_dir, run.position.global_step);
  if (!run.root) return path;
  TrainState& s = run.state;
  s.config_ini = to_ini(run.config);
  s.epoch = epoch;
  s.step_in_epoch = step_in_epoch;
  s.global_step = run.position.global_step;
  s.ranks = run.session.size();
  s.params = run.params;
  s.accumulators = run.optimizer.accumulators;
  s.momentum = run.optimizer.momentum;
  s.optimizer_updates = run.optimizer.updates;
  s.dataset_fingerprint = options_.dataset_fingerprint;
  s.lr_scale = run.lr_scale;
  write_checkpoint(path, s, options_.before_publish);
  prune_checkpoints(options_.output_dir, options_.keep, path);
  return path;
}

void BackupAndRestore::on_batch_end(Run& run, const StepStats& stats) {
  const RunPosition& at = run.position;
  const bool periodic = options_.checkpoint_every > 0 &&
                        at.global_step % options_.checkpoint_every == 0 &&
                        std::size_t(at.step_in_epoch) < run.steps_per_epoch;  // not the epoch's end
  if (!stats.stop && !periodic) return;
  // The checkpoint counts the epoch's time so far; a resumed epoch restarts its clock.
  const double so_far = run.root ? seconds_since(run.epoch_start) : 0;
  run.state.epoch_seconds += so_far;
  run.state.train_seconds += so_far;
  const std::string path = save(run, at.epoch, at.step_in_epoch);
  if (stats.stop)
    throw Interrupted("stopped by a signal at step " + std::to_string(at.global_step) +
                          "; resume checkpoint " + path + "; continue with --resume auto",
                      stop_signal());
  run.state.epoch_seconds -= so_far;
  run.state.train_seconds -= so_far;
}

void BackupAndRestore::on_epoch_end(Run& run, const EpochLogs& logs) {
  if (run.root) run.state.finished = run.stop_training || logs.epoch >= run.config.epochs;
  save(run, logs.epoch + 1, 0);
}

}  // namespace rnnsent
