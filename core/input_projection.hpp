// The input side of one recurrent direction: x_t W + b_in for every (step, row), handed to the
// engine (core/recurrent_direction.hpp) as one row pointer per (step, row) in the direction's
// reading order, and its backward. Two ways to get there:
//   TableProjection  one row per distinct token (core/token_set.hpp) by one GEMM over the K
//                    distinct tokens, looked up per (step, row): exact wherever every
//                    occurrence of a token has the same input (the embedding straight in);
//   DenseProjection  one GEMM over all T x n rows of a dense input [T, n, I] (the embedding
//                    after element-wise dropout, or the layer below).
// A backward direction reads each review's real tokens last to first (core/time_reversal.hpp):
// only the pointers change, no input is copied.
#pragma once

#include <vector>

#include "core/step_plan.hpp"
#include "core/time_reversal.hpp"
#include "core/token_set.hpp"

namespace rnnsent {

// Row pointers for every (step, row) into a [rows, width] buffer, in reading order: position
// (t, i) points at row (s, i) of the buffer, s = t forward, reversed_step(spans[i], t) backward.
void point_rows(float* base, int T, int n, int width, const int* slots, const TimeSpan* spans,
                std::vector<float*>& out);

class TableProjection {
 public:
  // W [E, G*H], b [G*H]; spans null for the forward direction.
  void forward(const TokenSet& tokens, const float* W, const float* b, int GH,
               const TimeSpan* spans);
  const float* const* rows() const { return rows_.data(); }  // [T * n]
  // Where the engine writes d(projection) when it cannot hand back its own buffer: contiguous
  // in reading order, so backward can read it as dxp.
  float* const* grad_rows();
  float* grad_buffer() { return grad_.data(); }
  // dxp [T, n, G*H] in reading order: d(x W) (d(pre) through the projection dropout's mask,
  // if any). Adds into dW, db and tokens.demb (zeroed by the caller); db null: the caller adds
  // the bias gradient (projection dropout: the bias sees the unmasked d(pre)).
  // plan: the engine's (core/step_plan.hpp) after a lead forward, so only the (step, row)
  // positions it wrote are read; null reads every position.
  void backward(TokenSet& tokens, const float* dxp, const float* W, float* dW, float* db,
                const StepPlan* plan = nullptr);

 private:
  int GH_ = 0;
  const TimeSpan* spans_ = nullptr;
  std::vector<int> order_;     // [T, n] table row of each (step, row) in reading order
  std::vector<float> table_;   // [K + 1, G*H]: scale E[v] W + b, then b (dropped tokens)
  std::vector<float> dtable_;  // [K + 1, G*H]
  std::vector<float> grad_;    // [T, n, G*H]
  std::vector<float*> rows_, grad_rows_;
};

class DenseProjection {
 public:
  // X [T, n, I] in token order (kept until backward), W [I, G*H], b [G*H]. plan: the engine's
  // packed plan (core/step_plan.hpp), kept until backward, to project only the rows it
  // computes (one per step for the rows still in padding); null projects all T x n.
  void forward(const float* X, int T, int n, int I, const float* W, const float* b, int GH,
               const TimeSpan* spans, const StepPlan* plan = nullptr);
  const float* const* rows() const { return rows_.data(); }
  float* const* grad_rows();  // into grad_buffer(), matching rows()
  // [T, n, G*H] in token order; with a plan the projected rows only, packed.
  float* grad_buffer() { return grad_.data(); }
  // dP: grad_buffer()'s layout. Adds into dW and db; dX [T, n, I] is overwritten, or added
  // into when accumulate (the second direction of a layer reads the same input). db null: as
  // for the table. With a plan, a step's padding gradient lands on one padding row of dX.
  void backward(const float* dP, const float* W, float* dW, float* db, float* dX, bool accumulate);

 private:
  int T_ = 0, n_ = 0, I_ = 0, GH_ = 0;
  const float* X_ = nullptr;
  const TimeSpan* spans_ = nullptr;
  void forward_packed(const float* W, const float* b);

  const StepPlan* plan_ = nullptr;   // packed only
  std::vector<float> P_, grad_;      // [T, n, G*H], or [packed rows, G*H] with a plan
  std::vector<float> Xp_, dXp_;      // with a plan: the projected rows' inputs, their d(input)
  std::vector<std::size_t> source_;  // with a plan: each packed row's row of X (s * n + i)
  std::vector<std::size_t> row_of_;  // with a plan: [T * n] reading position -> packed row
  std::vector<float*> rows_, grad_rows_;
};

}  // namespace rnnsent
