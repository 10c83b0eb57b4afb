// Training-time crops (launch/lib/crop.hpp): a crop is the start id and a contiguous run of the
// review's own tokens, of crop_min..crop_max of them; about `fraction` of the reviews are
// cropped; the choice depends only on (seed, epoch, review index), so a shard cropped alone
// equals the same reviews cropped as part of the whole split.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "io/vocabulary.hpp"
#include "launch/lib/crop.hpp"

namespace rnnsent {
namespace {

// n reviews of 60..119 tokens, token k of review i = 1000 * i + k + 4 (so a run is checkable).
EncodedSplit reviews(std::size_t n) {
  EncodedSplit s;
  s.offsets.push_back(0);
  for (std::size_t i = 0; i < n; ++i) {
    s.tokens.push_back(kStartId);
    for (std::size_t k = 0; k < 60 + i % 60; ++k)
      s.tokens.push_back(std::int32_t(1000 * i + k + 4));
    s.offsets.push_back(std::int64_t(s.tokens.size()));
    s.labels.push_back(std::uint8_t(i % 2));
    s.ratings.push_back(0);
    s.review_ids.push_back(std::int32_t(i));
  }
  return s;
}

std::vector<std::uint32_t> indices(std::size_t first, std::size_t n) {
  std::vector<std::uint32_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = std::uint32_t(first + i);
  return v;
}

TEST(CropTest, CropsAreContiguousRunsOfTheReviewInRange) {
  EncodedSplit s = reviews(2000);
  const EncodedSplit before = s;
  crop_reviews(s, indices(0, 2000), 7, 3, {0.3, 5, 50});
  ASSERT_EQ(s.size(), 2000u);
  std::size_t cropped = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    ASSERT_EQ(s.review(i)[0], kStartId);
    const std::size_t words = s.length(i) - 1;
    if (words == before.length(i) - 1) continue;  // not cropped
    ++cropped;
    EXPECT_GE(words, 5u);
    EXPECT_LE(words, 50u);
    const std::int32_t first = s.review(i)[1];
    for (std::size_t k = 1; k < words; ++k) EXPECT_EQ(s.review(i)[1 + k], first + std::int32_t(k));
    EXPECT_EQ((first - 4) / 1000, std::int32_t(i));  // its own tokens
    EXPECT_EQ(s.labels[i], before.labels[i]);
  }
  EXPECT_NEAR(double(cropped) / 2000, 0.3, 0.04);
}

TEST(CropTest, DependsOnlyOnSeedEpochAndReview) {
  EncodedSplit all = reviews(300), part = reviews(300);
  crop_reviews(all, indices(0, 300), 7, 2, {0.5, 5, 50});
  // The reviews 100..199 as one rank's shard.
  EncodedSplit shard;
  shard.offsets.push_back(0);
  for (std::size_t i = 100; i < 200; ++i) {
    shard.tokens.insert(shard.tokens.end(), part.review(i), part.review(i) + part.length(i));
    shard.offsets.push_back(std::int64_t(shard.tokens.size()));
    shard.labels.push_back(part.labels[i]);
    shard.ratings.push_back(0);
    shard.review_ids.push_back(std::int32_t(i));
  }
  crop_reviews(shard, indices(100, 100), 7, 2, {0.5, 5, 50});
  for (std::size_t i = 0; i < 100; ++i)
    ASSERT_TRUE(std::equal(shard.review(i), shard.review(i) + shard.length(i), all.review(100 + i),
                           all.review(100 + i) + all.length(100 + i)))
        << i;
  EncodedSplit other = reviews(300);
  crop_reviews(other, indices(0, 300), 7, 3, {0.5, 5, 50});  // another epoch
  EXPECT_NE(other.tokens, all.tokens);
}

// With at_ends a crop is the review's first or last tokens, about half of each.
TEST(CropTest, AtEndsCropsAreTheFirstOrLastTokens) {
  EncodedSplit s = reviews(2000);
  const EncodedSplit before = s;
  CropOptions o{0.5, 3, 30};
  o.at_ends = true;
  crop_reviews(s, indices(0, 2000), 7, 3, o);
  std::size_t heads = 0, tails = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const std::size_t words = s.length(i) - 1, all = before.length(i) - 1;
    if (words == all) continue;  // not cropped
    EXPECT_GE(words, 3u);
    EXPECT_LE(words, 30u);
    const std::int32_t* crop = s.review(i) + 1;
    const std::int32_t* whole = before.review(i) + 1;
    const bool head = std::equal(crop, crop + words, whole);
    const bool tail = std::equal(crop, crop + words, whole + (all - words));
    EXPECT_TRUE(head || tail) << i;
    heads += head;
    tails += tail;
  }
  EXPECT_NEAR(double(heads) / double(heads + tails), 0.5, 0.06);
  EXPECT_NEAR(double(heads + tails) / 2000, 0.5, 0.04);
}

TEST(CropTest, OffLeavesTheReviewsAlone) {
  EncodedSplit s = reviews(50);
  const EncodedSplit before = s;
  crop_reviews(s, indices(0, 50), 7, 1, {0, 5, 50});
  EXPECT_EQ(s.tokens, before.tokens);
  EXPECT_EQ(s.offsets, before.offsets);
}

}  // namespace
}  // namespace rnnsent
