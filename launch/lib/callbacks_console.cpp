// ProgressLogger, CSVLogger and LearningRateScheduler; see callbacks.hpp.
#include <algorithm>
#include <chrono>
#include <cstdio>

#include "launch/lib/callbacks.hpp"

namespace rnnsent {

void ProgressLogger::on_epoch_begin(Run& run) {
  progress_.start_epoch(run.position.epoch, run.config.epochs, run.steps_per_epoch);
}

void ProgressLogger::on_batch_end(Run& run, const StepStats& stats) {
  const TrainState& s = run.state;
  progress_.update(std::size_t(run.position.step_in_epoch), std::size_t(s.epoch_seen),
                   s.epoch_loss_sum, std::size_t(s.epoch_correct));
  if (stats.stop) progress_.finish_epoch();  // the interruption's message starts a new line
}

void ProgressLogger::on_test_begin(Run&) { progress_.finish_epoch(); }

void ProgressLogger::on_epoch_end(Run& run, const EpochLogs& logs) {
  if (!run.root) return;
  char norm[64] = "";  // the pre-clip norm tells whether clipnorm bites
  if (run.config.clipnorm > 0)
    std::snprintf(norm, sizeof norm, " - grad_norm: %.4f", logs.grad_norm);
  char val[64] = "";  // validation_split = 0 has none
  if (run.config.validation_split > 0)
    std::snprintf(val, sizeof val, " - val_loss: %.4f - val_acc: %.4f", logs.val_loss,
                  logs.val_acc);
  run.log.print("%zu/%zu - %.0fs - %.0f samples/s - loss: %.4f - acc: %.4f%s%s\n", logs.steps,
                logs.steps, logs.seconds, logs.samples_per_s, logs.loss, logs.acc, val, norm);
  std::fflush(stdout);
}

void CSVLogger::on_train_begin(Run& run) {
  if (run.root && run.state.history.epochs() > 0) run.log.history(run.state.history);
}

void CSVLogger::on_batch_end(Run& run, const StepStats& stats) {
  const TrainState& s = run.state;
  if (!run.root || run.position.global_step % log_every_ != 0 || s.epoch_seen <= 0) return;
  run.log.step({run.position.global_step, run.position.epoch, s.epoch_loss_sum / s.epoch_seen,
                s.epoch_correct / s.epoch_seen, run.learning_rate, stats.grad_norm,
                s.epoch_seen / seconds_since(run.epoch_start)});
}

void CSVLogger::on_epoch_end(Run& run, const EpochLogs&) {
  if (run.root) run.log.history(run.state.history);
}

double LearningRateScheduler::rate(const Run& run, std::int64_t update) const {
  const double r = schedule_.at(update) * run.lr_scale;
  // Only reductions are held at min_lr; the schedule alone may go lower (Keras's min_lr
  // belongs to ReduceLROnPlateau).
  return run.lr_scale < 1 ? std::max(r, min_lr_) : r;
}

void LearningRateScheduler::on_train_begin(Run& run) {
  run.learning_rate = rate(run, std::max<std::int64_t>(run.optimizer.updates, 1));
}

void LearningRateScheduler::on_batch_begin(Run& run) {
  run.learning_rate = rate(run, run.optimizer.updates + 1);
}

}  // namespace rnnsent
