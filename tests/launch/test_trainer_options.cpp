// The trainer with the options of issue 6 on a small synthetic dataset: Adam with clipping and
// warm-up learns and records the gradient norm and the rate in use; num_words = all and too
// large a num_words resolve to the vocabulary, and the resolved number is what gets stored.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/sentiment_model.hpp"
#include "io/dataset_file.hpp"
#include "io/history_file.hpp"
#include "launch/lib/evaluate.hpp"
#include "launch/lib/model_io.hpp"
#include "launch/lib/padded_set.hpp"
#include "launch/lib/trainer.hpp"
#include "tests/io/temp_dir.hpp"
#include "tests/launch/session_for_tests.hpp"
#include "tests/launch/synthetic_data.hpp"

namespace rnnsent {
namespace {

namespace fs = std::filesystem;
using testing_support::session;

// Unique per process: another checkout's tests may run at the same time on this machine.
std::string fresh_dir(const std::string& name) {
  return testing_support::fresh_dir("trainer_options_" + name).string();
}

// 400 training reviews: 320 after the validation split, 20 steps of 16 per epoch.
TrainConfig small_config(const std::string& dir) {
  return testing_support::small_train_config(dir, 3);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(TrainerOptionsTest, AdamWithClippingAndWarmupLearnsAndRecordsTheNorm) {
  const std::string dir = fresh_dir("adam");
  testing_support::write_synthetic_dataset(dir + "/data.h5", 400, 200);
  TrainConfig c = small_config(dir);
  c.optimizer = "adam";
  c.clipnorm = 0.5;
  c.warmup_steps = 10;
  ::testing::internal::CaptureStdout();
  const TrainSummary s = train(c, session());
  const std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_GT(s.test_acc, 0.9);
  const History h = read_history(c.output_dir + "/history.h5");
  ASSERT_EQ(h.epochs(), 3u);
  for (std::size_t e = 0; e < 3; ++e) {
    EXPECT_TRUE(std::isfinite(h.grad_norm[e]) && h.grad_norm[e] > 0) << "epoch " << e + 1;
    EXPECT_EQ(h.learning_rate[e], 0.01);  // the 10-update warm-up ended in epoch 1
  }
  EXPECT_NE(out.find("grad_norm: "), std::string::npos) << out;  // clipping on: printed
  EXPECT_NE(read_text(c.output_dir + "/config.ini").find("optimizer = adam"), std::string::npos);
}

TEST(TrainerOptionsTest, HistoryHoldsTheRateOfEachEpochsLastUpdate) {
  const std::string dir = fresh_dir("warmup");
  testing_support::write_synthetic_dataset(dir + "/data.h5", 400, 100);
  TrainConfig c = small_config(dir);
  c.warmup_steps = 100;  // 60 updates in 3 epochs: still ramping
  ::testing::internal::CaptureStdout();
  train(c, session());
  const std::string out = ::testing::internal::GetCapturedStdout();
  const History h = read_history(c.output_dir + "/history.h5");
  ASSERT_EQ(h.epochs(), 3u);
  EXPECT_DOUBLE_EQ(h.learning_rate[0], 0.01 * 20 / 100);
  EXPECT_DOUBLE_EQ(h.learning_rate[1], 0.01 * 40 / 100);
  EXPECT_DOUBLE_EQ(h.learning_rate[2], 0.01 * 60 / 100);
  EXPECT_TRUE(std::isfinite(h.grad_norm[0]));                  // recorded even without clipping,
  EXPECT_EQ(out.find("grad_norm"), std::string::npos) << out;  // but printed only with it
}

// Keras's CosineDecay over the run's 60 updates (20 per epoch): each epoch's last rate is
// lr * (alpha + (1 - alpha) * (1 + cos(pi * u / 60)) / 2) at u = 20, 40, 60.
TEST(TrainerOptionsTest, CosineScheduleLowersTheRateEpochByEpoch) {
  const std::string dir = fresh_dir("cosine");
  testing_support::write_synthetic_dataset(dir + "/data.h5", 400, 100);
  TrainConfig c = small_config(dir);
  c.lr_schedule = "cosine";
  c.lr_cosine_alpha = 0.1;
  ::testing::internal::CaptureStdout();
  train(c, session());
  ::testing::internal::GetCapturedStdout();
  const History h = read_history(c.output_dir + "/history.h5");
  ASSERT_EQ(h.epochs(), 3u);
  const double pi = std::acos(-1.0);
  for (std::size_t e = 0; e < 3; ++e)
    EXPECT_NEAR(h.learning_rate[e],
                0.01 * (0.1 + 0.9 * 0.5 * (1 + std::cos(pi * 20 * (e + 1) / 60))), 1e-15)
        << "epoch " << e + 1;
  EXPECT_GT(h.learning_rate[0], h.learning_rate[1]);
  EXPECT_GT(h.learning_rate[1], h.learning_rate[2]);
}

// Early stopping on val_loss with a gain of 0.5 required: out of reach after the first gain.
TrainConfig unreachable_gain_config(const std::string& name, int epochs) {
  const std::string dir = fresh_dir(name);
  testing_support::write_synthetic_dataset(dir + "/data.h5", 400, 100);
  TrainConfig c = testing_support::small_train_config(dir, epochs);
  c.early_stopping_monitor = "val_loss";
  c.min_delta = 0.5;
  c.patience = 1;
  return c;
}

// Patience 1 stops after the second epoch (the first epoch never stops a run).
TEST(TrainerOptionsTest, EarlyStoppingOnValLossWithMinDeltaStopsAfterTheSecondEpoch) {
  const TrainConfig c = unreachable_gain_config("min_delta", 5);
  ::testing::internal::CaptureStdout();
  const TrainSummary s = train(c, session());
  const std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(s.epochs_run, 2);
  EXPECT_NE(out.find("Early stopping: val_loss did not improve for 1 epoch(s)"), std::string::npos)
      << out;
}

// start_from_epoch 2: epochs 1 and 2 are not watched, epoch 3 is the first gain, epoch 4 none.
TEST(TrainerOptionsTest, StartFromEpochDelaysEarlyStopping) {
  TrainConfig c = unreachable_gain_config("start_from", 6);
  c.start_from_epoch = 2;
  ::testing::internal::CaptureStdout();
  const TrainSummary s = train(c, session());
  ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(s.epochs_run, 4);
}

// checkpoint_monitor = val_acc: best_model.h5 is the first epoch of the highest val_acc.
TEST(TrainerOptionsTest, CheckpointMonitorChoosesTheBestEpoch) {
  const std::string dir = fresh_dir("ckpt_monitor");
  testing_support::write_synthetic_dataset(dir + "/data.h5", 400, 100);
  TrainConfig c = testing_support::small_train_config(dir, 4);
  c.learning_rate = 0.003;  // slower, so the epochs differ
  c.checkpoint_monitor = "val_acc";
  ::testing::internal::CaptureStdout();
  const TrainSummary s = train(c, session());
  ::testing::internal::GetCapturedStdout();
  const History h = read_history(c.output_dir + "/history.h5");
  const auto top = std::max_element(h.val_acc.begin(), h.val_acc.end());
  EXPECT_EQ(s.best_epoch, int(top - h.val_acc.begin()) + 1);
  const LoadedModel m = load_model(c.output_dir + "/best_model.h5");
  EXPECT_EQ(m.metrics.epoch, s.best_epoch);
  EXPECT_DOUBLE_EQ(m.metrics.val_loss, h.val_loss[std::size_t(s.best_epoch - 1)]);
}

// --init_from with a learning rate of 1e-9: the new run's model is the one it started from
// (to 1e-3), and a model of another architecture is refused naming the difference.
TEST(TrainerOptionsTest, InitFromStartsFromTheSavedWeights) {
  const std::string dir = fresh_dir("init_from");
  testing_support::write_synthetic_dataset(dir + "/data.h5", 400, 100);
  TrainConfig first = testing_support::small_train_config(dir, 2);
  ::testing::internal::CaptureStdout();
  train(first, session());
  TrainConfig tune = testing_support::small_train_config(dir, 1);
  tune.output_dir = dir + "/tuned";
  tune.init_from = first.output_dir + "/best_model.h5";
  tune.learning_rate = 1e-9;
  tune.seed = 7;  // another initialisation, were the weights not taken from the file
  train(tune, session());
  TrainConfig other = tune;
  other.output_dir = dir + "/other";
  other.units = 7;
  std::string refusal;
  try {
    train(other, session());
  } catch (const std::exception& e) {
    refusal = e.what();
  }
  ::testing::internal::GetCapturedStdout();
  const LoadedModel a = load_model(tune.init_from),
                    b = load_model(tune.output_dir + "/best_model.h5");
  ASSERT_EQ(a.params.size(), b.params.size());
  float worst = 0;
  for (std::size_t i = 0; i < a.params.size(); ++i)
    worst = std::max(worst, std::abs(a.params[i] - b.params[i]));
  EXPECT_LT(worst, 1e-3f);
  EXPECT_NE(refusal.find("units = 6, this run 7"), std::string::npos) << refusal;
  EXPECT_FALSE(fs::exists(other.output_dir + "/best_model.h5"));
}

// reduce_lr_on_plateau on val_loss with a gain of 0.5 required (out of reach after the first
// epoch), patience 1, factor 0.5: every epoch from the second lowers the rate by half, and
// history.h5 records the rate each epoch used.
TEST(TrainerOptionsTest, ReduceLrOnPlateauHalvesTheRateAfterEachEpochWithoutAGain) {
  TrainConfig c = unreachable_gain_config("plateau", 4);
  c.patience = 10;  // early stopping out of the way
  c.reduce_lr_on_plateau = true;
  c.reduce_lr_min_delta = 0.5;
  c.reduce_lr_patience = 1;
  c.reduce_lr_factor = 0.5;
  ::testing::internal::CaptureStdout();
  train(c, session());
  const std::string out = ::testing::internal::GetCapturedStdout();
  const History h = read_history(c.output_dir + "/history.h5");
  ASSERT_EQ(h.epochs(), 4u);
  EXPECT_DOUBLE_EQ(h.learning_rate[0], c.learning_rate);
  EXPECT_DOUBLE_EQ(h.learning_rate[1], c.learning_rate);  // epoch 1 improved on +inf
  EXPECT_DOUBLE_EQ(h.learning_rate[2], c.learning_rate * 0.5);
  EXPECT_DOUBLE_EQ(h.learning_rate[3], c.learning_rate * 0.25);
  EXPECT_NE(out.find("Epoch 2: ReduceLROnPlateau reducing the learning rate to"), std::string::npos)
      << out;
}

// restore_best_weights with early stopping watching val_loss in mode max: its "best" epoch
// is the one of the highest val_loss, epoch 1 on this learnable data. final_model.h5 then
// holds epoch 1's weights (those of a 1-epoch run of the same seed); without the option, the
// last epoch's.
TEST(TrainerOptionsTest, RestoreBestWeightsPutsTheBestEpochInFinalModel) {
  const std::string dir = fresh_dir("restore");
  testing_support::write_synthetic_dataset(dir + "/data.h5", 400, 100);
  TrainConfig c = testing_support::small_train_config(dir, 3);
  c.early_stopping_monitor = "val_loss";
  c.early_stopping_mode = "max";
  c.patience = 5;
  c.restore_best_weights = true;
  TrainConfig plain = c, one = c;
  plain.restore_best_weights = false;
  plain.output_dir = dir + "/plain";
  one.epochs = 1;
  one.output_dir = dir + "/one";
  ::testing::internal::CaptureStdout();
  train(c, session());
  train(plain, session());
  train(one, session());
  const std::string out = ::testing::internal::GetCapturedStdout();
  const History h = read_history(c.output_dir + "/history.h5");
  ASSERT_EQ(h.epochs(), 3u);
  ASSERT_GT(h.val_loss[0], h.val_loss[1]);
  ASSERT_GT(h.val_loss[0], h.val_loss[2]);
  const LoadedModel restored = load_model(c.output_dir + "/final_model.h5"),
                    last = load_model(plain.output_dir + "/final_model.h5"),
                    first = load_model(one.output_dir + "/final_model.h5");
  EXPECT_EQ(restored.metrics.epoch, 1);
  EXPECT_EQ(restored.params, first.params);
  EXPECT_EQ(last.metrics.epoch, 3);
  EXPECT_NE(last.params, first.params);
  EXPECT_NE(out.find("Restoring model weights from the end of the best epoch: 1"),
            std::string::npos)
      << out;
}

// negation_scope: the model records the scope, and loading it finds the negators again in its
// own words ("not" at rank 3 is id 6, "didn't" at 5 is id 8: filler words of the synthetic
// reviews). The loaded model scores the test split exactly as the run's own model did, and
// without its negators it would not: the rows are live, and training and loading agree.
TEST(TrainerOptionsTest, NegationScopeModelFindsItsNegatorsAgain) {
  const std::string dir = fresh_dir("negation");
  testing_support::write_synthetic_dataset(dir + "/data.h5", 400, 100, {{3, "not"}, {5, "didn't"}});
  TrainConfig c = testing_support::small_train_config(dir, 1);
  c.bigram_buckets = 64;
  c.negation_scope = 2;
  ::testing::internal::CaptureStdout();
  const TrainSummary summary = train(c, session());
  ::testing::internal::GetCapturedStdout();
  const LoadedModel m = load_model(c.output_dir + "/best_model.h5");
  EXPECT_EQ(m.shape.negation_scope, 2);
  EXPECT_EQ(m.shape.negators, (std::vector<std::int32_t>{6, 8}));
  const DatasetReader reader(c.data);
  const EncodedSplit test = reader.read("test", [] {
    std::vector<std::uint32_t> all(100);
    for (std::uint32_t i = 0; i < 100; ++i) all[i] = i;
    return all;
  }());
  std::vector<std::uint32_t> rows(test.size());
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = std::uint32_t(i);
  const PaddedSet set = make_padded_set(test, rows, c.maxlen, Padding::pre, c.num_words);
  SentimentModel model(m.shape);
  EXPECT_NEAR(evaluate(model, m.params.data(), set, 16).loss, summary.test_loss, 1e-9);
  ModelShape plain = m.shape;
  plain.negators.clear();
  SentimentModel without(plain);
  EXPECT_GT(std::abs(evaluate(without, m.params.data(), set, 16).loss - summary.test_loss), 1e-6);
}

TEST(TrainerOptionsTest, NumWordsAllAndTooManyResolveToTheVocabulary) {
  // The synthetic vocabulary has 36 words (ids 4..39): the whole of it is num_words = 40.
  const std::string dir = fresh_dir("num_words");
  testing_support::write_synthetic_dataset(dir + "/data.h5", 100, 20);
  for (int asked : {0, 1000}) {
    TrainConfig c = small_config(dir);
    c.num_words = asked;
    c.epochs = 1;
    c.output_dir = dir + "/run" + std::to_string(asked);
    ::testing::internal::CaptureStdout();
    train(c, session());
    const std::string out = ::testing::internal::GetCapturedStdout();
    EXPECT_NE(read_text(c.output_dir + "/config.ini").find("\nnum_words = 40\n"), std::string::npos)
        << "asked " << asked;
    const LoadedModel m = load_model(c.output_dir + "/best_model.h5");
    EXPECT_EQ(m.shape.num_words, 40) << "asked " << asked;
    EXPECT_EQ(m.words.size(), 36u) << "asked " << asked;  // every word of the vocabulary
    EXPECT_NE(m.config_ini.find("\nnum_words = 40\n"), std::string::npos);
    // Clamping says so; "all" is what was asked for and needs no notice.
    EXPECT_EQ(out.find("num_words 1000 is more than") != std::string::npos, asked == 1000) << out;
  }
}

}  // namespace
}  // namespace rnnsent
