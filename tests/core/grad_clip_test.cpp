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
