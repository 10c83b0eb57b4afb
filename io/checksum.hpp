// FNV-1a, 64-bit: the checksum model files and checkpoints carry over their contents, so a
// damaged byte that HDF5 would read without complaint is caught when the file is loaded.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rnnsent {

class Fnv1a {
 public:
  void mix(const void* data, std::size_t bytes) {
    const unsigned char* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < bytes; ++i) hash_ = (hash_ ^ p[i]) * 1099511628211ull;
  }
  // As a signed value: HDF5 attributes are written as int64.
  std::int64_t value() const { return static_cast<std::int64_t>(hash_); }

 private:
  std::uint64_t hash_ = 1469598103934665603ull;
};

}  // namespace rnnsent
