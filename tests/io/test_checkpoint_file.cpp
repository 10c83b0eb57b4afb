// Resume checkpoints: a round trip keeps every value, including Adam's momentum and update
// count and the gradient-norm totals; damage is caught; version 1 files (written before Adam)
// still load; unknown versions are refused by name.
#include <H5Cpp.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <string>

#include "io/checkpoint_file.hpp"
#include "io/checksum.hpp"
#include "io/h5_util.hpp"
#include "tests/io/temp_dir.hpp"

namespace rnnsent {
namespace {

TrainState sample_state() {
  TrainState s;
  s.config_ini = "optimizer = adam\nseed = 3\n";
  s.global_step = 57;
  s.epoch = 3;
  s.step_in_epoch = 7;
  s.epoch_loss_sum = 12.5;
  s.epoch_correct = 101;
  s.epoch_seen = 160;
  s.epoch_seconds = 1.25;
  s.epoch_grad_norm_sum = 3.75;
  s.epoch_updates = 6;
  s.checkpoint_best = 0.41;
  s.stopping_best = 0.83;
  s.wait = 1;
  s.best_epoch = 2;
  s.train_seconds = 9.5;
  s.train_samples = 640;
  s.skipped_steps = 1;
  s.ranks = 2;
  s.history.loss = {0.6, 0.5};
  s.history.acc = {0.7, 0.75};
  s.history.val_loss = {0.45, 0.41};
  s.history.val_acc = {0.8, 0.83};
  s.history.seconds = {4, 4.5};
  s.history.learning_rate = {5e-4, 1e-3};
  s.history.grad_norm = {1.5, 0.75};
  s.params = {0.5f, -1.0f, 2.0f, 0.125f};
  s.accumulators = {0.01f, 0.02f, 0.0f, 0.5f};
  s.best_params = {0.25f, -1.0f, 2.0f, 0.0f};
  s.momentum = {-0.03f, 0.0f, 0.25f, 1e-6f};
  s.weight_average = {0.375f, -0.75f, 1.5f, 0.0625f};
  s.optimizer_updates = 56;
  return s;
}

std::string error_reading(const std::string& path) {
  try {
    read_checkpoint(path);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(CheckpointFileTest, RoundTripKeepsAdamStateAndNormTotals) {
  const std::string path = (testing_support::fresh_dir("ckpt") / "ckpt.h5").string();
  const TrainState a = sample_state();
  write_checkpoint(path, a);
  const TrainState b = read_checkpoint(path);
  EXPECT_EQ(b.format_version, kCheckpointFormatVersion);
  EXPECT_EQ(b.config_ini, a.config_ini);
  EXPECT_EQ(b.weight_average, a.weight_average);
  EXPECT_EQ(b.global_step, a.global_step);
  EXPECT_EQ(b.step_in_epoch, a.step_in_epoch);
  EXPECT_EQ(b.epoch_grad_norm_sum, a.epoch_grad_norm_sum);
  EXPECT_EQ(b.epoch_updates, a.epoch_updates);
  EXPECT_EQ(b.optimizer_updates, a.optimizer_updates);
  EXPECT_EQ(b.params, a.params);
  EXPECT_EQ(b.accumulators, a.accumulators);
  EXPECT_EQ(b.momentum, a.momentum);
  EXPECT_EQ(b.best_params, a.best_params);
  EXPECT_EQ(b.history.learning_rate, a.history.learning_rate);
  EXPECT_EQ(b.history.grad_norm, a.history.grad_norm);
  EXPECT_EQ(b.skipped_steps, a.skipped_steps);
}

// Format 4: the dataset fingerprint travels and is covered by the checksum, so a resume can
// refuse another dataset and a damaged fingerprint is not mistaken for one.
TEST(CheckpointFileTest, DatasetFingerprintRoundTripsUnderTheChecksum) {
  const std::string path = (testing_support::fresh_dir("ckpt") / "fp.h5").string();
  TrainState a = sample_state();
  a.dataset_fingerprint = "0123456789abcdef";
  write_checkpoint(path, a);
  EXPECT_EQ(read_checkpoint(path).dataset_fingerprint, a.dataset_fingerprint);
  {
    H5::H5File f(path, H5F_ACC_RDWR);
    f.removeAttr("dataset_fingerprint");
    h5::set_attr(f, "dataset_fingerprint", std::string("fedcba9876543210"));
  }
  const std::string e = error_reading(path);
  EXPECT_NE(e.find("checksum"), std::string::npos) << e;
}

// A diverged state (inf or NaN weights) is refused by name rather than resumed into NaN steps.
TEST(CheckpointFileTest, NonFiniteParametersAreRefused) {
  const std::string path = (testing_support::fresh_dir("ckpt") / "nan.h5").string();
  TrainState a = sample_state();
  a.params[1] = std::numeric_limits<float>::infinity();
  write_checkpoint(path, a);
  const std::string e = error_reading(path);
  EXPECT_NE(e.find("'params' holds a non-finite value"), std::string::npos) << e;
}

TEST(CheckpointFileTest, RmspropStateHasNoMomentum) {
  const std::string path = (testing_support::fresh_dir("ckpt") / "rms.h5").string();
  TrainState a = sample_state();
  a.momentum.clear();
  write_checkpoint(path, a);
  EXPECT_TRUE(read_checkpoint(path).momentum.empty());
}

TEST(CheckpointFileTest, DamagedMomentumFailsTheChecksum) {
  const std::string path = (testing_support::fresh_dir("ckpt") / "damaged.h5").string();
  write_checkpoint(path, sample_state());
  {
    H5::H5File f(path, H5F_ACC_RDWR);
    f.unlink("momentum");
    h5::write_vector(f, "momentum", std::vector<float>{-0.03f, 0.0f, 0.25f, 2e-6f});
  }
  const std::string e = error_reading(path);
  EXPECT_NE(e.find("checksum"), std::string::npos) << e;
  EXPECT_NE(e.find(path), std::string::npos) << e;
}

TEST(CheckpointFileTest, MomentumOfTheWrongSizeIsRefused) {
  const std::string path = (testing_support::fresh_dir("ckpt") / "size.h5").string();
  TrainState a = sample_state();
  a.momentum.pop_back();
  write_checkpoint(path, a);
  const std::string e = error_reading(path);
  EXPECT_NE(e.find("sizes differ"), std::string::npos) << e;
}

// A checkpoint exactly as format version 1 wrote it (an RMSprop run before Adam existed), its
// checksum computed as version 1 did.
void write_version_1(const std::string& path, const TrainState& s) {
  H5::H5File file = h5::create(path);
  h5::set_attr(file, "kind", std::string("rnnsent-checkpoint"));
  h5::set_attr(file, "format_version", std::int64_t(1));
  h5::set_attr(file, "config", s.config_ini);
  h5::set_attr(file, "global_step", s.global_step);
  h5::set_attr(file, "epoch", std::int64_t(s.epoch));
  h5::set_attr(file, "step_in_epoch", s.step_in_epoch);
  h5::set_attr(file, "epoch_loss_sum", s.epoch_loss_sum);
  h5::set_attr(file, "epoch_correct", s.epoch_correct);
  h5::set_attr(file, "epoch_seen", s.epoch_seen);
  h5::set_attr(file, "epoch_seconds", s.epoch_seconds);
  h5::set_attr(file, "best_val_loss", s.checkpoint_best);
  h5::set_attr(file, "best_val_acc", s.stopping_best);
  h5::set_attr(file, "wait", std::int64_t(s.wait));
  h5::set_attr(file, "best_epoch", std::int64_t(s.best_epoch));
  h5::set_attr(file, "train_seconds", s.train_seconds);
  h5::set_attr(file, "train_samples", s.train_samples);
  h5::set_attr(file, "skipped_steps", s.skipped_steps);
  h5::set_attr(file, "ranks", std::int64_t(s.ranks));
  h5::set_attr(file, "finished", std::int64_t(s.finished));
  h5::write_vector(file, "params", s.params);
  h5::write_vector(file, "accumulators", s.accumulators);
  h5::write_vector(file, "best_params", s.best_params);
  H5::Group hist = file.createGroup("history");
  const History& h = s.history;
  const std::vector<double>* columns[] = {&h.loss,    &h.acc,     &h.val_loss,
                                          &h.val_acc, &h.seconds, &h.learning_rate};
  const char* names[] = {"loss", "acc", "val_loss", "val_acc", "seconds", "learning_rate"};
  for (int i = 0; i < 6; ++i) h5::write_vector(hist, names[i], *columns[i]);
  Fnv1a sum;
  std::ostringstream os;
  os.precision(17);
  os << 1 << ' ' << s.global_step << ' ' << s.epoch << ' ' << s.step_in_epoch << ' '
     << s.epoch_loss_sum << ' ' << s.epoch_correct << ' ' << s.epoch_seen << ' ' << s.epoch_seconds
     << ' ' << s.checkpoint_best << ' ' << s.stopping_best << ' ' << s.wait << ' ' << s.best_epoch
     << ' ' << s.train_seconds << ' ' << s.train_samples << ' ' << s.skipped_steps << ' ' << s.ranks
     << ' ' << s.finished << ' ' << s.config_ini;
  const std::string scalars = os.str();
  sum.mix(scalars.data(), scalars.size());
  for (const std::vector<float>* v : {&s.params, &s.accumulators, &s.best_params})
    sum.mix(v->data(), v->size() * sizeof(float));
  for (const std::vector<double>* v : columns) sum.mix(v->data(), v->size() * sizeof(double));
  h5::set_attr(file, "checksum", sum.value());
}

TEST(CheckpointFileTest, VersionOneCheckpointOfAnRmspropRunStillLoads) {
  const std::string path = (testing_support::fresh_dir("ckpt") / "v1.h5").string();
  TrainState a = sample_state();
  a.config_ini = "optimizer is not a key yet\n";
  write_version_1(path, a);
  const TrainState b = read_checkpoint(path);
  EXPECT_EQ(b.format_version, 1);
  EXPECT_EQ(b.params, a.params);
  EXPECT_EQ(b.accumulators, a.accumulators);
  EXPECT_TRUE(b.momentum.empty());
  EXPECT_EQ(b.optimizer_updates, a.global_step - a.skipped_steps);  // every other step updated
  EXPECT_EQ(b.epoch_updates, 0.0);
  EXPECT_EQ(b.history.val_acc, a.history.val_acc);
  ASSERT_EQ(b.history.grad_norm.size(), 2u);  // never recorded: NaN
  EXPECT_TRUE(std::isnan(b.history.grad_norm[0]) && std::isnan(b.history.grad_norm[1]));
  // Written back, it becomes a current-version checkpoint that reads the same.
  const std::string again = path + ".v2.h5";
  write_checkpoint(again, b);
  const TrainState c = read_checkpoint(again);
  EXPECT_EQ(c.format_version, kCheckpointFormatVersion);
  EXPECT_EQ(c.optimizer_updates, b.optimizer_updates);
  EXPECT_EQ(c.params, b.params);
}

TEST(CheckpointFileTest, DamagedVersionOneCheckpointFailsItsChecksum) {
  const std::string path = (testing_support::fresh_dir("ckpt") / "v1bad.h5").string();
  TrainState a = sample_state();
  write_version_1(path, a);
  {
    H5::H5File f(path, H5F_ACC_RDWR);
    f.unlink("params");
    h5::write_vector(f, "params", std::vector<float>{0.5f, -1.0f, 2.0f, 0.25f});
  }
  EXPECT_NE(error_reading(path).find("checksum"), std::string::npos);
}

TEST(CheckpointFileTest, UnknownFormatVersionIsNamed) {
  const std::string path = (testing_support::fresh_dir("ckpt") / "v9.h5").string();
  write_checkpoint(path, sample_state());
  {
    H5::H5File f(path, H5F_ACC_RDWR);
    f.removeAttr("format_version");
    h5::set_attr(f, "format_version", std::int64_t(9));
  }
  const std::string e = error_reading(path);
  EXPECT_NE(e.find("format version 9"), std::string::npos) << e;
  EXPECT_NE(e.find(path), std::string::npos) << e;
}

}  // namespace
}  // namespace rnnsent
