// The oneDNN recurrent layer against the double-precision reference, for every cell: forward
// h_T and every state, backward dx, dW, dU, db from a last-state gradient and from gradients
// on every state (a stacked layer's case); dU is where oneDNN 2.6.3 goes wrong without an
// explicit initial state. Also accumulation into non-zero gradients and the primitive cache.
#include "core/rnn_onednn.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/reference.hpp"
#include "core/reference_cells.hpp"
#include "tests/core/test_util.hpp"

namespace rnnsent {
namespace {

using testing::cast_vector;
using testing::random_vector;
using testing::scaled_max_error;

struct RnnShape {
  int T, N, E, H;
  CellKind cell = CellKind::simple_rnn;
};

std::string shape_name(const RnnShape& s) {
  return cell_name(s.cell) + "T" + std::to_string(s.T) + "N" + std::to_string(s.N) + "E" +
         std::to_string(s.E) + "H" + std::to_string(s.H);
}

// Float rounding is about 6e-8 relative per operation. The state passes through T steps
// forward and the gradient through T steps back, and dW/dU/db are sums of T*N terms, so the
// error grows at worst linearly in T (typically like sqrt(T)). Measured scaled errors were
// 4e-8..4e-7 at T <= 50 and up to 1.1e-6 (db) at T 100, N 32, E 128, H 64; the bound
// 3e-6 (1 + T/50) keeps a margin of about 8x over every measurement. A real bug is an O(1)
// error: without an explicit src_iter oneDNN's dU was off by 84%..220% at these shapes.
double tolerance(int T) { return 3e-6 * (1.0 + T / 50.0); }

struct Problem {
  RnnShape s;
  int GH;
  std::vector<float> x, W, U, b, dh_last, dstates;
  explicit Problem(RnnShape shape, std::uint64_t seed, bool with_dstates = false)
      : s(shape), GH(gate_count(shape.cell) * shape.H) {
    const double wl = std::sqrt(6.0 / (s.E + GH));  // glorot-like, keeps gates out of saturation
    const double ul = 1.0 / std::sqrt(static_cast<double>(s.H));
    x = random_vector<float>(std::size_t(s.T) * s.N * s.E, -1, 1, seed);
    W = random_vector<float>(std::size_t(s.E) * GH, -wl, wl, seed + 1);
    U = random_vector<float>(std::size_t(s.H) * GH, -ul, ul, seed + 2);
    b = random_vector<float>(bias_size(s.cell, s.H), -0.1, 0.1, seed + 3);
    dh_last = random_vector<float>(std::size_t(s.N) * s.H, -1, 1, seed + 4);
    if (with_dstates) dstates = random_vector<float>(std::size_t(s.T) * s.N * s.H, -1, 1, seed + 5);
  }
};

struct ReferenceResult {
  std::vector<double> h_last, states, dx, dW, dU, db;
};

ReferenceResult run_reference(const Problem& p) {
  const auto& s = p.s;
  const auto x = cast_vector<double>(p.x), W = cast_vector<double>(p.W),
             U = cast_vector<double>(p.U), b = cast_vector<double>(p.b);
  const std::size_t nh = std::size_t(s.N) * s.H;
  std::vector<double> zeros(nh, 0.0);
  reference::CellTape<double> tape;
  reference::cell_forward(s.cell, x.data(), s.T, s.N, s.E, s.H, W.data(), U.data(), b.data(),
                          zeros.data(), zeros.data(), tape);
  ReferenceResult r;
  r.states = tape.h;
  r.h_last.assign(tape.h.end() - std::ptrdiff_t(nh), tape.h.end());
  // dL/d(state t): the given per-state gradients, plus dh_last on the last step.
  std::vector<double> dh(std::size_t(s.T) * nh, 0.0);
  if (!p.dstates.empty()) dh = cast_vector<double>(p.dstates);
  for (std::size_t i = 0; i < nh; ++i) dh[(std::size_t(s.T) - 1) * nh + i] += p.dh_last[i];
  r.dx.resize(x.size());
  r.dW.assign(W.size(), 0.0);
  r.dU.assign(U.size(), 0.0);
  r.db.assign(b.size(), 0.0);
  reference::cell_backward(s.cell, x.data(), s.T, s.N, s.E, s.H, W.data(), U.data(), zeros.data(),
                           zeros.data(), tape, dh.data(), r.dx.data(), r.dW.data(), r.dU.data(),
                           r.db.data());
  return r;
}

struct FastResult {
  std::vector<float> h_last, states, dx, dW, dU, db;
};

FastResult run_onednn(OneDnnRnn& rnn, const Problem& p) {
  const auto& s = p.s;
  FastResult r;
  r.h_last.assign(std::size_t(s.N) * s.H, NAN);
  r.dx.assign(p.x.size(), NAN);  // overwritten by backward: NaN shows any element it skips
  r.dW.assign(p.W.size(), 0.f);
  r.dU.assign(p.U.size(), 0.f);
  r.db.assign(p.b.size(), 0.f);
  rnn.forward_training(s.T, s.N, p.x.data(), p.W.data(), p.U.data(), p.b.data(), r.h_last.data());
  r.states.assign(rnn.states(), rnn.states() + std::size_t(s.T) * s.N * s.H);
  rnn.backward(p.dh_last.data(), p.dstates.empty() ? nullptr : p.dstates.data(), r.dx.data(),
               r.dW.data(), r.dU.data(), r.db.data());
  return r;
}

void expect_matches(const FastResult& f, const ReferenceResult& r, int T) {
  const double tol = tolerance(T);
  EXPECT_LT(scaled_max_error(f.h_last, r.h_last), tol) << "h_last";
  EXPECT_LT(scaled_max_error(f.states, r.states), tol) << "states";
  EXPECT_LT(scaled_max_error(f.dx, r.dx), tol) << "dx";
  EXPECT_LT(scaled_max_error(f.dW, r.dW), tol) << "dW";
  // Catches the oneDNN 2.6.3 diff_weights_iter bug (wrong by a time step without src_iter).
  EXPECT_LT(scaled_max_error(f.dU, r.dU), tol) << "dU (diff_weights_iter)";
  EXPECT_LT(scaled_max_error(f.db, r.db), tol) << "db";
}

// Every shape for every cell.
std::vector<RnnShape> all_cells(const std::vector<RnnShape>& shapes) {
  std::vector<RnnShape> out;
  for (CellKind cell : {CellKind::simple_rnn, CellKind::lstm, CellKind::gru})
    for (RnnShape s : shapes) {
      s.cell = cell;
      out.push_back(s);
    }
  return out;
}

class OneDnnRnnVsReference : public ::testing::TestWithParam<RnnShape> {};

TEST_P(OneDnnRnnVsReference, ForwardAndBackwardMatch) {
  const RnnShape s = GetParam();
  Problem p(s, 1000 + s.T * 31 + s.N);
  OneDnnRnn rnn(s.cell, s.E, s.H);
  expect_matches(run_onednn(rnn, p), run_reference(p), s.T);
}

// A stacked layer gets gradients on every state, not only the last.
class OneDnnRnnStackedVsReference : public ::testing::TestWithParam<RnnShape> {};

TEST_P(OneDnnRnnStackedVsReference, BackwardFromEveryStateMatches) {
  const RnnShape s = GetParam();
  Problem p(s, 2000 + s.T * 31 + s.N, true);
  OneDnnRnn rnn(s.cell, s.E, s.H);
  expect_matches(run_onednn(rnn, p), run_reference(p), s.T);
}

INSTANTIATE_TEST_SUITE_P(Shapes, OneDnnRnnVsReference,
                         ::testing::ValuesIn(all_cells({{2, 1, 8, 5},
                                                        {2, 3, 8, 5},
                                                        {7, 1, 8, 5},
                                                        {7, 3, 8, 5},
                                                        {7, 16, 8, 5},
                                                        {50, 3, 8, 5},
                                                        {50, 16, 8, 5},
                                                        {100, 32, 128, 64}})),
                         [](const ::testing::TestParamInfo<RnnShape>& info) {
                           return shape_name(info.param);
                         });

INSTANTIATE_TEST_SUITE_P(
    Shapes, OneDnnRnnStackedVsReference,
    ::testing::ValuesIn(all_cells({{2, 3, 8, 5}, {7, 16, 8, 5}, {50, 16, 8, 5}, {20, 8, 128, 64}})),
    [](const ::testing::TestParamInfo<RnnShape>& info) { return shape_name(info.param); });

class OneDnnRnnInference : public ::testing::TestWithParam<CellKind> {};

TEST_P(OneDnnRnnInference, MatchesTrainingForward) {
  const RnnShape s{9, 4, 8, 5, GetParam()};
  Problem p(s, 7);
  OneDnnRnn rnn(s.cell, s.E, s.H);
  std::vector<float> h_train(std::size_t(s.N) * s.H), h_infer(h_train.size());
  rnn.forward_training(s.T, s.N, p.x.data(), p.W.data(), p.U.data(), p.b.data(), h_train.data());
  rnn.forward_inference(s.T, s.N, p.x.data(), p.W.data(), p.U.data(), p.b.data(), h_infer.data());
  // Same arithmetic in both modes in 2.6's reference RNN; allow float rounding of one pass.
  EXPECT_LT(scaled_max_error(h_infer, h_train), 1e-6);
  EXPECT_LT(scaled_max_error(h_infer, run_reference(p).h_last), tolerance(s.T));
}

// Starting from given states equals the reference started there (what scoring relies on).
TEST_P(OneDnnRnnInference, StartsFromGivenStates) {
  const RnnShape s{6, 3, 8, 5, GetParam()};
  Problem p(s, 17);
  const std::size_t nh = std::size_t(s.N) * s.H;
  const auto h0 = random_vector<float>(nh, -0.5, 0.5, 71);
  const auto c0 = random_vector<float>(nh, -0.5, 0.5, 72);
  OneDnnRnn rnn(s.cell, s.E, s.H);
  std::vector<float> h(nh), states(std::size_t(s.T) * nh);
  rnn.forward_inference(s.T, s.N, p.x.data(), p.W.data(), p.U.data(), p.b.data(), h.data(),
                        h0.data(), c0.data(), states.data());
  reference::CellTape<double> tape;
  const auto x = cast_vector<double>(p.x), W = cast_vector<double>(p.W),
             U = cast_vector<double>(p.U), b = cast_vector<double>(p.b);
  reference::cell_forward(s.cell, x.data(), s.T, s.N, s.E, s.H, W.data(), U.data(), b.data(),
                          cast_vector<double>(h0).data(), cast_vector<double>(c0).data(), tape);
  EXPECT_LT(scaled_max_error(states, tape.h), tolerance(s.T));
  // The plan's own initial state is back to zero for the next call.
  std::vector<float> h_zero(nh), h_again(nh);
  rnn.forward_inference(s.T, s.N, p.x.data(), p.W.data(), p.U.data(), p.b.data(), h_zero.data());
  EXPECT_LT(scaled_max_error(h_zero, run_reference(p).h_last), tolerance(s.T));
}

INSTANTIATE_TEST_SUITE_P(Cells, OneDnnRnnInference,
                         ::testing::Values(CellKind::simple_rnn, CellKind::lstm, CellKind::gru),
                         [](const ::testing::TestParamInfo<CellKind>& info) {
                           return cell_name(info.param);
                         });

// H 5 makes oneDNN pad its diff-weights layout, so the gradients go through scratch + reorder +
// add; H 64 (a multiple of 16) lets oneDNN accumulate straight into the caller's buffer.
class OneDnnRnnAccumulation : public ::testing::TestWithParam<RnnShape> {};

TEST_P(OneDnnRnnAccumulation, BackwardAddsIntoWeightGradients) {
  const RnnShape s = GetParam();
  Problem p(s, 11);
  OneDnnRnn rnn(s.cell, s.E, s.H);
  const FastResult fresh = run_onednn(rnn, p);
  const auto seed_dW = random_vector<float>(p.W.size(), -1, 1, 21);
  const auto seed_dU = random_vector<float>(p.U.size(), -1, 1, 22);
  const auto seed_db = random_vector<float>(p.b.size(), -1, 1, 23);
  std::vector<float> h(std::size_t(s.N) * s.H), dx(p.x.size());
  std::vector<float> dW = seed_dW, dU = seed_dU, db = seed_db;
  rnn.forward_training(s.T, s.N, p.x.data(), p.W.data(), p.U.data(), p.b.data(), h.data());
  rnn.backward(p.dh_last.data(), nullptr, dx.data(), dW.data(), dU.data(), db.data());
  // result = seed + fresh gradient. The seed is O(1); oneDNN adds its partial sums onto it, so
  // rounding is a few ulps of O(1) values plus the gradient's own error (see tolerance()).
  for (std::size_t i = 0; i < dW.size(); ++i)
    EXPECT_NEAR(dW[i], seed_dW[i] + fresh.dW[i], 1e-5 + tolerance(s.T));
  for (std::size_t i = 0; i < dU.size(); ++i)
    EXPECT_NEAR(dU[i], seed_dU[i] + fresh.dU[i], 1e-5 + tolerance(s.T));
  for (std::size_t i = 0; i < db.size(); ++i)
    EXPECT_NEAR(db[i], seed_db[i] + fresh.db[i], 1e-5 + tolerance(s.T));
  // dx is overwritten, not accumulated: identical to the first call.
  EXPECT_EQ(dx, fresh.dx);
}

INSTANTIATE_TEST_SUITE_P(Layouts, OneDnnRnnAccumulation,
                         ::testing::ValuesIn(all_cells({{6, 3, 8, 5}, {6, 4, 128, 64}})),
                         [](const ::testing::TestParamInfo<RnnShape>& info) {
                           return cell_name(info.param.cell) + (info.param.H == 64
                                                                    ? std::string("Direct")
                                                                    : std::string("Scratch"));
                         });

TEST(OneDnnRnn, CachedPlanGivesIdenticalResults) {
  const RnnShape s{12, 5, 8, 5};
  Problem p(s, 31);
  OneDnnRnn rnn(CellKind::simple_rnn, s.E, s.H);
  const FastResult first = run_onednn(rnn, p);
  const FastResult second = run_onednn(rnn, p);
  // Same primitives, same inputs, same thread count: oneDNN is deterministic, so bit-equal.
  EXPECT_EQ(first.h_last, second.h_last);
  EXPECT_EQ(first.dx, second.dx);
  EXPECT_EQ(first.dW, second.dW);
  EXPECT_EQ(first.dU, second.dU);
  EXPECT_EQ(first.db, second.db);
}

TEST(OneDnnRnn, AlternatingShapesKeepSeparatePlans) {
  const RnnShape a{10, 4, 8, 5}, b{23, 7, 8, 5};
  Problem pa(a, 41), pb(b, 42);
  OneDnnRnn rnn(CellKind::simple_rnn, a.E, a.H);
  const FastResult a1 = run_onednn(rnn, pa);
  const FastResult b1 = run_onednn(rnn, pb);
  const FastResult a2 = run_onednn(rnn, pa);
  const FastResult b2 = run_onednn(rnn, pb);
  EXPECT_EQ(a1.dU, a2.dU);
  EXPECT_EQ(a1.dx, a2.dx);
  EXPECT_EQ(b1.dU, b2.dU);
  EXPECT_EQ(b1.h_last, b2.h_last);
  expect_matches(a2, run_reference(pa), a.T);
  expect_matches(b2, run_reference(pb), b.T);
}

TEST(OneDnnRnn, RejectsSingleStep) {
  OneDnnRnn rnn(CellKind::simple_rnn, 8, 5);
  std::vector<float> x(8), W(40), U(25), b(5), h(5);
  EXPECT_THROW(rnn.forward_training(1, 1, x.data(), W.data(), U.data(), b.data(), h.data()),
               std::runtime_error);
}

}  // namespace
}  // namespace rnnsent
