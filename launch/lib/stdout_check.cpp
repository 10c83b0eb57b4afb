// See stdout_check.hpp.
#include "launch/lib/stdout_check.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

namespace rnnsent {

void check_stdout() {
  errno = 0;
  const bool flushed = std::fflush(stdout) == 0;
  const int err = errno;
  if (flushed && !std::ferror(stdout)) return;
  throw std::runtime_error(std::string("cannot write to standard output (") +
                           (err ? std::strerror(err) : "an earlier write failed") + ")");
}

}  // namespace rnnsent
