// The moving average of the weights against values worked by hand, and its independence from
// the thread count.
#include "core/weight_average.hpp"

#include <gtest/gtest.h>
#include <omp.h>

#include <vector>

namespace rnnsent {
namespace {

TEST(WeightAverage, TwoUpdatesByHand) {
  // momentum 0.75: a <- 0.75 a + 0.25 w. Every value below is exact in float.
  std::vector<float> average = {1.0f, -2.0f, 0.0f};
  const std::vector<float> w1 = {3.0f, 2.0f, 4.0f}, w2 = {-1.0f, 0.0f, 0.0f};
  update_weight_average(average.data(), w1.data(), 3, 0.75f);
  EXPECT_EQ(average, (std::vector<float>{1.5f, -1.0f, 1.0f}));
  update_weight_average(average.data(), w2.data(), 3, 0.75f);
  EXPECT_EQ(average, (std::vector<float>{0.875f, -0.75f, 0.75f}));
}

TEST(WeightAverage, MomentumZeroCopiesTheWeights) {
  std::vector<float> average = {5.0f, 6.0f};
  const std::vector<float> w = {0.1f, -0.2f};
  update_weight_average(average.data(), w.data(), 2, 0.0f);
  EXPECT_EQ(average, w);
}

TEST(WeightAverage, SameBitsAtAnyThreadCount) {
  const std::size_t n = 100003;
  std::vector<float> w(n), a1(n), a2(n);
  for (std::size_t i = 0; i < n; ++i) {
    w[i] = float(i % 97) * 0.013f - 0.5f;
    a1[i] = a2[i] = float(i % 31) * -0.021f;
  }
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  update_weight_average(a1.data(), w.data(), n, 0.99f);
  omp_set_num_threads(2);
  update_weight_average(a2.data(), w.data(), n, 0.99f);
  omp_set_num_threads(saved);
  EXPECT_EQ(a1, a2);
}

}  // namespace
}  // namespace rnnsent
