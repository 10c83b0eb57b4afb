// The optimizer chosen by name over a table-plus-rest buffer: RMSprop stays bit-identical to the
// dense update when the learning rate changes per step, Adam is the dense Adam, both count their
// updates and leave the gradient buffer at zero.
#include "core/optimizer.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "tests/core/test_util.hpp"

namespace rnnsent {
namespace {

constexpr std::size_t kRows = 40, kWidth = 4, kOffset = 3, kTotal = kOffset + kRows * kWidth + 5;

// Step `step`'s sparse gradient: noise in the prefix, the tail and the touched rows only.
std::vector<float> sparse_gradient(int step, std::vector<std::int32_t>& touched) {
  std::mt19937 rng(std::uint32_t(50 + step));
  touched.clear();
  for (std::size_t r = 0; r < kRows; ++r)
    if (r % 5 != 2 && rng() % 3 == 0) touched.push_back(std::int32_t(r));
  const auto noise = testing::random_vector<float>(kTotal, -1, 1, std::uint64_t(200 + step));
  std::vector<float> g(kTotal, 0.f);
  for (std::size_t i = 0; i < kOffset; ++i) g[i] = noise[i];
  for (std::size_t i = kOffset + kRows * kWidth; i < kTotal; ++i) g[i] = noise[i];
  for (std::int32_t r : touched)
    for (std::size_t i = 0; i < kWidth; ++i) {
      const std::size_t at = kOffset + std::size_t(r) * kWidth + i;
      g[at] = noise[at];
    }
  return g;
}

TEST(Optimizer, RmspropWithAChangingRateIsTheDenseUpdateBitForBit) {
  OptimizerSettings settings;  // rmsprop, rho 0.9, eps 1e-7
  TableOptimizer opt(settings, kOffset, kRows, kWidth, kTotal);
  OptimizerState state = make_optimizer_state(OptimizerKind::rmsprop, kTotal);
  EXPECT_TRUE(state.momentum.empty());
  std::vector<float> w = testing::random_vector<float>(kTotal, -1, 1, 7), w_dense = w;
  std::vector<float> v_dense(kTotal, 0.f);
  std::vector<std::int32_t> touched;
  for (int step = 1; step <= 12; ++step) {
    const float lr = 1e-3f * float(step) / 12.0f;  // a warm-up
    std::vector<float> g = sparse_gradient(step, touched);
    const std::vector<float> dense_g = g;
    opt.step(lr, touched, g.data(), w.data(), state);
    rmsprop_step({lr, 0.9f, 1e-7f}, kTotal, dense_g.data(), v_dense.data(), w_dense.data());
    ASSERT_EQ(w, w_dense) << "step " << step;
    ASSERT_EQ(g, std::vector<float>(kTotal, 0.f)) << "gradient not cleared at step " << step;
  }
  EXPECT_EQ(state.updates, 12);
  opt.flush(state);
  EXPECT_EQ(state.accumulators, v_dense);
}

TEST(Optimizer, AdamIsTheDenseAdamOverTheWholeBuffer) {
  OptimizerSettings settings;
  settings.kind = OptimizerKind::adam;
  settings.beta_1 = 0.8f;
  settings.beta_2 = 0.95f;
  TableOptimizer opt(settings, kOffset, kRows, kWidth, kTotal);
  OptimizerState state = make_optimizer_state(OptimizerKind::adam, kTotal);
  ASSERT_EQ(state.momentum.size(), kTotal);
  std::vector<float> w = testing::random_vector<float>(kTotal, -1, 1, 8), w_dense = w;
  std::vector<float> m_dense(kTotal, 0.f), v_dense(kTotal, 0.f);
  std::vector<std::int32_t> touched;
  for (int step = 1; step <= 10; ++step) {
    const float lr = 0.01f;
    std::vector<float> g = sparse_gradient(step, touched);
    const std::vector<float> dense_g = g;
    opt.step(lr, touched, g.data(), w.data(), state);
    adam_step({lr, 0.8f, 0.95f, 1e-7f}, step, kTotal, dense_g.data(), m_dense.data(),
              v_dense.data(), w_dense.data());
    ASSERT_EQ(w, w_dense) << "step " << step;
    ASSERT_EQ(g, std::vector<float>(kTotal, 0.f)) << "gradient not cleared at step " << step;
  }
  EXPECT_EQ(state.updates, 10);
  EXPECT_EQ(state.momentum, m_dense);
  EXPECT_EQ(state.accumulators, v_dense);
  // Row 2 never has a gradient: its momentum stays 0 and it never moves.
  const std::size_t never = kOffset + 2 * kWidth;
  EXPECT_EQ(w[never], testing::random_vector<float>(kTotal, -1, 1, 8)[never]);
}

TEST(Optimizer, AdamKeepsMovingARowAfterItsLastGradient) {
  OptimizerSettings settings;
  settings.kind = OptimizerKind::adam;
  TableOptimizer opt(settings, kOffset, kRows, kWidth, kTotal);
  OptimizerState state = make_optimizer_state(OptimizerKind::adam, kTotal);
  std::vector<float> w(kTotal, 0.f), g(kTotal, 0.f);
  const std::size_t row0 = kOffset;  // row 0
  for (std::size_t i = 0; i < kWidth; ++i) g[row0 + i] = 1.0f;
  opt.step(1e-3f, {0}, g.data(), w.data(), state);
  const float after_one = w[row0];
  opt.step(1e-3f, {}, g.data(), w.data(), state);  // no gradient for row 0 any more
  EXPECT_LT(w[row0], after_one);                   // momentum still moved it
}

TEST(Optimizer, NamesRoundTripAndStateMustMatch) {
  EXPECT_EQ(parse_optimizer("adam"), OptimizerKind::adam);
  EXPECT_EQ(parse_optimizer(optimizer_name(OptimizerKind::rmsprop)), OptimizerKind::rmsprop);
  try {
    parse_optimizer("sgd");
    FAIL() << "sgd accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("'sgd'"), std::string::npos) << e.what();
  }
  OptimizerSettings adam;
  adam.kind = OptimizerKind::adam;
  TableOptimizer opt(adam, kOffset, kRows, kWidth, kTotal);
  OptimizerState rms_state = make_optimizer_state(OptimizerKind::rmsprop, kTotal);
  std::vector<float> w(kTotal, 0.f), g(kTotal, 0.f);
  EXPECT_THROW(opt.step(1e-3f, {}, g.data(), w.data(), rms_state), std::invalid_argument);
}

}  // namespace
}  // namespace rnnsent
