// RecurrentDirection: see the header. Buffers only grow, so a steady run at one batch shape
// allocates nothing after its first step.
#include "core/recurrent_direction.hpp"

#include <algorithm>
#include <stdexcept>

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

// Rows [from, to) of a block take row 0's values (the padding trajectory's).
void copy_row0(float* block, int from, int to, int H) {
  broadcast(block, to - from, H, block + std::size_t(from) * std::size_t(H));
}

// Row 0 of a block takes the sum of rows [from, to) (from >= 1) added to it.
void fold_into_row0(float* block, int from, int to, int H) {
  add_column_sums(block + std::size_t(from) * std::size_t(H), to - from, H, block);
}

}  // namespace

void RecurrentDirection::forward(int T, int n, const float* const* rows, const float* U,
                                 const float* rb, const float* h0, const float* c0, bool keep,
                                 const StepPlan* plan, bool want_states) {
  if (plan && plan->packed() && !keep)
    throw std::logic_error("RecurrentDirection: a packed plan needs keep");
  T_ = T;
  n_ = n;
  U_ = U;
  if (!plan) plain_.build(T, n, nullptr);
  plan_ = plan ? plan : &plain_;
  const StepPlan& P = *plan_;
  const int GH = cell_.gates() * H_, TW = cell_.tape_width(H_), S = P.slots();
  const bool has_c = cell_.has_cell_state();
  const std::size_t H = std::size_t(H_), N = std::size_t(n);
  const std::size_t state_rows = keep ? P.offset(T) + std::size_t(S) : 2 * N;
  grow(h_, state_rows * H);
  if (has_c) grow(c_, state_rows * H);
  grow(tape_, (keep ? P.rows() : N) * std::size_t(TW));
  grow(hu_, std::size_t(S) * std::size_t(GH));
  broadcast(h0, P.width(0), H_, h_.data());
  if (has_c) broadcast(c0, P.width(0), H_, c_.data());
  if (P.packed()) {
    // Slot 0 reads the input of a row still in padding (any row where none is: its result is
    // never read, and backward gives it a zero gradient).
    xs_.resize(P.rows());
    for (int t = 0; t < T; ++t) {
      const float* const* at = rows + std::size_t(t) * N;
      const float** to = xs_.data() + P.offset(t);
      const int pad = P.padding_row(t);
      to[0] = at[pad >= 0 ? pad : P.row(1)];
      for (int k = 1; k < P.width(t); ++k) to[k] = at[P.row(k)];
    }
  }
  for (int t = 0; t < T; ++t) {
    const int b = P.width(t);
    const std::size_t in = keep ? P.offset(t) : std::size_t(t % 2) * N;
    const std::size_t out = keep ? P.offset(t + 1) : std::size_t((t + 1) % 2) * N;
    const float* h_prev = h_.data() + in * H;
    sgemm('N', 'N', b, GH, H_, h_prev, H_, U, GH, 0.0f, hu_.data(), GH);
    CellForward s;
    s.n = b;
    s.H = H_;
    s.x = P.packed() ? xs_.data() + P.offset(t) : rows + std::size_t(t) * N;
    s.hu = hu_.data();
    s.rb = rb;
    s.h_prev = h_prev;
    s.h = h_.data() + out * H;
    if (has_c) {
      s.c_prev = c_.data() + in * H;
      s.c = c_.data() + out * H;
    }
    s.tape = tape_.data() + (keep ? P.offset(t) : 0) * std::size_t(TW);
    cell_.forward(s);
    if (P.packed()) {  // rows whose padding ends here start from the trajectory's state
      copy_row0(h_.data() + out * H, b, P.width(t + 1), H_);
      if (has_c) copy_row0(c_.data() + out * H, b, P.width(t + 1), H_);
    }
  }
  last_ = h_.data() + (keep ? P.offset(T) : std::size_t(T % 2) * N) * H;
  if (P.packed()) scatter_outputs(want_states);
}

// The packed states back in the caller's row order: a row still in padding after step t has
// the trajectory's state.
void RecurrentDirection::scatter_outputs(bool want_states) {
  const StepPlan& P = *plan_;
  const int T = T_, n = n_;
  const std::size_t H = std::size_t(H_);
  grow(last_rows_, nh());
  for (int i = 0; i < n; ++i) {
    const float* from = last_ + std::size_t(P.slot_of(i)) * H;
    std::copy(from, from + H, last_rows_.data() + std::size_t(i) * H);
  }
  last_ = last_rows_.data();
  if (!want_states) return;
  grow(states_, std::size_t(T) * nh());
  for (int t = 0; t < T; ++t) {
    const float* block = h_.data() + P.offset(t + 1) * H;
    float* to = states_.data() + std::size_t(t) * nh();
    for (int i = 0; i < n; ++i) {
      const int k = P.slot_of(i);
      const float* from = block + (k < P.width(t + 1) ? std::size_t(k) * H : 0);
      std::copy(from, from + H, to + std::size_t(i) * H);
    }
  }
}

void RecurrentDirection::backward(const float* dlast, const float* dstates, float* const* dx_rows,
                                  float* dU, float* drb, bool zero_padding_rows) {
  const StepPlan& P = *plan_;
  const int T = T_, n = n_, GH = cell_.gates() * H_, TW = cell_.tape_width(H_), S = P.slots();
  const std::size_t H = std::size_t(H_), N = std::size_t(n), step = nh();
  const bool has_c = cell_.has_cell_state(), direct = cell_.direct_state_grad();
  if (P.packed() && !dx_rows)
    throw std::logic_error("RecurrentDirection: backward after a packed forward needs dx_rows");
  grow(dhu_, P.rows() * std::size_t(GH));
  grow(g_, std::size_t(S) * H);
  grow(dh_, std::size_t(S) * H);
  for (int k = 0; k < S; ++k) {
    const int r = P.row(k);
    float* to = g_.data() + std::size_t(k) * H;
    if (dlast && r >= 0)
      std::copy(dlast + std::size_t(r) * H, dlast + std::size_t(r + 1) * H, to);
    else
      std::fill(to, to + H, 0.0f);
  }
  if (has_c) {
    grow(dc_, std::size_t(S) * H);
    std::fill(dc_.begin(), dc_.begin() + std::ptrdiff_t(std::size_t(S) * H), 0.0f);
  }
  // Rows that are padding to the end (empty reviews) hand their gradient to the trajectory.
  if (P.packed() && T > 0) fold_into_row0(g_.data(), P.width(T - 1), P.width(T), H_);
  if (P.packed()) {
    dxs_.resize(P.rows());
    dx_spare_.resize(std::size_t(GH));
  }
  for (int t = T - 1; t >= 0; --t) {
    const int b = P.width(t);
    const std::size_t base = P.offset(t);
    const float* ds = dstates ? dstates + std::size_t(t) * step : nullptr;
    for (int k = 0; k < b; ++k) {
      const float* gk = g_.data() + std::size_t(k) * H;
      float* dk = dh_.data() + std::size_t(k) * H;
      const int r = P.row(k);
      if (ds && r >= 0) {
        const float* dsk = ds + std::size_t(r) * H;
        for (std::size_t j = 0; j < H; ++j) dk[j] = gk[j] + dsk[j];
      } else {
        std::copy(gk, gk + H, dk);
      }
    }
    float* const* dx = dx_rows ? dx_rows + std::size_t(t) * N : nullptr;
    if (P.packed()) {
      // What reaches the rows still in padding reaches the trajectory; their d(input) is the
      // trajectory's, given whole to one of them (the projection's backward sums them anyway).
      if (ds)
        for (int k = b; k < S; ++k) {
          const float* dsk = ds + std::size_t(P.row(k)) * H;
          for (std::size_t j = 0; j < H; ++j) dh_[j] += dsk[j];
        }
      const int pad = P.padding_row(t);
      float** to = dxs_.data() + base;
      to[0] = pad >= 0 ? dx[pad] : dx_spare_.data();
      for (int k = 1; k < b; ++k) to[k] = dx[P.row(k)];
      if (zero_padding_rows)
        for (int k = b + 1; k < S; ++k) std::fill(dx[P.row(k)], dx[P.row(k)] + GH, 0.0f);
      dx = to;
    }
    float* dhu = dhu_.data() + base * std::size_t(GH);
    CellBackward s;
    s.n = b;
    s.H = H_;
    s.tape = tape_.data() + base * std::size_t(TW);
    s.h_prev = h_.data() + base * H;
    s.h = h_.data() + P.offset(t + 1) * H;
    if (has_c) {
      s.c_prev = c_.data() + base * H;
      s.c = c_.data() + P.offset(t + 1) * H;
      s.dc = dc_.data();
    }
    s.dh = dh_.data();
    s.dx = dx;
    s.dhu = dhu;
    s.dh_prev = g_.data();
    cell_.backward(s);
    // d h_{t-1} = d(pre) U^T (+ the cell's direct path, already in g); none before the start.
    if (t > 0) sgemm('N', 'T', b, H_, GH, dhu, GH, U_, GH, direct ? 1.0f : 0.0f, g_.data(), H_);
    // Rows whose padding ended at this step started from the trajectory's state.
    if (P.packed() && t > 0) {
      fold_into_row0(g_.data(), P.width(t - 1), b, H_);
      if (has_c) fold_into_row0(dc_.data(), P.width(t - 1), b, H_);
    }
  }
  // dU += sum_t h_{t-1}^T d(pre)_t over every computed row: blocks 0 .. T-1 are contiguous.
  sgemm('T', 'N', H_, GH, std::int64_t(P.rows()), h_.data(), H_, dhu_.data(), GH, 1.0f, dU, GH);
  if (drb) add_column_sums(dhu_.data(), std::int64_t(P.rows()), GH, drb);
}

}  // namespace rnnsent
