// What a training run does before its first step, split from the loop (trainer.cpp): the
// thread count, the checks every rank makes of its input (the dataset's tokenizer, num_words,
// that every rank runs the same job, the memory it will need), and rank 0's claim on
// output_dir (its lock, the checkpoint to resume, the refusal to replace another run's files).
// Everything that can be wrong is found here, before any output changes.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dist/session.hpp"
#include "io/checkpoint_file.hpp"
#include "io/config.hpp"
#include "io/dataset_file.hpp"
#include "launch/lib/run_dir.hpp"

namespace rnnsent {

// threads > 0 as given; else OMP_NUM_THREADS, or the node's cores shared among its ranks.
void set_thread_count(const TrainConfig& config);

// Every rank: resolves config.num_words against the dataset and checks what every rank must
// agree on; throws JobError (known alike on every rank) or std::runtime_error naming the value.
void check_inputs(TrainConfig& config, const TrainConfig& given, const DatasetReader& reader,
                  const dist::Session& session);

// Rank 0's hold on output_dir for the run.
struct OutputClaim {
  std::unique_ptr<RunLock> lock;
  bool resuming = false;
  std::string resumed_from;          // the checkpoint resumed
  TrainState state;                  // its state (resuming)
  std::vector<std::string> foreign;  // another run's checkpoints, to move aside
};

// Rank 0: creates and locks output_dir, finds the checkpoint to resume (and checks it matches
// this run and dataset), and refuses a new run where an earlier run's model or checkpoints
// would be replaced without --overwrite.
OutputClaim claim_output_dir(const TrainConfig& config, const DatasetReader& reader);

// mkdir -p; throws naming the directory.
void make_dirs(const std::string& dir);

// The resumed run's math keys must equal this run's (config_keys.hpp).
void check_resumable(const TrainConfig& now, const std::string& ckpt_path, const std::string& ini);

}  // namespace rnnsent
