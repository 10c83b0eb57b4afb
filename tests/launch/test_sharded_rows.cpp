// The sharded update's row ownership (launch/lib/sharded_rows): each touched row travels to
// exactly one owner (row % P), groups in rank order and ascending within, and packing,
// unpacking and the per-row reordering undo each other.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "launch/lib/sharded_rows.hpp"

namespace rnnsent {
namespace {

TEST(ShardedRowsTest, EveryTouchedRowHasOneOwnerInRankOrder) {
  const std::vector<std::int32_t> touched = {0, 1, 2, 5, 6, 7, 9, 12};
  std::vector<std::int32_t> seen;
  for (int rank = 0; rank < 3; ++rank) {
    ShardedRows s;
    s.assign(touched, rank, 3);
    for (std::int32_t r : s.own()) EXPECT_EQ(r % 3, rank) << r;
    EXPECT_TRUE(std::is_sorted(s.own().begin(), s.own().end()));
    seen.insert(seen.end(), s.own().begin(), s.own().end());
    const std::vector<int> counts = s.counts(4);
    EXPECT_EQ(counts, (std::vector<int>{4 * 4, 4 * 2, 4 * 2}));  // {0, 6, 9, 12} {1, 7} {2, 5}
    EXPECT_EQ(counts[std::size_t(rank)], int(s.own().size()) * 4);
  }
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, touched);
}

TEST(ShardedRowsTest, PackUnpackAndReorderRoundTrip) {
  const std::size_t width = 3, rows = 10;
  const std::vector<std::int32_t> touched = {1, 2, 4, 7, 8, 9};
  std::vector<float> table(rows * width);
  std::iota(table.begin(), table.end(), 1.0f);
  ShardedRows s;
  s.assign(touched, 1, 2);
  std::vector<float> packed(touched.size() * width);
  s.pack(table.data(), width, packed.data());
  // Owner 0's rows {2, 4, 8}, then owner 1's {1, 7, 9}.
  const std::vector<std::int32_t> order = {2, 4, 8, 1, 7, 9};
  for (std::size_t g = 0; g < order.size(); ++g)
    for (std::size_t j = 0; j < width; ++j)
      EXPECT_EQ(packed[g * width + j], table[std::size_t(order[g]) * width + j]);
  std::vector<float> back(rows * width, -1.0f);
  s.unpack(packed.data(), width, back.data());
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t j = 0; j < width; ++j) {
      const bool is_touched = std::find(touched.begin(), touched.end(), r) != touched.end();
      EXPECT_EQ(back[r * width + j], is_touched ? table[r * width + j] : -1.0f) << r;
    }
  std::vector<double> grouped(order.begin(), order.end()), ascending(touched.size());
  s.to_touched_order(grouped.data(), ascending.data());
  for (std::size_t k = 0; k < touched.size(); ++k) EXPECT_EQ(ascending[k], double(touched[k]));
}

TEST(ShardedRowsTest, MoreRanksThanRowsLeavesSomeWithNone) {
  ShardedRows s;
  s.assign({3}, 0, 4);
  EXPECT_TRUE(s.own().empty());
  EXPECT_EQ(s.counts(2), (std::vector<int>{0, 0, 0, 2}));
}

}  // namespace
}  // namespace rnnsent
