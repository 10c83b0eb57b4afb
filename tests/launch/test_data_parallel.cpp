// The data-parallel step on one rank against the same arithmetic written out: the gradient's
// global norm, clipping, RMSprop and Adam with a warm-up schedule, skipped non-finite steps,
// and the dropout each rank is given. (Several ranks: tests/dist/test_equivalence.cpp.)
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "core/adam.hpp"
#include "core/grad_clip.hpp"
#include "core/init.hpp"
#include "core/rmsprop.hpp"
#include "launch/lib/data_parallel.hpp"
#include "tests/launch/session_for_tests.hpp"

namespace rnnsent {
namespace {

using testing_support::session;

constexpr int kN = 10, kT = 12;

ModelShape small_shape() {
  ModelShape s;
  s.num_words = 60;
  s.embedding_dim = 16;
  s.units = 8;
  return s;
}

struct Batch {
  std::vector<std::int32_t> ids;
  std::vector<float> labels;
};

Batch make_batch(std::uint32_t seed) {
  std::mt19937 rng(seed);
  Batch b;
  // Ids below 40 only: rows 40-59 are never touched.
  for (int i = 0; i < kN * kT; ++i) b.ids.push_back(std::int32_t(rng() % 40));
  for (int i = 0; i < kN; ++i) b.labels.push_back(float(rng() % 2));
  return b;
}

// The global norm in its documented order: the slots before the table, each table row's
// squares summed then added in row order, the slots after it.
double reference_norm(const std::vector<float>& g, const ModelShape& shape, std::size_t offset) {
  const std::size_t E = std::size_t(shape.embedding_dim);
  const std::size_t end = offset + std::size_t(shape.num_words) * E;
  double sum = sum_of_squares(g.data(), offset);
  for (std::size_t r = 0; r < std::size_t(shape.num_words); ++r)
    sum += sum_of_squares(g.data() + offset + r * E, E);
  sum += sum_of_squares(g.data() + end, g.size() - end);
  return std::sqrt(sum);
}

struct Reference {
  SentimentModel model;
  std::vector<float> params, grads;
  std::size_t offset;
  explicit Reference(const ModelShape& shape)
      : model(shape),
        params(model.layout().total()),
        grads(model.layout().total()),
        offset(model.layout().slot("embedding/embeddings").offset) {
    keras_initialize(shape, model.layout(), 7, params.data());
  }
  // The plain gradient of the whole batch and its norm.
  double gradient(const Batch& b) {
    std::fill(grads.begin(), grads.end(), 0.0f);
    model.forward_backward(params.data(), b.ids.data(), b.labels.data(), kN, kT, 1.0f / kN,
                           grads.data(), nullptr);
    return reference_norm(grads, model.shape(), offset);
  }
};

TEST(DataParallelStepTest, ClippedRmspropStepIsTheWrittenOutArithmetic) {
  const ModelShape shape = small_shape();
  Reference ref(shape);
  std::vector<float> v_ref(ref.params.size(), 0.0f);
  SentimentModel model(shape);
  std::vector<float> params = ref.params;
  OptimizerState state = make_optimizer_state(OptimizerKind::rmsprop, params.size());
  StepOptions options;
  options.learning_rate = {0.01, 0};
  // A threshold below the first step's norm, so clipping bites.
  const double first_norm = ref.gradient(make_batch(1));
  options.clipnorm = 0.25 * first_norm;
  DataParallelStep step(model, session(), options);
  int clipped = 0;
  for (int k = 1; k <= 3; ++k) {
    const Batch b = make_batch(std::uint32_t(k));
    const double norm = ref.gradient(b);
    const double scale = clip_scale(norm, options.clipnorm);
    clipped += scale < 1.0;
    scale_values(ref.grads.data(), ref.grads.size(), float(scale));
    rmsprop_step({0.01f, 0.9f, 1e-7f}, ref.grads.size(), ref.grads.data(), v_ref.data(),
                 ref.params.data());
    const StepStats st =
        step.run(b.ids.data(), b.labels.data(), kN, kN, kT, k, params.data(), state);
    ASSERT_TRUE(st.finite);
    EXPECT_EQ(st.grad_norm, norm) << "step " << k;  // the pre-clip norm, to the bit
    EXPECT_EQ(st.learning_rate, 0.01f);
    ASSERT_EQ(params, ref.params) << "step " << k;
  }
  EXPECT_GE(clipped, 1);
  EXPECT_EQ(state.updates, 3);
  step.flush_optimizer(state);
  EXPECT_EQ(state.accumulators, v_ref);
}

TEST(DataParallelStepTest, NoClippingBelowTheThreshold) {
  const ModelShape shape = small_shape();
  Reference ref(shape);
  SentimentModel model(shape);
  std::vector<float> params = ref.params;
  OptimizerState state = make_optimizer_state(OptimizerKind::rmsprop, params.size());
  const Batch b = make_batch(4);
  StepOptions options;
  options.clipnorm = 2 * ref.gradient(b);  // well above
  DataParallelStep step(model, session(), options);
  std::vector<float> v_ref(params.size(), 0.0f);
  rmsprop_step({1e-3f, 0.9f, 1e-7f}, ref.grads.size(), ref.grads.data(), v_ref.data(),
               ref.params.data());
  step.run(b.ids.data(), b.labels.data(), kN, kN, kT, 1, params.data(), state);
  EXPECT_EQ(params, ref.params);
}

TEST(DataParallelStepTest, AdamWithWarmupIsTheWrittenOutArithmetic) {
  const ModelShape shape = small_shape();
  Reference ref(shape);
  const std::size_t n = ref.params.size();
  std::vector<float> m_ref(n, 0.0f), v_ref(n, 0.0f);
  SentimentModel model(shape);
  std::vector<float> params = ref.params;
  OptimizerState state = make_optimizer_state(OptimizerKind::adam, n);
  StepOptions options;
  options.optimizer.kind = OptimizerKind::adam;
  options.learning_rate = {0.02, 4};  // 0.005, 0.01, 0.015, 0.02, 0.02
  DataParallelStep step(model, session(), options);
  const float expected_lr[] = {0.005f, 0.01f, 0.015f, 0.02f, 0.02f};
  for (int k = 1; k <= 5; ++k) {
    const Batch b = make_batch(std::uint32_t(10 + k));
    ref.gradient(b);
    adam_step({expected_lr[k - 1], 0.9f, 0.999f, 1e-7f}, k, n, ref.grads.data(), m_ref.data(),
              v_ref.data(), ref.params.data());
    const StepStats st =
        step.run(b.ids.data(), b.labels.data(), kN, kN, kT, k, params.data(), state);
    EXPECT_EQ(st.learning_rate, expected_lr[k - 1]) << "step " << k;
    ASSERT_EQ(params, ref.params) << "step " << k;
  }
  EXPECT_EQ(state.momentum, m_ref);
  EXPECT_EQ(state.accumulators, v_ref);
  // Rows no review ever touched have zero momentum, so even the dense Adam leaves them be.
  Reference init(shape);
  const std::size_t untouched = ref.offset + 50 * std::size_t(shape.embedding_dim);
  EXPECT_EQ(params[untouched], init.params[untouched]);
}

TEST(DataParallelStepTest, NonFiniteStepIsSkippedAndNotCounted) {
  const ModelShape shape = small_shape();
  SentimentModel model(shape);
  Reference ref(shape);
  std::vector<float> params = ref.params;
  OptimizerState state = make_optimizer_state(OptimizerKind::adam, params.size());
  StepOptions options;
  options.optimizer.kind = OptimizerKind::adam;
  options.learning_rate = {0.01, 10};
  options.clipnorm = 1.0;
  DataParallelStep step(model, session(), options);
  const Batch b = make_batch(20);
  step.poison_next_gradient();
  const StepStats bad =
      step.run(b.ids.data(), b.labels.data(), kN, kN, kT, 1, params.data(), state);
  EXPECT_FALSE(bad.finite);
  EXPECT_TRUE(std::isnan(bad.grad_norm));
  EXPECT_EQ(params, ref.params);  // nothing applied
  EXPECT_EQ(state.updates, 0);    // Adam's t and the warm-up do not advance
  const StepStats good =
      step.run(b.ids.data(), b.labels.data(), kN, kN, kT, 2, params.data(), state);
  EXPECT_TRUE(good.finite);
  EXPECT_EQ(good.learning_rate, float(0.01 / 10));  // still the first warm-up update
  EXPECT_EQ(state.updates, 1);
  EXPECT_NE(params, ref.params);
}

// The warm-up pass before the first step allocates the caches and nothing else: the steps after
// it give the bits of steps without it, for every input projection (the token table; the dense
// one under element-wise dropout; word and projection dropout) and a bidirectional GRU.
TEST(DataParallelStepTest, WarmUpChangesNoStep) {
  ModelShape shape = small_shape();
  shape.cell = CellKind::gru;
  shape.bidirectional = true;
  for (const float rate : {0.0f, 0.5f}) {
    StepOptions options;
    options.dropout = rate;
    options.word_dropout = rate / 2;
    options.projection_dropout = rate / 3;
    options.clipnorm = 0.5;
    auto train = [&](bool warm) {
      SentimentModel model(shape);
      std::vector<float> params(model.layout().total());
      keras_initialize(shape, model.layout(), 7, params.data());
      OptimizerState state = make_optimizer_state(OptimizerKind::rmsprop, params.size());
      DataParallelStep step(model, session(), options);
      if (warm) step.warm_up(params.data(), kN, kT);
      std::vector<double> norms;
      for (std::uint32_t k = 0; k < 3; ++k) {
        const Batch b = make_batch(30 + k);
        norms.push_back(
            step.run(b.ids.data(), b.labels.data(), kN, kN, kT, k + 1, params.data(), state)
                .grad_norm);
      }
      return std::make_pair(params, norms);
    };
    const auto cold = train(false), warm = train(true);
    EXPECT_EQ(warm.first, cold.first) << "dropout " << rate;
    EXPECT_EQ(warm.second, cold.second) << "dropout " << rate;
  }
}

TEST(DataParallelStepTest, DropoutStreamIsSharedAndRowsAreGlobal) {
  // Four ranks sharing a batch of 10 (3, 3, 2, 2 rows).
  const std::size_t first_rows[] = {0, 3, 6, 8};
  const Dropout d0 = step_dropout(0.25f, 5, 3, 10, 0, 4);
  for (int r = 0; r < 4; ++r) {
    const Dropout d = step_dropout(0.25f, 5, 3, 10, r, 4);
    EXPECT_EQ(d.rate, 0.25f);
    EXPECT_EQ(d.stream, d0.stream) << "rank " << r;  // one mask stream for the whole batch
    EXPECT_EQ(d.first_row, first_rows[r]) << "rank " << r;
  }
  EXPECT_NE(step_dropout(0.25f, 5, 4, 10, 0, 4).stream, d0.stream);  // per step
  EXPECT_NE(step_dropout(0.25f, 6, 3, 10, 0, 4).stream, d0.stream);  // per seed
  EXPECT_EQ(step_dropout(0.0f, 5, 3, 10, 0, 1).rate, 0.0f);
}

}  // namespace
}  // namespace rnnsent
