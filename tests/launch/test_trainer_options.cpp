// The trainer with the options of issue 6 on a small synthetic dataset: Adam with clipping and
// warm-up learns and records the gradient norm and the rate in use; num_words = all and too
// large a num_words resolve to the vocabulary, and the resolved number is what gets stored.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "io/history_file.hpp"
#include "launch/lib/model_io.hpp"
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
