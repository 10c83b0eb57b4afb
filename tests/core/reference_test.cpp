// Double-precision finite-difference checks of every reference layer and of the whole model,
// plus "a whole-sequence RNN equals T single steps". The reference is the spec for the fast path,
// so these tests are what makes the oneDNN comparison meaningful.
#include "core/reference.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "core/model_shape.hpp"
#include "core/reference_cells.hpp"
#include "tests/core/test_util.hpp"

namespace rnnsent {
namespace {

using testing::random_ids;
using testing::random_vector;

// Central differences with step 1e-6 in double: truncation error ~ h^2 |f'''| ~ 1e-12 and
// rounding ~ 1e-16 |f| / h ~ 1e-10 per evaluation. Relative to a gradient entry (floored at 1e-2
// so entries near zero are judged absolutely) the measured worst case was 1.6e-8; 1e-6 leaves a
// 60x margin and still fails for any wrong term, which shows up as an O(1) relative error.
constexpr double kStep = 1e-6;
constexpr double kRelTol = 1e-6;

// Checks analytic[i] == d f / d p[i] for every i, perturbing p in place.
void check_gradient(const std::string& what, std::vector<double>& p,
                    const std::vector<double>& analytic, const std::function<double()>& f) {
  ASSERT_EQ(p.size(), analytic.size()) << what;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const double saved = p[i];
    p[i] = saved + kStep;
    const double up = f();
    p[i] = saved - kStep;
    const double down = f();
    p[i] = saved;
    const double numeric = (up - down) / (2 * kStep);
    const double scale = std::max({std::abs(numeric), std::abs(analytic[i]), 1e-2});
    EXPECT_LT(std::abs(numeric - analytic[i]) / scale, kRelTol)
        << what << "[" << i << "]: numeric " << numeric << " analytic " << analytic[i];
  }
}

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

TEST(ReferenceGradient, Embedding) {
  const int V = 7, E = 3, N = 3, T = 5;
  auto table = random_vector<double>(V * E, -1, 1, 1);
  // Repeated ids on purpose: a row's gradient must sum every position that reads it.
  const std::vector<std::int32_t> ids = {0, 2, 2, 6, 1, 2, 3, 0, 0, 5, 6, 6, 4, 2, 1};
  const auto r = random_vector<double>(T * N * E, -1, 1, 2);  // L = sum(x * r)
  std::vector<double> x(T * N * E), dtable(V * E, 0.0);
  reference::embedding_backward(r.data(), ids.data(), N, T, E, dtable.data());
  check_gradient("dtable", table, dtable, [&] {
    reference::embedding_forward(table.data(), E, ids.data(), N, T, x.data());
    return dot(x, r);
  });
}

// One recurrent layer of each cell from non-zero initial states, with a loss that reads every
// state (L = sum(h_t * r_t)), so both the last-state and the stacked-layer paths are checked.
struct CellCase {
  CellKind cell;
  int T = 5, N = 3, E = 4, H = 3;
  std::vector<double> x, h0, c0, W, U, b, r;
  explicit CellCase(CellKind k) : cell(k) {
    const int GH = gate_count(cell) * H;
    x = random_vector<double>(T * N * E, -1, 1, 10);
    h0 = random_vector<double>(N * H, -0.5, 0.5, 11);  // non-zero so dU sees h0 in step 0
    c0 = random_vector<double>(N * H, -0.5, 0.5, 16);
    W = random_vector<double>(E * GH, -0.8, 0.8, 12);
    U = random_vector<double>(H * GH, -0.8, 0.8, 13);
    b = random_vector<double>(bias_size(cell, H), -0.3, 0.3, 14);
    r = random_vector<double>(T * N * H, -1, 1, 15);
  }
  reference::CellTape<double> forward() const {
    reference::CellTape<double> tape;
    reference::cell_forward(cell, x.data(), T, N, E, H, W.data(), U.data(), b.data(), h0.data(),
                            c0.data(), tape);
    return tape;
  }
  double loss() const { return dot(forward().h, r); }
};

class ReferenceCell : public ::testing::TestWithParam<CellKind> {};

TEST_P(ReferenceCell, GradientsMatchFiniteDifferences) {
  CellCase c(GetParam());
  const auto tape = c.forward();
  std::vector<double> dx(c.x.size()), dW(c.W.size(), 0.0), dU(c.U.size(), 0.0), db(c.b.size(), 0.0);
  reference::cell_backward(c.cell, c.x.data(), c.T, c.N, c.E, c.H, c.W.data(), c.U.data(),
                           c.h0.data(), c.c0.data(), tape, c.r.data(), dx.data(), dW.data(),
                           dU.data(), db.data());
  auto f = [&] { return c.loss(); };
  check_gradient("dW", c.W, dW, f);
  check_gradient("dU", c.U, dU, f);
  check_gradient("db", c.b, db, f);
  check_gradient("dx", c.x, dx, f);
}

// T single steps, each started from the previous step's states, equal one T-step call: the
// states (h, and c for LSTM) carry over exactly.
TEST_P(ReferenceCell, SequenceEqualsSingleSteps) {
  const CellCase c(GetParam());
  const auto whole = c.forward();
  const std::size_t nh = std::size_t(c.N) * c.H, ne = std::size_t(c.N) * c.E;
  std::vector<double> h = c.h0, cell_state = c.c0;
  for (int t = 0; t < c.T; ++t) {
    reference::CellTape<double> one;
    reference::cell_forward(c.cell, c.x.data() + t * ne, 1, c.N, c.E, c.H, c.W.data(), c.U.data(),
                            c.b.data(), h.data(), cell_state.data(), one);
    // The same operations in the same order: bit-identical, not just close.
    for (std::size_t i = 0; i < nh; ++i) EXPECT_EQ(whole.h[t * nh + i], one.h[i]) << "t " << t;
    h = one.h;
    if (c.cell == CellKind::lstm) {
      for (std::size_t i = 0; i < nh; ++i) EXPECT_EQ(whole.c[t * nh + i], one.c[i]) << "t " << t;
      cell_state = one.c;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Cells, ReferenceCell,
                         ::testing::Values(CellKind::simple_rnn, CellKind::lstm, CellKind::gru),
                         [](const ::testing::TestParamInfo<CellKind>& info) {
                           return cell_name(info.param);
                         });

TEST(ReferenceGradient, DenseBce) {
  const int N = 4, H = 3;
  auto h = random_vector<double>(N * H, -1, 1, 20);
  auto w = random_vector<double>(H, -2, 2, 21);
  std::vector<double> b = {0.3};
  const std::vector<float> labels = {1, 0, 0, 1};
  std::vector<double> logits(N), dh(N * H), dw(H, 0.0), db(1, 0.0);
  reference::dense_bce_forward_backward(h.data(), w.data(), b.data(), labels.data(), N, H, 1.0,
                                        logits.data(), dh.data(), dw.data(), db.data());
  std::vector<double> scratch_dh(N * H), scratch_dw(H), scratch_db(1);
  auto f = [&] {
    return reference::dense_bce_forward_backward<double>(
        h.data(), w.data(), b.data(), labels.data(), N, H, 1.0, nullptr, scratch_dh.data(),
        scratch_dw.data(), scratch_db.data());
  };
  check_gradient("dh", h, dh, f);
  check_gradient("dw", w, dw, f);
  check_gradient("db", b, db, f);
}

TEST(ReferenceDenseBce, LossValuesAndGradScale) {
  // H = 1, w = 1, b = 0: the logit is h itself, so the loss can be written by hand.
  const std::vector<double> h = {0.0, 2.0, -3.0, 1000.0, -1000.0};
  const std::vector<float> labels = {1, 1, 1, 0, 0};
  const double w = 1, b = 0;
  std::vector<double> logits(5), dh(5), dw(1, 0.0), db(1, 0.0);
  const double loss = reference::dense_bce_forward_backward(
      h.data(), &w, &b, labels.data(), 5, 1, 0.5, logits.data(), dh.data(), dw.data(), db.data());
  // log 2 + log(1 + e^-2) + (3 + log(1 + e^-3)) + (1000 + ~0) + ~0: the extreme logits stay
  // finite, which the naive -log(sigmoid) would not in float.
  const double expected =
      std::log(2.0) + std::log1p(std::exp(-2.0)) + 3 + std::log1p(std::exp(-3.0)) + 1000;
  EXPECT_NEAR(loss, expected, 1e-12);
  EXPECT_EQ(logits[3], 1000.0);
  // dh = grad_scale * (sigmoid(z) - y) * w.
  EXPECT_NEAR(dh[0], 0.5 * (0.5 - 1), 1e-15);
  EXPECT_NEAR(dh[3], 0.5 * (1 - 0), 1e-15);
  EXPECT_NEAR(dh[4], 0.0, 1e-15);
}

TEST(ReferenceGradient, WholeModel) {
  ModelShape shape;
  shape.num_words = 11;
  shape.embedding_dim = 4;
  shape.units = 3;
  const int N = 3, T = 5;
  const ParamLayout layout = make_layout(shape);
  // Larger than Keras's init so every parameter has a gradient well above the 1e-2 floor.
  auto params = random_vector<double>(layout.total(), -0.5, 0.5, 30);
  const auto ids = random_ids(N * T, shape.num_words, 31);
  const std::vector<float> labels = {1, 0, 1};
  const double scale = 1.0 / N;
  std::vector<double> grads(layout.total(), 0.0), logits(N);
  const double loss = reference::model_loss_and_grad(
      shape, params.data(), ids.data(), labels.data(), N, T, scale, grads.data(), logits.data());
  EXPECT_GT(loss, 0.0);
  // Every one of the 72 parameters; rows of the table no id reads must get exactly zero.
  check_gradient("params", params, grads, [&] {
    return scale * reference::model_loss_and_grad<double>(shape, params.data(), ids.data(),
                                                          labels.data(), N, T, 1.0, nullptr,
                                                          nullptr);
  });
  // Without grads the loss and logits are the same.
  std::vector<double> logits2(N);
  EXPECT_EQ(loss,
            reference::model_loss_and_grad<double>(shape, params.data(), ids.data(), labels.data(),
                                                   N, T, scale, nullptr, logits2.data()));
  EXPECT_EQ(logits, logits2);
}

// The whole model for every cell, direction and depth (and with dropout), against finite
// differences. Rows are pre-padded by different amounts so the backward direction's
// per-row reversal of the real tokens is exercised.
struct Variant {
  CellKind cell;
  bool bidirectional;
  int layers;
  float dropout;
  Pooling pooling = Pooling::last;
  float word_dropout = 0;
  float projection_dropout = 0;
  float embedding_weight_dropout = 0;
  int bigram_buckets = 0;
  int negation_scope = 0;  // with bigrams: a few ids act as negators
};

std::string variant_name(const Variant& v) {
  return cell_name(v.cell) + (v.bidirectional ? "Bi" : "Uni") + std::to_string(v.layers) +
         (v.dropout > 0 ? "Dropout" : "") +
         (v.pooling == Pooling::last ? "" : pooling_name(v.pooling)) +
         (v.word_dropout > 0 ? "WordDropout" : "") +
         (v.projection_dropout > 0 ? "ProjectionDropout" : "") +
         (v.embedding_weight_dropout > 0 ? "EmbeddingWeightDropout" : "") +
         (v.bigram_buckets > 0 ? "Bigrams" + std::to_string(v.bigram_buckets) : "") +
         (v.negation_scope > 0 ? "Negation" + std::to_string(v.negation_scope) : "");
}

class ReferenceModelGradient : public ::testing::TestWithParam<Variant> {};

TEST_P(ReferenceModelGradient, MatchesFiniteDifferences) {
  const Variant v = GetParam();
  ModelShape shape;
  shape.num_words = 9;
  shape.embedding_dim = 3;
  shape.units = 2;
  shape.cell = v.cell;
  shape.bidirectional = v.bidirectional;
  shape.layers = v.layers;
  shape.pooling = v.pooling;
  shape.bigram_buckets = v.bigram_buckets;
  shape.negation_scope = v.negation_scope;
  if (v.negation_scope > 0) shape.negators = {3, 6};
  const int N = 3, T = 5;
  const ParamLayout layout = make_layout(shape);
  auto params = random_vector<double>(layout.total(), -0.5, 0.5, 40);
  auto ids = random_ids(N * T, shape.num_words - 1, 41);
  for (auto& id : ids) id += 1;  // no padding inside a review...
  for (int n = 0; n < N; ++n)
    for (int t = 0; t < n; ++t) ids[std::size_t(n) * T + t] = 0;  // ...but n leading pads
  if (v.negation_scope > 0) ids[1] = 3;  // at least one negator, with tokens after it
  const std::vector<float> labels = {1, 0, 1};
  Dropout dropout;
  dropout.rate = v.dropout;
  dropout.word_rate = v.word_dropout;
  dropout.projection_rate = v.projection_dropout;
  dropout.embedding_weight_rate = v.embedding_weight_dropout;
  dropout.stream = 77;
  dropout.first_row = 5;
  const double scale = 1.0 / N;
  std::vector<double> grads(layout.total(), 0.0);
  reference::model_loss_and_grad(shape, params.data(), ids.data(), labels.data(), N, T, scale,
                                 grads.data(), static_cast<double*>(nullptr), dropout);
  check_gradient(variant_name(v), params, grads, [&] {
    return scale * reference::model_loss_and_grad<double>(shape, params.data(), ids.data(),
                                                          labels.data(), N, T, 1.0, nullptr,
                                                          nullptr, dropout);
  });
}

INSTANTIATE_TEST_SUITE_P(
    Variants, ReferenceModelGradient,
    ::testing::Values(Variant{CellKind::simple_rnn, true, 2, 0},
                      Variant{CellKind::lstm, false, 1, 0}, Variant{CellKind::lstm, true, 1, 0},
                      Variant{CellKind::lstm, false, 2, 0}, Variant{CellKind::lstm, true, 2, 0},
                      Variant{CellKind::gru, false, 1, 0}, Variant{CellKind::gru, true, 1, 0},
                      Variant{CellKind::gru, false, 2, 0}, Variant{CellKind::gru, true, 2, 0},
                      Variant{CellKind::gru, false, 1, 0.3f},
                      Variant{CellKind::gru, true, 1, 0, Pooling::mean},
                      Variant{CellKind::lstm, true, 2, 0.2f, Pooling::mean},
                      Variant{CellKind::simple_rnn, false, 1, 0, Pooling::mean},
                      Variant{CellKind::gru, true, 1, 0, Pooling::max},
                      Variant{CellKind::lstm, true, 2, 0.2f, Pooling::max},
                      Variant{CellKind::simple_rnn, false, 1, 0, Pooling::max},
                      Variant{CellKind::gru, true, 1, 0.2f, Pooling::last, 0.3f},
                      Variant{CellKind::gru, true, 2, 0, Pooling::last, 0, 0.4f},
                      Variant{CellKind::lstm, false, 1, 0.2f, Pooling::mean, 0.3f, 0.5f},
                      Variant{CellKind::gru, true, 1, 0, Pooling::last, 0.25f, 0, 0.5f},
                      // 3 buckets for 10 bigrams: rows shared by several bigrams sum them all.
                      Variant{CellKind::gru, true, 1, 0.2f, Pooling::last, 0.3f, 0, 0, 3},
                      Variant{CellKind::lstm, false, 2, 0, Pooling::max, 0, 0, 0, 7},
                      // Negated rows share the 5 buckets with the bigrams.
                      Variant{CellKind::gru, true, 1, 0.2f, Pooling::last, 0.3f, 0, 0, 5, 2},
                      Variant{CellKind::simple_rnn, false, 1, 0, Pooling::mean, 0, 0, 0, 11, 3}),
    [](const ::testing::TestParamInfo<Variant>& info) { return variant_name(info.param); });

// A bidirectional model's backward direction reads the real tokens last to first: swapping
// its weights with the forward direction's equals reversing every review's real tokens.
TEST(ReferenceModel, BackwardDirectionReadsRealTokensReversed) {
  ModelShape shape;
  shape.num_words = 9;
  shape.embedding_dim = 3;
  shape.units = 2;
  shape.cell = CellKind::gru;
  shape.bidirectional = true;
  const ParamLayout layout = make_layout(shape);
  const int N = 2, T = 6;
  auto params = random_vector<double>(layout.total(), -0.5, 0.5, 50);
  const std::vector<std::int32_t> ids = {0, 0, 1, 5, 7, 3, /**/ 0, 1, 4, 4, 8, 2};
  const std::vector<std::int32_t> reversed = {0, 0, 3, 7, 5, 1, /**/ 0, 2, 8, 4, 4, 1};
  // Swap the two directions' slots and the two halves of the dense kernel.
  auto swapped = params;
  const std::string f = rnn_slot_prefix(shape, 0, 0), b = rnn_slot_prefix(shape, 0, 1);
  for (const char* name : {"/kernel", "/recurrent_kernel", "/bias"}) {
    const Slot& sf = layout.slot(f + name);
    const Slot& sb = layout.slot(b + name);
    for (std::size_t i = 0; i < sf.size(); ++i) {
      swapped[sf.offset + i] = params[sb.offset + i];
      swapped[sb.offset + i] = params[sf.offset + i];
    }
  }
  const Slot& dk = layout.slot("dense/kernel");
  for (int j = 0; j < shape.units; ++j) {
    swapped[dk.offset + std::size_t(j)] = params[dk.offset + std::size_t(shape.units + j)];
    swapped[dk.offset + std::size_t(shape.units + j)] = params[dk.offset + std::size_t(j)];
  }
  const std::vector<float> labels = {1, 0};
  std::vector<double> a(N), r(N);
  reference::model_loss_and_grad<double>(shape, params.data(), ids.data(), labels.data(), N, T, 1.0,
                                         nullptr, a.data());
  reference::model_loss_and_grad<double>(shape, swapped.data(), reversed.data(), labels.data(), N,
                                         T, 1.0, nullptr, r.data());
  for (int n = 0; n < N; ++n) EXPECT_NEAR(a[std::size_t(n)], r[std::size_t(n)], 1e-12) << n;
}

}  // namespace
}  // namespace rnnsent
