// Adam against hand-written arithmetic (tf.keras's update rule, epsilon unscaled), a plain
// double loop over random data, and thread-count independence.
#include "core/adam.hpp"

#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <vector>

#include "tests/core/test_util.hpp"

namespace rnnsent {
namespace {

TEST(Adam, StepSizeFoldsInTheBiasCorrections) {
  const AdamSettings s;  // lr 1e-3, beta_1 0.9, beta_2 0.999
  // The betas are floats: 0.999f is 0.99900001, so 1 - beta_2 is 1.3e-5 (relative) below
  // 0.001 and its square root 6.4e-6 below; hence 1e-5 relative.
  // t = 1: 1e-3 * sqrt(1 - 0.999) / (1 - 0.9) = 1e-3 * 0.0316228 / 0.1 = 3.16228e-4.
  EXPECT_NEAR(adam_step_size(s, 1), 3.16228e-4, 3.16228e-4 * 1e-5);
  // t = 2: 1e-3 * sqrt(1 - 0.998001) / (1 - 0.81) = 1e-3 * 0.0447102 / 0.19 = 2.35317e-4.
  EXPECT_NEAR(adam_step_size(s, 2), 2.35317e-4, 2.35317e-4 * 1e-5);
  // Both corrections vanish for large t.
  EXPECT_NEAR(adam_step_size(s, 100000), 1e-3, 1e-9);
  EXPECT_THROW(adam_step_size(s, 0), std::invalid_argument);
}

TEST(Adam, ThreeStepsByHand) {
  const AdamSettings s;  // lr 1e-3, beta_1 0.9, beta_2 0.999, eps 1e-7
  // Entry 0 an ordinary gradient, 1 a negative one, 2 a zero one, 3 a gradient so small that
  // sqrt(v) is comparable to epsilon: there Keras's unscaled epsilon and Algorithm 1's
  // (equivalent to epsilon * sqrt(1 - beta_2^t) here) give very different steps.
  const std::vector<float> g = {0.5f, -2.0f, 0.0f, 1e-6f};
  std::vector<float> w = {1.0f, -0.25f, 0.75f, 0.5f}, m(4, 0.f), v(4, 0.f);
  double m_ref[4] = {0, 0, 0, 0}, v_ref[4] = {0, 0, 0, 0};
  double w_ref[4] = {1.0, -0.25, 0.75, 0.5};
  // Step t: m = 0.9 m + 0.1 g, v = 0.999 v + 0.001 g^2,
  //         w -= lr sqrt(1 - 0.999^t) / (1 - 0.9^t) * m / (sqrt(v) + 1e-7).
  // Step 1, entry 0: m = 0.05, v = 0.00025, w = 1 - 3.16228e-4 * 0.05 / (0.0158114 + 1e-7)
  //                  = 1 - 0.99999e-3 (Adam's first step is about lr in size).
  for (int t = 1; t <= 3; ++t) {
    adam_step(s, t, 4, g.data(), m.data(), v.data(), w.data());
    const double lr_t = 1e-3 * std::sqrt(1 - std::pow(0.999, t)) / (1 - std::pow(0.9, t));
    for (int i = 0; i < 4; ++i) {
      m_ref[i] = 0.9 * m_ref[i] + 0.1 * g[i];
      v_ref[i] = 0.999 * v_ref[i] + 0.001 * double(g[i]) * g[i];
      w_ref[i] -= lr_t * m_ref[i] / (std::sqrt(v_ref[i]) + 1e-7);
    }
    // m to float rounding (1e-6 relative); v to 2e-5: 0.999f is 0.99900001, so 1 - beta_2 in
    // float (as in Keras) is 1.3e-5 below 0.001. w, of order 1, to a couple of ulps.
    for (int i = 0; i < 4; ++i) {
      EXPECT_NEAR(m[i], m_ref[i], std::abs(m_ref[i]) * 1e-6) << "t " << t << " entry " << i;
      EXPECT_NEAR(v[i], v_ref[i], std::abs(v_ref[i]) * 2e-5) << "t " << t << " entry " << i;
      EXPECT_NEAR(w[i], w_ref[i], 2e-7) << "t " << t << " entry " << i;
    }
  }
  EXPECT_NEAR(w[0], 1.0 - 3 * 1e-3, 1e-5);  // three steps of about lr each
  EXPECT_EQ(w[2], 0.75f);                   // g = 0 from the start: no move at all
  // Entry 3 by hand after step 1: m = 1e-7, sqrt(v) = 3.16228e-8, so
  // w = 0.5 - 3.16228e-4 * 1e-7 / (3.16228e-8 + 1e-7) = 0.5 - 2.4025e-4. With epsilon scaled
  // by sqrt(1 - beta_2) = 0.0316 the step would be 3.16228e-4 * 1e-7 / 3.4785e-8 = 9.09e-4.
  std::vector<float> w1 = {0.5f}, m1(1, 0.f), v1(1, 0.f);
  adam_step(s, 1, 1, g.data() + 3, m1.data(), v1.data(), w1.data());
  EXPECT_NEAR(w1[0], 0.5 - 2.4025e-4, 1e-7);
}

TEST(Adam, MatchesAPlainDoubleLoopOnRandomData) {
  const std::size_t n = 1000;
  const AdamSettings s{0.01f, 0.8f, 0.99f, 1e-7f};
  std::vector<float> w = testing::random_vector<float>(n, -1, 1, 1), m(n, 0.f), v(n, 0.f);
  std::vector<double> wd(w.begin(), w.end()), md(n, 0.0), vd(n, 0.0);
  for (int t = 1; t <= 20; ++t) {
    // Gradients of mixed scale, some exactly zero.
    std::vector<float> g = testing::random_vector<float>(n, -1, 1, std::uint64_t(100 + t));
    for (std::size_t i = 0; i < n; ++i) {
      if (i % 5 == 0) g[i] *= 1e-4f;
      if (i % 7 == 0) g[i] = 0.f;
    }
    adam_step(s, t, n, g.data(), m.data(), v.data(), w.data());
    const double lr_t = 0.01 * std::sqrt(1 - std::pow(0.99, t)) / (1 - std::pow(0.8, t));
    for (std::size_t i = 0; i < n; ++i) {
      md[i] = 0.8 * md[i] + 0.2 * g[i];
      vd[i] = 0.99 * vd[i] + 0.01 * double(g[i]) * g[i];
      wd[i] -= lr_t * md[i] / (std::sqrt(vd[i]) + 1e-7);
    }
  }
  // Twenty steps of lr 0.01 move weights by up to 0.2; float rounding leaves about 1e-6 of
  // that. A wrong bias correction or decay would be off by 1e-3 or more.
  const std::vector<float> w0 = testing::random_vector<float>(n, -1, 1, 1);
  double worst = 0, moved = 0;
  for (std::size_t i = 0; i < n; ++i) {
    worst = std::max(worst, std::abs(double(w[i]) - wd[i]));
    moved = std::max(moved, std::abs(wd[i] - double(w0[i])));
  }
  EXPECT_LT(worst, 5e-6);
  EXPECT_GT(moved, 0.05);
}

TEST(Adam, SameResultOnOneAndTwoThreads) {
  const std::size_t n = 100003;  // not a multiple of the thread count
  const auto g = testing::random_vector<float>(n, -1, 1, 1);
  const auto w0 = testing::random_vector<float>(n, -1, 1, 2);
  const int saved = omp_get_max_threads();
  std::vector<std::vector<float>> results;
  for (int threads : {1, 2}) {
    omp_set_num_threads(threads);
    std::vector<float> m(n, 0.f), v(n, 0.f), w = w0;
    adam_step(AdamSettings{}, 1, n, g.data(), m.data(), v.data(), w.data());
    adam_step(AdamSettings{}, 2, n, g.data(), m.data(), v.data(), w.data());
    results.push_back(w);
  }
  omp_set_num_threads(saved);
  EXPECT_EQ(results[0], results[1]);
  EXPECT_NE(results[0], w0);
}

}  // namespace
}  // namespace rnnsent
