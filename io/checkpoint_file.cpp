// Reading and writing resume checkpoints; see checkpoint_file.hpp.
#include "io/checkpoint_file.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "io/atomic_file.hpp"
#include "io/checksum.hpp"
#include "io/h5_util.hpp"

namespace rnnsent {
namespace {

constexpr const char* kKind = "rnnsent-checkpoint";

const char* kHistoryColumns[] = {"loss",    "acc",           "val_loss", "val_acc",
                                 "seconds", "learning_rate", "grad_norm"};
constexpr int kHistoryColumnsV1 = 6;  // version 1 had no grad_norm
std::vector<double>& column(History& h, int i) {
  std::vector<double>* c[] = {&h.loss,    &h.acc,           &h.val_loss, &h.val_acc,
                              &h.seconds, &h.learning_rate, &h.grad_norm};
  return *c[i];
}

// FNV-1a over the scalar state (as text) and every array's bytes, as the file's format version
// defined it (version 1 files keep verifying).
std::int64_t checksum(const TrainState& s, int version) {
  Fnv1a h;
  std::ostringstream os;
  os.precision(17);
  os << version << ' ' << s.global_step << ' ' << s.epoch << ' ' << s.step_in_epoch << ' '
     << s.epoch_loss_sum << ' ' << s.epoch_correct << ' ' << s.epoch_seen << ' ' << s.epoch_seconds
     << ' ' << s.checkpoint_best << ' ' << s.stopping_best << ' ' << s.wait << ' ' << s.best_epoch
     << ' ' << s.train_seconds << ' ' << s.train_samples << ' ' << s.skipped_steps << ' ' << s.ranks
     << ' ' << s.finished << ' ' << s.config_ini;
  if (version >= 2)
    os << ' ' << s.epoch_grad_norm_sum << ' ' << s.epoch_updates << ' ' << s.optimizer_updates;
  if (version >= 4) os << ' ' << s.dataset_fingerprint;
  if (version >= 5)
    os << ' ' << s.lr_scale << ' ' << s.plateau_best << ' ' << s.plateau_wait << ' '
       << s.plateau_cooldown << ' ' << s.restore_epoch;
  const std::string scalars = os.str();
  h.mix(scalars.data(), scalars.size());
  for (const std::vector<float>* v : {&s.params, &s.accumulators, &s.best_params})
    h.mix(v->data(), v->size() * sizeof(float));
  if (version >= 2) h.mix(s.momentum.data(), s.momentum.size() * sizeof(float));
  if (version >= 3) h.mix(s.weight_average.data(), s.weight_average.size() * sizeof(float));
  if (version >= 5) h.mix(s.restore_params.data(), s.restore_params.size() * sizeof(float));
  History copy = s.history;
  const int columns = version >= 2 ? 7 : kHistoryColumnsV1;
  for (int i = 0; i < columns; ++i)
    h.mix(column(copy, i).data(), column(copy, i).size() * sizeof(double));
  return h.value();
}

}  // namespace

void write_checkpoint(const std::string& path, const TrainState& s,
                      const std::function<void(const std::string& path)>& before_publish) {
  {
    H5::H5File file = h5::create_in_memory(path);
    h5::set_attr(file, "kind", std::string(kKind));
    h5::set_attr(file, "format_version", std::int64_t(kCheckpointFormatVersion));
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
    h5::set_attr(file, "epoch_grad_norm_sum", s.epoch_grad_norm_sum);
    h5::set_attr(file, "epoch_updates", s.epoch_updates);
    h5::set_attr(file, "optimizer_updates", s.optimizer_updates);
    h5::set_attr(file, "dataset_fingerprint", s.dataset_fingerprint);
    h5::write_vector(file, "params", s.params);
    h5::write_vector(file, "accumulators", s.accumulators);
    h5::write_vector(file, "best_params", s.best_params);
    h5::write_vector(file, "momentum", s.momentum);
    h5::write_vector(file, "weight_average", s.weight_average);
    h5::set_attr(file, "lr_scale", s.lr_scale);
    h5::set_attr(file, "plateau_best", s.plateau_best);
    h5::set_attr(file, "plateau_wait", std::int64_t(s.plateau_wait));
    h5::set_attr(file, "plateau_cooldown", std::int64_t(s.plateau_cooldown));
    h5::write_vector(file, "restore_params", s.restore_params);
    h5::set_attr(file, "restore_epoch", std::int64_t(s.restore_epoch));
    H5::Group hist = file.createGroup("history");
    History h = s.history;
    for (int i = 0; i < 7; ++i) h5::write_vector(hist, kHistoryColumns[i], column(h, i));
    h5::set_attr(file, "checksum", checksum(s, kCheckpointFormatVersion));
    h5::save_atomically(file, path, [&] {
      if (before_publish) before_publish(path);
    });
  }
}

static TrainState read_checkpoint_unguarded(const std::string& path) {
  H5::H5File file = h5::open_read(path);
  TrainState s;
  const int version =
      h5::checked_format_version(file, path, kKind, "checkpoint", 1, kCheckpointFormatVersion);
  s.format_version = version;
  s.config_ini = h5::get_string_attr(file, "config");
  s.global_step = h5::get_int_attr(file, "global_step");
  s.epoch = h5::get_int32_attr(file, "epoch");
  s.step_in_epoch = h5::get_int_attr(file, "step_in_epoch");
  s.epoch_loss_sum = h5::get_double_attr(file, "epoch_loss_sum");
  s.epoch_correct = h5::get_double_attr(file, "epoch_correct");
  s.epoch_seen = h5::get_double_attr(file, "epoch_seen");
  s.epoch_seconds = h5::get_double_attr(file, "epoch_seconds");
  s.checkpoint_best = h5::get_double_attr(file, "best_val_loss");
  s.stopping_best = h5::get_double_attr(file, "best_val_acc");
  s.wait = h5::get_int32_attr(file, "wait");
  s.best_epoch = h5::get_int32_attr(file, "best_epoch");
  s.train_seconds = h5::get_double_attr(file, "train_seconds");
  s.train_samples = h5::get_double_attr(file, "train_samples");
  s.skipped_steps = h5::get_int_attr(file, "skipped_steps");
  s.ranks = h5::get_int32_attr(file, "ranks");
  s.finished = h5::get_int32_attr(file, "finished");
  s.params = h5::read_array<float>(file, "params");
  s.accumulators = h5::read_array<float>(file, "accumulators");
  s.best_params = h5::read_array<float>(file, "best_params");
  if (!h5::has(file, "history")) throw std::runtime_error(path + ": missing group 'history'");
  const H5::Group hist = file.openGroup("history");
  if (version >= 2) {
    s.epoch_grad_norm_sum = h5::get_double_attr(file, "epoch_grad_norm_sum");
    s.epoch_updates = h5::get_double_attr(file, "epoch_updates");
    s.optimizer_updates = h5::get_int_attr(file, "optimizer_updates");
    s.momentum = h5::read_array<float>(file, "momentum");
    if (version >= 3) s.weight_average = h5::read_array<float>(file, "weight_average");
    if (version >= 4) s.dataset_fingerprint = h5::get_string_attr(file, "dataset_fingerprint");
    if (version >= 5) {
      s.lr_scale = h5::get_double_attr(file, "lr_scale");
      s.plateau_best = h5::get_double_attr(file, "plateau_best");
      s.plateau_wait = h5::get_int32_attr(file, "plateau_wait");
      s.plateau_cooldown = h5::get_int32_attr(file, "plateau_cooldown");
      s.restore_params = h5::read_array<float>(file, "restore_params");
      s.restore_epoch = h5::get_int32_attr(file, "restore_epoch");
    }
    for (int i = 0; i < 7; ++i)
      column(s.history, i) = h5::read_array<double>(hist, kHistoryColumns[i]);
  } else {
    for (int i = 0; i < kHistoryColumnsV1; ++i)
      column(s.history, i) = h5::read_array<double>(hist, kHistoryColumns[i]);
  }
  if (h5::get_int_attr(file, "checksum") != checksum(s, version))
    throw std::runtime_error(path + ": checksum mismatch (the checkpoint is damaged)");
  if (version < 2) {  // an RMSprop run: every step that was not skipped was an update
    s.optimizer_updates = s.global_step - s.skipped_steps;
    s.history.grad_norm.assign(s.history.epochs(), std::numeric_limits<double>::quiet_NaN());
  }
  if (s.params.size() != s.accumulators.size() || s.params.size() != s.best_params.size() ||
      (!s.momentum.empty() && s.momentum.size() != s.params.size()) ||
      (!s.weight_average.empty() && s.weight_average.size() != s.params.size()) ||
      (!s.restore_params.empty() && s.restore_params.size() != s.params.size()))
    throw std::runtime_error(
        path +
        ": parameter, accumulator, momentum, weight-average, best- and restore-parameter sizes "
        "differ");
  // A diverged state would resume into NaN steps or be saved as the best model.
  for (const auto& [name, v] :
       {std::pair{"params", &s.params}, std::pair{"best_params", &s.best_params},
        std::pair{"weight_average", &s.weight_average},
        std::pair{"restore_params", &s.restore_params}})
    for (float x : *v)
      if (!std::isfinite(x))
        throw std::runtime_error(path + ": '" + name + "' holds a non-finite value (" +
                                 std::to_string(x) + "); this checkpoint cannot be resumed");
  for (int i = 1; i < 7; ++i)
    if (column(s.history, i).size() != s.history.epochs())
      throw std::runtime_error(path + ": history column '" + kHistoryColumns[i] +
                               "' has the wrong length");
  return s;
}

TrainState read_checkpoint(const std::string& path) {
  return h5::guard(path, [&] { return read_checkpoint_unguarded(path); });
}

}  // namespace rnnsent
