// RecurrentDirection: see the header. Buffers only grow, so a steady run at one batch shape
// allocates nothing after its first step.
#include "core/recurrent_direction.hpp"

#include <algorithm>

#include "core/gemm.hpp"

namespace rnnsent {
namespace {

void grow(std::vector<float>& v, std::size_t n) {
  if (v.size() < n) v.resize(n);
}

// Every row of the [n, H] block starts at state (or zero).
void broadcast(const float* state, int n, int H, float* out) {
  for (int i = 0; i < n; ++i) {
    float* row = out + std::size_t(i) * std::size_t(H);
    if (state)
      std::copy(state, state + H, row);
    else
      std::fill(row, row + H, 0.0f);
  }
}

}  // namespace

void RecurrentDirection::forward(int T, int n, const float* const* rows, const float* U,
                                 const float* rb, const float* h0, const float* c0, bool keep) {
  T_ = T;
  n_ = n;
  U_ = U;
  const int GH = cell_.gates() * H_, TW = cell_.tape_width(H_);
  const bool has_c = cell_.has_cell_state();
  const std::size_t slots = keep ? std::size_t(T) + 1 : 2, step = nh();
  grow(h_, slots * step);
  if (has_c) grow(c_, slots * step);
  grow(tape_, (keep ? std::size_t(T) : 1) * std::size_t(n) * std::size_t(TW));
  grow(hu_, std::size_t(n) * std::size_t(GH));
  broadcast(h0, n, H_, h_.data());
  if (has_c) broadcast(c0, n, H_, c_.data());
  const float* h_prev = h_.data();
  for (int t = 0; t < T; ++t) {
    const std::size_t at = keep ? std::size_t(t) : std::size_t(t % 2);
    const std::size_t next = keep ? std::size_t(t) + 1 : std::size_t((t + 1) % 2);
    sgemm('N', 'N', n, GH, H_, h_prev, H_, U, GH, 0.0f, hu_.data(), GH);
    CellForward s;
    s.n = n;
    s.H = H_;
    s.x = rows + std::size_t(t) * std::size_t(n);
    s.hu = hu_.data();
    s.rb = rb;
    s.h_prev = h_prev;
    s.h = h_.data() + next * step;
    if (has_c) {
      s.c_prev = c_.data() + at * step;
      s.c = c_.data() + next * step;
    }
    s.tape = tape_.data() + (keep ? std::size_t(t) * std::size_t(n) * std::size_t(TW) : 0);
    cell_.forward(s);
    h_prev = s.h;
  }
  last_ = h_prev;
}

void RecurrentDirection::backward(const float* dlast, const float* dstates, float* const* dx_rows,
                                  float* dU, float* drb) {
  const int T = T_, n = n_, GH = cell_.gates() * H_, TW = cell_.tape_width(H_);
  const std::size_t step = nh();
  const bool has_c = cell_.has_cell_state(), direct = cell_.direct_state_grad();
  grow(dhu_, std::size_t(T) * std::size_t(n) * std::size_t(GH));
  grow(g_, step);
  grow(dh_, step);
  if (dlast)
    std::copy(dlast, dlast + step, g_.begin());
  else
    std::fill(g_.begin(), g_.begin() + std::ptrdiff_t(step), 0.0f);
  if (has_c) {
    grow(dc_, step);
    std::fill(dc_.begin(), dc_.begin() + std::ptrdiff_t(step), 0.0f);
  }
  for (int t = T - 1; t >= 0; --t) {
    const float* ds = dstates ? dstates + std::size_t(t) * step : nullptr;
    for (std::size_t k = 0; k < step; ++k) dh_[k] = ds ? g_[k] + ds[k] : g_[k];
    float* dhu = dhu_.data() + std::size_t(t) * std::size_t(n) * std::size_t(GH);
    CellBackward s;
    s.n = n;
    s.H = H_;
    s.tape = tape_.data() + std::size_t(t) * std::size_t(n) * std::size_t(TW);
    s.h_prev = h_.data() + std::size_t(t) * step;
    s.h = h_.data() + (std::size_t(t) + 1) * step;
    if (has_c) {
      s.c_prev = c_.data() + std::size_t(t) * step;
      s.c = c_.data() + (std::size_t(t) + 1) * step;
      s.dc = dc_.data();
    }
    s.dh = dh_.data();
    s.dx = dx_rows ? dx_rows + std::size_t(t) * std::size_t(n) : nullptr;
    s.dhu = dhu;
    s.dh_prev = g_.data();
    cell_.backward(s);
    // d h_{t-1} = d(pre) U^T (+ the cell's direct path, already in g); none before the start.
    if (t > 0) sgemm('N', 'T', n, H_, GH, dhu, GH, U_, GH, direct ? 1.0f : 0.0f, g_.data(), H_);
  }
  // dU += sum_t h_{t-1}^T d(pre)_t: the states h_0 .. h_{T-1} are contiguous.
  sgemm('T', 'N', H_, GH, std::int64_t(T) * n, h_.data(), H_, dhu_.data(), GH, 1.0f, dU, GH);
  if (drb) add_column_sums(dhu_.data(), std::int64_t(T) * n, GH, drb);
}

}  // namespace rnnsent
