// DatasetReader: the reviews a rank asks for, in its order, equal the ones read_dataset reads.
#include <gtest/gtest.h>

#include <random>

#include "io/dataset_file.hpp"

namespace rnnsent {
namespace {

// A prepared file with n_train / n_test varied reviews (ids within a 20-word vocabulary).
std::string write_sample(const std::string& name, std::size_t n_train, std::size_t n_test) {
  std::mt19937 rng(5);
  auto split = [&](std::size_t n) {
    EncodedSplit s;
    s.offsets.push_back(0);
    for (std::size_t i = 0; i < n; ++i) {
      s.tokens.push_back(kStartId);
      const int length = 1 + int(rng() % 9);
      for (int t = 0; t < length; ++t) s.tokens.push_back(2 + int(rng() % 22));
      s.offsets.push_back(std::int64_t(s.tokens.size()));
      s.labels.push_back(std::uint8_t(rng() % 2));
      s.ratings.push_back(std::uint8_t(1 + rng() % 10));
      s.review_ids.push_back(std::int32_t(1000 + i));
    }
    return s;
  };
  PreparedDataset d;
  std::vector<std::string> words;
  for (int i = 0; i < 20; ++i) words.push_back("w" + std::to_string(i));
  d.vocabulary = Vocabulary(words, std::vector<std::int64_t>(20, 1));
  d.tokenizer = "t";
  d.train = split(n_train);
  d.test = split(n_test);
  const std::string path = testing::TempDir() + "/" + name;
  write_dataset(path, d);
  return path;
}

TEST(DatasetReaderTest, ReadsRequestedReviewsInRequestedOrder) {
  const std::string path = write_sample("reader.h5", 300, 40);
  const PreparedDataset all = read_dataset(path);
  DatasetReader reader(path);
  EXPECT_EQ(reader.size("train"), 300u);
  EXPECT_EQ(reader.size("test"), 40u);
  EXPECT_EQ(reader.labels("train"), all.train.labels);
  // Runs of consecutive reviews, gaps, a repeat and a reversed order.
  const std::vector<std::uint32_t> want = {7, 8, 9, 10, 250, 3, 299, 0, 9, 120, 119, 118};
  const EncodedSplit got = reader.read("train", want);
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t k = 0; k < want.size(); ++k) {
    const std::size_t i = want[k];
    ASSERT_EQ(got.length(k), all.train.length(i)) << "review " << i;
    EXPECT_TRUE(std::equal(got.review(k), got.review(k) + got.length(k), all.train.review(i)));
    EXPECT_EQ(got.labels[k], all.train.labels[i]);
    EXPECT_EQ(got.ratings[k], all.train.ratings[i]);
    EXPECT_EQ(got.review_ids[k], all.train.review_ids[i]);
  }
  const EncodedSplit test = reader.read("test", {39, 0});
  EXPECT_EQ(test.review_ids, (std::vector<std::int32_t>{1039, 1000}));
  EXPECT_EQ(reader.vocabulary().words(), all.vocabulary.words());
}

TEST(DatasetReaderTest, OutOfRangeIndexNamesFileAndReview) {
  const std::string path = write_sample("reader_range.h5", 10, 5);
  DatasetReader reader(path);
  try {
    reader.read("train", {3, 10});
    FAIL() << "index 10 of 10 reviews was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("review 10"), std::string::npos) << e.what();
  }
}

TEST(DatasetReaderTest, RejectsWhatReadDatasetRejects) {
  const std::string path = testing::TempDir() + "/reader_text.h5";
  FILE* f = std::fopen(path.c_str(), "w");
  std::fputs("not hdf5", f);
  std::fclose(f);
  EXPECT_THROW(DatasetReader{path}, std::runtime_error);
}

}  // namespace
}  // namespace rnnsent
