// Refuses a training run whose buffers cannot fit in this machine's memory, before anything is
// allocated: embedding_dim = 10^8 otherwise ran the node out of memory (the kernel killed the
// job) and units = 10^5 ended in a bare std::bad_alloc that named no key.
#pragma once

#include <cstddef>

#include "core/model_shape.hpp"
#include "io/config.hpp"

namespace rnnsent {

// shape: the resolved model; rows: the reviews this rank holds padded (validation and test on
// rank 0, its training shard); batch_rows: its share of a global batch. Throws naming the
// keys of the largest part and both sizes when the estimate exceeds physical memory.
void check_memory(const ModelShape& shape, const TrainConfig& config, std::size_t rows,
                  std::size_t batch_rows);

}  // namespace rnnsent
