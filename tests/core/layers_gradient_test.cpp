// Finite differences on the fast layers themselves (not only on the reference): for every cell,
// direction, depth and pooling, on both fast paths (token table, dense projection), the
// gradient of each slot along a random direction equals the central difference of the loss.
// In float, so the step is large (1e-3 on O(1) weights) and the bound loose: truncation error
// is about 1e-6, rounding of the O(1) loss about 1e-4 of the derivative; bound 3e-3 relative.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/init.hpp"
#include "core/sentiment_model.hpp"
#include "tests/core/test_util.hpp"

namespace rnnsent {
namespace {

struct GradCase {
  CellKind cell;
  bool bidirectional;
  int layers;
  Pooling pooling;
  bool table;
  float projection_dropout = 0;
  float embedding_weight_dropout = 0;
};

class FastLayerGradients : public ::testing::TestWithParam<GradCase> {};

TEST_P(FastLayerGradients, EverySlotMatchesCentralDifferences) {
  const GradCase& c = GetParam();
  ModelShape s;
  s.num_words = 30;
  s.embedding_dim = 6;
  s.units = 4;
  s.cell = c.cell;
  s.bidirectional = c.bidirectional;
  s.layers = c.layers;
  s.pooling = c.pooling;
  const ParamLayout layout = make_layout(s);
  std::vector<float> params(layout.total());
  keras_initialize(s, layout, 3, params.data());
  const Slot& emb = layout.slot("embedding/embeddings");
  for (std::size_t i = emb.offset; i < emb.offset + emb.size(); ++i) params[i] *= 10;
  const int N = 5, T = 8;
  std::vector<std::int32_t> ids = testing::random_ids(std::size_t(N) * T, s.num_words, 4);
  for (int n = 0; n < N; ++n)  // pre-padding of 0, 2, 4, 6, 8 steps
    for (int t = 0; t < 2 * n && t < T; ++t) ids[std::size_t(n) * T + t] = 0;
  std::vector<float> labels = {1, 0, 1, 1, 0};
  SentimentModel model(s);
  model.set_token_table(c.table);
  Dropout dropout;  // a fixed mask: the loss stays a smooth function of the weights
  dropout.projection_rate = c.projection_dropout;
  dropout.embedding_weight_rate = c.embedding_weight_dropout;
  dropout.stream = 5;
  auto loss_at = [&](const std::vector<float>& p, std::vector<float>* grads) {
    std::vector<float> g(p.size(), 0.0f);
    const double loss = model.forward_backward(p.data(), ids.data(), labels.data(), N, T,
                                               1.0f / N, g.data(), nullptr, dropout) / N;
    if (grads) *grads = g;
    return loss;
  };
  std::vector<float> grads;
  loss_at(params, &grads);
  const double eps = 1e-3;
  for (const Slot& slot : layout.slots()) {
    const auto v = testing::random_vector<float>(slot.size(), -1, 1, slot.offset + 11);
    double analytic = 0;
    std::vector<float> plus = params, minus = params;
    for (std::size_t i = 0; i < slot.size(); ++i) {
      analytic += double(grads[slot.offset + i]) * v[i];
      plus[slot.offset + i] += float(eps * v[i]);
      minus[slot.offset + i] -= float(eps * v[i]);
    }
    const double numeric = (loss_at(plus, nullptr) - loss_at(minus, nullptr)) / (2 * eps);
    EXPECT_NEAR(numeric, analytic, 3e-3 * std::max(1.0, std::abs(analytic)) + 2e-4) << slot.name;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Layers, FastLayerGradients,
    ::testing::Values(GradCase{CellKind::simple_rnn, false, 1, Pooling::last, true},
                      GradCase{CellKind::simple_rnn, true, 2, Pooling::mean, false},
                      GradCase{CellKind::lstm, false, 1, Pooling::last, true},
                      GradCase{CellKind::lstm, true, 1, Pooling::max, true},
                      GradCase{CellKind::lstm, false, 2, Pooling::mean, false},
                      GradCase{CellKind::gru, false, 1, Pooling::last, true},
                      GradCase{CellKind::gru, true, 1, Pooling::last, true},
                      GradCase{CellKind::gru, true, 2, Pooling::max, false},
                      GradCase{CellKind::gru, false, 3, Pooling::mean, true},
                      GradCase{CellKind::gru, true, 1, Pooling::last, true, 0.5f},
                      GradCase{CellKind::lstm, true, 2, Pooling::mean, false, 0.3f},
                      GradCase{CellKind::gru, true, 1, Pooling::last, true, 0, 0.5f},
                      GradCase{CellKind::simple_rnn, false, 2, Pooling::last, false, 0, 0.4f}),
    [](const ::testing::TestParamInfo<GradCase>& info) {
      const GradCase& c = info.param;
      return cell_name(c.cell) + (c.bidirectional ? "Bi" : "Uni") + std::to_string(c.layers) +
             pooling_name(c.pooling) + (c.table ? "Table" : "Dense") +
             (c.projection_dropout > 0 ? "ProjectionDropout" : "") +
             (c.embedding_weight_dropout > 0 ? "EmbeddingWeightDropout" : "");
    });

}  // namespace
}  // namespace rnnsent
