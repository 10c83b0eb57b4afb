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

LrSchedule decaying(LrDecay decay, std::int64_t warmup = 0) {
  LrSchedule s;
  s.target = 0.01;
  s.warmup_steps = warmup;
  s.decay = decay;
  s.decay_steps = 100;
  s.decay_rate = 0.5;
  s.alpha = 0.1;
  return s;
}

TEST(LrSchedule, CosineFallsFromTargetToAlphaTimesTargetOverDecaySteps) {
  const LrSchedule s = decaying(LrDecay::cosine);
  EXPECT_DOUBLE_EQ(s.at(0), 0.01);
  EXPECT_DOUBLE_EQ(s.at(50), 0.01 * (0.1 + 0.9 * 0.5));  // halfway: cos(pi / 2) = 0
  EXPECT_DOUBLE_EQ(s.at(25), 0.01 * (0.1 + 0.9 * 0.5 * (1 + std::sqrt(0.5))));
  EXPECT_DOUBLE_EQ(s.at(100), 0.001);
  EXPECT_DOUBLE_EQ(s.at(1000), 0.001);  // stays at the floor
  for (std::int64_t u = 1; u <= 120; ++u) EXPECT_LE(s.at(u), s.at(u - 1)) << u;
}

TEST(LrSchedule, ExponentialAndStepDecayByTheRatePerDecaySteps) {
  const LrSchedule e = decaying(LrDecay::exponential), st = decaying(LrDecay::step);
  EXPECT_DOUBLE_EQ(e.at(100), 0.005);
  EXPECT_DOUBLE_EQ(e.at(50), 0.01 * std::sqrt(0.5));
  EXPECT_DOUBLE_EQ(e.at(300), 0.00125);
  EXPECT_DOUBLE_EQ(st.at(99), 0.01);  // a staircase: constant within each D updates
  EXPECT_DOUBLE_EQ(st.at(100), 0.005);
  EXPECT_DOUBLE_EQ(st.at(250), 0.0025);
}

TEST(LrSchedule, DecayStartsWhereTheWarmupEnds) {
  const LrSchedule s = decaying(LrDecay::cosine, 10);
  EXPECT_DOUBLE_EQ(s.at(5), 0.005);                      // the ramp
  EXPECT_EQ(s.at(10), 0.01);                             // exactly the target at its end
  EXPECT_DOUBLE_EQ(s.at(60), 0.01 * (0.1 + 0.9 * 0.5));  // 50 updates into the decay
  EXPECT_DOUBLE_EQ(s.at(110), 0.001);
}

TEST(LrSchedule, DecayNamesRoundTrip) {
  for (LrDecay d : {LrDecay::constant, LrDecay::cosine, LrDecay::exponential, LrDecay::step})
    EXPECT_EQ(parse_lr_decay(lr_decay_name(d)), d);
  EXPECT_THROW(parse_lr_decay("linear"), std::runtime_error);
}

}  // namespace
}  // namespace rnnsent
