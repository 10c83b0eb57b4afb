// The slot table behind every flat buffer (parameters, gradients, optimizer state):
// appending assigns offsets contiguously, lookup by name fails loudly.
#include "core/param_layout.hpp"

#include <stdexcept>

namespace rnnsent {

std::size_t Slot::size() const {
  std::size_t n = 1;
  for (std::size_t d : shape) n *= d;
  return n;
}

std::size_t ParamLayout::add(const std::string& name, const std::vector<std::size_t>& shape) {
  for (const Slot& s : slots_) {
    // Two slots with one name would make slot() silently return the first: refuse instead.
    if (s.name == name) throw std::runtime_error("ParamLayout: duplicate slot '" + name + "'");
  }
  Slot s;
  s.name = name;
  s.offset = total_;
  s.shape = shape;
  total_ += s.size();
  slots_.push_back(s);
  return s.offset;
}

const Slot& ParamLayout::slot(const std::string& name) const {
  for (const Slot& s : slots_) {
    if (s.name == name) return s;
  }
  throw std::runtime_error("ParamLayout: no slot named '" + name + "'");
}

}  // namespace rnnsent
