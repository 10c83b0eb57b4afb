// The seeded permutation behind the data split and every epoch's shuffle.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "launch/lib/shuffle.hpp"

namespace rnnsent {
namespace {

TEST(ShuffleTest, IsAPermutation) {
  std::vector<std::uint32_t> p = seeded_permutation(1000, 7, 3);
  std::sort(p.begin(), p.end());
  for (std::uint32_t i = 0; i < 1000; ++i) ASSERT_EQ(p[i], i);
}

TEST(ShuffleTest, SameSeedAndStreamGiveTheSameOrder) {
  EXPECT_EQ(seeded_permutation(500, 7, 3), seeded_permutation(500, 7, 3));
}

TEST(ShuffleTest, OtherSeedOrStreamGivesAnotherOrder) {
  EXPECT_NE(seeded_permutation(500, 7, 3), seeded_permutation(500, 8, 3));
  EXPECT_NE(seeded_permutation(500, 7, 3), seeded_permutation(500, 7, 4));
}

TEST(ShuffleTest, MovesMostElements) {
  const std::vector<std::uint32_t> p = seeded_permutation(10000, 1, 0);
  std::size_t fixed = 0;
  for (std::uint32_t i = 0; i < p.size(); ++i) fixed += p[i] == i;
  EXPECT_LT(fixed, 20u);  // a uniform permutation has 1 fixed point on average
}

}  // namespace
}  // namespace rnnsent
