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
    testing::Values(BadValue{"batch_size", "0"}, BadValue{"validation_split", "1"},
                    BadValue{"validation_split", "1.5"}, BadValue{"validation_split", "-0.1"},
                    BadValue{"maxlen", "0"}, BadValue{"num_words", "3"}, BadValue{"epochs", "0"},
                    BadValue{"padding", "middle"}, BadValue{"cell", "transformer"},
                    BadValue{"learning_rate", "-1"}, BadValue{"units", "0"}));

TEST(ConfigTest, ResolvedIniParsesBackToTheSameConfig) {
  TrainConfig a = parse({"--data", "d.h5", "--maxlen", "33", "--seed", "9", "--padding", "post"});
  const std::string path = write_ini("round.ini", to_ini(a));
  TrainConfig b = parse({"--config", path});
  EXPECT_EQ(to_ini(a), to_ini(b));
}

}  // namespace
}  // namespace rnnsent
