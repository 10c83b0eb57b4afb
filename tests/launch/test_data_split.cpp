// The split of the training reviews into training and validation (launch/lib/data_split):
// disjoint, covering every review, and validation_split = 0 keeping all for training.
#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

#include "launch/lib/data_split.hpp"

namespace rnnsent {
namespace {

std::vector<std::uint32_t> sorted(std::vector<std::uint32_t> v) {
  std::sort(v.begin(), v.end());
  return v;
}

std::vector<std::uint32_t> all_indices(std::size_t n) {
  std::vector<std::uint32_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = std::uint32_t(i);
  return v;
}

TEST(DataSplitTest, ValidationIsTheLastFractionAndDisjoint) {
  TrainConfig c;
  c.validation_split = 0.2;
  const DataSplit s = split_data(1000, 300, c);
  EXPECT_EQ(s.train.size(), 800u);
  EXPECT_EQ(s.val.size(), 200u);
  std::vector<std::uint32_t> both = s.train;
  both.insert(both.end(), s.val.begin(), s.val.end());
  EXPECT_EQ(sorted(both), all_indices(1000));
  EXPECT_EQ(sorted(s.test), all_indices(300));
}

TEST(DataSplitTest, ZeroTrainsOnEveryReviewInTheSameOrder) {
  TrainConfig c;
  c.validation_split = 0;
  const DataSplit s = split_data(1000, 300, c);
  EXPECT_TRUE(s.val.empty());
  EXPECT_EQ(sorted(s.train), all_indices(1000));
  // The first 80% are the training reviews of validation_split = 0.2 with the same seed.
  c.validation_split = 0.2;
  const DataSplit held = split_data(1000, 300, c);
  EXPECT_TRUE(std::equal(held.train.begin(), held.train.end(), s.train.begin()));
}

TEST(DataSplitTest, AFractionThatHoldsOutNoReviewIsRefused) {
  TrainConfig c;
  c.validation_split = 1e-18;  // 1 - 1e-18 rounds to 1 in double: no review held out
  try {
    split_data(50, 10, c);
    FAIL() << "1e-18 of 50 holds out no review";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("validation_split"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace rnnsent
