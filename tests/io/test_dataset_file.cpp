// The dataset file: preparation of the tiny fixture (vocabulary and ids by hand), write/read
// round trip, and every class of bad file (missing, not HDF5, truncated, other format
// version, inconsistent offsets) failing with a message that names the file.
#include <H5Cpp.h>
#include <gtest/gtest.h>
#include <omp.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "io/dataset_file.hpp"
#include "io/h5_util.hpp"
#include "io/tokenizer.hpp"
#include "tests/io/temp_dir.hpp"

namespace rnnsent {
namespace {

namespace fs = std::filesystem;

using testing_support::fresh_dir;
const std::string& kTiny = testing_support::kTinyImdb;

template <typename Fn>
void expect_error(Fn fn, const std::vector<std::string>& needles) {
  try {
    fn();
    ADD_FAILURE() << "expected an exception";
  } catch (const std::runtime_error& e) {
    for (const auto& needle : needles) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos)
          << "message: " << e.what() << "\nmissing: " << needle;
    }
  }
}

// A valid dataset file in its own directory.
std::string write_tiny(const std::string& tag) {
  const std::string path = (fresh_dir(tag) / "tiny.h5").string();
  write_dataset(path, prepare_imdb(kTiny));
  return path;
}

void expect_split_eq(const EncodedSplit& a, const EncodedSplit& b) {
  EXPECT_EQ(a.tokens, b.tokens);
  EXPECT_EQ(a.offsets, b.offsets);
  EXPECT_EQ(a.labels, b.labels);
  EXPECT_EQ(a.ratings, b.ratings);
  EXPECT_EQ(a.review_ids, b.review_ids);
}

TEST(DatasetFile, PreparesTinyFixture) {
  const PreparedDataset d = prepare_imdb(kTiny);
  // Train counts: the 6, great 5, was 5 (tie -> "great" < "was"), a 3.
  const auto& w = d.vocabulary.words();
  ASSERT_GE(w.size(), 4u);
  EXPECT_EQ((std::vector<std::string>(w.begin(), w.begin() + 4)),
            (std::vector<std::string>{"the", "great", "was", "a"}));
  EXPECT_EQ(
      (std::vector<std::int64_t>(d.vocabulary.counts().begin(), d.vocabulary.counts().begin() + 4)),
      (std::vector<std::int64_t>{6, 5, 5, 3}));
  EXPECT_EQ(d.tokenizer, kTokenizerName);
  ASSERT_EQ(d.train.size(), 4u);
  ASSERT_EQ(d.test.size(), 2u);
  // "Great acting, great story." -> start, great, acting, great, story.
  const std::int32_t acting = d.vocabulary.id_of("acting");
  const std::int32_t story = d.vocabulary.id_of("story");
  EXPECT_EQ(std::vector<std::int32_t>(d.test.review(0), d.test.review(0) + d.test.length(0)),
            (std::vector<std::int32_t>{kStartId, 5, acting, 5, story}));
  // "Dull, dull, dull. Unwatchable nonsense." -> unseen words are OOV.
  const std::int32_t dull = d.vocabulary.id_of("dull");
  EXPECT_NE(dull, kOovId);
  EXPECT_EQ(std::vector<std::int32_t>(d.test.review(1), d.test.review(1) + d.test.length(1)),
            (std::vector<std::int32_t>{kStartId, dull, dull, dull, kOovId, kOovId}));
  EXPECT_EQ(d.test.labels, (std::vector<std::uint8_t>{1, 0}));
  EXPECT_EQ(d.test.ratings, (std::vector<std::uint8_t>{10, 2}));
  EXPECT_EQ(d.test.review_ids, (std::vector<std::int32_t>{1, 3}));
  // Train review 0 is pos/2_9.txt: "A wonderful film.<br /><br />The acting ..." (13 words).
  EXPECT_EQ(d.train.offsets.front(), 0);
  EXPECT_EQ(d.train.length(0), 1u + 13u);
  EXPECT_EQ(d.train.review(0)[1], d.vocabulary.id_of("a"));
  EXPECT_EQ(d.train.review(0)[4], 4);  // "the"
}

TEST(DatasetFile, RoundTripsEveryField) {
  const PreparedDataset d = prepare_imdb(kTiny);
  const fs::path dir = fresh_dir("dataset_roundtrip");
  const std::string path = (dir / "data.h5").string();
  write_dataset(path, d);
  EXPECT_FALSE(fs::exists(path + ".tmp"));
  const PreparedDataset r = read_dataset(path);
  expect_split_eq(r.train, d.train);
  expect_split_eq(r.test, d.test);
  EXPECT_EQ(r.vocabulary.words(), d.vocabulary.words());
  EXPECT_EQ(r.vocabulary.counts(), d.vocabulary.counts());
  EXPECT_EQ(r.tokenizer, kTokenizerName);
  EXPECT_EQ(r.format_version, kDatasetFormatVersion);
  EXPECT_EQ(r.vocabulary.id_of("great"), 5);
}

TEST(DatasetFile, StoresConventionsAsAttributes) {
  const std::string path = write_tiny("attrs");
  H5::H5File f = h5::open_read(path);
  EXPECT_EQ(h5::get_string_attr(f, "kind"), "rnnsent-dataset");
  EXPECT_EQ(h5::get_int_attr(f, "format_version"), kDatasetFormatVersion);
  EXPECT_EQ(h5::get_int_attr(f, "index_from"), 3);
  EXPECT_EQ(h5::get_int_attr(f, "start_id"), 1);
  EXPECT_EQ(h5::get_int_attr(f, "oov_id"), 2);
  EXPECT_EQ(h5::get_int_attr(f, "pad_id"), 0);
}

TEST(DatasetFile, MissingFileIsNamed) {
  const std::string path = (fresh_dir("dataset_missing") / "absent.h5").string();
  expect_error([&] { read_dataset(path); }, {path, "no such file"});
}

TEST(DatasetFile, TextFileIsNotHdf5) {
  const std::string path = (fresh_dir("dataset_text") / "reviews.h5").string();
  std::ofstream(path) << "this is a text file, not HDF5\n";
  expect_error([&] { read_dataset(path); }, {path, "not an HDF5 file"});
}

TEST(DatasetFile, TruncatedFileIsNamed) {
  const std::string good = write_tiny("truncated");
  const std::string cut = good + ".cut.h5";
  fs::copy_file(good, cut);
  fs::resize_file(cut, fs::file_size(good) / 2);
  expect_error([&] { read_dataset(cut); }, {cut});
}

TEST(DatasetFile, OtherFormatVersionIsRefused) {
  const std::string path = write_tiny("version");
  {
    H5::H5File f(path, H5F_ACC_RDWR);
    f.removeAttr("format_version");
    h5::set_attr(f, "format_version", std::int64_t{2});
  }
  expect_error([&] { read_dataset(path); },
               {path + ": dataset format version 2, this build reads 1"});
}

TEST(DatasetFile, OtherKindIsRefused) {
  const std::string path = write_tiny("kind");
  {
    H5::H5File f(path, H5F_ACC_RDWR);
    f.removeAttr("kind");
    h5::set_attr(f, "kind", std::string("rnnsent-model"));
  }
  expect_error([&] { read_dataset(path); }, {path, "not an rnnsent dataset", "rnnsent-model"});
}

// Overwrites one element of an int64 or int32 dataset in place.
template <typename T>
H5::PredType native_type() {
  return sizeof(T) == 8 ? H5::PredType::NATIVE_INT64 : H5::PredType::NATIVE_INT32;
}

template <typename T>
void poke(const std::string& path, const std::string& dataset, std::size_t index, T value) {
  H5::H5File f(path, H5F_ACC_RDWR);
  H5::DataSet ds = f.openDataSet(dataset);
  hsize_t n = 0;
  ds.getSpace().getSimpleExtentDims(&n);
  std::vector<T> v(n);
  ds.read(v.data(), native_type<T>());
  v.at(index) = value;
  ds.write(v.data(), native_type<T>());
}

TEST(DatasetFile, NonMonotonicOffsetsAreNamed) {
  const std::string path = write_tiny("offsets");
  poke<std::int64_t>(path, "/train/offsets", 2, 1);
  expect_error([&] { read_dataset(path); }, {path, "/train/", "offsets not increasing"});
}

TEST(DatasetFile, OffsetsNotEndingAtTokensAreNamed) {
  const std::string path = write_tiny("offsets_end");
  const PreparedDataset d = prepare_imdb(kTiny);
  poke<std::int64_t>(path, "/test/offsets", d.test.size(), d.test.offsets.back() - 1);
  expect_error([&] { read_dataset(path); }, {path, "/test/", "tokens has"});
}

TEST(DatasetFile, TokenIdOutsideVocabularyIsNamed) {
  const std::string path = write_tiny("ids");
  const PreparedDataset d = prepare_imdb(kTiny);
  const auto too_big = std::int32_t(d.vocabulary.size() + kIndexFrom + 1);
  poke<std::int32_t>(path, "/test/tokens", 1, too_big);
  expect_error([&] { read_dataset(path); },
               {path, "/test/", "tokens[1] = " + std::to_string(too_big)});
}

TEST(DatasetFile, LargestIdIsAccepted) {
  // The rarest word has rank V and id V + 3, the largest valid id.
  const std::string path = write_tiny("maxid");
  const PreparedDataset d = prepare_imdb(kTiny);
  poke<std::int32_t>(path, "/test/tokens", 1, std::int32_t(d.vocabulary.size() + kIndexFrom));
  EXPECT_NO_THROW(read_dataset(path));
}

TEST(DatasetFile, MissingDatasetIsNamed) {
  const std::string path = write_tiny("nolabels");
  {
    H5::H5File f(path, H5F_ACC_RDWR);
    f.unlink("/train/labels");
  }
  expect_error([&] { read_dataset(path); }, {path, "missing dataset 'labels'"});
}

// Enough reviews that OpenMP's chunks land on different threads, with many count ties.
std::string synthetic_archive() {
  const fs::path root = fresh_dir("dataset_synthetic");
  const char* words[] = {"Good", "bad", "plot", "it's", "10", "ACTING", "meh", "wow", "z", "y"};
  std::uint32_t state = 12345;
  for (const char* split : {"train", "test"}) {
    for (int i = 0; i < 700; ++i) {
      std::string text;
      const int length = 1 + int(state % 40);
      for (int k = 0; k < length; ++k) {
        state = state * 1664525u + 1013904223u;  // fixed LCG: the same tree every run
        text += words[(state >> 16) % 10];
        text += (state & 1) ? " " : ".<br />";
      }
      text += "w" + std::to_string(i % 97);  // rare words, many tied counts
      const bool pos = i % 2 == 0;
      const fs::path file = root / split / (pos ? "pos" : "neg") /
                            (std::to_string(i) + "_" + (pos ? "8" : "2") + ".txt");
      fs::create_directories(file.parent_path());
      std::ofstream(file, std::ios::binary) << text;
    }
  }
  return root.string();
}

TEST(DatasetFile, PreparationIsIndependentOfThreadCount) {
  const std::string root = synthetic_archive();
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const PreparedDataset one = prepare_imdb(root);
  omp_set_num_threads(3);
  const PreparedDataset three = prepare_imdb(root);
  omp_set_num_threads(saved);
  EXPECT_EQ(one.vocabulary.words(), three.vocabulary.words());
  EXPECT_EQ(one.vocabulary.counts(), three.vocabulary.counts());
  expect_split_eq(one.train, three.train);
  expect_split_eq(one.test, three.test);
  EXPECT_EQ(one.train.size(), 700u);
  // Ten common words plus w0..w96; w0..w20 occur 8 times in train, the rest 7: byte order.
  const auto& w = one.vocabulary.words();
  ASSERT_EQ(w.size(), 107u);
  EXPECT_EQ((std::vector<std::string>(w.begin() + 10, w.begin() + 14)),
            (std::vector<std::string>{"w0", "w1", "w10", "w11"}));
  EXPECT_EQ(w[23], "w20");  // w0 w1 w10..w19 w2 w20 w3..w9
  EXPECT_EQ(w[30], "w9");
  EXPECT_EQ(w[31], "w21");
}

TEST(DatasetFile, PrepareNamesAMissingArchive) {
  const std::string missing = (fresh_dir("dataset_noarchive") / "aclImdb").string();
  expect_error([&] { prepare_imdb(missing); }, {missing});
}

}  // namespace
}  // namespace rnnsent
