// The trainer's callbacks, with Keras's names, in the order the trainer lists them:
// ProgressLogger (the progress bar or lines and the epoch's summary line), HistoryRecorder
// (Keras's History: the epoch's row, and history.h5), EarlyStopping, ReduceLROnPlateau,
// ModelCheckpoint (best_model.h5), CSVLogger (history.csv and steps.csv), BackupAndRestore
// (the resume checkpoints), LearningRateScheduler and WatchdogCallback. The checkpoint comes
// after every callback that changes the state it stores. A kill just before it leaves the
// epoch's files one epoch ahead of the newest checkpoint: a resume rewrites them from the
// checkpoint and trains that epoch again, to the same weights.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/lr_schedule.hpp"
#include "launch/lib/callback.hpp"
#include "launch/lib/epoch_monitor.hpp"
#include "launch/lib/progress.hpp"
#include "launch/lib/watchdog.hpp"

namespace rnnsent {

class ProgressLogger : public Callback {
 public:
  ProgressLogger(RunLog& log, bool root, ProgressMode mode, int log_every)
      : progress_(log, root, mode, log_every) {}
  void on_epoch_begin(Run& run) override;
  void on_batch_end(Run& run, const StepStats& stats) override;
  void on_test_begin(Run& run) override;
  void on_epoch_end(Run& run, const EpochLogs& logs) override;
  double epoch_seconds() const { return progress_.epoch_seconds(); }

 private:
  Progress progress_;
};

// Appends the epoch's logs to run.state.history and writes it to history_path (rank 0).
class HistoryRecorder : public Callback {
 public:
  explicit HistoryRecorder(std::string history_path) : path_(std::move(history_path)) {}
  void on_train_begin(Run& run) override;  // a resume rewrites the file from its checkpoint
  void on_epoch_end(Run& run, const EpochLogs& logs) override;

 private:
  std::string path_;
};

class EarlyStoppingCallback : public Callback {
 public:
  EarlyStoppingCallback(EarlyStopping rule, bool restore_best_weights)
      : rule_(std::move(rule)), restore_(restore_best_weights) {}
  void on_epoch_end(Run& run, const EpochLogs& logs) override;
  void on_train_end(Run& run) override;

 private:
  EarlyStopping rule_;
  bool restore_;
  int stopped_epoch_ = 0;
};

// Keras's ReduceLROnPlateau: after `patience` epochs without a gain of min_delta in the
// monitor, run.lr_scale *= factor while the rate is above min_lr (LearningRateScheduler keeps
// the rate at or above min_lr); then `cooldown` epochs are not watched. Its state (scale,
// best, wait, cooldown) is in run.state, so a resume continues it.
class ReduceLROnPlateau : public Callback {
 public:
  struct Options {
    double factor = 0.1;
    int patience = 10, cooldown = 0;
    double min_lr = 0;
  };
  ReduceLROnPlateau(Monitor monitor, Options options)
      : monitor_(std::move(monitor)), options_(options) {}
  void on_train_begin(Run& run) override;  // every rank takes rank 0's scale
  void on_epoch_end(Run& run, const EpochLogs& logs) override;

 private:
  Monitor monitor_;
  Options options_;
};

// Resume checkpoints: every checkpoint_every steps, at a stop signal (then it throws
// Interrupted) and at every epoch's end; the newest `keep` are kept.
class BackupAndRestore : public Callback {
 public:
  struct Options {
    std::string output_dir;
    int checkpoint_every = 0, keep = 2;
    std::string dataset_fingerprint;
    std::function<void(const std::string&)> before_publish;  // test hook
  };
  explicit BackupAndRestore(Options options) : options_(std::move(options)) {}
  void on_batch_end(Run& run, const StepStats& stats) override;
  void on_epoch_end(Run& run, const EpochLogs& logs) override;
  // Writes the checkpoint of the run at (epoch, step_in_epoch) and returns its path.
  std::string save(Run& run, int epoch, std::int64_t step_in_epoch);

 private:
  Options options_;
};

// best_model.h5: the epoch best by the monitor (save_best_only). save writes the weights of
// the given epoch; a resume rewrites the file from its checkpoint's best.
class ModelCheckpoint : public Callback {
 public:
  using Save = std::function<void(const std::vector<float>& weights, int epoch)>;
  // save_best_only = false (Keras's name): every epoch is saved, the latest is kept; the
  // trainer's choice when the monitor is a val_ metric and there are no validation reviews.
  ModelCheckpoint(Monitor monitor, Save save, bool save_best_only = true)
      : monitor_(std::move(monitor)), save_(std::move(save)), save_best_only_(save_best_only) {}
  void on_train_begin(Run& run) override;
  void on_epoch_end(Run& run, const EpochLogs& logs) override;

 private:
  Monitor monitor_;
  Save save_;
  bool save_best_only_;
};

// Every epoch's validated weights as a model of its own (average_last_epochs; rank 0).
class EpochModels : public Callback {
 public:
  using Save = ModelCheckpoint::Save;
  explicit EpochModels(Save save) : save_(std::move(save)) {}
  void on_epoch_end(Run& run, const EpochLogs& logs) override {
    if (run.root) save_(run.validated(), logs.epoch);
  }

 private:
  Save save_;
};

// history.csv after every epoch, steps.csv every log_every steps (run.log's files).
class CSVLogger : public Callback {
 public:
  explicit CSVLogger(int log_every) : log_every_(log_every) {}
  void on_train_begin(Run& run) override;
  void on_batch_end(Run& run, const StepStats& stats) override;
  void on_epoch_end(Run& run, const EpochLogs& logs) override;

 private:
  int log_every_;
};

// Sets run.learning_rate before every step: the schedule's rate of the next update times
// run.lr_scale, never reduced below min_lr. At the start it is the rate of the last update
// taken, which an epoch resumed at its very end reports as its rate.
class LearningRateScheduler : public Callback {
 public:
  LearningRateScheduler(LrSchedule schedule, double min_lr)
      : schedule_(schedule), min_lr_(min_lr) {}
  void on_train_begin(Run& run) override;
  void on_batch_begin(Run& run) override;

 private:
  LrSchedule schedule_;
  double min_lr_;
  double rate(const Run& run, std::int64_t update) const;
};

// Ends the job when a step hangs; validation, files and the test evaluation are not steps.
// Its clock starts with training (after a resume's files are rewritten).
class WatchdogCallback : public Callback {
 public:
  WatchdogCallback(int seconds, int rank) : seconds_(seconds), rank_(rank) {}
  void on_train_begin(Run&) override { watchdog_ = std::make_unique<Watchdog>(seconds_, rank_); }
  void on_batch_end(Run&, const StepStats&) override { watchdog_->mark(); }
  void on_test_begin(Run&) override { watchdog_->pause(); }
  void on_epoch_end(Run&, const EpochLogs&) override { watchdog_->resume(); }
  void on_train_end(Run&) override { watchdog_->pause(); }

 private:
  int seconds_, rank_;
  std::unique_ptr<Watchdog> watchdog_;
};

}  // namespace rnnsent
