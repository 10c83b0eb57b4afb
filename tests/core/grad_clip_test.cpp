// Clipping by global norm: the norm in double, the factor below / at / above the threshold, and
// the exact scaling.
#include "core/grad_clip.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace rnnsent {
namespace {

TEST(GradClip, SumOfSquaresIsExactForSmallValuesAndCatchesNonFinite) {
  const std::vector<float> g = {3.0f, -4.0f, 0.0f, 12.0f};
  EXPECT_EQ(sum_of_squares(g.data(), g.size()), 169.0);  // norm 13
  EXPECT_EQ(sum_of_squares(g.data(), 0), 0.0);
  // Squares of large floats do not overflow in double.
  const std::vector<float> big = {3e38f, 3e38f};
  EXPECT_TRUE(std::isfinite(sum_of_squares(big.data(), 2)));
  std::vector<float> bad = g;
  bad[2] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_FALSE(std::isfinite(sum_of_squares(bad.data(), bad.size())));
  bad[2] = -std::numeric_limits<float>::infinity();
  EXPECT_FALSE(std::isfinite(sum_of_squares(bad.data(), bad.size())));
}

// The eight interleaved sums, written out, for every length around the lanes' multiple, and
// within rounding of a plain left-to-right sum in long double.
TEST(GradClip, SumOfSquaresIsTheDocumentedOrder) {
  for (std::size_t n : {std::size_t(1), std::size_t(7), std::size_t(8), std::size_t(9),
                        std::size_t(130), std::size_t(1001)}) {
    std::vector<float> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = float(std::sin(double(i) * 1.7) * 3.0);
    double lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    std::size_t full = n / 8 * 8;
    for (std::size_t i = 0; i < full; ++i) lane[i % 8] += double(v[i]) * double(v[i]);
    double expect =
        ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
    for (std::size_t i = full; i < n; ++i) expect += double(v[i]) * double(v[i]);
    EXPECT_EQ(sum_of_squares(v.data(), n), expect) << n;
    long double plain = 0;
    for (float x : v) plain += (long double)x * x;
    EXPECT_NEAR(sum_of_squares(v.data(), n), double(plain), 1e-12 * double(plain)) << n;
  }
}

TEST(GradClip, AllFiniteFindsInfAndNanAnywhere) {
  std::vector<float> v(37, 1.5f);
  v[5] = -0.0f;
  v[6] = std::numeric_limits<float>::denorm_min();
  v[7] = std::numeric_limits<float>::max();
  EXPECT_TRUE(all_finite(v.data(), v.size()));
  EXPECT_TRUE(all_finite(v.data(), 0));
  for (std::size_t at : {std::size_t(0), std::size_t(15), std::size_t(36)}) {
    for (float bad :
         {std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
          std::numeric_limits<float>::quiet_NaN()}) {
      std::vector<float> w = v;
      w[at] = bad;
      EXPECT_FALSE(all_finite(w.data(), w.size())) << at;
    }
  }
}

TEST(GradClip, ScaleIsOneBelowTheThresholdAndClipnormOverNormAbove) {
  EXPECT_EQ(clip_scale(13.0, 0.0), 1.0);  // off
  EXPECT_EQ(clip_scale(0.5, 1.0), 1.0);   // below
  EXPECT_EQ(clip_scale(1.0, 1.0), 1.0);   // at: nothing to clip
  EXPECT_EQ(clip_scale(13.0, 1.0), 1.0 / 13.0);
  EXPECT_EQ(clip_scale(4.0, 2.0), 0.5);
}

TEST(GradClip, ClippedGradientHasTheThresholdNorm) {
  std::vector<float> g = {3.0f, -4.0f, 0.0f, 12.0f};
  const double norm = std::sqrt(sum_of_squares(g.data(), g.size()));
  const float factor = float(clip_scale(norm, 6.5));  // 0.5
  const std::vector<float> before = g;
  scale_values(g.data(), g.size(), factor);
  for (std::size_t i = 0; i < g.size(); ++i) EXPECT_EQ(g[i], before[i] * factor);  // exact
  EXPECT_EQ(g[1], -2.0f);
  EXPECT_NEAR(std::sqrt(sum_of_squares(g.data(), g.size())), 6.5, 1e-12);
}

}  // namespace
}  // namespace rnnsent
