// Which reviews a run trains, validates and tests on: one seeded shuffle of the training split,
// its last validation_split held out (as Keras's validation_split takes the last fraction),
// max_train taken from the front of the rest; the test split in a seeded order so that
// max_test samples both classes. Shared by the trainer and rnnsent_eval, so evaluation of a
// checkpoint sees exactly the validation reviews its run saw.
#pragma once

#include <cstdint>
#include <vector>

#include "io/config.hpp"

namespace rnnsent {

struct DataSplit {
  std::vector<std::uint32_t> train, val, test;  // indices into the prepared file's splits
};

// Throws naming validation_split when it leaves no training review, or no validation review
// although it is above 0 (validation_split = 0 trains on every training review).
DataSplit split_data(std::size_t train_split_size, std::size_t test_split_size,
                     const TrainConfig& config);

// Stream of seeded_permutation for epoch e's shuffle (the split uses streams 0 and 1).
inline std::uint64_t epoch_stream(int epoch) { return 1000 + std::uint64_t(epoch); }

}  // namespace rnnsent
