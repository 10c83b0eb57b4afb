// read_imdb_split on the hand-written tree tests/fixtures/imdb_layout_tiny (order, ids, ratings,
// labels, raw bytes) and on broken trees built in a temp dir (missing, empty, bad name).
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "io/imdb_reader.hpp"
#include "tests/io/temp_dir.hpp"

namespace rnnsent {
namespace {

namespace fs = std::filesystem;

using testing_support::fresh_dir;
const std::string& kTiny = testing_support::kTinyImdb;

void write_file(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// Expects fn to throw std::runtime_error whose message contains every needle.
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

TEST(ImdbReader, ReadsPosThenNegInNumericIdOrder) {
  const std::vector<RawReview> train = read_imdb_split(kTiny, "train");
  ASSERT_EQ(train.size(), 4u);
  // pos/2 before pos/10 (numeric, not lexicographic), then neg/0, neg/7.
  EXPECT_EQ(train[0].id, 2);
  EXPECT_EQ(train[1].id, 10);
  EXPECT_EQ(train[2].id, 0);
  EXPECT_EQ(train[3].id, 7);
  EXPECT_EQ((std::vector<int>{train[0].rating, train[1].rating, train[2].rating, train[3].rating}),
            (std::vector<int>{9, 8, 1, 3}));
  EXPECT_EQ((std::vector<int>{train[0].label, train[1].label, train[2].label, train[3].label}),
            (std::vector<int>{1, 1, 0, 0}));
}

TEST(ImdbReader, KeepsTheRawBytes) {
  const std::vector<RawReview> train = read_imdb_split(kTiny, "train");
  ASSERT_EQ(train.size(), 4u);
  EXPECT_EQ(train[1].text, "Great fun! I laughed, I cried; a great movie.");
  EXPECT_NE(train[3].text.find("caf\xc3\xa9"), std::string::npos);
  const std::vector<RawReview> test = read_imdb_split(kTiny, "test");
  ASSERT_EQ(test.size(), 2u);
  EXPECT_EQ(test[0].id, 1);
  EXPECT_EQ(test[0].rating, 10);
  EXPECT_EQ(test[1].text, "Dull, dull, dull. Unwatchable nonsense.");
}

TEST(ImdbReader, MissingDirectoryIsNamed) {
  const std::string missing = (fresh_dir("reader_missing") / "no_such_aclImdb").string();
  expect_error([&] { read_imdb_split(missing, "train"); }, {missing, "no such directory"});
}

TEST(ImdbReader, MissingSplitOrClassDirectoryIsNamed) {
  const fs::path root = fresh_dir("reader_nosplit");
  expect_error([&] { read_imdb_split(root.string(), "train"); },
               {(root / "train").string(), "no such directory"});
  fs::create_directories(root / "train" / "pos");
  expect_error([&] { read_imdb_split(root.string(), "train"); },
               {(root / "train" / "neg").string(), "no such directory"});
}

TEST(ImdbReader, EmptySplitIsAnError) {
  const fs::path root = fresh_dir("reader_empty");
  fs::create_directories(root / "test" / "pos");
  fs::create_directories(root / "test" / "neg");
  expect_error([&] { read_imdb_split(root.string(), "test"); },
               {(root / "test").string(), "no review"});
}

TEST(ImdbReader, BadFileNamesAreNamed) {
  for (const std::string bad : {"notes.txt", "12_8.text", "12-8.txt", "x_8.txt", "12_0.txt",
                                "12_11.txt", "_8.txt", "12_.txt"}) {
    const fs::path root = fresh_dir("reader_badname");
    write_file(root / "train" / "pos" / "1_8.txt", "fine");
    write_file(root / "train" / "neg" / bad, "stray");
    expect_error([&] { read_imdb_split(root.string(), "train"); },
                 {(root / "train" / "neg" / bad).string(), "ID_RATING.txt"});
  }
}

TEST(ImdbReader, UnreadableEntryIsNamed) {
  // A directory with a review's name cannot be read as a file.
  const fs::path root = fresh_dir("reader_unreadable");
  write_file(root / "train" / "pos" / "1_8.txt", "fine");
  fs::create_directories(root / "train" / "neg" / "2_3.txt");
  expect_error([&] { read_imdb_split(root.string(), "train"); },
               {(root / "train" / "neg" / "2_3.txt").string()});
}

}  // namespace
}  // namespace rnnsent
