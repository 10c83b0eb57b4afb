// SentimentModel's layer list on each of its paths (the fast engine with the token table, the
// fast engine with the dense input projection, oneDNN's RNN primitive) against the double
// reference model on the same flat parameters: loss, logits and every gradient slot; prediction
// logits; reuse of the cached buffers and primitives across calls and batch shapes.
#include "core/sentiment_model.hpp"

#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/init.hpp"
#include "core/reference.hpp"
#include "tests/core/test_util.hpp"

namespace rnnsent {
namespace {

using testing::cast_vector;
using testing::random_ids;
using testing::random_vector;
using testing::scaled_max_error;

// Same reasoning and measurements as the OneDnnRnn test: float error grows at most linearly
// with the T steps it passes through; measured 1e-7..1e-6, bound 3e-6 (1 + T/50).
double tolerance(int T) { return 3e-6 * (1.0 + T / 50.0); }

struct Batch {
  int N, T;
  std::vector<std::int32_t> ids;
  std::vector<float> labels;
  Batch(int n, int t, int V, std::uint64_t seed) : N(n), T(t) {
    ids = random_ids(std::size_t(N) * T, V, seed);
    labels.resize(N);
    for (int i = 0; i < N; ++i) labels[i] = static_cast<float>((i * 7 + seed) % 2);
  }
};

std::vector<float> init_params(const ModelShape& shape, std::uint64_t seed) {
  const ParamLayout layout = make_layout(shape);
  std::vector<float> p(layout.total());
  keras_initialize(shape, layout, seed, p.data());
  // Keras's 0.05 embedding gives tiny activations; scale it up so tanh is exercised non-linearly.
  const Slot& emb = layout.slot("embedding/embeddings");
  for (std::size_t i = emb.offset; i < emb.offset + emb.size(); ++i) p[i] *= 10;
  return p;
}

struct Outcome {
  float loss;
  std::vector<float> grads, logits;
};

Outcome run_fast(SentimentModel& model, const std::vector<float>& params, const Batch& b,
                 const Dropout& dropout = {}) {
  Outcome r;
  r.grads.assign(params.size(), 0.f);
  r.logits.assign(b.N, NAN);
  r.loss = model.forward_backward(params.data(), b.ids.data(), b.labels.data(), b.N, b.T,
                                  1.0f / b.N, r.grads.data(), r.logits.data(), dropout);
  return r;
}

void expect_matches_reference(const ModelShape& shape, const std::vector<float>& params,
                              const Batch& b, const Outcome& fast, const Dropout& dropout = {}) {
  const auto pd = cast_vector<double>(params);
  std::vector<double> grads(params.size(), 0.0), logits(b.N);
  const double loss =
      reference::model_loss_and_grad<double>(shape, pd.data(), b.ids.data(), b.labels.data(), b.N,
                                             b.T, 1.0 / b.N, grads.data(), logits.data(), dropout);
  const double tol = tolerance(b.T);
  EXPECT_NEAR(fast.loss, loss, tol * std::max(1.0, std::abs(loss)));
  EXPECT_LT(scaled_max_error(fast.logits, logits), tol);
  const ParamLayout layout = make_layout(shape);
  for (const Slot& s : layout.slots()) {
    EXPECT_LT(scaled_max_error(fast.grads.data() + s.offset, grads.data() + s.offset, s.size()),
              tol)
        << s.name;
  }
}

// The model's three paths: the fast engine reading the token table (where exact), the fast
// engine with the dense input projection, oneDNN's RNN primitive.
struct Path {
  std::string name;
  RecurrentEngine engine;
  bool table;
  void apply(SentimentModel& m) const {
    m.set_engine(engine);
    m.set_token_table(table);
  }
};
std::vector<Path> all_paths() {
  return {{"fast table", RecurrentEngine::fast, true},
          {"fast dense", RecurrentEngine::fast, false},
          {"onednn", RecurrentEngine::onednn, false}};
}

ModelShape small_shape() {
  ModelShape s;
  s.num_words = 50;
  s.embedding_dim = 8;
  s.units = 5;
  return s;
}

TEST(SentimentModel, ForwardBackwardMatchesReference) {
  const ModelShape shape = small_shape();
  const auto params = init_params(shape, 3);
  const Batch b(6, 20, shape.num_words, 4);
  SentimentModel model(shape);
  expect_matches_reference(shape, params, b, run_fast(model, params, b));
}

TEST(SentimentModel, ForwardBackwardMatchesReferenceAtCourseWidth) {
  ModelShape shape;
  shape.num_words = 1000;
  shape.embedding_dim = 128;
  shape.units = 64;
  const auto params = init_params(shape, 5);
  const Batch b(16, 60, shape.num_words, 6);
  SentimentModel model(shape);
  expect_matches_reference(shape, params, b, run_fast(model, params, b));
}

TEST(SentimentModel, GradientsAreAddedWithGradScale) {
  const ModelShape shape = small_shape();
  const auto params = init_params(shape, 7);
  const Batch b(4, 9, shape.num_words, 8);
  SentimentModel model(shape);
  const Outcome once = run_fast(model, params, b);
  // A second call into the same buffer with scale 2/N must leave 3x the first gradient.
  std::vector<float> grads = once.grads;
  model.forward_backward(params.data(), b.ids.data(), b.labels.data(), b.N, b.T, 2.0f / b.N,
                         grads.data(), nullptr);
  std::vector<float> expected(grads.size());
  for (std::size_t i = 0; i < grads.size(); ++i) expected[i] = 3 * once.grads[i];
  // oneDNN sums T*N terms onto the non-zero gradient, so rounding is relative to the running
  // sums, i.e. to the slot's largest entry rather than to each (possibly cancelled) entry:
  // compare per slot at 1e-6 of its scale, ~10 float roundings.
  const ParamLayout layout = make_layout(shape);
  for (const Slot& s : layout.slots()) {
    EXPECT_LT(scaled_max_error(grads.data() + s.offset, expected.data() + s.offset, s.size()), 1e-6)
        << s.name;
  }
}

TEST(SentimentModel, PredictLogitsEqualTrainingLogits) {
  const ModelShape shape = small_shape();
  const auto params = init_params(shape, 9);
  const Batch b(5, 13, shape.num_words, 10);
  SentimentModel model(shape);
  const Outcome r = run_fast(model, params, b);
  std::vector<float> logits(b.N);
  model.predict_logits(params.data(), b.ids.data(), b.N, b.T, logits.data());
  // Inference and training primitives compute the same sums; allow float rounding only.
  for (int n = 0; n < b.N; ++n) EXPECT_NEAR(logits[n], r.logits[n], 1e-6) << n;
}

TEST(SentimentModel, RepeatedAndAlternatingShapesReuseCachedPrimitives) {
  const ModelShape shape = small_shape();
  const auto params = init_params(shape, 11);
  const Batch a(8, 30, shape.num_words, 12), c(3, 7, shape.num_words, 13);
  SentimentModel model(shape);
  const Outcome a1 = run_fast(model, params, a);
  const Outcome a2 = run_fast(model, params, a);
  const Outcome c1 = run_fast(model, params, c);
  const Outcome a3 = run_fast(model, params, a);
  const Outcome c2 = run_fast(model, params, c);
  // Deterministic primitives and scatter: the same shape gives bit-identical results.
  EXPECT_EQ(a1.loss, a2.loss);
  EXPECT_EQ(a1.grads, a2.grads);
  EXPECT_EQ(a1.grads, a3.grads);
  EXPECT_EQ(a1.logits, a3.logits);
  EXPECT_EQ(c1.grads, c2.grads);
  expect_matches_reference(shape, params, c, c2);
  expect_matches_reference(shape, params, a, a3);
}

TEST(SentimentModel, ThreadCountChangesOnlyRounding) {
  // Each thread runs its own chunk of the batch, so the gradient is summed in another order
  // for another thread count: equal to float rounding (relative 1e-5 of each slot's largest
  // entry is ~100 ulps of headroom over sums of a few chunks), and bit-identical for the same
  // count, which is what reproducible runs rely on.
  ModelShape shape;
  shape.num_words = 300;
  shape.embedding_dim = 128;
  shape.units = 64;
  const auto params = init_params(shape, 13);
  const Batch b(16, 40, shape.num_words, 14);
  const int saved = omp_get_max_threads();
  std::vector<Outcome> out;
  for (int threads : {1, 2, 2, 3}) {
    omp_set_num_threads(threads);
    SentimentModel model(shape);
    out.push_back(run_fast(model, params, b));
  }
  omp_set_num_threads(saved);
  EXPECT_EQ(out[1].loss, out[2].loss);
  EXPECT_EQ(out[1].logits, out[2].logits);
  EXPECT_EQ(out[1].grads, out[2].grads);
  for (std::size_t r : {std::size_t(1), std::size_t(3)}) {
    EXPECT_NEAR(out[0].loss, out[r].loss, 1e-5 * std::abs(out[0].loss));
    ASSERT_EQ(out[0].logits.size(), out[r].logits.size());
    for (std::size_t i = 0; i < out[0].logits.size(); ++i)
      EXPECT_NEAR(out[0].logits[i], out[r].logits[i], 1e-5);
    float scale = 0;
    for (float g : out[0].grads) scale = std::max(scale, std::abs(g));
    for (std::size_t i = 0; i < out[0].grads.size(); ++i)
      ASSERT_NEAR(out[0].grads[i], out[r].grads[i], 1e-5 * scale) << "gradient entry " << i;
  }
}

TEST(SentimentModel, RejectsOutOfRangeIds) {
  const ModelShape shape = small_shape();
  const auto params = init_params(shape, 1);
  Batch b(2, 4, shape.num_words, 2);
  b.ids[5] = shape.num_words;
  SentimentModel model(shape);
  std::vector<float> grads(params.size()), logits(b.N);
  try {
    model.forward_backward(params.data(), b.ids.data(), b.labels.data(), b.N, b.T, 1.f,
                           grads.data(), logits.data());
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("50"), std::string::npos) << e.what();
  }
}

// Every cell, direction and depth, with and without dropout, on pre-padded rows of different
// lengths (the bidirectional path reverses each row's real tokens), at 1 and 2 threads.
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

class SentimentModelVariants : public ::testing::TestWithParam<Variant> {
 protected:
  ModelShape shape() const {
    ModelShape s = small_shape();
    s.cell = GetParam().cell;
    s.bidirectional = GetParam().bidirectional;
    s.layers = GetParam().layers;
    s.pooling = GetParam().pooling;
    s.bigram_buckets = GetParam().bigram_buckets;
    s.negation_scope = GetParam().negation_scope;
    if (s.negation_scope > 0) s.negators = {4, 9, 17, 30};
    return s;
  }
  // Keras init plus, with bigrams, random bigram rows (they start at zero, which would leave
  // their part of the forward pass untested).
  static std::vector<float> params_for(const ModelShape& s, std::uint64_t seed) {
    std::vector<float> p = init_params(s, seed);
    const ParamLayout layout = make_layout(s);
    const Slot& emb = layout.slot("embedding/embeddings");
    const std::size_t words = std::size_t(s.num_words) * std::size_t(s.embedding_dim);
    const auto rows = random_vector<float>(emb.size() - words, -0.5, 0.5, seed + 1);
    std::copy(rows.begin(), rows.end(), p.begin() + std::ptrdiff_t(emb.offset + words));
    return p;
  }
  static Batch padded_batch(int N, int T, int V, std::uint64_t seed) {
    Batch b(N, T, V, seed);
    for (int n = 0; n < N; ++n)
      for (int t = 0; t < T; ++t) {
        std::int32_t& id = b.ids[std::size_t(n) * T + t];
        id = t < (n * 3) % T ? 0 : 1 + id % (V - 1);
      }
    return b;
  }
};

TEST_P(SentimentModelVariants, ForwardBackwardMatchesReference) {
  const ModelShape s = shape();
  const auto params = params_for(s, 21);
  const Batch b = padded_batch(7, 16, s.num_words, 22);
  Dropout dropout;
  dropout.rate = GetParam().dropout;
  dropout.word_rate = GetParam().word_dropout;
  dropout.projection_rate = GetParam().projection_dropout;
  dropout.embedding_weight_rate = GetParam().embedding_weight_dropout;
  dropout.stream = 1234;
  dropout.first_row = 40;
  const int saved = omp_get_max_threads();
  for (int threads : {1, 2}) {
    omp_set_num_threads(threads);
    for (const Path& path : all_paths()) {
      SentimentModel model(s);
      path.apply(model);
      SCOPED_TRACE(path.name + " at " + std::to_string(threads) + " threads");
      if (dropout.projection_rate > 0 && path.engine == RecurrentEngine::onednn) {
        // oneDNN's primitive computes x W inside: it refuses rather than ignoring the mask.
        EXPECT_THROW(run_fast(model, params, b, dropout), std::runtime_error);
        continue;
      }
      expect_matches_reference(s, params, b, run_fast(model, params, b, dropout), dropout);
    }
  }
  omp_set_num_threads(saved);
}

TEST_P(SentimentModelVariants, PredictLogitsEqualTrainingLogitsWithoutDropout) {
  const ModelShape s = shape();
  const auto params = params_for(s, 23);
  const Batch b = padded_batch(5, 12, s.num_words, 24);
  for (const Path& path : all_paths()) {
    SentimentModel model(s);
    path.apply(model);
    const Outcome r = run_fast(model, params, b);
    std::vector<float> logits(b.N);
    model.predict_logits(params.data(), b.ids.data(), b.N, b.T, logits.data());
    for (int n = 0; n < b.N; ++n) EXPECT_NEAR(logits[n], r.logits[n], 1e-5) << path.name << n;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Variants, SentimentModelVariants,
    ::testing::Values(Variant{CellKind::simple_rnn, false, 1, 0.25f},
                      Variant{CellKind::simple_rnn, true, 2, 0},
                      Variant{CellKind::lstm, false, 1, 0}, Variant{CellKind::lstm, true, 1, 0},
                      Variant{CellKind::lstm, false, 2, 0}, Variant{CellKind::lstm, true, 2, 0.2f},
                      Variant{CellKind::gru, false, 1, 0}, Variant{CellKind::gru, true, 1, 0},
                      Variant{CellKind::gru, false, 3, 0}, Variant{CellKind::gru, true, 2, 0.5f},
                      Variant{CellKind::gru, true, 1, 0.3f, Pooling::mean},
                      Variant{CellKind::lstm, false, 2, 0, Pooling::mean},
                      Variant{CellKind::gru, true, 1, 0.3f, Pooling::max},
                      Variant{CellKind::lstm, true, 2, 0, Pooling::max},
                      Variant{CellKind::gru, true, 1, 0.25f, Pooling::last, 0.3f},
                      Variant{CellKind::lstm, true, 1, 0, Pooling::last, 0.3f},
                      Variant{CellKind::simple_rnn, false, 1, 0, Pooling::mean, 0.4f},
                      Variant{CellKind::gru, true, 2, 0, Pooling::max, 0.25f},
                      Variant{CellKind::simple_rnn, false, 1, 0, Pooling::last, 0, 0.3f},
                      Variant{CellKind::lstm, true, 1, 0, Pooling::last, 0, 0.5f},
                      Variant{CellKind::gru, true, 1, 0, Pooling::last, 0.25f, 0.5f},
                      Variant{CellKind::gru, true, 2, 0.2f, Pooling::mean, 0, 0.3f},
                      Variant{CellKind::lstm, false, 2, 0, Pooling::max, 0.2f, 0.4f},
                      Variant{CellKind::gru, true, 1, 0, Pooling::last, 0.25f, 0, 0.5f},
                      Variant{CellKind::simple_rnn, false, 1, 0, Pooling::mean, 0, 0, 0.3f},
                      Variant{CellKind::lstm, true, 2, 0.2f, Pooling::last, 0, 0, 0.4f},
                      Variant{CellKind::gru, true, 1, 0.3f, Pooling::last, 0.25f, 0, 0, 13},
                      Variant{CellKind::simple_rnn, false, 1, 0, Pooling::mean, 0, 0, 0, 64},
                      Variant{CellKind::lstm, true, 2, 0, Pooling::max, 0, 0.3f, 0, 5},
                      Variant{CellKind::gru, true, 1, 0.3f, Pooling::last, 0.25f, 0, 0, 13, 2},
                      Variant{CellKind::lstm, false, 2, 0, Pooling::max, 0, 0, 0, 64, 3}),
    [](const ::testing::TestParamInfo<Variant>& info) {
      const Variant& v = info.param;
      return cell_name(v.cell) + (v.bidirectional ? "Bi" : "Uni") + std::to_string(v.layers) +
             (v.dropout > 0 ? "Dropout" : "") +
             (v.pooling == Pooling::last ? "" : pooling_name(v.pooling)) +
             (v.word_dropout > 0 ? "WordDropout" : "") +
             (v.projection_dropout > 0 ? "ProjectionDropout" : "") +
             (v.embedding_weight_dropout > 0 ? "EmbeddingWeightDropout" : "") +
             (v.bigram_buckets > 0 ? "Bigrams" + std::to_string(v.bigram_buckets) : "") +
             (v.negation_scope > 0 ? "Negation" + std::to_string(v.negation_scope) : "");
    });

// The same dropout stream drops the same elements whatever the split into calls: a review's
// mask depends on its global row, so two half batches equal one whole batch.
TEST(SentimentModel, DropoutMaskFollowsTheGlobalRow) {
  ModelShape s = small_shape();
  s.cell = CellKind::gru;
  const auto params = init_params(s, 25);
  const Batch b(6, 10, s.num_words, 26);
  Dropout d;
  d.rate = 0.4f;
  d.stream = 99;
  SentimentModel model(s);
  const Outcome whole = run_fast(model, params, b, d);
  Batch first(3, 10, s.num_words, 26), second(3, 10, s.num_words, 26);
  std::copy(b.ids.begin(), b.ids.begin() + 30, first.ids.begin());
  std::copy(b.ids.begin() + 30, b.ids.end(), second.ids.begin());
  std::copy(b.labels.begin(), b.labels.begin() + 3, first.labels.begin());
  std::copy(b.labels.begin() + 3, b.labels.end(), second.labels.begin());
  const Outcome a = run_fast(model, params, first, d);
  Dropout d2 = d;
  d2.first_row = 3;
  const Outcome c = run_fast(model, params, second, d2);
  for (int n = 0; n < 3; ++n) {
    EXPECT_NEAR(whole.logits[std::size_t(n)], a.logits[std::size_t(n)], 1e-6);
    EXPECT_NEAR(whole.logits[std::size_t(n + 3)], c.logits[std::size_t(n)], 1e-6);
  }
  // And dropout really changes the result.
  const Outcome plain = run_fast(model, params, b);
  EXPECT_GT(std::abs(plain.loss - whole.loss), 1e-4);
}

// Every cell on the fast engine, with the token table and with the dense projection, against
// the double reference and against oneDNN's primitive, for every pooling, at the course width
// and at a small one, with padded rows, at 1 and 2 threads; inference from a non-zero initial
// state (as scoring starts after the padding) agrees across the three paths.
struct TablePathCase {
  CellKind cell;
  bool bidirectional;
  Pooling pooling;
  bool course_width;
};

class TokenTablePath : public ::testing::TestWithParam<TablePathCase> {
 protected:
  ModelShape shape() const {
    ModelShape s = small_shape();
    if (GetParam().course_width) {
      s.num_words = 1000;
      s.embedding_dim = 128;
      s.units = 64;
    }
    s.cell = GetParam().cell;
    s.bidirectional = GetParam().bidirectional;
    s.pooling = GetParam().pooling;
    return s;
  }
};

TEST_P(TokenTablePath, EveryPathMatchesTheReferenceAndTheOthers) {
  const ModelShape s = shape();
  ASSERT_TRUE(SentimentModel(s).uses_token_table({}));
  const auto params = init_params(s, 31);
  Batch b(9, 40, s.num_words, 32);
  for (int n = 0; n < b.N; ++n)  // pre-padding of 0..32 steps, repeated tokens
    for (int t = 0; t < (n * 4) % b.T; ++t) b.ids[std::size_t(n) * b.T + t] = 0;
  const int saved = omp_get_max_threads();
  std::vector<float> h0(state_size(s));
  for (std::size_t j = 0; j < h0.size(); ++j) h0[j] = 0.1f * float(j % 7) - 0.3f;
  for (int threads : {1, 2}) {
    omp_set_num_threads(threads);
    std::vector<Outcome> outcomes;
    std::vector<std::vector<float>> predicted;
    for (const Path& path : all_paths()) {
      SentimentModel model(s);
      path.apply(model);
      outcomes.push_back(run_fast(model, params, b));
      expect_matches_reference(s, params, b, outcomes.back());
      predicted.emplace_back(b.N);
      model.predict_logits(params.data(), b.ids.data(), b.N, b.T, predicted.back().data(),
                           h0.data());
    }
    for (std::size_t k = 1; k < outcomes.size(); ++k) {
      EXPECT_LT(scaled_max_error(outcomes[k].grads, cast_vector<double>(outcomes[0].grads)),
                tolerance(b.T))
          << all_paths()[k].name;
      for (int n = 0; n < b.N; ++n)
        EXPECT_NEAR(predicted[k][std::size_t(n)], predicted[0][std::size_t(n)], 1e-5)
            << all_paths()[k].name << " row " << n;
    }
  }
  omp_set_num_threads(saved);
}

INSTANTIATE_TEST_SUITE_P(
    Cells, TokenTablePath,
    ::testing::Values(TablePathCase{CellKind::simple_rnn, false, Pooling::last, false},
                      TablePathCase{CellKind::simple_rnn, false, Pooling::last, true},
                      TablePathCase{CellKind::simple_rnn, false, Pooling::mean, false},
                      TablePathCase{CellKind::simple_rnn, false, Pooling::max, true},
                      TablePathCase{CellKind::lstm, false, Pooling::last, true},
                      TablePathCase{CellKind::lstm, true, Pooling::max, false},
                      TablePathCase{CellKind::gru, false, Pooling::last, true},
                      TablePathCase{CellKind::gru, true, Pooling::last, true},
                      TablePathCase{CellKind::gru, true, Pooling::mean, false}),
    [](const ::testing::TestParamInfo<TablePathCase>& info) {
      const TablePathCase& c = info.param;
      return cell_name(c.cell) + (c.bidirectional ? "Bi" : "Uni") + pooling_name(c.pooling) +
             (c.course_width ? "CourseWidth" : "Small");
    });

// Element-wise dropout gives every occurrence of a token its own input, so the table steps
// aside and the dense projection runs: the table setting then changes nothing, bit for bit.
// Word dropout alone keeps the table (a dropped token's projection is the bias alone).
TEST(TokenTablePathFallback, ElementDropoutUsesTheDenseProjection) {
  ModelShape s = small_shape();
  s.cell = CellKind::lstm;
  const auto params = init_params(s, 41);
  const Batch b(6, 15, s.num_words, 42);
  Dropout dropout;
  dropout.rate = 0.3f;
  dropout.stream = 7;
  SentimentModel table(s), dense(s);
  dense.set_token_table(false);
  EXPECT_FALSE(table.uses_token_table(dropout));
  const Outcome a = run_fast(table, params, b, dropout), o = run_fast(dense, params, b, dropout);
  EXPECT_EQ(a.loss, o.loss);
  EXPECT_EQ(a.grads, o.grads);
  Dropout words;
  words.word_rate = 0.3f;
  words.stream = 7;
  EXPECT_TRUE(table.uses_token_table(words));
}

}  // namespace
}  // namespace rnnsent
