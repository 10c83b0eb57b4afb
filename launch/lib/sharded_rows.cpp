// The sharded update's row ownership; see sharded_rows.hpp.
#include "launch/lib/sharded_rows.hpp"

#include <algorithm>
#include <climits>
#include <stdexcept>

namespace rnnsent {

void ShardedRows::assign(const std::vector<std::int32_t>& touched, int rank, int ranks) {
  per_rank_.assign(std::size_t(ranks), 0);
  for (std::int32_t row : touched) ++per_rank_[std::size_t(row % ranks)];
  std::vector<std::size_t> next(std::size_t(ranks), 0);  // where each owner's group goes on
  for (std::size_t q = 1; q < next.size(); ++q) next[q] = next[q - 1] + per_rank_[q - 1];
  const std::size_t first = next[std::size_t(rank)];
  grouped_.resize(touched.size());
  position_.resize(touched.size());
  for (std::size_t k = 0; k < touched.size(); ++k) {  // ascending within each group
    const std::size_t g = next[std::size_t(touched[k] % ranks)]++;
    grouped_[g] = touched[k];
    position_[g] = k;
  }
  own_.assign(grouped_.begin() + std::ptrdiff_t(first),
              grouped_.begin() + std::ptrdiff_t(first + per_rank_[std::size_t(rank)]));
}

std::pair<const std::int32_t*, std::size_t> ShardedRows::group(int rank) const {
  std::size_t first = 0;
  for (int q = 0; q < rank; ++q) first += per_rank_[std::size_t(q)];
  return {grouped_.data() + first, per_rank_[std::size_t(rank)]};
}

std::vector<int> ShardedRows::counts(std::size_t width) const {
  std::vector<int> c(per_rank_.size());
  for (std::size_t q = 0; q < c.size(); ++q) {
    const std::size_t n = per_rank_[q] * width;
    if (n > std::size_t(INT_MAX)) throw std::runtime_error("ShardedRows: a block over 2^31");
    c[q] = int(n);
  }
  return c;
}

void ShardedRows::pack(const float* table, std::size_t width, float* out) const {
  const long long n = static_cast<long long>(grouped_.size());
#pragma omp parallel for schedule(static)
  for (long long g = 0; g < n; ++g) {
    const float* row = table + std::size_t(grouped_[std::size_t(g)]) * width;
    std::copy(row, row + width, out + std::size_t(g) * width);
  }
}

void ShardedRows::unpack(const float* in, std::size_t width, float* table) const {
  const long long n = static_cast<long long>(grouped_.size());
#pragma omp parallel for schedule(static)
  for (long long g = 0; g < n; ++g) {
    const float* from = in + std::size_t(g) * width;
    std::copy(from, from + width, table + std::size_t(grouped_[std::size_t(g)]) * width);
  }
}

void ShardedRows::to_touched_order(const double* grouped, double* ascending) const {
  for (std::size_t g = 0; g < grouped_.size(); ++g) ascending[position_[g]] = grouped[g];
}

}  // namespace rnnsent
