// Each of the trainer's callbacks (launch/lib/callbacks.hpp) on a hand-made Run: the epochs'
// metrics are written into its history directly, so no model is trained. A one-rank session
// is rank 0, so the callbacks decide and their broadcasts return at once.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "io/checkpoint_file.hpp"
#include "io/history_file.hpp"
#include "launch/lib/callbacks.hpp"
#include "launch/lib/run_dir.hpp"
#include "launch/lib/test_hooks.hpp"
#include "tests/io/temp_dir.hpp"
#include "tests/launch/session_for_tests.hpp"

namespace rnnsent {
namespace {

namespace fs = std::filesystem;
using testing_support::session;

// A Run whose closed log prints nothing, with 4 parameters.
struct RunFixture {
  RunLog log;
  TrainConfig config;
  Run run{config, session(), log};
  RunFixture() {
    run.params = {1, 2, 3, 4};
    run.optimizer = make_optimizer_state(OptimizerKind::rmsprop, 4);
    run.state.best_params.assign(4, 0);
  }
  // Epoch `epoch` ends with these metrics (and these weights): the history gets its row, as
  // HistoryRecorder would add it, and the logs are what the trainer passes on.
  EpochLogs end_epoch(int epoch, double val_loss, double val_acc, float weight = 0) {
    History& h = run.state.history;
    h.loss.push_back(val_loss);
    h.acc.push_back(val_acc);
    h.val_loss.push_back(val_loss);
    h.val_acc.push_back(val_acc);
    h.seconds.push_back(1);
    h.learning_rate.push_back(1e-3 * run.lr_scale);
    h.grad_norm.push_back(1);
    run.params.assign(4, weight);
    run.position.epoch = epoch;
    EpochLogs logs;
    logs.epoch = epoch;
    logs.val_loss = val_loss;
    logs.val_acc = val_acc;
    logs.learning_rate = h.learning_rate.back();
    return logs;
  }
};

EarlyStopping stopping(const std::string& metric, int patience) {
  return EarlyStopping{Monitor(metric, "auto"), patience, 0};
}

TEST(CallbacksTest, EarlyStoppingStopsAfterPatienceEpochsWithoutAGain) {
  RunFixture f;
  f.run.state.stopping_best = Monitor("val_acc", "auto").worst();
  EarlyStoppingCallback cb(stopping("val_acc", 2), false);
  const double acc[] = {0.6, 0.7, 0.65, 0.69, 0.8};
  int stopped_after = 0;
  for (int e = 1; e <= 5 && !stopped_after; ++e) {
    cb.on_epoch_end(f.run, f.end_epoch(e, 0.5, acc[e - 1]));
    if (f.run.stop_training) stopped_after = e;
  }
  EXPECT_EQ(stopped_after, 4);  // epochs 3 and 4 did not beat 0.7
  EXPECT_DOUBLE_EQ(f.run.state.stopping_best, 0.7);
}

TEST(CallbacksTest, RestoreBestWeightsKeepsTheBestEpochsWeightsForTheEnd) {
  RunFixture f;
  f.run.state.stopping_best = Monitor("val_loss", "auto").worst();
  EarlyStoppingCallback cb(stopping("val_loss", 5), true);
  const double loss[] = {0.6, 0.4, 0.5};
  for (int e = 1; e <= 3; ++e) cb.on_epoch_end(f.run, f.end_epoch(e, loss[e - 1], 0.5, float(e)));
  cb.on_train_end(f.run);
  EXPECT_EQ(f.run.final_epoch, 2);
  EXPECT_EQ(f.run.final_params, std::vector<float>(4, 2.0f));
  EXPECT_EQ(f.run.state.restore_epoch, 2);  // in the state a checkpoint stores
}

TEST(CallbacksTest, WithoutRestoreBestWeightsTrainingEndsWithTheLastWeights) {
  RunFixture f;
  f.run.state.stopping_best = Monitor("val_loss", "auto").worst();
  EarlyStoppingCallback cb(stopping("val_loss", 5), false);
  for (int e = 1; e <= 2; ++e) cb.on_epoch_end(f.run, f.end_epoch(e, 1.0 / e, 0.5, float(e)));
  cb.on_train_end(f.run);
  EXPECT_TRUE(f.run.final_params.empty());
  EXPECT_TRUE(f.run.state.restore_params.empty());
}

ReduceLROnPlateau plateau(int patience, int cooldown, double min_lr, double min_delta = 0) {
  return ReduceLROnPlateau(Monitor("val_loss", "auto", min_delta),
                           ReduceLROnPlateau::Options{0.5, patience, cooldown, min_lr});
}

// val_loss 1.0 then flat: patience 2 reduces after epochs 3 and 5 (wait restarts at 0).
TEST(CallbacksTest, ReduceLrOnPlateauReducesAfterPatienceEpochsWithoutAGain) {
  RunFixture f;
  ReduceLROnPlateau cb = plateau(2, 0, 0);
  cb.on_train_begin(f.run);
  std::vector<double> scales;
  for (int e = 1; e <= 5; ++e) {
    cb.on_epoch_end(f.run, f.end_epoch(e, 1.0, 0.5));
    scales.push_back(f.run.lr_scale);
  }
  EXPECT_EQ(scales, (std::vector<double>{1, 1, 0.5, 0.5, 0.25}));
  EXPECT_DOUBLE_EQ(f.run.state.lr_scale, 0.25);  // what a checkpoint stores
}

TEST(CallbacksTest, ReduceLrOnPlateauCooldownAndMinLr) {
  RunFixture f;
  ReduceLROnPlateau cb = plateau(1, 2, 0);
  std::vector<double> scales;
  for (int e = 1; e <= 6; ++e) {
    cb.on_epoch_end(f.run, f.end_epoch(e, 1.0, 0.5));
    scales.push_back(f.run.lr_scale);
  }
  // As Keras's: reduced after epoch 2; epoch 3 cools down; epoch 4, the cooldown's last, is
  // watched again and reduces; and so on.
  EXPECT_EQ(scales, (std::vector<double>{1, 0.5, 0.5, 0.25, 0.25, 0.125}));

  RunFixture g;  // a rate already at min_lr is not reduced further
  ReduceLROnPlateau floor_cb = plateau(1, 0, 1e-3);
  for (int e = 1; e <= 3; ++e) floor_cb.on_epoch_end(g.run, g.end_epoch(e, 1.0, 0.5));
  EXPECT_DOUBLE_EQ(g.run.lr_scale, 1);
}

TEST(CallbacksTest, ReduceLrOnPlateauCountsGainsBelowMinDeltaAsNone) {
  RunFixture f;
  ReduceLROnPlateau cb = plateau(1, 0, 0, 0.1);
  cb.on_epoch_end(f.run, f.end_epoch(1, 1.0, 0.5));
  cb.on_epoch_end(f.run, f.end_epoch(2, 0.95, 0.5));  // a gain of 0.05 < min_delta
  EXPECT_DOUBLE_EQ(f.run.lr_scale, 0.5);
  cb.on_epoch_end(f.run, f.end_epoch(3, 0.8, 0.5));  // 0.15 beats 1.0 by more than 0.1
  EXPECT_DOUBLE_EQ(f.run.lr_scale, 0.5);
}

TEST(CallbacksTest, LearningRateSchedulerScalesTheScheduleAndHoldsReductionsAtMinLr) {
  RunFixture f;
  LrSchedule schedule;
  schedule.target = 1e-2;
  schedule.warmup_steps = 10;
  LearningRateScheduler cb(schedule, 2e-3);
  f.run.optimizer.updates = 4;  // the next update is the 5th: half way up the warm-up
  cb.on_batch_begin(f.run);
  EXPECT_DOUBLE_EQ(f.run.learning_rate, 5e-3);  // no reduction: min_lr does not apply
  f.run.optimizer.updates = 20;
  f.run.lr_scale = 0.5;
  cb.on_batch_begin(f.run);
  EXPECT_DOUBLE_EQ(f.run.learning_rate, 5e-3);
  f.run.lr_scale = 0.1;
  cb.on_batch_begin(f.run);
  EXPECT_DOUBLE_EQ(f.run.learning_rate, 2e-3);  // 1e-3 held at min_lr
  f.run.lr_scale = 1;
  f.run.optimizer.updates = 3;
  cb.on_train_begin(f.run);  // the rate of the last update taken, the 3rd
  EXPECT_DOUBLE_EQ(f.run.learning_rate, 3e-3);
}

TEST(CallbacksTest, ModelCheckpointSavesOnlyTheEpochsThatImprove) {
  RunFixture f;
  f.run.state.checkpoint_best = Monitor("val_loss", "auto").worst();
  std::vector<int> saved;
  ModelCheckpoint cb(Monitor("val_loss", "auto"),
                     [&](const std::vector<float>&, int epoch) { saved.push_back(epoch); });
  const double loss[] = {0.6, 0.4, 0.5, 0.3};
  for (int e = 1; e <= 4; ++e) cb.on_epoch_end(f.run, f.end_epoch(e, loss[e - 1], 0.5, float(e)));
  EXPECT_EQ(saved, (std::vector<int>{1, 2, 4}));
  EXPECT_EQ(f.run.state.best_epoch, 4);
  EXPECT_EQ(f.run.state.best_params, std::vector<float>(4, 4.0f));
  saved.clear();
  cb.on_train_begin(f.run);  // a resume rewrites best_model.h5 from the checkpoint's best
  EXPECT_EQ(saved, (std::vector<int>{4}));
}

TEST(CallbacksTest, HistoryRecorderAppendsTheEpochAndWritesHistoryH5) {
  const std::string dir = testing_support::fresh_dir("callbacks_history").string();
  RunFixture f;
  HistoryRecorder cb(dir + "/history.h5");
  EpochLogs logs;
  logs.epoch = 1;
  logs.loss = 0.7;
  logs.val_acc = 0.55;
  logs.learning_rate = 1e-3;
  cb.on_epoch_end(f.run, logs);
  logs.loss = 0.5;
  cb.on_epoch_end(f.run, logs);
  const History h = read_history(dir + "/history.h5");
  EXPECT_EQ(h.loss, (std::vector<double>{0.7, 0.5}));
  EXPECT_EQ(h.val_acc, (std::vector<double>{0.55, 0.55}));
  EXPECT_EQ(f.run.state.history.epochs(), 2u);
}

// Every checkpoint_every steps except at an epoch's end, at a stop (then it throws) and after
// every epoch (the next epoch's start, and whether the run is finished).
TEST(CallbacksTest, BackupAndRestoreWritesCheckpointsWhenDue) {
  const std::string dir = testing_support::fresh_dir("callbacks_backup").string();
  RunFixture f;
  f.config.epochs = 2;
  f.run.steps_per_epoch = 4;
  BackupAndRestore cb(BackupAndRestore::Options{dir, 3, 10, "fingerprint", {}});
  fs::create_directories(checkpoint_dir(dir));
  StepStats st;
  for (int step = 1; step <= 4; ++step) {
    f.run.position.global_step = step;
    f.run.position.step_in_epoch = step;
    cb.on_batch_end(f.run, st);
  }
  EXPECT_TRUE(fs::exists(checkpoint_path(dir, 3)));
  EXPECT_FALSE(fs::exists(checkpoint_path(dir, 4)));
  const TrainState mid = read_checkpoint(checkpoint_path(dir, 3));
  EXPECT_EQ(mid.step_in_epoch, 3);
  EXPECT_EQ(mid.dataset_fingerprint, "fingerprint");
  cb.on_epoch_end(f.run, f.end_epoch(1, 0.5, 0.5));
  const TrainState end = read_checkpoint(checkpoint_path(dir, 4));
  EXPECT_EQ(end.epoch, 2);
  EXPECT_EQ(end.step_in_epoch, 0);
  EXPECT_EQ(end.finished, 0);
  f.run.position = {2, 1, 5, false};
  st.stop = true;
  EXPECT_THROW(cb.on_batch_end(f.run, st), Interrupted);
  EXPECT_EQ(read_checkpoint(checkpoint_path(dir, 5)).step_in_epoch, 1);
}

TEST(CallbacksTest, CsvLoggerWritesAStepRowEveryLogEverySteps) {
  const std::string dir = testing_support::fresh_dir("callbacks_csv").string();
  TrainConfig config;
  RunLog log(dir, false, 0);
  rnnsent::Run run(config, session(), log);
  CSVLogger cb(2);
  StepStats st;
  run.epoch_start = std::chrono::steady_clock::now();
  for (int step = 1; step <= 5; ++step) {
    run.position.global_step = step;
    run.state.epoch_seen = 16.0 * step;
    cb.on_batch_end(run, st);
  }
  std::ifstream in(dir + "/steps.csv");
  int lines = 0;
  for (std::string line; std::getline(in, line);) ++lines;
  EXPECT_EQ(lines, 1 + 2);  // the header, steps 2 and 4
}

TEST(CallbacksTest, FaultInjectionFailsTheNamedRank) {
  RunFixture f;
  TestHooks hooks;
  hooks.fail_rank = 0;
  FaultInjection cb(hooks);
  EXPECT_THROW(cb.on_epoch_begin(f.run), std::runtime_error);
  hooks.fail_rank = 1;
  FaultInjection other(hooks);
  EXPECT_NO_THROW(other.on_epoch_begin(f.run));
}

// Lines mode: the epoch's header, a line every log_every batches (and the last), the summary.
TEST(CallbacksTest, ProgressLoggerPrintsTheEpochItsBatchesAndItsSummary) {
  const std::string dir = testing_support::fresh_dir("callbacks_progress").string();
  RunLog log(dir, false, 0);  // open: it prints (a closed one is another rank's)
  RunFixture f;
  f.config.epochs = 3;
  rnnsent::Run run(f.config, session(), log);
  run.steps_per_epoch = 4;
  run.position.epoch = 2;
  ProgressLogger cb(log, true, ProgressMode::lines, 2);
  ::testing::internal::CaptureStdout();
  cb.on_epoch_begin(run);
  StepStats st;
  for (int step = 1; step <= 4; ++step) {
    run.position.step_in_epoch = step;
    run.state.epoch_seen = 10.0 * step;
    run.state.epoch_loss_sum = 5.0 * step;
    run.state.epoch_correct = 7.0 * step;
    cb.on_batch_end(run, st);
  }
  cb.on_test_begin(run);
  EpochLogs logs;
  logs.steps = 4;
  logs.loss = 0.5;
  logs.acc = 0.7;
  logs.val_loss = 0.25;
  logs.val_acc = 0.75;
  cb.on_epoch_end(run, logs);
  const std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(out.rfind("Epoch 2/3\n", 0), 0u) << out;
  EXPECT_NE(out.find("    2/4 - "), std::string::npos) << out;
  EXPECT_EQ(out.find("    3/4 - "), std::string::npos) << out;  // not a log_every batch
  EXPECT_NE(out.find("loss: 0.5000 - acc: 0.7000 - ETA"), std::string::npos) << out;
  EXPECT_NE(out.find("4/4 - 0s - "), std::string::npos) << out;
  EXPECT_NE(out.find("val_loss: 0.2500 - val_acc: 0.7500\n"), std::string::npos) << out;
  EXPECT_EQ(out.find('\r'), std::string::npos);  // lines, never the bar
}

// Paused from validation to the end of the epoch's files: a pause longer than its limit does
// not end the process (the watchdog _Exits it, failing the whole test binary, if it fires).
TEST(CallbacksTest, WatchdogDoesNotFireWhilePausedForValidation) {
  RunFixture f;
  WatchdogCallback cb(1, 0);
  cb.on_train_begin(f.run);
  cb.on_test_begin(f.run);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  cb.on_epoch_end(f.run, EpochLogs{});
  cb.on_batch_end(f.run, StepStats{});
  cb.on_train_end(f.run);
  SUCCEED();
}

// The list calls its callbacks in the order they were added, for every event.
TEST(CallbacksTest, CallbackListKeepsItsOrder) {
  struct Recorder : Callback {
    Recorder(std::string name, std::string& out) : name(std::move(name)), out(out) {}
    void on_epoch_begin(rnnsent::Run&) override { out += name; }
    void on_epoch_end(rnnsent::Run&, const EpochLogs&) override { out += name; }
    std::string name;
    std::string& out;
  };
  std::string order;
  CallbackList list;
  list.add(std::make_unique<Recorder>("a", order));
  list.add(std::make_unique<Recorder>("b", order));
  RunFixture f;
  list.on_epoch_begin(f.run);
  list.on_epoch_end(f.run, EpochLogs{});
  EXPECT_EQ(order, "abab");
}

}  // namespace
}  // namespace rnnsent
