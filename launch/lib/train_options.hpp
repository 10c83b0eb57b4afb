// From a validated TrainConfig to what core/ and the data-parallel step take: the model's shape
// and the step's options (optimizer, learning-rate schedule, clipping, dropout). The names of
// cells, optimizers and scalings belong to core/ (parse_cell, parse_optimizer,
// parse_lr_scaling); io/ cannot see them, so they are checked here, with ConfigErrors naming
// the key and value.
#pragma once

#include "core/model_shape.hpp"
#include "io/config.hpp"
#include "launch/lib/data_parallel.hpp"

namespace rnnsent {

// cell, embedding_dim, units, bidirectional, layers and num_words as given (resolve num_words
// first: resolve_num_words).
ModelShape model_shape(const TrainConfig& config);

// The learning rate is scaled with batch_size (the global batch) per lr_scaling and ramps up
// over warmup_steps.
StepOptions step_options(const TrainConfig& config);

// lr_decay_steps resolved: as given, or with 0 the run's updates after the warm-up (cosine, so
// it ends at alpha * learning_rate with the last epoch) or one epoch (exponential, step).
// Continuing a finished run to more epochs stretches a cosine resolved this way.
std::int64_t lr_decay_steps(const TrainConfig& config, std::int64_t steps_per_epoch);

// validation_split > 0: the run has validation reviews and its val_ metrics.
bool has_validation(const TrainConfig& config);

// Both of the above, for rnnsent_train to reject a bad name before anything starts, and the
// keys that need validation reviews when validation_split is 0.
void check_training_config(const TrainConfig& config);

}  // namespace rnnsent
