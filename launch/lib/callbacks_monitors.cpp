// EarlyStoppingCallback, ReduceLROnPlateau and ModelCheckpoint: rank 0 decides from its
// history, and what every rank must agree on (stop, the learning-rate scale) is broadcast.
#include <algorithm>
#include <cmath>

#include "launch/lib/callbacks.hpp"

namespace rnnsent {
namespace {

// Doubles travel as their bytes: every rank gets rank 0's value exactly.
void broadcast_double(const dist::Session& session, double& value) {
  session.broadcast(reinterpret_cast<char*>(&value), sizeof value);
}

}  // namespace

void EarlyStoppingCallback::on_epoch_end(Run& run, const EpochLogs& logs) {
  int stop = 0;
  if (run.root) {
    TrainState& s = run.state;
    stop = rule_.stop_after(logs.epoch, s.history, s.stopping_best, s.wait) ? 1 : 0;
    // A watched epoch that leaves wait at 0 was a gain (stop_after resets it only then).
    if (restore_ && logs.epoch > rule_.start_from_epoch && s.wait == 0) {
      s.restore_params = run.validated();
      s.restore_epoch = logs.epoch;
    }
  }
  run.session.broadcast(&stop, 1);  // every rank leaves the loop after the same epoch
  run.stop_training = stop != 0;
  if (run.stop_training) stopped_epoch_ = logs.epoch;
}

void EarlyStoppingCallback::on_train_end(Run& run) {
  if (!run.root) return;
  if (stopped_epoch_ > 0)
    run.log.print("Early stopping: %s did not improve for %d epoch(s)\n",
                  rule_.monitor.metric().c_str(), rule_.patience);
  // As Keras 3: restored whether or not the run stopped early, once some epoch was a gain.
  if (restore_ && !run.state.restore_params.empty()) {
    run.final_params = run.state.restore_params;
    run.final_epoch = run.state.restore_epoch;
    run.log.print("Restoring model weights from the end of the best epoch: %d\n", run.final_epoch);
  }
}

void ReduceLROnPlateau::on_train_begin(Run& run) {
  double scale = run.state.lr_scale;  // rank 0's from its checkpoint, 1 on a fresh run
  broadcast_double(run.session, scale);
  run.lr_scale = scale;
}

void ReduceLROnPlateau::on_epoch_end(Run& run, const EpochLogs& logs) {
  double scale = run.lr_scale;
  if (run.root) {
    TrainState& s = run.state;
    const double current = monitor_.latest(s.history);
    if (std::isnan(s.plateau_best)) s.plateau_best = monitor_.worst();
    if (s.plateau_cooldown > 0) {
      --s.plateau_cooldown;
      s.plateau_wait = 0;
    }
    if (monitor_.improves(current, s.plateau_best)) {
      s.plateau_best = current;
      s.plateau_wait = 0;
    } else if (s.plateau_cooldown == 0 && ++s.plateau_wait >= options_.patience &&
               logs.learning_rate > options_.min_lr) {
      scale *= options_.factor;
      s.plateau_cooldown = options_.cooldown;
      s.plateau_wait = 0;
      run.log.print("Epoch %d: ReduceLROnPlateau reducing the learning rate to %g\n", logs.epoch,
                    std::max(logs.learning_rate * options_.factor, options_.min_lr));
    }
    s.lr_scale = scale;
  }
  broadcast_double(run.session, scale);
  run.lr_scale = scale;
}

void ModelCheckpoint::on_train_begin(Run& run) {
  // A kill may have come between a checkpoint and the file; rewrite it from the checkpoint.
  if (run.root && run.state.best_epoch > 0) save_(run.state.best_params, run.state.best_epoch);
}

void ModelCheckpoint::on_epoch_end(Run& run, const EpochLogs& logs) {
  if (!run.root) return;
  TrainState& s = run.state;
  const double current = monitor_.latest(s.history);
  if (!save_best_only_) {
    s.best_params = run.validated();
    s.best_epoch = logs.epoch;
    save_(s.best_params, s.best_epoch);
    run.log.print("Epoch %d: saved best_model.h5 (no validation reviews: the latest epoch)\n",
                  logs.epoch);
    return;
  }
  if (!monitor_.improves(current, s.checkpoint_best)) return;
  const double previous = s.checkpoint_best;
  s.checkpoint_best = current;
  s.best_params = run.validated();
  s.best_epoch = logs.epoch;
  save_(s.best_params, s.best_epoch);
  run.log.print("Epoch %d: %s improved from %.4f to %.4f, saved best_model.h5\n", logs.epoch,
                monitor_.metric().c_str(), previous, current);
}

}  // namespace rnnsent
