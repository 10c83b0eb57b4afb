// The recurrent engine for one direction of one layer, for any cell: per step one product of
// the previous state with the fused gate weights (h_{t-1} U, [n, H] x [H, G*H] on sgemm, U hot
// in cache) followed by the cell's vectorised gate arithmetic; backward the same way, one small
// product per step for d h_{t-1}, then dU over all T x n rows as one large product.
// The input side (x W + b for every step) is not done here: the caller hands in, for every step,
// a pointer to each row's input projection (core/input_projection.hpp), so a token table, a
// dense projection and a reversed reading order all look the same to the engine.
// In training, rows still reading padding can share one computed padding trajectory
// (core/step_plan.hpp), so a step costs what its real tokens do.
// Single-threaded; SentimentModel runs one per chunk of the batch on its own thread.
#pragma once

#include <vector>

#include "core/cell.hpp"
#include "core/step_plan.hpp"

namespace rnnsent {

class RecurrentDirection {
 public:
  RecurrentDirection(const Cell& cell, int units) : cell_(cell), H_(units) {}

  // T steps of n rows from the initial state h0 (and c0 for cells with a cell state), each
  // [H] and shared by every row, or null for zeros. rows [T * n]: rows[t * n + i] points at row
  // i's input projection at step t [G*H]. U [H, G*H], rb [G*H] the recurrent bias (cells with
  // one) or null. keep: keep every step's state and tape (training, or when a caller reads
  // states()); otherwise only two states are kept and only last() is valid.
  // plan (keep only) or null for the plain one: a packed plan (core/step_plan.hpp) computes
  // the rows' shared padding steps once, which is exact when every row's input there is the
  // same (the caller's guarantee: no dropout touches padding). The plan must outlive backward.
  // After a packed forward states() is valid only when want_states, cell_states() not at all,
  // and backward needs dx_rows.
  void forward(int T, int n, const float* const* rows, const float* U, const float* rb,
               const float* h0, const float* c0, bool keep, const StepPlan* plan = nullptr,
               bool want_states = true);

  // [T, n, H]: h_1 .. h_T (keep), in the caller's row order.
  const float* states() const { return plan_->packed() ? states_.data() : h_.data() + nh(); }
  const float* cell_states() const { return c_.data() + nh(); }  // [T, n, H] (keep, LSTM)
  const float* last() const { return last_; }                    // [n, H]

  // Backward of the latest keep forward. dlast [n, H] = dL/dh_T and dstates [T, n, H] =
  // dL/dh_t from outside the layer; either may be null. dx_rows [T * n] receive each step's
  // d(input projection) [G*H] (as rows in forward); null is allowed when the cell's input and
  // recurrent gradients are equal, and the caller then reads dpre() (not after a packed
  // forward). Packed, rows in padding get zeros, except one per step (the plan's
  // padding_row) that takes the shared trajectory's whole d(input). Adds into dU and drb.
  // zero_padding_rows false: leave those rows unwritten instead, for a caller that reads only
  // the rows plan() computed.
  void backward(const float* dlast, const float* dstates, float* const* dx_rows, float* dU,
                float* drb, bool zero_padding_rows = true);
  const StepPlan& plan() const { return *plan_; }

  // [T, n, G*H] d(h_{t-1} U + b_rec) per step (not after a packed forward)
  const float* dpre() const { return dhu_.data(); }
  const Cell& cell() const { return cell_; }

 private:
  std::size_t nh() const { return std::size_t(n_) * std::size_t(H_); }
  void scatter_outputs(bool want_states);

  const Cell& cell_;
  int H_, T_ = 0, n_ = 0;
  const float* U_ = nullptr;
  const float* last_ = nullptr;
  StepPlan plain_;                  // the plan when the caller gives none
  const StepPlan* plan_ = nullptr;  // set by every forward
  // Row r of these is packed row r of the plan (keep): blocks 0..T of the states (block 0 the
  // initial state), blocks 0..T-1 of the tape and of d(pre). Without keep: two blocks of n.
  std::vector<float> h_, c_;
  std::vector<float> tape_;         // [rows, tape_width] (keep) or [n, tape_width]
  std::vector<float> hu_;           // [slots, G*H] the step's h_{t-1} U
  std::vector<float> dhu_;          // [rows, G*H]
  std::vector<float> g_, dh_, dc_;  // [slots, H]: carried d h, the step's total d h, carried d c
  // Packed: each packed row's input and d(input) pointers, the outputs in row order, and
  // where the trajectory's d(input) goes at a step where no row is in padding (it is zero).
  std::vector<const float*> xs_;
  std::vector<float*> dxs_;
  std::vector<float> states_, last_rows_, dx_spare_;
};

}  // namespace rnnsent
