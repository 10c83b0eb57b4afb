// Which rank owns which embedding rows in the sharded update (ZeRO stage 1), and the order the
// touched rows travel in. Row r belongs to rank r % P for the whole run: its optimizer state
// is current only there, and frequent words (the low ids, nearly always touched) spread evenly
// over the ranks. A step's touched rows travel grouped by owner, each group ascending, so a
// reduce-scatter hands every rank exactly its rows and an allgather brings them back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace rnnsent {

class ShardedRows {
 public:
  // touched: the step's rows (ascending, unique), the same on every rank.
  void assign(const std::vector<std::int32_t>& touched, int rank, int ranks);

  const std::vector<std::int32_t>& own() const { return own_; }  // ascending
  // The rows `rank` owns (its own()), ascending: first and count.
  std::pair<const std::int32_t*, std::size_t> group(int rank) const;
  // Rows per rank, and times width: the counts of a reduce-scatter or allgather of the rows.
  std::vector<int> counts(std::size_t width) const;

  // rows of a table ([rows, width]) in the travelling order, and back.
  void pack(const float* table, std::size_t width, float* out) const;
  void unpack(const float* in, std::size_t width, float* table) const;
  // One value per row in the travelling order -> the same values in touched's order.
  void to_touched_order(const double* grouped, double* ascending) const;

 private:
  std::vector<std::int32_t> grouped_;  // the touched rows grouped by owner
  std::vector<std::size_t> position_;  // grouped_[g] is touched[position_[g]]
  std::vector<std::size_t> per_rank_;  // how many of the rows each rank owns
  std::vector<std::int32_t> own_;
};

}  // namespace rnnsent
