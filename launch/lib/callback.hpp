// The training run as Keras's fit() sees it: a Run (the typed state every part of the loop
// reads and changes) and Callbacks the loop calls at the run's boundaries, in their list's
// order, on every rank. Callbacks that decide (EarlyStopping, ReduceLROnPlateau) decide on
// rank 0 from its history and broadcast the decision themselves: every rank calls the same
// callbacks in the same order, so those broadcasts pair up.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/optimizer.hpp"
#include "dist/session.hpp"
#include "io/checkpoint_file.hpp"
#include "io/config.hpp"
#include "launch/lib/data_parallel.hpp"
#include "launch/lib/run_log.hpp"

namespace rnnsent {

// Thrown on every rank when a stop signal was honoured: the resume checkpoint is written.
struct Interrupted : std::runtime_error {
  Interrupted(const std::string& what, int signal) : std::runtime_error(what), signal(signal) {}
  int signal;
};

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Where the run stands, on every rank.
struct RunPosition {
  int epoch = 1;                   // the epoch being trained (1-based)
  std::int64_t step_in_epoch = 0;  // its steps already taken
  std::int64_t global_step = 0;    // optimizer steps taken in the whole run
  bool finished = false;           // early stopping or the epoch limit ended the run
};

struct Run {
  Run(const TrainConfig& config, const dist::Session& session, RunLog& log)
      : config(config), session(session), root(session.is_root()), log(log) {}
  const TrainConfig& config;
  const dist::Session& session;
  const bool root;
  RunLog& log;
  // Rank 0's record, what a resume checkpoint stores: the history, the callbacks' bests and
  // counters, the epoch's running totals, ModelCheckpoint's best weights (best_params), the
  // weight average (weight_average, ema_momentum > 0) and restore_best_weights' weights.
  TrainState state;
  RunPosition position;
  std::vector<float> params;  // every rank, identical
  OptimizerState optimizer;   // every rank, identical
  DataParallelStep* stepper = nullptr;
  std::size_t steps_per_epoch = 0;
  double lr_scale = 1;         // ReduceLROnPlateau's factor so far, every rank
  double learning_rate = 0;    // the next update's rate (LearningRateScheduler)
  bool stop_training = false;  // every rank, once EarlyStopping has broadcast its decision
  std::chrono::steady_clock::time_point epoch_start;
  // Rank 0: the weights validation scores and the models keep (the average when averaging).
  const std::vector<float>& validated() const {
    return state.weight_average.empty() ? params : state.weight_average;
  }
  // What training ends with: empty for validated(); EarlyStopping's restore_best_weights sets
  // it (with its epoch) at the end of training.
  std::vector<float> final_params;
  int final_epoch = 0;
};

// Keras's `logs` at an epoch's end (rank 0; zeros elsewhere).
struct EpochLogs {
  int epoch = 0;
  std::size_t steps = 0;
  double loss = 0, acc = 0, val_loss = 0, val_acc = 0;
  double seconds = 0;        // the epoch's training and validation time (resumed parts included)
  double samples_per_s = 0;  // training only
  double learning_rate = 0;  // the rate of the epoch's last update
  double grad_norm = 0;      // mean pre-clip norm of its updates (NaN: none)
};

class Callback {
 public:
  virtual ~Callback() = default;
  virtual void on_train_begin(Run&) {}
  virtual void on_epoch_begin(Run&) {}
  virtual void on_batch_begin(Run&) {}
  // After a step; run.position counts it. stats.stop: the ranks agreed to stop here.
  virtual void on_batch_end(Run&, const StepStats&) {}
  virtual void on_test_begin(Run&) {}  // before the epoch's validation
  virtual void on_epoch_end(Run&, const EpochLogs&) {}
  virtual void on_train_end(Run&) {}
};

class CallbackList {
 public:
  void add(std::unique_ptr<Callback> callback) { list_.push_back(std::move(callback)); }
  void on_train_begin(Run& run) {
    for (auto& c : list_) c->on_train_begin(run);
  }
  void on_epoch_begin(Run& run) {
    for (auto& c : list_) c->on_epoch_begin(run);
  }
  void on_batch_begin(Run& run) {
    for (auto& c : list_) c->on_batch_begin(run);
  }
  void on_batch_end(Run& run, const StepStats& stats) {
    for (auto& c : list_) c->on_batch_end(run, stats);
  }
  void on_test_begin(Run& run) {
    for (auto& c : list_) c->on_test_begin(run);
  }
  void on_epoch_end(Run& run, const EpochLogs& logs) {
    for (auto& c : list_) c->on_epoch_end(run, logs);
  }
  void on_train_end(Run& run) {
    for (auto& c : list_) c->on_train_end(run);
  }

 private:
  std::vector<std::unique_ptr<Callback>> list_;
};

}  // namespace rnnsent
