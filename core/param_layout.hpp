// Where each named parameter tensor lives inside one flat float buffer.
// Parameters, gradients and optimizer state share this layout, so zeroing, the optimizer,
// an MPI broadcast or allreduce and a checkpoint each touch one contiguous array.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace rnnsent {

struct Slot {
  std::string name;                // Keras-style name, e.g. "simple_rnn/kernel"
  std::size_t offset = 0;          // first element inside the flat buffer
  std::vector<std::size_t> shape;  // row-major
  std::size_t size() const;
};

class ParamLayout {
 public:
  // Appends a slot after the last one and returns its offset.
  std::size_t add(const std::string& name, const std::vector<std::size_t>& shape);
  const std::vector<Slot>& slots() const { return slots_; }
  // Throws std::runtime_error naming the slot when it does not exist.
  const Slot& slot(const std::string& name) const;
  std::size_t total() const { return total_; }

 private:
  std::vector<Slot> slots_;
  std::size_t total_ = 0;
};

}  // namespace rnnsent
