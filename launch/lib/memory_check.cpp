// The memory estimate; see memory_check.hpp. Deliberately rough (a factor of two either way):
// it exists to turn an impossible request into a message, not to budget memory.
#include "launch/lib/memory_check.hpp"

#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <string>

#include "core/param_layout.hpp"

namespace rnnsent {
namespace {

std::string gib(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f GiB", bytes / double(1ull << 30));
  return buf;
}

}  // namespace

void check_memory(const ModelShape& shape, const TrainConfig& config, std::size_t rows,
                  std::size_t batch_rows) {
  const double floats = 4.0;
  // Parameters, best copy, gradient, accumulators, Adam's momentum, the weight average and the
  // checkpoint's copies: about eight buffers of the parameter count.
  const double params = double(make_layout(shape).total()) * floats * 8;
  // Padded ids (int32) of every review held.
  const double reviews = double(rows) * double(config.maxlen) * floats;
  // Activations of one batch: per token the embedding and, per layer and direction, the
  // cell's gates and states (4 gates for LSTM), forward and backward.
  const double per_token = double(shape.embedding_dim) +
                           double(shape.layers) * double(directions(shape)) * shape.units * 8.0;
  const double activations = double(batch_rows) * double(config.maxlen) * per_token * floats * 2;
  const double total = params + reviews + activations;
  const double physical = double(::sysconf(_SC_PHYS_PAGES)) * double(::sysconf(_SC_PAGESIZE));
  if (physical <= 0 || total <= physical) return;
  const char* keys = params >= reviews && params >= activations
                         ? "num_words, bigram_buckets, embedding_dim, units, layers"
                     : reviews >= activations ? "maxlen (x the reviews held)"
                                              : "batch_size, maxlen, embedding_dim, units";
  throw std::runtime_error("this run needs about " + gib(total) + " of memory (mostly from " +
                           keys + "), more than the " + gib(physical) +
                           " this machine has; lower them");
}

}  // namespace rnnsent
