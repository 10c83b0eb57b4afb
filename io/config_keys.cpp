// The table of configuration keys; see config_keys.hpp.
#include "io/config_keys.hpp"

#include <cfloat>
#include <cmath>
#include <cstdlib>
#include <iomanip>
#include <sstream>

namespace rnnsent {
namespace {

using Rule = std::function<std::string(const ConfigValue&)>;

// Rules, each returning "" for a good value.
Rule at_least(int lo, const std::string& note = "") {
  return [lo, note](const ConfigValue& v) {
    return std::get<int>(v) < lo ? "must be >= " + std::to_string(lo) + note : std::string();
  };
}
Rule int_range(int lo, int hi) {
  return [lo, hi](const ConfigValue& v) {
    const int x = std::get<int>(v);
    return x < lo || x > hi ? "must be in " + std::to_string(lo) + ".." + std::to_string(hi)
                            : std::string();
  };
}
// [0, 1): dropout rates, decays, momenta.
Rule unit_interval(const std::string& note = "") {
  return [note](const ConfigValue& v) {
    const double x = std::get<double>(v);
    return x >= 0 && x < 1 ? std::string() : "must be in [0, 1)" + note;
  };
}
Rule real_rule(bool (*ok)(double), const char* text) {
  return [ok, text](const ConfigValue& v) {
    return ok(std::get<double>(v)) ? std::string() : std::string(text);
  };
}
Rule one_of(std::vector<std::string> names) {
  return [names](const ConfigValue& v) {
    for (const std::string& n : names)
      if (std::get<std::string>(v) == n) return std::string();
    std::string rule = "must be ";
    for (std::size_t i = 0; i < names.size(); ++i)
      rule += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
    return rule;
  };
}
Rule any() {
  return [](const ConfigValue&) { return std::string(); };
}
Rule non_empty(const char* text) {
  return [text](const ConfigValue& v) {
    return std::get<std::string>(v).empty() ? std::string(text) : std::string();
  };
}

// num_words: an integer, or "all" (= 0, the whole vocabulary).
void parse_num_words(TrainConfig& c, const std::string& text) {
  if (text == "all") {
    c.num_words = 0;
    return;
  }
  std::size_t used = 0;
  try {
    c.num_words = std::stoi(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size())
    throw ConfigError("invalid value '" + text +
                      "' for key 'num_words': must be an integer, or 0 / all for the whole "
                      "vocabulary");
}

using C = TrainConfig;
constexpr bool kMath = true, kRun = false;

std::vector<ConfigKey> make_table() {
  return {
      // Data
      {"data", &C::data, "prepared dataset file (from rnnsent_prepare)", kRun, any()},
      {"output_dir", &C::output_dir, "directory for best_model.h5, history.h5, summary.json", kRun,
       non_empty("must name a directory")},
      {"init_from", &C::init_from,
       "a model file (best_model.h5) whose weights a new run starts from, with a fresh optimizer; "
       "ignored by a resume",
       kRun, any()},
      {"num_words", &C::num_words,
       "vocabulary size incl. the reserved ids 0-3 (ids >= num_words -> 2); 0 or all = the whole "
       "vocabulary",
       kMath,
       [](const ConfigValue& v) {
         const int n = std::get<int>(v);
         return n != 0 && n < 4 ? std::string(
                                      "must be >= 4 (ids 0-2 are reserved), or 0 / all "
                                      "for the whole vocabulary")
                                : std::string();
       },
       parse_num_words},
      {"maxlen", &C::maxlen, "time steps per review after padding/truncation", kMath, at_least(1)},
      {"padding", &C::padding, "pre | post: which side is padded and truncated", kMath,
       one_of({"pre", "post"})},
      // Model (cell and pooling names belong to core/; launch/ checks them, train_options)
      {"cell", &C::cell, "recurrent cell: rnn (= simple_rnn) | lstm | gru", kMath, any()},
      {"embedding_dim", &C::embedding_dim, "embedding width", kMath, at_least(1)},
      {"units", &C::units, "recurrent units", kMath, at_least(1)},
      {"bidirectional", &C::bidirectional, "true | false: also read reviews backwards", kMath,
       any()},
      {"layers", &C::layers, "stacked recurrent layers (1-8)", kMath, int_range(1, 8)},
      {"pooling", &C::pooling,
       "last | mean | max: the top layer's last states, or their mean or maximum over the real "
       "tokens",
       kMath, any()},
      {"dropout", &C::dropout, "dropout rate on the embedding output (never on padding), [0, 1)",
       kMath, unit_interval()},
      {"bigram_buckets", &C::bigram_buckets,
       "hashed bigram rows after the word rows; each step adds its bigram's row (0 = off)", kMath,
       int_range(0, 1 << 24)},  // core's kMaxBigramBuckets (io/ does not depend on core/)
      {"negation_scope", &C::negation_scope,
       "with bigram_buckets: the tokens after a negator (not, never, didn't, ...) that also read "
       "their word's negated row (0 = off)",
       kMath, int_range(0, 10)},
      {"crop_fraction", &C::crop_fraction,
       "fraction of training reviews replaced each epoch by a random crop of their tokens, [0, 1)",
       kMath, unit_interval(" (0 = off)")},
      {"crop_min", &C::crop_min, "crop_fraction: the fewest tokens of a crop", kMath, at_least(1)},
      {"crop_max", &C::crop_max, "crop_fraction: the most tokens of a crop (>= crop_min)", kMath,
       at_least(1)},
      {"crop_position", &C::crop_position,
       "anywhere | ends: a crop is any run of the review, or its first or its last tokens", kMath,
       one_of({"anywhere", "ends"})},
      {"word_dropout", &C::word_dropout,
       "rate of whole tokens dropped from the embedding output (never padding), [0, 1)", kMath,
       unit_interval()},
      {"embedding_weight_dropout", &C::embedding_weight_dropout,
       "rate of embedding matrix elements dropped each training step, [0, 1)", kMath,
       unit_interval()},
      {"projection_dropout", &C::projection_dropout,
       "rate of elements dropped from each recurrent layer's input projection x W (never at "
       "padding), [0, 1)",
       kMath, unit_interval()},
      // Optimisation
      {"batch_size", &C::batch_size, "global batch size", kMath, at_least(1)},
      {"epochs", &C::epochs, "maximum epochs", kRun, at_least(1)},
      {"optimizer", &C::optimizer, "rmsprop | adam", kMath, one_of({"rmsprop", "adam"})},
      {"learning_rate", &C::learning_rate, "learning rate (before scaling and warm-up)", kMath,
       real_rule([](double x) { return x > 0 && x <= FLT_MAX; },
                 "must be > 0 and <= 3.40282e+38 (float)")},
      {"rho", &C::rho, "RMSprop decay", kMath, unit_interval()},
      {"beta_1", &C::beta_1, "Adam decay of the first moment", kMath, unit_interval()},
      {"beta_2", &C::beta_2, "Adam decay of the second moment", kMath, unit_interval()},
      // The optimizer computes in float: an epsilon below FLT_MIN flushes to 0 and divides by
      // zero on a zero accumulator.
      {"epsilon", &C::epsilon, "RMSprop and Adam epsilon (added outside the square root)", kMath,
       real_rule([](double x) { return x >= FLT_MIN; }, "must be >= 1.17549e-38 (float)")},
      {"clipnorm", &C::clipnorm, "clip the gradient to this global L2 norm (0 = off)", kMath,
       real_rule([](double x) { return x >= 0 && !std::isinf(x); }, "must be >= 0 (0 = off)")},
      {"ema_momentum", &C::ema_momentum,
       "validate and keep a moving average of the weights with this momentum, [0, 1) (0 = off)",
       kMath, unit_interval(" (0 = off)")},
      {"warmup_steps", &C::warmup_steps,
       "updates over which the learning rate ramps up linearly (0 = off)", kMath,
       at_least(0, " (0 = off)")},
      {"lr_scaling", &C::lr_scaling,
       "none | linear | sqrt: scale learning_rate by global batch / lr_base_batch", kMath,
       one_of({"none", "linear", "sqrt"})},
      {"lr_base_batch", &C::lr_base_batch, "the batch learning_rate is given for", kMath,
       at_least(1)},
      {"validation_split", &C::validation_split,
       "fraction of training reviews held out, [0, 1) (0: train on all of them for epochs epochs)",
       kMath, real_rule([](double x) { return x >= 0 && x < 1; }, "must be in [0, 1)")},
      {"lr_schedule", &C::lr_schedule,
       "constant | cosine | exponential | step: the learning rate's decay after the warm-up", kMath,
       one_of({"constant", "cosine", "exponential", "step"})},
      {"lr_decay_steps", &C::lr_decay_steps,
       "updates per decay period (0 = the whole run for cosine, one epoch otherwise)", kMath,
       at_least(0, " (0 = automatic)")},
      {"lr_decay_rate", &C::lr_decay_rate, "exponential, step: the factor per lr_decay_steps",
       kMath, real_rule([](double x) { return x > 0 && x <= 1; }, "must be in (0, 1]")},
      {"lr_cosine_alpha", &C::lr_cosine_alpha,
       "cosine: the final learning rate as a fraction of learning_rate", kMath,
       real_rule([](double x) { return x >= 0 && x <= 1; }, "must be in [0, 1]")},
      {"early_stopping_monitor", &C::early_stopping_monitor,
       "loss | acc | val_loss | val_acc: the metric early stopping watches", kMath,
       one_of({"loss", "acc", "val_loss", "val_acc"})},
      {"early_stopping_mode", &C::early_stopping_mode,
       "auto | min | max: which way is better (auto: min for losses, max for accuracies)", kMath,
       one_of({"auto", "min", "max"})},
      {"min_delta", &C::min_delta, "the least change of the monitored metric that is a gain", kRun,
       real_rule([](double x) { return x >= 0; }, "must be >= 0")},
      {"patience", &C::patience, "epochs without a gain before stopping", kRun, at_least(0)},
      {"start_from_epoch", &C::start_from_epoch,
       "epochs at the start that early stopping does not watch", kRun, at_least(0)},
      {"checkpoint_monitor", &C::checkpoint_monitor,
       "loss | acc | val_loss | val_acc: best_model.h5 is the epoch best by this metric", kMath,
       one_of({"loss", "acc", "val_loss", "val_acc"})},
      {"restore_best_weights", &C::restore_best_weights,
       "true | false: final_model.h5 holds early_stopping_monitor's best epoch, not the last",
       kMath, any()},
      {"average_last_epochs", &C::average_last_epochs,
       "> 0: keep models/epoch_NNN.h5 and write averaged_model.h5, the mean of the last this "
       "many epochs' models (0 = off)",
       kMath, at_least(0, " (0 = off)")},
      {"reduce_lr_on_plateau", &C::reduce_lr_on_plateau,
       "true | false: lower the learning rate when reduce_lr_monitor stops improving", kMath,
       any()},
      {"reduce_lr_monitor", &C::reduce_lr_monitor,
       "loss | acc | val_loss | val_acc: the metric reduce_lr_on_plateau watches", kMath,
       one_of({"loss", "acc", "val_loss", "val_acc"})},
      {"reduce_lr_factor", &C::reduce_lr_factor,
       "reduce_lr_on_plateau: the factor a reduction multiplies the rate by, (0, 1)", kMath,
       real_rule([](double x) { return x > 0 && x < 1; }, "must be in (0, 1)")},
      {"reduce_lr_patience", &C::reduce_lr_patience,
       "reduce_lr_on_plateau: epochs without a gain before a reduction", kMath, at_least(0)},
      {"reduce_lr_min_delta", &C::reduce_lr_min_delta,
       "reduce_lr_on_plateau: the least change of its metric that is a gain", kMath,
       real_rule([](double x) { return x >= 0 && !std::isinf(x); }, "must be >= 0")},
      {"reduce_lr_cooldown", &C::reduce_lr_cooldown,
       "reduce_lr_on_plateau: epochs after a reduction that are not watched", kMath, at_least(0)},
      {"reduce_lr_min_lr", &C::reduce_lr_min_lr,
       "reduce_lr_on_plateau: reductions never take the rate below this", kMath,
       real_rule([](double x) { return x >= 0 && !std::isinf(x); }, "must be >= 0")},
      {"seed", &C::seed, "seed for shuffles, initialisation and dropout", kMath, any()},
      // Resources and logging
      {"shard_optimizer", &C::shard_optimizer,
       "true | false: with RMSprop at P > 1 each rank updates 1/P of the embedding rows (ZeRO 1)",
       kRun, any()},
      {"shared_memory_exchange", &C::shared_memory_exchange,
       "true | false: with RMSprop and every rank on one host, sum the gradient in a shared-memory "
       "window (the sharded update without MPI collectives)",
       kRun, any()},
      {"sparse_exchange", &C::sparse_exchange,
       "true | false: at P = 2-4 with ranks on several hosts (no window) and no shard_optimizer, "
       "each rank allgathers only the embedding rows its own reviews touched, not the union's "
       "allreduce (fewer bytes, the same sums at P = 2)",
       kRun, any()},
      {"threads", &C::threads, "OpenMP threads per rank (0 = OMP_NUM_THREADS / all)", kRun,
       at_least(0)},
      {"max_train", &C::max_train, "use only the first N training reviews (0 = all)", kMath,
       at_least(0)},
      {"max_test", &C::max_test, "evaluate only the first N test reviews (0 = all)", kMath,
       at_least(0)},
      {"eval_batch_size", &C::eval_batch_size, "batch size for validation and test", kRun,
       at_least(1)},
      {"log_every", &C::log_every, "batches between progress lines and steps.csv rows", kRun,
       at_least(1)},
      {"progress", &C::progress,
       "auto | bar | lines | none: auto draws the bar only on a terminal outside mpirun/srun", kRun,
       one_of({"auto", "bar", "lines", "none"})},
      // Fault tolerance
      {"checkpoint_every", &C::checkpoint_every,
       "steps between resume checkpoints (0 = epoch ends only)", kRun, at_least(0)},
      {"keep_checkpoints", &C::keep_checkpoints, "newest resume checkpoints kept", kRun,
       at_least(1)},
      {"watchdog_seconds", &C::watchdog_seconds, "end the job when a step takes longer (0 = off)",
       kRun, at_least(0)},
      {"nonfinite", &C::nonfinite, "stop | skip: on a non-finite loss or gradient", kRun,
       one_of({"stop", "skip"})},
  };
}

}  // namespace

const std::vector<ConfigKey>& config_keys() {
  static const std::vector<ConfigKey> table = make_table();
  return table;
}

ConfigValue key_value(const ConfigKey& key, const TrainConfig& config) {
  return std::visit([&](auto member) { return ConfigValue(config.*member); }, key.field);
}

std::string value_text(const ConfigValue& value) {
  struct Text {
    std::string operator()(int v) const { return std::to_string(v); }
    std::string operator()(std::uint64_t v) const { return std::to_string(v); }
    std::string operator()(bool v) const { return v ? "true" : "false"; }
    std::string operator()(const std::string& v) const { return v; }
    // The shortest of 15 or 17 significant digits that reads back as the same double: a
    // resumed run compares its values with the stored ones, and 0.001 should still read 0.001.
    std::string operator()(double v) const {
      std::ostringstream os;
      os.precision(15);
      os << v;
      if (std::strtod(os.str().c_str(), nullptr) == v) return os.str();
      os.str("");
      os.precision(17);
      os << v;
      return os.str();
    }
  };
  return std::visit(Text{}, value);
}

std::string keys_help() {
  const TrainConfig defaults;
  std::ostringstream os;
  os << "Configuration keys (INI file `key = value` or flag `--key value`; the flag wins):\n";
  for (const ConfigKey& key : config_keys()) {
    std::string value = value_text(key_value(key, defaults));
    if (std::string(key.name) == "data")
      value = "(required)";
    else if (value.empty())
      value = "(none)";
    os << "  --" << std::left << std::setw(26) << key.name << " " << std::setw(11) << value << " "
       << key.help << "\n";
  }
  return os.str();
}

}  // namespace rnnsent
