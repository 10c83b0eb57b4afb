// Reading and writing history.h5: one float64 dataset per metric, one entry per epoch.
#include "io/history_file.hpp"

#include <cstdio>
#include <limits>
#include <stdexcept>

#include "io/atomic_file.hpp"
#include "io/h5_util.hpp"

namespace rnnsent {
namespace {

struct Column {
  const char* name;
  std::vector<double> History::*values;
};
constexpr Column kColumns[] = {
    {"loss", &History::loss},          {"acc", &History::acc},
    {"val_loss", &History::val_loss},  {"val_acc", &History::val_acc},
    {"seconds", &History::seconds},    {"learning_rate", &History::learning_rate},
    {"grad_norm", &History::grad_norm}};

}  // namespace

void write_history(const std::string& path, const History& history) {
  {
    H5::H5File file = h5::create_in_memory(path);
    h5::set_attr(file, "kind", std::string("rnnsent-history"));
    h5::set_attr(file, "format_version", std::int64_t(kHistoryFormatVersion));
    std::vector<std::int32_t> epoch(history.epochs());
    for (std::size_t i = 0; i < epoch.size(); ++i) epoch[i] = std::int32_t(i + 1);
    h5::write_vector(file, "epoch", epoch);
    for (const Column& c : kColumns) {
      const std::vector<double>& v = history.*(c.values);
      if (v.size() != history.epochs())
        throw std::runtime_error(path + ": history column '" + c.name + "' has the wrong length");
      h5::write_vector(file, c.name, v);
    }
    h5::save_atomically(file, path);
  }
}

static History read_history_unguarded(const std::string& path) {
  H5::H5File file = h5::open_read(path);
  if (!h5::has_attr(file, "kind") || h5::get_string_attr(file, "kind") != "rnnsent-history")
    throw std::runtime_error(path + ": not an rnnsent history file");
  History h;
  for (const Column& c : kColumns) {
    if (c.values == &History::grad_norm && !h5::has(file, c.name))
      h.grad_norm.assign(h.loss.size(), std::numeric_limits<double>::quiet_NaN());  // version 1
    else
      h.*(c.values) = h5::read_array<double>(file, c.name);
  }
  for (const Column& c : kColumns)
    if ((h.*(c.values)).size() != h.loss.size())
      throw std::runtime_error(path + ": history column '" + std::string(c.name) +
                               "' has the wrong length");
  return h;
}

History read_history(const std::string& path) {
  return h5::guard(path, [&] { return read_history_unguarded(path); });
}

}  // namespace rnnsent
