// TrainConfig -> ModelShape and StepOptions; see train_options.hpp.
#include "launch/lib/train_options.hpp"

#include <algorithm>
#include <exception>
#include <string>

#include "core/cpu_isa.hpp"
#include "launch/lib/epoch_monitor.hpp"

namespace rnnsent {
namespace {

// core's parse function's message ("unknown cell 'x' (expected: ...)") prefixed by the key.
template <typename Parse>
auto parse_key(const char* key, const std::string& value, Parse parse) {
  try {
    return parse(value);
  } catch (const std::exception& e) {
    throw ConfigError(std::string("key '") + key + "': " + e.what());
  }
}

}  // namespace

ModelShape model_shape(const TrainConfig& c) {
  ModelShape shape;
  shape.num_words = c.num_words;
  shape.embedding_dim = c.embedding_dim;
  shape.units = c.units;
  shape.cell = parse_key("cell", c.cell, parse_cell);
  shape.bidirectional = c.bidirectional;
  shape.layers = c.layers;
  shape.pooling = parse_key("pooling", c.pooling, parse_pooling);
  shape.bigram_buckets = c.bigram_buckets;
  shape.negation_scope = c.negation_scope;  // its negators come from the vocabulary (trainer)
  return shape;
}

StepOptions step_options(const TrainConfig& c) {
  StepOptions o;
  o.optimizer.kind = parse_key("optimizer", c.optimizer, parse_optimizer);
  o.optimizer.rho = float(c.rho);
  o.optimizer.beta_1 = float(c.beta_1);
  o.optimizer.beta_2 = float(c.beta_2);
  o.optimizer.epsilon = float(c.epsilon);
  const LrScaling scaling = parse_key("lr_scaling", c.lr_scaling, parse_lr_scaling);
  o.learning_rate.target = scaled_learning_rate(c.learning_rate, scaling, std::size_t(c.batch_size),
                                                std::size_t(c.lr_base_batch));
  o.learning_rate.warmup_steps = c.warmup_steps;
  o.learning_rate.decay = parse_key("lr_schedule", c.lr_schedule, parse_lr_decay);
  o.learning_rate.decay_steps = std::max(c.lr_decay_steps, 1);  // lr_decay_steps() resolves 0
  o.learning_rate.decay_rate = c.lr_decay_rate;
  o.learning_rate.alpha = c.lr_cosine_alpha;
  o.clipnorm = c.clipnorm;
  o.dropout = float(c.dropout);
  o.word_dropout = float(c.word_dropout);
  o.projection_dropout = float(c.projection_dropout);
  o.shard_optimizer = c.shard_optimizer;
  o.shared_memory_exchange = c.shared_memory_exchange;
  o.sparse_exchange = c.sparse_exchange;
  o.embedding_weight_dropout = float(c.embedding_weight_dropout);
  o.seed = c.seed;
  return o;
}

std::int64_t lr_decay_steps(const TrainConfig& c, std::int64_t steps_per_epoch) {
  if (c.lr_decay_steps > 0) return c.lr_decay_steps;
  if (c.lr_schedule != "cosine") return std::max<std::int64_t>(steps_per_epoch, 1);
  return std::max<std::int64_t>(steps_per_epoch * c.epochs - c.warmup_steps, 1);
}

bool has_validation(const TrainConfig& c) { return c.validation_split > 0; }

// Without validation reviews the val_ metrics do not exist. Early stopping and best_model.h5
// fall back on their own (a fixed number of epochs, the latest epoch); a callback the user
// turned on for a val_ metric cannot work, and is refused rather than left idle.
void check_training_config(const TrainConfig& c) {
  usable_cpu_isa();  // a bad RNNSENT_MAX_CPU_ISA, before MPI starts
  model_shape(c);
  step_options(c);
  if (has_validation(c)) return;
  if (c.reduce_lr_on_plateau && is_validation_metric(c.reduce_lr_monitor))
    throw ConfigError("key 'reduce_lr_on_plateau': reduce_lr_monitor " + c.reduce_lr_monitor +
                      " needs validation reviews and validation_split is 0 (watch loss or acc)");
  if (c.restore_best_weights && is_validation_metric(c.early_stopping_monitor))
    throw ConfigError("key 'restore_best_weights': early_stopping_monitor " +
                      c.early_stopping_monitor +
                      " needs validation reviews and validation_split is 0 (watch loss or acc)");
}

}  // namespace rnnsent
