// The recurrent engine on its own: each cell through DenseProjection + RecurrentDirection
// against the double reference cells (core/reference_cells.hpp, itself checked against finite
// differences) from a non-zero initial state, with a gradient on every state; a backward
// direction read through row pointers equals the reversed input run forward; rows in leading
// padding computed once as a shared trajectory equal computing every row; and the vectorised
// exp, sigmoid and tanh against double precision.
#include "core/recurrent_direction.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/cell.hpp"
#include "core/fast_math.hpp"
#include "core/input_projection.hpp"
#include "core/reference_cells.hpp"
#include "core/time_reversal.hpp"
#include "tests/core/test_util.hpp"

namespace rnnsent {
namespace {

using testing::cast_vector;
using testing::random_vector;
using testing::scaled_max_error;

struct CellCase {
  CellKind kind;
  int T = 9, N = 4, I = 6, H = 5;
  std::vector<float> x, W, U, b, h0, c0, dh;
  explicit CellCase(CellKind k) : kind(k) {
    const Cell& cell = cell_for(k);
    const int GH = cell.gates() * H;
    x = random_vector<float>(std::size_t(T) * N * I, -1, 1, 1);
    W = random_vector<float>(std::size_t(I) * GH, -0.6, 0.6, 2);
    U = random_vector<float>(std::size_t(H) * GH, -0.6, 0.6, 3);
    b = random_vector<float>(std::size_t(cell.recurrent_bias() ? 2 : 1) * GH, -0.3, 0.3, 4);
    h0 = random_vector<float>(std::size_t(H), -0.5, 0.5, 5);
    c0 = random_vector<float>(std::size_t(H), -0.5, 0.5, 6);
    dh = random_vector<float>(std::size_t(T) * N * H, -1, 1, 7);
  }
};

class EngineCells : public ::testing::TestWithParam<CellKind> {};

TEST_P(EngineCells, ForwardAndBackwardMatchTheReferenceFromANonZeroState) {
  const CellCase s(GetParam());
  const Cell& cell = cell_for(s.kind);
  const int GH = cell.gates() * s.H;
  const bool lstm = cell.has_cell_state();
  // Reference in double: every row starts from h0 (and c0).
  std::vector<double> h0n, c0n;
  for (int i = 0; i < s.N; ++i) {
    h0n.insert(h0n.end(), s.h0.begin(), s.h0.end());
    c0n.insert(c0n.end(), s.c0.begin(), s.c0.end());
  }
  const auto xd = cast_vector<double>(s.x), Wd = cast_vector<double>(s.W),
             Ud = cast_vector<double>(s.U), bd = cast_vector<double>(s.b),
             dhd = cast_vector<double>(s.dh);
  reference::CellTape<double> tape;
  reference::cell_forward<double>(s.kind, xd.data(), s.T, s.N, s.I, s.H, Wd.data(), Ud.data(),
                                  bd.data(), h0n.data(), c0n.data(), tape);
  std::vector<double> rdx(s.x.size()), rdW(s.W.size()), rdU(s.U.size()), rdb(s.b.size());
  reference::cell_backward<double>(s.kind, xd.data(), s.T, s.N, s.I, s.H, Wd.data(), Ud.data(),
                                   h0n.data(), c0n.data(), tape, dhd.data(), rdx.data(), rdW.data(),
                                   rdU.data(), rdb.data());
  // The engine in float.
  DenseProjection proj;
  proj.forward(s.x.data(), s.T, s.N, s.I, s.W.data(), s.b.data(), GH, nullptr);
  RecurrentDirection dir(cell, s.H);
  dir.forward(s.T, s.N, proj.rows(), s.U.data(), cell.recurrent_bias() ? s.b.data() + GH : nullptr,
              s.h0.data(), lstm ? s.c0.data() : nullptr, true);
  const std::size_t states = std::size_t(s.T) * s.N * s.H;
  EXPECT_LT(scaled_max_error(dir.states(), tape.h.data(), states), 2e-6);
  if (lstm) {
    EXPECT_LT(scaled_max_error(dir.cell_states(), tape.c.data(), states), 2e-6);
  }
  std::vector<float> dx(s.x.size()), dW(s.W.size(), 0.f), dU(s.U.size(), 0.f), db(s.b.size(), 0.f);
  const bool own = cell.input_grad_is_recurrent_grad();
  dir.backward(nullptr, s.dh.data(), own ? nullptr : proj.grad_rows(), dU.data(),
               cell.recurrent_bias() ? db.data() + GH : nullptr);
  proj.backward(own ? dir.dpre() : proj.grad_buffer(), s.W.data(), dW.data(), db.data(), dx.data(),
                false);
  EXPECT_LT(scaled_max_error(dx, rdx), 1e-5);
  EXPECT_LT(scaled_max_error(dW, rdW), 1e-5);
  EXPECT_LT(scaled_max_error(dU, rdU), 1e-5);
  EXPECT_LT(scaled_max_error(db, rdb), 1e-5);
}

// Reading the backward direction through reversed row pointers is the same arithmetic as
// running the engine forward on the input reversed per row: bit for bit, gradients included.
TEST_P(EngineCells, ReversedRowPointersEqualAReversedInput) {
  const CellCase s(GetParam());
  const Cell& cell = cell_for(s.kind);
  const int GH = cell.gates() * s.H;
  const float* rb = cell.recurrent_bias() ? s.b.data() + GH : nullptr;
  std::vector<TimeSpan> spans = {{0, 9}, {3, 9}, {9, 9}, {5, 9}};
  std::vector<float> reversed(s.x.size());
  reverse_real_steps(s.x.data(), s.T, s.N, s.I, spans.data(), reversed.data());
  DenseProjection by_pointer, by_copy;
  by_pointer.forward(s.x.data(), s.T, s.N, s.I, s.W.data(), s.b.data(), GH, spans.data());
  by_copy.forward(reversed.data(), s.T, s.N, s.I, s.W.data(), s.b.data(), GH, nullptr);
  RecurrentDirection a(cell, s.H), c(cell, s.H);
  a.forward(s.T, s.N, by_pointer.rows(), s.U.data(), rb, nullptr, nullptr, true);
  c.forward(s.T, s.N, by_copy.rows(), s.U.data(), rb, nullptr, nullptr, true);
  const std::size_t states = std::size_t(s.T) * s.N * s.H;
  EXPECT_EQ(std::vector<float>(a.states(), a.states() + states),
            std::vector<float>(c.states(), c.states() + states));
  std::vector<float> dxa(s.x.size()), dxc(s.x.size()), dxc_back(s.x.size());
  std::vector<float> dWa(s.W.size(), 0.f), dWc(s.W.size(), 0.f), dUa(s.U.size(), 0.f),
      dUc(s.U.size(), 0.f), dba(s.b.size(), 0.f), dbc(s.b.size(), 0.f);
  a.backward(nullptr, s.dh.data(), by_pointer.grad_rows(), dUa.data(),
             rb ? dba.data() + GH : nullptr);
  by_pointer.backward(by_pointer.grad_buffer(), s.W.data(), dWa.data(), dba.data(), dxa.data(),
                      false);
  c.backward(nullptr, s.dh.data(), by_copy.grad_rows(), dUc.data(), rb ? dbc.data() + GH : nullptr);
  by_copy.backward(by_copy.grad_buffer(), s.W.data(), dWc.data(), dbc.data(), dxc.data(), false);
  reverse_real_steps(dxc.data(), s.T, s.N, s.I, spans.data(), dxc_back.data());
  EXPECT_EQ(dUa, dUc);
  EXPECT_LT(scaled_max_error(dxa, dxc_back), 1e-6);  // the same sums in another row order
  EXPECT_LT(scaled_max_error(dWa, dWc), 1e-6);
  EXPECT_LT(scaled_max_error(dba, dbc), 1e-6);
}

// Training with a packed plan (core/step_plan.hpp): the rows still reading padding are not
// computed, one shared trajectory stands for them. Everything the caller sees must equal the plain
// run that computes every row: the states, the final states, dU and the recurrent bias, and the
// input gradient, which only moves between padding positions (they sum to the same).
TEST_P(EngineCells, SharedPaddingStepsEqualComputingEveryRow) {
  // Unsorted with one row all padding and one none; a batch of empty rows; no padding at all.
  const std::vector<std::vector<int>> leads = {{3, 0, 9, 5}, {9, 9, 9, 9}, {0, 0, 0, 0}};
  for (const std::vector<int>& lead : leads) {
    CellCase s(GetParam());
    SCOPED_TRACE("leads " + std::to_string(lead[0]) + " " + std::to_string(lead[1]) + " " +
                 std::to_string(lead[2]) + " " + std::to_string(lead[3]));
    const Cell& cell = cell_for(s.kind);
    const int GH = cell.gates() * s.H;
    const bool lstm = cell.has_cell_state();
    const float* rb = cell.recurrent_bias() ? s.b.data() + GH : nullptr;
    for (int i = 0; i < s.N; ++i)  // the padding input: row 0's step 0 for every padded step
      for (int t = 0; t < lead[std::size_t(i)]; ++t)
        std::copy(s.x.begin(), s.x.begin() + s.I, s.x.begin() + (std::size_t(t) * s.N + i) * s.I);
    const std::vector<float> dlast = random_vector<float>(std::size_t(s.N) * s.H, -1, 1, 8);
    const std::size_t states = std::size_t(s.T) * s.N * s.H;
    struct Run {
      std::vector<float> states, last, dx, dW, dU, db;
    };
    // Shared: the plan drives both the engine and the dense projection (which then projects
    // only the rows the engine computes).
    auto run = [&](const int* lead_or_null) {
      StepPlan plan;
      plan.build(s.T, s.N, lead_or_null);
      const StepPlan* packed = lead_or_null ? &plan : nullptr;
      DenseProjection proj;
      proj.forward(s.x.data(), s.T, s.N, s.I, s.W.data(), s.b.data(), GH, nullptr, packed);
      RecurrentDirection dir(cell, s.H);
      dir.forward(s.T, s.N, proj.rows(), s.U.data(), rb, s.h0.data(), lstm ? s.c0.data() : nullptr,
                  true, packed, true);
      Run r;
      r.states.assign(dir.states(), dir.states() + states);
      r.last.assign(dir.last(), dir.last() + std::size_t(s.N) * s.H);
      r.dx.assign(s.x.size(), 0.f);
      r.dW.assign(s.W.size(), 0.f);
      r.dU.assign(s.U.size(), 0.f);
      r.db.assign(s.b.size(), 0.f);
      dir.backward(dlast.data(), s.dh.data(), proj.grad_rows(), r.dU.data(),
                   rb ? r.db.data() + GH : nullptr, false);
      proj.backward(proj.grad_buffer(), s.W.data(), r.dW.data(), r.db.data(), r.dx.data(), false);
      return r;
    };
    const Run plain = run(nullptr), shared = run(lead.data());
    EXPECT_LT(scaled_max_error(shared.states, plain.states), 1e-6);
    EXPECT_LT(scaled_max_error(shared.last, plain.last), 1e-6);
    EXPECT_LT(scaled_max_error(shared.dU, plain.dU), 1e-5);
    EXPECT_LT(scaled_max_error(shared.db, plain.db), 1e-5);
    EXPECT_LT(scaled_max_error(shared.dW, plain.dW), 1e-5);
    // dx: equal at real tokens; at padding positions only the sum per step is defined.
    std::vector<float> real_a, real_b, pad_a(std::size_t(s.T) * s.I, 0.f), pad_b = pad_a;
    for (int t = 0; t < s.T; ++t)
      for (int i = 0; i < s.N; ++i) {
        const std::size_t at = (std::size_t(t) * s.N + i) * s.I;
        for (int e = 0; e < s.I; ++e) {
          if (t >= lead[std::size_t(i)]) {
            real_a.push_back(shared.dx[at + e]);
            real_b.push_back(plain.dx[at + e]);
          } else {
            pad_a[std::size_t(t) * s.I + e] += shared.dx[at + e];
            pad_b[std::size_t(t) * s.I + e] += plain.dx[at + e];
          }
        }
      }
    EXPECT_LT(scaled_max_error(real_a, real_b), 1e-5);
    EXPECT_LT(scaled_max_error(pad_a, pad_b), 1e-5);
  }
}

INSTANTIATE_TEST_SUITE_P(Cells, EngineCells,
                         ::testing::Values(CellKind::simple_rnn, CellKind::lstm, CellKind::gru),
                         [](const ::testing::TestParamInfo<CellKind>& info) {
                           return cell_name(info.param);
                         });

TEST(FastMath, ExpSigmoidAndTanhAgreeWithDouble) {
  double exp_rel = 0, sig_abs = 0, tanh_abs = 0;
  for (float x = -40.0f; x < 40.0f; x += 0.00037f) {
    const double e = std::exp(double(x));
    exp_rel = std::max(exp_rel, std::abs(fast::exp(x) - e) / e);
    sig_abs = std::max(sig_abs, std::abs(fast::sigmoid(x) - 1.0 / (1.0 + std::exp(-double(x)))));
    tanh_abs = std::max(tanh_abs, std::abs(fast::tanh(x) - std::tanh(double(x))));
  }
  // Measured 9.6e-8, 8.9e-8, 1.8e-7: float rounding of the last steps, nothing more.
  EXPECT_LT(exp_rel, 3e-7);
  EXPECT_LT(sig_abs, 3e-7);
  EXPECT_LT(tanh_abs, 3e-7);
  EXPECT_EQ(fast::tanh(100.0f), 1.0f);
  EXPECT_EQ(fast::sigmoid(-200.0f) < 1e-30f, true);
  // Non-finite values propagate (the trainer's finiteness checks rely on it).
  EXPECT_TRUE(std::isnan(fast::exp(NAN)));
  EXPECT_TRUE(std::isnan(fast::tanh(NAN)));
  EXPECT_EQ(fast::exp(INFINITY), fast::exp(88.0f));
}

}  // namespace
}  // namespace rnnsent
