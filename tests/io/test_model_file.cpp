// best_model.h5 and history.h5 round trips, and the rejections of files that are not what
// they claim to be.
#include <H5Cpp.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "io/h5_util.hpp"
#include "io/history_file.hpp"
#include "io/model_file.hpp"

namespace rnnsent {
namespace {

std::string temp_path(const std::string& name) { return testing::TempDir() + "/mf_" + name; }

ModelFile sample_model() {
  ModelFile m;
  m.cell = "simple_rnn";
  m.num_words = 7;
  m.embedding_dim = 2;
  m.units = 3;
  m.maxlen = 5;
  m.padding = "pre";
  m.tokenizer = "tok";
  m.words = {"the", "a", "film", "x"};
  m.weights = {{"embedding/embeddings", {7, 2}, std::vector<float>(14, 0.25f)},
               {"dense/bias", {1}, {-1.5f}}};
  m.weights[0].values[3] = 9.0f;
  m.config_ini = "maxlen = 5\n";
  m.epoch = 2;
  m.val_loss = 0.4;
  m.val_acc = 0.8;
  return m;
}

std::string error_reading(const std::string& path) {
  try {
    read_model(path);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(ModelFileTest, RoundTripKeepsEverything) {
  const std::string path = temp_path("round.h5");
  const ModelFile a = sample_model();
  write_model(path, a);
  const ModelFile b = read_model(path);
  EXPECT_EQ(b.cell, a.cell);
  EXPECT_EQ(b.num_words, a.num_words);
  EXPECT_EQ(b.embedding_dim, a.embedding_dim);
  EXPECT_EQ(b.units, a.units);
  EXPECT_EQ(b.maxlen, a.maxlen);
  EXPECT_EQ(b.padding, a.padding);
  EXPECT_EQ(b.tokenizer, a.tokenizer);
  EXPECT_EQ(b.words, a.words);
  EXPECT_EQ(b.config_ini, a.config_ini);
  EXPECT_EQ(b.epoch, a.epoch);
  EXPECT_DOUBLE_EQ(b.val_loss, a.val_loss);
  ASSERT_EQ(b.weights.size(), a.weights.size());
  for (std::size_t i = 0; i < a.weights.size(); ++i) {
    EXPECT_EQ(b.weights[i].name, a.weights[i].name);
    EXPECT_EQ(b.weights[i].shape, a.weights[i].shape);
    EXPECT_EQ(b.weights[i].values, a.weights[i].values);
  }
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

// A bigram model keeps its bucket count and writes no Keras-layout copy (a Keras Embedding has
// no bigram rows); a file without the attribute, as every file before bigrams, reads as 0.
TEST(ModelFileTest, BigramBucketsRoundTripAndSkipTheKerasCopy) {
  const std::string plain = temp_path("plain.h5"), bigram = temp_path("bigram.h5");
  ModelFile m = sample_model();
  write_model(plain, m);
  m.bigram_buckets = 5;
  m.weights[0] = {"embedding/embeddings", {12, 2}, std::vector<float>(24, 0.5f)};
  write_model(bigram, m);
  EXPECT_EQ(read_model(plain).bigram_buckets, 0);
  EXPECT_EQ(read_model(bigram).bigram_buckets, 5);
  EXPECT_EQ(read_model(bigram).weights[0].shape, (std::vector<std::size_t>{12, 2}));
  EXPECT_TRUE(H5::H5File(plain, H5F_ACC_RDONLY).nameExists("model_weights"));
  EXPECT_FALSE(H5::H5File(bigram, H5F_ACC_RDONLY).nameExists("model_weights"));
  {
    H5::H5File f(plain, H5F_ACC_RDWR);
    f.removeAttr("bigram_buckets");
  }
  EXPECT_EQ(read_model(plain).bigram_buckets, 0);
}

// The negation scope and its rule's name round-trip; files without them read as scope 0.
TEST(ModelFileTest, NegationScopeRoundTrips) {
  const std::string path = temp_path("negation.h5");
  ModelFile m = sample_model();
  m.bigram_buckets = 5;
  m.weights[0] = {"embedding/embeddings", {12, 2}, std::vector<float>(24, 0.5f)};
  m.negation_scope = 3;
  m.negator_rule = "negators_v1";
  write_model(path, m);
  const ModelFile back = read_model(path);
  EXPECT_EQ(back.negation_scope, 3);
  EXPECT_EQ(back.negator_rule, "negators_v1");
  EXPECT_EQ(read_model(temp_path("negation.h5")).bigram_buckets, 5);
  // Version 4 only for such a model: a build that reads up to 3 refuses it.
  EXPECT_EQ(h5::get_int32_attr(H5::H5File(path, H5F_ACC_RDONLY), "format_version"), 4);
  m.negation_scope = 0;
  write_model(path, m);
  EXPECT_EQ(h5::get_int32_attr(H5::H5File(path, H5F_ACC_RDONLY), "format_version"), 3);
  EXPECT_FALSE(H5::H5File(path, H5F_ACC_RDONLY).attrExists("negation_scope"));
  EXPECT_EQ(read_model(path).negation_scope, 0);
}

TEST(ModelFileTest, MissingFileIsNamed) {
  const std::string e = error_reading(temp_path("nope.h5"));
  EXPECT_NE(e.find("nope.h5"), std::string::npos) << e;
}

TEST(ModelFileTest, TextFileIsNotHdf5) {
  const std::string path = temp_path("text.h5");
  std::ofstream(path) << "this is not hdf5\n";
  const std::string e = error_reading(path);
  EXPECT_NE(e.find(path), std::string::npos) << e;
  EXPECT_NE(e.find("not an HDF5"), std::string::npos) << e;
}

TEST(ModelFileTest, TruncatedFileIsRejected) {
  const std::string path = temp_path("trunc.h5");
  write_model(path, sample_model());
  std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
  const std::string e = error_reading(path);
  EXPECT_NE(e.find(path), std::string::npos) << e;
}

TEST(ModelFileTest, OtherHdf5FileIsNotAModel) {
  const std::string path = temp_path("other.h5");
  {
    H5::H5File f = h5::create(path);
    h5::write_vector(f, "x", std::vector<float>{1, 2});
  }
  const std::string e = error_reading(path);
  EXPECT_NE(e.find("not an rnnsent model"), std::string::npos) << e;
}

TEST(ModelFileTest, OtherFormatVersionIsRejected) {
  const std::string path = temp_path("version.h5");
  ModelFile m = sample_model();
  m.format_version = kModelFormatVersion + 1;
  write_model(path, m);
  const std::string e = error_reading(path);
  EXPECT_NE(e.find("format version"), std::string::npos) << e;
  EXPECT_NE(e.find(path), std::string::npos) << e;
}

TEST(HistoryFileTest, RoundTrip) {
  const std::string path = temp_path("history.h5");
  History h;
  h.loss = {0.6, 0.4};
  h.acc = {0.7, 0.8};
  h.val_loss = {0.5, 0.45};
  h.val_acc = {0.75, 0.79};
  h.seconds = {10, 11};
  h.learning_rate = {1e-3, 1e-3};
  h.grad_norm = {2.5, 1.25};
  write_history(path, h);
  const History r = read_history(path);
  EXPECT_EQ(r.loss, h.loss);
  EXPECT_EQ(r.acc, h.acc);
  EXPECT_EQ(r.val_loss, h.val_loss);
  EXPECT_EQ(r.val_acc, h.val_acc);
  EXPECT_EQ(r.seconds, h.seconds);
  EXPECT_EQ(r.learning_rate, h.learning_rate);
  EXPECT_EQ(r.grad_norm, h.grad_norm);
  h.grad_norm.pop_back();
  EXPECT_THROW(write_history(path, h), std::runtime_error);  // every column has every epoch
}

TEST(HistoryFileTest, VersionOneFileWithoutGradNormReadsAsNaN) {
  // A history.h5 as format version 1 wrote it: no grad_norm dataset.
  const std::string path = temp_path("history_v1.h5");
  {
    H5::H5File f = h5::create(path);
    h5::set_attr(f, "kind", std::string("rnnsent-history"));
    h5::set_attr(f, "format_version", std::int64_t(1));
    h5::write_vector(f, "epoch", std::vector<std::int32_t>{1, 2});
    for (const char* c : {"loss", "acc", "val_loss", "val_acc", "seconds", "learning_rate"})
      h5::write_vector(f, c, std::vector<double>{0.5, 0.25});
  }
  const History r = read_history(path);
  ASSERT_EQ(r.epochs(), 2u);
  EXPECT_EQ(r.val_acc, (std::vector<double>{0.5, 0.25}));
  ASSERT_EQ(r.grad_norm.size(), 2u);
  EXPECT_TRUE(std::isnan(r.grad_norm[0]) && std::isnan(r.grad_norm[1]));
}

}  // namespace
}  // namespace rnnsent

namespace rnnsent {
namespace {

TEST(ModelFileTest, DamagedWeightBytesAreDetected) {
  const std::string path = temp_path("damaged.h5");
  ModelFile m = sample_model();
  m.weights[0].values.assign(14, 0.123456f);  // a byte pattern easy to find in the file
  write_model(path, m);
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  float needle = 0.123456f;
  const std::string pattern(reinterpret_cast<const char*>(&needle), sizeof needle);
  const std::size_t at = bytes.find(pattern);
  ASSERT_NE(at, std::string::npos);
  bytes[at] ^= 0x10;  // one flipped bit inside the first weight
  std::ofstream(path, std::ios::binary) << bytes;
  const std::string e = error_reading(path);
  EXPECT_NE(e.find("checksum"), std::string::npos) << e;
}

}  // namespace
}  // namespace rnnsent
