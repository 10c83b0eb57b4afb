// RMSprop against hand-written arithmetic (Keras's update rule) and thread-count independence.
#include "core/rmsprop.hpp"

#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <random>
#include <vector>

#include "tests/core/test_util.hpp"

namespace rnnsent {
namespace {

TEST(Rmsprop, OneAndTwoStepsByHand) {
  const RmspropSettings s;  // lr 1e-3, rho 0.9, eps 1e-7
  const std::vector<float> g = {0.5f, -2.0f, 0.0f};
  std::vector<float> v(3, 0.f), w = {1.0f, -0.25f, 0.75f};
  rmsprop_step(s, 3, g.data(), v.data(), w.data());
  // Step 1: v = 0.1 * 0.5^2 = 0.025; w = 1 - 1e-3 * 0.5 / (sqrt(0.025) + 1e-7).
  //         v = 0.1 * 4 = 0.4;       w = -0.25 + 1e-3 * 2 / (sqrt(0.4) + 1e-7).
  //         g = 0 leaves v = 0 and w unchanged (eps keeps 0 / 0 away).
  // Float arithmetic: v to 1e-6 relative (1 - 0.9f is 0.10000002, plus a few roundings);
  // w, of order 1, to 1e-7 absolute, about one ulp.
  EXPECT_NEAR(v[0], 0.025, 0.025 * 1e-6);
  EXPECT_NEAR(w[0], 1.0 - 1e-3 * 0.5 / (std::sqrt(0.025) + 1e-7), 1e-7);
  EXPECT_NEAR(v[1], 0.4, 0.4 * 1e-6);
  EXPECT_NEAR(w[1], -0.25 + 1e-3 * 2 / (std::sqrt(0.4) + 1e-7), 1e-7);
  EXPECT_EQ(v[2], 0.0f);
  EXPECT_EQ(w[2], 0.75f);
  const double w0_after_1 = w[0];
  rmsprop_step(s, 3, g.data(), v.data(), w.data());
  // Step 2: v = 0.9 * 0.025 + 0.1 * 0.25 = 0.0475; w -= 1e-3 * 0.5 / (sqrt(0.0475) + 1e-7).
  EXPECT_NEAR(v[0], 0.0475, 0.0475 * 1e-6);
  EXPECT_NEAR(w[0], w0_after_1 - 1e-3 * 0.5 / (std::sqrt(0.0475) + 1e-7), 1e-7);
  // v = 0.9 * 0.4 + 0.1 * 4 = 0.76.
  EXPECT_NEAR(v[1], 0.76, 0.76 * 1e-6);
  EXPECT_EQ(w[2], 0.75f);
}

TEST(Rmsprop, SameResultOnOneAndTwoThreads) {
  const std::size_t n = 100003;  // not a multiple of the thread count
  const auto g = testing::random_vector<float>(n, -1, 1, 1);
  const auto w0 = testing::random_vector<float>(n, -1, 1, 2);
  const int saved = omp_get_max_threads();
  std::vector<std::vector<float>> results;
  for (int threads : {1, 2}) {
    omp_set_num_threads(threads);
    std::vector<float> v(n, 0.f), w = w0;
    rmsprop_step(RmspropSettings{}, n, g.data(), v.data(), w.data());
    rmsprop_step(RmspropSettings{}, n, g.data(), v.data(), w.data());
    results.push_back(w);
  }
  omp_set_num_threads(saved);
  EXPECT_EQ(results[0], results[1]);
  EXPECT_NE(results[0], w0);
}

TEST(Rmsprop, ZeroGradientBlocksMatchTheDenseFormulaBitForBit) {
  // The optimizer skips the w update for all-zero gradient blocks (untouched embedding rows);
  // that must be the very same float arithmetic as the plain formula, over several steps with
  // rows that are touched on some steps and not on others.
  const std::size_t n = 1000;
  auto g = testing::random_vector<float>(n, -1, 1, 3);
  std::vector<float> v(n, 0.f), w = testing::random_vector<float>(n, -1, 1, 4);
  std::vector<float> v_ref = v, w_ref = w;
  const RmspropSettings s;
  for (int step = 0; step < 4; ++step) {
    for (std::size_t i = 0; i < n; ++i)
      if ((i / 128 + std::size_t(step)) % 3 == 0) g[i] = 0.f;  // whole zero blocks, moving
    g[5] = 0.f;  // and a lone zero inside a touched block
    rmsprop_step(s, n, g.data(), v.data(), w.data());
    for (std::size_t i = 0; i < n; ++i) {
      v_ref[i] = s.rho * v_ref[i] + (1.0f - s.rho) * g[i] * g[i];
      w_ref[i] -= s.learning_rate * g[i] / (std::sqrt(v_ref[i]) + s.epsilon);
    }
    ASSERT_EQ(v, v_ref) << "step " << step;
    ASSERT_EQ(w, w_ref) << "step " << step;
    g = testing::random_vector<float>(n, -1, 1, 10 + step);
  }
}

TEST(Rmsprop, LazyTableUpdateIsBitIdenticalToTheDenseUpdate) {
  // A 2-float prefix, a 50 x width table and a 3-float tail; each step touches a random subset
  // of rows (some rows untouched for many steps, some never), the dense optimizer sees the same
  // gradient with zeros elsewhere. After every step the parameters agree bit for bit, after a
  // flush the accumulators too, and the lazy optimizer leaves the gradient buffer at zero.
  // Width 131: rows the vectorised loops cover in full vectors and a scalar tail.
  for (const std::size_t width : {std::size_t(4), std::size_t(131)}) {
    SCOPED_TRACE("width " + std::to_string(width));
    const std::size_t rows = 50, offset = 2, total = offset + rows * width + 3;
    const RmspropSettings s{0.01f, 0.9f, 1e-7f};
    LazyRmsprop lazy(s, offset, rows, width, total);
    std::vector<float> w = testing::random_vector<float>(total, -1, 1, 5), w_dense = w;
    std::vector<float> v(total, 0.f), v_dense = v, g(total, 0.f);
    std::mt19937 rng(11);
    for (int step = 0; step < 30; ++step) {
      std::vector<std::int32_t> touched;
      for (std::size_t r = 0; r < rows; ++r)
        if (r % 7 != 3 && rng() % 4 == 0)
          touched.push_back(std::int32_t(r));  // rows 3, 10, ... never
      std::vector<float> dense_g(total, 0.f);
      const auto noise = testing::random_vector<float>(total, -1, 1, 100 + step);
      for (std::size_t i = 0; i < offset; ++i) dense_g[i] = noise[i];
      for (std::size_t i = offset + rows * width; i < total; ++i) dense_g[i] = noise[i];
      for (std::int32_t r : touched)
        for (std::size_t i = 0; i < width; ++i)
          dense_g[offset + std::size_t(r) * width + i] = noise[offset + std::size_t(r) * width + i];
      g = dense_g;
      lazy.step(touched, g.data(), v.data(), w.data());
      rmsprop_step(s, total, dense_g.data(), v_dense.data(), w_dense.data());
      ASSERT_EQ(w, w_dense) << "step " << step;
      ASSERT_EQ(g, std::vector<float>(total, 0.f)) << "gradient not cleared at step " << step;
    }
    EXPECT_NE(v, v_dense);  // decays are still pending
    lazy.flush(v.data());
    EXPECT_EQ(v, v_dense);
  }
}

}  // namespace
}  // namespace rnnsent
