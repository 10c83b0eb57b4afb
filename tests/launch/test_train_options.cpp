// Config -> ModelShape and StepOptions: every new key reaches its place, and names only core/
// knows (cells, optimizers, scalings) are rejected with the key and value.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/bigram.hpp"  // kMaxBigramBuckets
#include "launch/lib/train_options.hpp"

namespace rnnsent {
namespace {

TEST(TrainOptionsTest, ModelShapeTakesTheModelKeys) {
  TrainConfig c;
  c.num_words = 500;
  c.embedding_dim = 32;
  c.units = 16;
  c.cell = "gru";
  c.bidirectional = true;
  c.layers = 3;
  c.bigram_buckets = 77;
  const ModelShape s = model_shape(c);
  EXPECT_EQ(s.bigram_buckets, 77);
  EXPECT_EQ(s.num_words, 500);
  EXPECT_EQ(s.embedding_dim, 32);
  EXPECT_EQ(s.units, 16);
  EXPECT_EQ(s.cell, CellKind::gru);
  EXPECT_TRUE(s.bidirectional);
  EXPECT_EQ(s.layers, 3);
  c.cell = "rnn";
  EXPECT_EQ(model_shape(c).cell, CellKind::simple_rnn);
  c.cell = "lstm";
  EXPECT_EQ(model_shape(c).cell, CellKind::lstm);
}

// io/ does not depend on core/, so the key's range is written twice: they must agree.
TEST(TrainOptionsTest, BigramBucketRangeIsTheModelsLimit) {
  TrainConfig c;
  c.data = "d.h5";
  c.bigram_buckets = kMaxBigramBuckets;
  EXPECT_NO_THROW(validate(c));
  c.bigram_buckets = kMaxBigramBuckets + 1;
  EXPECT_THROW(validate(c), ConfigError);
}

TEST(TrainOptionsTest, StepOptionsTakeTheOptimizerScheduleClippingAndDropout) {
  TrainConfig c;
  c.optimizer = "adam";
  c.beta_1 = 0.8;
  c.beta_2 = 0.99;
  c.epsilon = 1e-6;
  c.learning_rate = 1e-3;
  c.batch_size = 512;
  c.lr_base_batch = 128;
  c.lr_scaling = "sqrt";
  c.warmup_steps = 50;
  c.clipnorm = 2.5;
  c.dropout = 0.2;
  c.seed = 9;
  const StepOptions o = step_options(c);
  EXPECT_EQ(o.optimizer.kind, OptimizerKind::adam);
  EXPECT_EQ(o.optimizer.beta_1, 0.8f);
  EXPECT_EQ(o.optimizer.beta_2, 0.99f);
  EXPECT_EQ(o.optimizer.epsilon, 1e-6f);
  EXPECT_DOUBLE_EQ(o.learning_rate.target, 2e-3);  // 1e-3 * sqrt(512 / 128)
  EXPECT_EQ(o.learning_rate.warmup_steps, 50);
  EXPECT_EQ(o.clipnorm, 2.5);
  EXPECT_EQ(o.dropout, 0.2f);
  EXPECT_EQ(o.seed, 9u);
  c.lr_scaling = "linear";
  EXPECT_DOUBLE_EQ(step_options(c).learning_rate.target, 4e-3);
  c.lr_scaling = "none";
  EXPECT_EQ(step_options(c).learning_rate.target, 1e-3);
  // The defaults are the course's RMSprop, unscaled, unclipped.
  const StepOptions d = step_options(TrainConfig{});
  EXPECT_EQ(d.optimizer.kind, OptimizerKind::rmsprop);
  EXPECT_EQ(d.optimizer.rho, 0.9f);
  EXPECT_EQ(d.learning_rate.target, 1e-3);
  EXPECT_EQ(d.learning_rate.warmup_steps, 0);
  EXPECT_EQ(d.clipnorm, 0.0);
  EXPECT_EQ(d.dropout, 0.0f);
}

std::string error_of(const TrainConfig& c) {
  try {
    check_training_config(c);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(TrainOptionsTest, UnknownNamesAreConfigErrorsNamingKeyAndValue) {
  TrainConfig c;
  EXPECT_EQ(error_of(c), "");
  c.cell = "transformer";
  std::string e = error_of(c);
  EXPECT_NE(e.find("'cell'"), std::string::npos) << e;
  EXPECT_NE(e.find("'transformer'"), std::string::npos) << e;
  c = TrainConfig{};
  c.optimizer = "sgd";
  e = error_of(c);
  EXPECT_NE(e.find("'optimizer'"), std::string::npos) << e;
  EXPECT_NE(e.find("'sgd'"), std::string::npos) << e;
  c = TrainConfig{};
  c.lr_scaling = "cubic";
  e = error_of(c);
  EXPECT_NE(e.find("'lr_scaling'"), std::string::npos) << e;
  EXPECT_NE(e.find("'cubic'"), std::string::npos) << e;
}

// validation_split = 0: what needs a val_ metric and was turned on is refused, naming the key;
// the defaults (early stopping and best_model.h5 on val_ metrics) fall back and pass.
TEST(TrainOptionsTest, NoValidationRefusesCallbacksThatNeedIt) {
  TrainConfig c;
  c.validation_split = 0;
  EXPECT_EQ(error_of(c), "");
  c.reduce_lr_on_plateau = true;
  std::string e = error_of(c);
  EXPECT_NE(e.find("'reduce_lr_on_plateau'"), std::string::npos) << e;
  EXPECT_NE(e.find("val_loss"), std::string::npos) << e;
  c.reduce_lr_monitor = "loss";
  EXPECT_EQ(error_of(c), "");
  c.restore_best_weights = true;
  e = error_of(c);
  EXPECT_NE(e.find("'restore_best_weights'"), std::string::npos) << e;
  c.early_stopping_monitor = "acc";
  EXPECT_EQ(error_of(c), "");
  c.validation_split = 0.2;
  c.early_stopping_monitor = "val_acc";
  c.reduce_lr_monitor = "val_loss";
  EXPECT_EQ(error_of(c), "");
}

// Every config the project ships parses, validates and passes the training checks, so a
// README command that names one does not fail on a key.
TEST(TrainOptionsTest, ShippedConfigsAreValid) {
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(RNNSENT_SOURCE_DIR "/configs")) {
    if (entry.path().extension() != ".ini") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    SCOPED_TRACE(entry.path().string());
    const TrainConfig c = parse_config_text(text.str(), entry.path().string());
    EXPECT_NO_THROW(validate(c));
    EXPECT_EQ(error_of(c), "");
    ++checked;
  }
  EXPECT_GE(checked, 6);
}

}  // namespace
}  // namespace rnnsent
