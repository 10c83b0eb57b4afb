// Learning-rate scaling with the global batch and linear warm-up: exact values.
#include "core/lr_schedule.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

namespace rnnsent {
namespace {

TEST(LrSchedule, ScalingWithTheGlobalBatch) {
  EXPECT_EQ(scaled_learning_rate(1e-3, LrScaling::none, 512, 128), 1e-3);
  EXPECT_DOUBLE_EQ(scaled_learning_rate(1e-3, LrScaling::linear, 512, 128), 4e-3);
  EXPECT_DOUBLE_EQ(scaled_learning_rate(1e-3, LrScaling::sqrt, 512, 128), 2e-3);
  EXPECT_DOUBLE_EQ(scaled_learning_rate(1e-3, LrScaling::linear, 64, 128), 5e-4);
  EXPECT_DOUBLE_EQ(scaled_learning_rate(1e-3, LrScaling::sqrt, 256, 128), 1e-3 * std::sqrt(2.0));
  EXPECT_EQ(scaled_learning_rate(1e-3, LrScaling::linear, 128, 128), 1e-3);  // the base batch
}

TEST(LrSchedule, WarmupRampsLinearlyToExactlyTheTarget) {
  const LrSchedule s{0.01, 4};
  EXPECT_DOUBLE_EQ(s.at(1), 0.0025);  // target / warmup_steps at the first update
  EXPECT_DOUBLE_EQ(s.at(2), 0.005);
  EXPECT_DOUBLE_EQ(s.at(3), 0.0075);
  EXPECT_EQ(s.at(4), 0.01);  // exactly, not 0.01 * 4 / 4 rounded
  EXPECT_EQ(s.at(5), 0.01);
  EXPECT_EQ(s.at(1000000), 0.01);
  // An awkward target whose product with 3 / 3 might round: the last ramp step is exact.
  const LrSchedule odd{0.1 / 3.0, 3};
  EXPECT_EQ(odd.at(3), 0.1 / 3.0);
  EXPECT_LT(odd.at(2), odd.at(3));
}

TEST(LrSchedule, NoWarmupIsConstant) {
  const LrSchedule s{1e-3, 0};
  EXPECT_EQ(s.at(1), 1e-3);
  EXPECT_EQ(s.at(77), 1e-3);
  const LrSchedule one{1e-3, 1};  // one warm-up step is the target itself
  EXPECT_EQ(one.at(1), 1e-3);
}

TEST(LrSchedule, NamesRoundTripAndUnknownNamesAreRejected) {
  for (LrScaling k : {LrScaling::none, LrScaling::linear, LrScaling::sqrt})
    EXPECT_EQ(parse_lr_scaling(lr_scaling_name(k)), k);
  try {
    parse_lr_scaling("cubic");
    FAIL() << "cubic accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("'cubic'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace rnnsent
