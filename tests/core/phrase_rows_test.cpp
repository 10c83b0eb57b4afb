// PhraseRows: which bigram and negated rows each step of a review reads.
#include "core/phrase_rows.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <utility>
#include <vector>

namespace rnnsent {
namespace {

using Rows = std::vector<std::pair<int, std::int32_t>>;  // (step, table row)

Rows rows_of(const PhraseRows& phrases, const std::vector<std::int32_t>& review) {
  Rows out;
  phrases.for_each(review.data(), int(review.size()),
                   [&out](int t, std::int32_t row) { out.emplace_back(t, row); });
  return out;
}

ModelShape shape_with(int buckets, int scope, std::vector<std::int32_t> negators) {
  ModelShape s;
  s.num_words = 20;
  s.bigram_buckets = buckets;
  s.negation_scope = scope;
  s.negators = std::move(negators);
  return s;
}

// Without a negation scope every real pair reads its bigram, padding reads nothing.
TEST(PhraseRows, BigramsOnlyFollowRealPairs) {
  const ModelShape s = shape_with(1000, 0, {5});
  const std::vector<std::int32_t> review = {0, 0, 1, 5, 7, 9};
  Rows expected;
  for (int t = 3; t < 6; ++t)
    expected.emplace_back(t, bigram_row(review[t - 1], review[t], 20, 1000));
  EXPECT_EQ(rows_of(PhraseRows(s), review), expected);
  EXPECT_TRUE(rows_of(PhraseRows(shape_with(0, 3, {5})), review).empty());
}

// "x not a b c d" with scope 2: a and b read a negated row besides their bigram, c and d do
// not; the negator itself reads none; the same word negated reads the same row anywhere.
TEST(PhraseRows, NegatedRowsCoverTheScopeAfterANegator) {
  const int kNot = 5, a = 7, b = 8, c = 9, d = 10, x = 11;
  const PhraseRows phrases(shape_with(1000, 2, {kNot}));
  const std::vector<std::int32_t> review = {0, x, kNot, a, b, c, d};
  const Rows got = rows_of(phrases, review);
  std::vector<int> reads(review.size(), 0);
  for (const auto& [t, row] : got) {
    EXPECT_GE(row, 20);
    EXPECT_LT(row, 1020);
    ++reads[std::size_t(t)];
  }
  EXPECT_EQ(reads, (std::vector<int>{0, 0, 1, 2, 2, 1, 1}));
  // The negated rows: the second row of steps 3 and 4, not any bigram's.
  const auto second = [&got](int t) {
    int seen = 0;
    for (const auto& [s, row] : got)
      if (s == t && ++seen == 2) return row;
    return -1;
  };
  EXPECT_NE(second(3), second(4));
  EXPECT_NE(second(3), bigram_row(kNot, a, 20, 1000));
  const Rows again = rows_of(phrases, {kNot, a});
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[1].second, second(3));
}

// A second negator restarts the scope; padding does not count as a token of it.
TEST(PhraseRows, ANegatorRestartsTheScope) {
  const int kNot = 5, kNever = 6, a = 7;
  const PhraseRows phrases(shape_with(1000, 1, {kNot, kNever}));
  std::vector<int> reads(5, 0);
  for (const auto& [t, row] : rows_of(phrases, {kNot, kNever, a, a, a})) ++reads[std::size_t(t)];
  EXPECT_EQ(reads, (std::vector<int>{0, 1, 2, 1, 1}));
  // Padding after the negator (never between tokens in practice) reads nothing and uses none
  // of the scope: the next real token is still negated.
  std::vector<int> padded(4, 0);
  for (const auto& [t, row] : rows_of(phrases, {kNot, 0, 0, a})) ++padded[std::size_t(t)];
  EXPECT_EQ(padded, (std::vector<int>{0, 0, 0, 1}));
}

// mark() marks the word rows and every extra row for_each lists.
TEST(PhraseRows, MarkCoversWordsAndExtraRows) {
  const PhraseRows phrases(shape_with(50, 3, {5}));
  const std::vector<std::int32_t> ids = {0, 5, 7, 8, 3, 5, 9, 9};  // two reviews of 4
  std::vector<int> mark(70, 0);
  phrases.mark(ids.data(), 2, 4, mark.data());
  std::vector<int> expected(70, 0);
  for (std::int32_t id : ids) expected[std::size_t(id)] = 1;
  for (int r = 0; r < 2; ++r)
    for (const auto& [t, row] : rows_of(phrases, {ids.begin() + 4 * r, ids.begin() + 4 * r + 4}))
      expected[std::size_t(row)] = 1;
  EXPECT_EQ(mark, expected);
  EXPECT_GT(std::count(mark.begin() + 20, mark.end(), 1), 3);  // bigrams and negated rows
}

}  // namespace
}  // namespace rnnsent
