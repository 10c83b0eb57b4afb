// StepPlan: see the header.
#include "core/step_plan.hpp"

#include <algorithm>
#include <numeric>

namespace rnnsent {

void StepPlan::build(int T, int n, const int* lead) {
  packed_ = lead != nullptr && n > 0;  // no rows: nothing to share
  slots_ = packed_ ? n + 1 : n;
  width_.assign(std::size_t(T) + 1, n);
  offset_.resize(std::size_t(T) + 1);
  row_.resize(std::size_t(slots_));
  slot_of_.resize(std::size_t(n));
  if (!packed_) {
    std::iota(row_.begin(), row_.end(), 0);
    std::iota(slot_of_.begin(), slot_of_.end(), 0);
    for (int t = 0; t <= T; ++t) offset_[std::size_t(t)] = std::size_t(t) * std::size_t(n);
    return;
  }
  // Rows in order of lead (ties in row order, so the plan depends only on the leads).
  std::vector<int> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return lead[a] < lead[b]; });
  row_[0] = -1;
  for (int k = 0; k < n; ++k) {
    row_[std::size_t(k) + 1] = order[std::size_t(k)];
    slot_of_[std::size_t(order[std::size_t(k)])] = k + 1;
  }
  std::size_t at = 0;
  int active = 0;  // rows whose lead is <= t
  for (int t = 0; t <= T; ++t) {
    while (active < n && lead[order[std::size_t(active)]] <= t) ++active;
    width_[std::size_t(t)] = 1 + active;
    offset_[std::size_t(t)] = at;
    at += std::size_t(1 + active);
  }
}

}  // namespace rnnsent
