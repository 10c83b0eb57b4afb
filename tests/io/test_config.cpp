// Config parsing: file values, command-line overrides, and every rejection naming its key,
// value or file.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "io/config.hpp"

namespace rnnsent {
namespace {

std::string write_ini(const std::string& name, const std::string& text) {
  const std::string path = testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

// Parses the given flags; throws what parse_train_config throws.
TrainConfig parse(std::vector<std::string> args) {
  args.insert(args.begin(), "rnnsent_train");
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  TrainConfig c;
  parse_train_config(int(argv.size()), argv.data(), c);
  return c;
}

std::string error_of(std::vector<std::string> args) {
  try {
    parse(std::move(args));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(ConfigTest, FileValuesAreRead) {
  const std::string path =
      write_ini("ok.ini", "data = d.h5\nmaxlen = 77\nlearning_rate = 0.01\npadding = post\n");
  TrainConfig c = parse({"--config", path});
  EXPECT_EQ(c.data, "d.h5");
  EXPECT_EQ(c.maxlen, 77);
  EXPECT_DOUBLE_EQ(c.learning_rate, 0.01);
  EXPECT_EQ(c.padding, "post");
  EXPECT_EQ(c.batch_size, 128);  // default kept
}

TEST(ConfigTest, CommandLineOverridesFile) {
  const std::string path = write_ini("ov.ini", "data = d.h5\nmaxlen = 77\n");
  TrainConfig c = parse({"--config", path, "--maxlen", "12", "--overwrite"});
  EXPECT_EQ(c.maxlen, 12);
  EXPECT_TRUE(c.overwrite);
}

TEST(ConfigTest, RepeatedFlagTakesItsLastValue) {
  TrainConfig c =
      parse({"--data", "x.h5", "--epochs", "3", "--maxlen=9", "--epochs", "5", "--maxlen=11"});
  EXPECT_EQ(c.epochs, 5);
  EXPECT_EQ(c.maxlen, 11);
  EXPECT_EQ(c.data, "x.h5");
}

TEST(ConfigTest, FlagsAloneSuffice) {
  TrainConfig c = parse({"--data", "x.h5", "--epochs", "3"});
  EXPECT_EQ(c.epochs, 3);
}

TEST(ConfigTest, UnknownKeyInFileNamesFileAndKey) {
  const std::string path = write_ini("unk.ini", "data = d.h5\nbatchsize = 3\n");
  const std::string e = error_of({"--config", path});
  EXPECT_NE(e.find(path), std::string::npos) << e;
  EXPECT_NE(e.find("batchsize"), std::string::npos) << e;
}

TEST(ConfigTest, UnknownFlagIsNamed) {
  const std::string e = error_of({"--data", "d.h5", "--bogus", "1"});
  EXPECT_NE(e.find("bogus"), std::string::npos) << e;
}

TEST(ConfigTest, MalformedValueNamesKeyAndValue) {
  const std::string path = write_ini("bad.ini", "data = d.h5\nbatch_size = lots\n");
  const std::string e = error_of({"--config", path});
  EXPECT_NE(e.find("batch_size"), std::string::npos) << e;
  EXPECT_NE(e.find("lots"), std::string::npos) << e;
  EXPECT_NE(e.find(path), std::string::npos) << e;
}

TEST(ConfigTest, MissingConfigFileIsNamed) {
  const std::string e = error_of({"--config", "/nonexistent/imdb.ini"});
  EXPECT_NE(e.find("/nonexistent/imdb.ini"), std::string::npos) << e;
}

TEST(ConfigTest, MissingDataKeyIsNamed) {
  const std::string e = error_of({"--epochs", "2"});
  EXPECT_NE(e.find("'data'"), std::string::npos) << e;
}

struct BadValue {
  const char* key;
  const char* value;
};

class ConfigRangeTest : public testing::TestWithParam<BadValue> {};

TEST_P(ConfigRangeTest, OutOfRangeValueIsRejectedWithKeyAndValue) {
  const BadValue b = GetParam();
  const std::string e = error_of({"--data", "d.h5", std::string("--") + b.key, b.value});
  ASSERT_FALSE(e.empty()) << b.key << "=" << b.value << " was accepted";
  EXPECT_NE(e.find(b.key), std::string::npos) << e;
  EXPECT_NE(e.find(b.value), std::string::npos) << e;
}

INSTANTIATE_TEST_SUITE_P(
    Ranges, ConfigRangeTest,
    testing::Values(
        BadValue{"batch_size", "0"}, BadValue{"validation_split", "1"},
        BadValue{"validation_split", "1.5"}, BadValue{"validation_split", "-0.1"},
        BadValue{"average_last_epochs", "-1"},
        BadValue{"maxlen", "0"}, BadValue{"num_words", "3"}, BadValue{"epochs", "0"},
        BadValue{"padding", "middle"}, BadValue{"learning_rate", "-1"}, BadValue{"units", "0"},
        BadValue{"num_words", "-5"}, BadValue{"num_words", "many"}, BadValue{"num_words", "12x"},
        BadValue{"optimizer", "sgd"}, BadValue{"beta_1", "1"}, BadValue{"beta_2", "-0.1"},
        BadValue{"clipnorm", "-1"}, BadValue{"ema_momentum", "1"},
        BadValue{"ema_momentum", "-0.5"}, BadValue{"warmup_steps", "-3"}, BadValue{"lr_scaling", "cubic"},
        BadValue{"lr_base_batch", "0"}, BadValue{"dropout", "1"}, BadValue{"dropout", "-0.5"},
        BadValue{"layers", "0"}, BadValue{"layers", "9"}, BadValue{"bidirectional", "maybe"}));

// Cell names belong to core/ (parse_cell): io/ accepts any text and launch/ checks it
// (tests/launch/test_train_options.cpp).
TEST(ConfigTest, NewKeysAreReadWithTheirDefaults) {
  const TrainConfig d = parse({"--data", "d.h5"});
  EXPECT_EQ(d.optimizer, "rmsprop");
  EXPECT_EQ(d.beta_1, 0.9);
  EXPECT_EQ(d.beta_2, 0.999);
  EXPECT_EQ(d.clipnorm, 0.0);
  EXPECT_EQ(d.warmup_steps, 0);
  EXPECT_EQ(d.lr_scaling, "none");
  EXPECT_EQ(d.lr_base_batch, 128);
  EXPECT_EQ(d.dropout, 0.0);
  EXPECT_FALSE(d.bidirectional);
  EXPECT_EQ(d.layers, 1);
  EXPECT_EQ(d.num_words, 30000);
  const std::string path =
      write_ini("new_keys.ini",
                "data = d.h5\noptimizer = adam\nbeta_1 = 0.8\nbeta_2 = 0.99\nclipnorm = 1.5\n"
                "warmup_steps = 100\nlr_scaling = sqrt\nlr_base_batch = 32\ndropout = 0.25\n"
                "bidirectional = true\nlayers = 3\ncell = lstm\nnum_words = all\n");
  const TrainConfig c = parse({"--config", path});
  EXPECT_EQ(c.optimizer, "adam");
  EXPECT_EQ(c.beta_1, 0.8);
  EXPECT_EQ(c.beta_2, 0.99);
  EXPECT_EQ(c.clipnorm, 1.5);
  EXPECT_EQ(c.warmup_steps, 100);
  EXPECT_EQ(c.lr_scaling, "sqrt");
  EXPECT_EQ(c.lr_base_batch, 32);
  EXPECT_EQ(c.dropout, 0.25);
  EXPECT_TRUE(c.bidirectional);
  EXPECT_EQ(c.layers, 3);
  EXPECT_EQ(c.cell, "lstm");
  EXPECT_EQ(c.num_words, 0);  // the whole vocabulary, resolved when the dataset is open
  EXPECT_EQ(parse({"--data", "d.h5", "--num_words", "0"}).num_words, 0);
  EXPECT_EQ(parse({"--data", "d.h5", "--num_words", "123"}).num_words, 123);
  EXPECT_FALSE(parse({"--data", "d.h5", "--bidirectional", "false"}).bidirectional);
}

TEST(ConfigTest, NumWordsResolvesToTheWholeVocabularyOrIsClamped) {
  // 100 words have ids 4..103 (ids 0-2 reserved, 3 unused): the whole vocabulary is 104.
  EXPECT_EQ(resolve_num_words(0, 100), 104);
  EXPECT_EQ(resolve_num_words(50, 100), 50);
  EXPECT_EQ(resolve_num_words(104, 100), 104);
  EXPECT_EQ(resolve_num_words(30000, 100), 104);  // clamped: rows no id could reach
}

TEST(ConfigTest, ResolvedIniParsesBackToTheSameConfig) {
  TrainConfig a =
      parse({"--data",       "d.h5",   "--maxlen",    "33",   "--seed",          "9",
             "--padding",    "post",   "--optimizer", "adam", "--bidirectional", "true",
             "--layers",     "2",      "--clipnorm",  "0.75", "--warmup_steps",  "5",
             "--lr_scaling", "linear", "--dropout",   "0.3",  "--learning_rate", "0.00123456789"});
  const std::string path = write_ini("round.ini", to_ini(a));
  TrainConfig b = parse({"--config", path});
  EXPECT_EQ(to_ini(a), to_ini(b));
  EXPECT_EQ(b.optimizer, "adam");
  EXPECT_TRUE(b.bidirectional);
  EXPECT_EQ(b.layers, 2);
  EXPECT_EQ(b.dropout, 0.3);
  // Doubles read back exactly (a resumed run compares them), yet round values stay short.
  EXPECT_EQ(b.learning_rate, 0.00123456789);
  EXPECT_NE(to_ini(a).find("\nepsilon = 1e-07\n"), std::string::npos) << to_ini(a);
}

}  // namespace
}  // namespace rnnsent
