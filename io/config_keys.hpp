// The one table of configuration keys. Each row says everything rnnsent knows about a key:
// where TrainConfig keeps it, its help text, the rule its value must meet, and whether it
// defines the run's math (a resume must agree on it). The parser, validate(), to_ini() (and so
// config.ini, checkpoints and best_model.h5), --help with the defaults, the resume check and
// the test of the README's key table are all made from it, so a key is added in one place.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "io/config.hpp"

namespace rnnsent {

// A key's value, of the type TrainConfig keeps it in.
using ConfigValue = std::variant<int, double, bool, std::string, std::uint64_t>;

struct ConfigKey {
  using Field = std::variant<int TrainConfig::*, double TrainConfig::*, bool TrainConfig::*,
                             std::string TrainConfig::*, std::uint64_t TrainConfig::*>;
  const char* name;
  Field field;
  const char* help;
  bool math;  // changes what the run computes: a checkpoint resumes only a run that agrees
  // "" when the value is acceptable, else the rule it breaks ("must be >= 1").
  std::function<std::string(const ConfigValue&)> rule;
  // Reads the text of the value instead of Boost's reader of the field's type (num_words'
  // "all"); null for the rest.
  void (*parse)(TrainConfig&, const std::string&) = nullptr;
};

// Every key, in the order config.ini lists them.
const std::vector<ConfigKey>& config_keys();

ConfigValue key_value(const ConfigKey& key, const TrainConfig& config);

// The value as config.ini writes it: numbers in the shortest form that reads back exactly,
// booleans as true / false, text as it is.
std::string value_text(const ConfigValue& value);

// --help's table of keys: `--name  default  help`, one key per line ("(required)" for data,
// "(none)" for an empty default).
std::string keys_help();

}  // namespace rnnsent
