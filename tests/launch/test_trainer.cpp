// The trainer on a small synthetic dataset: it learns, writes its files, refuses to replace
// an existing model, and rejects a bad dataset before touching anything.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

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
  return testing_support::fresh_dir("trainer_" + name).string();
}

TrainConfig small_config(const std::string& dir) {
  return testing_support::small_train_config(dir, 4);
}

TEST(TrainerTest, LearnsSyntheticSentimentAndWritesOutputs) {
  const std::string dir = fresh_dir("learns");
  testing_support::write_synthetic_dataset(dir + "/data.h5", 400, 200);
  const TrainConfig c = small_config(dir);
  const TrainSummary s = train(c, session());
  EXPECT_GT(s.test_acc, 0.9);
  EXPECT_GE(s.best_epoch, 1);
  const History h = read_history(c.output_dir + "/history.h5");
  ASSERT_EQ(int(h.epochs()), s.epochs_run);
  EXPECT_LT(h.loss.back(), h.loss.front());
  EXPECT_TRUE(fs::exists(c.output_dir + "/summary.json"));
  EXPECT_TRUE(fs::exists(c.output_dir + "/config.ini"));
  const LoadedModel m = load_model(c.output_dir + "/best_model.h5");
  EXPECT_EQ(m.metrics.epoch, s.best_epoch);
  EXPECT_EQ(m.maxlen, c.maxlen);
  EXPECT_EQ(m.shape.units, c.units);
}

TEST(TrainerTest, SameSeedGivesTheSameRun) {
  const std::string dir = fresh_dir("repeat");
  testing_support::write_synthetic_dataset(dir + "/data.h5", 200, 50);
  TrainConfig c = small_config(dir);
  c.epochs = 2;
  train(c, session());
  const LoadedModel a = load_model(c.output_dir + "/best_model.h5");
  c.overwrite = true;
  train(c, session());
  const LoadedModel b = load_model(c.output_dir + "/best_model.h5");
  EXPECT_EQ(a.params, b.params);
}

TEST(TrainerTest, RefusesToReplaceAnExistingModel) {
  const std::string dir = fresh_dir("refuse");
  testing_support::write_synthetic_dataset(dir + "/data.h5", 100, 20);
  const TrainConfig c = small_config(dir);
  fs::create_directories(c.output_dir);
  std::ofstream(c.output_dir + "/best_model.h5") << "precious";
  try {
    train(c, session());
    FAIL() << "an existing best_model.h5 was not protected";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("--overwrite"), std::string::npos) << e.what();
  }
  std::ifstream in(c.output_dir + "/best_model.h5");
  std::string content;
  in >> content;
  EXPECT_EQ(content, "precious");
}

TEST(TrainerTest, MissingDatasetIsNamed) {
  const std::string dir = fresh_dir("nodata");
  const TrainConfig c = small_config(dir);
  try {
    train(c, session());
    FAIL() << "a missing dataset was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(c.data), std::string::npos) << e.what();
  }
}

TEST(ModelIoTest, ShapeMismatchNamesTheSlot) {
  const std::string dir = fresh_dir("mismatch");
  ModelFile m;
  m.cell = "simple_rnn";
  m.num_words = 10;
  m.embedding_dim = 2;
  m.units = 3;
  m.maxlen = 4;
  m.padding = "pre";
  m.tokenizer = "ascii_alnum_apostrophe_v1";
  m.weights = {{"embedding/embeddings", {10, 3}, std::vector<float>(30)}};
  write_model(dir + "/m.h5", m);
  try {
    load_model(dir + "/m.h5");
    FAIL() << "a wrong shape was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("embedding/embeddings"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace rnnsent
