// Keras's EarlyStopping and ModelCheckpoint decisions (launch/lib/epoch_monitor.hpp) on
// made-up histories, without a training run.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "launch/lib/epoch_monitor.hpp"

namespace rnnsent {
namespace {

History with_val_acc(const std::vector<double>& values) {
  History h;
  h.val_acc = values;
  h.val_loss = h.loss = h.acc = std::vector<double>(values.size(), 0.5);
  return h;
}

// Runs stop_after epoch by epoch over a history; returns the epoch it stops after (0: never).
int stops_after(const EarlyStopping& es, const std::vector<double>& val_acc) {
  double best = es.monitor.worst();
  int wait = 0;
  for (std::size_t e = 1; e <= val_acc.size(); ++e) {
    const History h = with_val_acc(std::vector<double>(val_acc.begin(), val_acc.begin() + e));
    if (es.stop_after(int(e), h, best, wait)) return int(e);
  }
  return 0;
}

TEST(EpochMonitorTest, AutoModeIsMinForLossesAndMaxForAccuracies) {
  EXPECT_TRUE(Monitor("val_loss", "auto").improves(0.3, 0.4));
  EXPECT_FALSE(Monitor("loss", "auto").improves(0.5, 0.4));
  EXPECT_TRUE(Monitor("val_acc", "auto").improves(0.9, 0.8));
  EXPECT_FALSE(Monitor("acc", "auto").improves(0.7, 0.8));
  EXPECT_TRUE(Monitor("val_acc", "min").improves(0.7, 0.8));  // an explicit mode wins
  EXPECT_EQ(Monitor("val_loss", "auto").worst(), std::numeric_limits<double>::infinity());
  EXPECT_EQ(Monitor("val_acc", "max").worst(), -std::numeric_limits<double>::infinity());
}

TEST(EpochMonitorTest, MinDeltaIsTheLeastGainAndNanNeverImproves) {
  const Monitor m("val_acc", "auto", 0.01);
  EXPECT_FALSE(m.improves(0.805, 0.8));
  EXPECT_TRUE(m.improves(0.811, 0.8));
  EXPECT_FALSE(m.improves(std::nan(""), 0.8));
  EXPECT_TRUE(Monitor("val_loss", "auto", 0.5).improves(3.0, m.worst() * -1));  // from +inf
}

TEST(EpochMonitorTest, LatestReadsTheMonitoredColumn) {
  History h;
  h.loss = {0.6, 0.5};
  h.acc = {0.7, 0.75};
  h.val_loss = {0.55, 0.52};
  h.val_acc = {0.71, 0.73};
  EXPECT_EQ(Monitor("loss", "auto").latest(h), 0.5);
  EXPECT_EQ(Monitor("acc", "auto").latest(h), 0.75);
  EXPECT_EQ(Monitor("val_loss", "auto").latest(h), 0.52);
  EXPECT_EQ(Monitor("val_acc", "auto").latest(h), 0.73);
}

TEST(EpochMonitorTest, PatienceCountsEpochsSinceTheLastGain) {
  const EarlyStopping es{Monitor("val_acc", "auto"), 2, 0};
  EXPECT_EQ(stops_after(es, {0.7, 0.8, 0.79, 0.78, 0.9}), 4);
  EXPECT_EQ(stops_after(es, {0.7, 0.8, 0.79, 0.81, 0.80}), 0);  // the gain at 4 resets the count
  const EarlyStopping one{Monitor("val_acc", "auto"), 1, 0};
  EXPECT_EQ(stops_after(one, {0.7, 0.7}), 2);  // equal is no gain
}

TEST(EpochMonitorTest, TheFirstEpochNeverStopsAndStartFromEpochSkipsEpochs) {
  const EarlyStopping zero{Monitor("val_acc", "auto"), 0, 0};
  EXPECT_EQ(stops_after(zero, {std::nan(""), 0.6, 0.5}), 3);  // epoch 1 (no gain) does not stop
  const EarlyStopping later{Monitor("val_acc", "auto"), 1, 2};
  EXPECT_EQ(stops_after(later, {0.9, 0.5, 0.6, 0.6}), 4);  // 0.9 in epoch 1 is not watched
}

TEST(EpochMonitorTest, UnknownMetricsAndModesAreRefused) {
  EXPECT_THROW(Monitor("accuracy", "auto"), std::invalid_argument);
  EXPECT_THROW(Monitor("val_acc", "maximum"), std::invalid_argument);
}

}  // namespace
}  // namespace rnnsent
