// Length-bucketed scoring with shared padding states gives the logits of the plain full-length
// forward pass: the skipped padding steps are recomputed once instead of per review.
#include <gtest/gtest.h>

#include <random>

#include "core/init.hpp"
#include "launch/lib/scoring.hpp"

namespace rnnsent {
namespace {

PaddedSet random_set(int rows, int maxlen, int V, Padding padding, std::uint32_t seed) {
  std::mt19937 rng(seed);
  EncodedSplit s;
  s.offsets.push_back(0);
  for (int i = 0; i < rows; ++i) {
    // Lengths from 1 (start id only) to beyond maxlen (truncated), every bucket exercised.
    const int length = 1 + int(rng() % std::uint32_t(maxlen + 8));
    s.tokens.push_back(1);
    for (int t = 1; t < length; ++t) s.tokens.push_back(3 + int(rng() % std::uint32_t(V - 3)));
    s.offsets.push_back(std::int64_t(s.tokens.size()));
    s.labels.push_back(std::uint8_t(i % 2));
  }
  std::vector<std::uint32_t> all(static_cast<std::size_t>(rows));
  for (int i = 0; i < rows; ++i) all[std::size_t(i)] = std::uint32_t(i);
  return make_padded_set(s, all, maxlen, padding, V);
}

void expect_matches_full_forward(Padding padding, CellKind cell = CellKind::simple_rnn,
                                 bool bidirectional = false, int layers = 1,
                                 Pooling pooling = Pooling::last, int buckets = 0,
                                 int negation_scope = 0) {
  ModelShape shape;
  shape.num_words = 50;
  shape.embedding_dim = 16;
  shape.units = 12;
  shape.cell = cell;
  shape.bidirectional = bidirectional;
  shape.layers = layers;
  shape.pooling = pooling;
  shape.bigram_buckets = buckets;
  shape.negation_scope = negation_scope;
  if (negation_scope > 0) shape.negators = {5, 9, 13};
  SentimentModel model(shape);
  std::vector<float> params(model.layout().total());
  keras_initialize(shape, model.layout(), 3, params.data());
  // Make the padding row's embedding matter, as a trained one does.
  for (int e = 0; e < shape.embedding_dim; ++e) params[std::size_t(e)] = 0.3f;
  // Bucket rows start at zero, which would hide them: give them values.
  std::mt19937 rng(17);
  const std::size_t words = std::size_t(shape.num_words) * std::size_t(shape.embedding_dim);
  for (std::size_t i = 0; i < std::size_t(buckets) * std::size_t(shape.embedding_dim); ++i)
    params[words + i] = float(int(rng() % 1001) - 500) / 1000.0f;
  const int rows = 300, maxlen = 40;
  const PaddedSet set = random_set(rows, maxlen, shape.num_words, padding, 9);
  std::vector<float> plain(rows), fast(rows);
  model.predict_logits(params.data(), set.ids.data(), rows, maxlen, plain.data());
  score_rows(model, params.data(), set, std::size_t(rows), 32, fast.data());
  // Same arithmetic up to the order oneDNN sums within differently shaped calls:
  // float rounding over at most 40 steps of 12 units, far below 1e-5 (measured ~1e-7).
  double worst = 0;
  for (int i = 0; i < rows; ++i)
    worst = std::max(worst, double(std::abs(plain[std::size_t(i)] - fast[std::size_t(i)])));
  EXPECT_LT(worst, 1e-5);
  // The padding really changes the state: scoring from zero instead would differ.
  EXPECT_GT(std::abs(plain[0] - plain[1]) + std::abs(plain[2] - plain[3]), 1e-4);
}

TEST(ScoringTest, PrePaddingBucketsMatchTheFullForwardPass) {
  expect_matches_full_forward(Padding::pre);
}

// Bigram and negated rows: padding reads neither, so its states stay review-independent.
TEST(ScoringTest, BigramAndNegatedRowsKeepTheShortcutExact) {
  expect_matches_full_forward(Padding::pre, CellKind::gru, true, 1, Pooling::last, 37, 3);
  expect_matches_full_forward(Padding::pre, CellKind::gru, false, 1, Pooling::max, 37, 2);
}

TEST(ScoringTest, PostPaddingMatchesTheFullForwardPass) {
  expect_matches_full_forward(Padding::post);
}

// Every layer and direction starts from its own padding state (LSTM: h and c); the backward
// direction crosses the padding first too, so the shortcut is exact for every architecture.
TEST(ScoringTest, PrePaddingBucketsMatchForLstmGruBidirectionalAndStacked) {
  expect_matches_full_forward(Padding::pre, CellKind::lstm);
  expect_matches_full_forward(Padding::pre, CellKind::gru, true);
  expect_matches_full_forward(Padding::pre, CellKind::lstm, true, 2);
  expect_matches_full_forward(Padding::pre, CellKind::gru, false, 3);
  expect_matches_full_forward(Padding::post, CellKind::gru, true, 2);
  expect_matches_full_forward(Padding::pre, CellKind::gru, true, 1, Pooling::mean);
  expect_matches_full_forward(Padding::post, CellKind::lstm, false, 2, Pooling::mean);
  expect_matches_full_forward(Padding::pre, CellKind::gru, true, 1, Pooling::max);
  expect_matches_full_forward(Padding::post, CellKind::lstm, true, 2, Pooling::max);
}

TEST(ScoringTest, PaddingStatesAreTheStatesOfAnAllPaddingReview) {
  ModelShape shape;
  shape.num_words = 20;
  shape.embedding_dim = 8;
  shape.units = 6;
  SentimentModel model(shape);
  std::vector<float> params(model.layout().total());
  keras_initialize(shape, model.layout(), 4, params.data());
  for (int e = 0; e < shape.embedding_dim; ++e) params[std::size_t(e)] = 0.5f;
  const int T = 9;
  std::vector<float> states(std::size_t(T + 1) * 6);
  model.padding_states(params.data(), T, states.data());
  for (int h = 0; h < 6; ++h) EXPECT_EQ(states[std::size_t(h)], 0.0f);
  // After k padding steps, the state must be what a review of k padding ids ends in; check
  // through the dense layer: logits of all-padding reviews of length k vs from states[k].
  const float* w = params.data() + model.layout().slot("dense/kernel").offset;
  const float b = params[model.layout().slot("dense/bias").offset];
  for (int k = 2; k <= T; ++k) {
    std::vector<std::int32_t> ids(std::size_t(k), 0);
    float logit = 0;
    model.predict_logits(params.data(), ids.data(), 1, k, &logit);
    float from_state = b;
    for (int h = 0; h < 6; ++h) from_state += states[std::size_t(k) * 6 + std::size_t(h)] * w[h];
    EXPECT_NEAR(logit, from_state, 1e-6) << "after " << k << " padding steps";
  }
}

}  // namespace
}  // namespace rnnsent
