// The recurrent engine for one direction of one layer, for any cell: per step one product of
// the previous state with the fused gate weights (h_{t-1} U, [n, H] x [H, G*H] on sgemm, U hot
// in cache) followed by the cell's vectorised gate arithmetic; backward the same way, one small
// product per step for d h_{t-1}, then dU over all T x n rows as one large product.
// The input side (x W + b for every step) is not done here: the caller hands in, for every step,
// a pointer to each row's input projection (core/input_projection.hpp), so a token table, a
// dense projection and a reversed reading order all look the same to the engine.
// Single-threaded; SentimentModel runs one per chunk of the batch on its own thread.
#pragma once

#include <vector>

#include "core/cell.hpp"

namespace rnnsent {

class RecurrentDirection {
 public:
  RecurrentDirection(const Cell& cell, int units) : cell_(cell), H_(units) {}

  // T steps of n rows from the initial state h0 (and c0 for cells with a cell state), each
  // [H] and shared by every row, or null for zeros. rows [T * n]: rows[t * n + i] points at row
  // i's input projection at step t [G*H]. U [H, G*H], rb [G*H] the recurrent bias (cells with
  // one) or null. keep: keep every step's state and tape (training, or when a caller reads
  // states()); otherwise only two states are kept and only last() is valid.
  void forward(int T, int n, const float* const* rows, const float* U, const float* rb,
               const float* h0, const float* c0, bool keep);

  const float* states() const { return h_.data() + nh(); }  // [T, n, H]: h_1 .. h_T (keep)
  const float* cell_states() const { return c_.data() + nh(); }  // [T, n, H] (keep, LSTM)
  const float* last() const { return last_; }                 // [n, H]

  // Backward of the latest keep forward. dlast [n, H] = dL/dh_T and dstates [T, n, H] =
  // dL/dh_t from outside the layer; either may be null. dx_rows [T * n] receive each step's
  // d(input projection) [G*H] (as rows in forward); null is allowed when the cell's input and
  // recurrent gradients are equal, and the caller then reads dpre(). Adds into dU and drb.
  void backward(const float* dlast, const float* dstates, float* const* dx_rows, float* dU,
                float* drb);

  const float* dpre() const { return dhu_.data(); }  // [T, n, G*H] d(h_{t-1} U + b_rec) per step
  const Cell& cell() const { return cell_; }

 private:
  std::size_t nh() const { return std::size_t(n_) * std::size_t(H_); }

  const Cell& cell_;
  int H_, T_ = 0, n_ = 0;
  const float* U_ = nullptr;
  const float* last_ = nullptr;
  std::vector<float> h_, c_;  // [T + 1, n, H] (keep) or [2, n, H]: step 0 is the initial state
  std::vector<float> tape_;   // [T, n, tape_width] (keep) or [n, tape_width]
  std::vector<float> hu_;     // [n, G*H] the step's h_{t-1} U
  std::vector<float> dhu_;    // [T, n, G*H]
  std::vector<float> g_, dh_, dc_;  // [n, H]: carried d h, the step's total d h, carried d c
};

}  // namespace rnnsent
