// fsync + rename + directory fsync; see atomic_file.hpp.
#include "io/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace rnnsent {
namespace {

void fsync_path(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags);
  if (fd < 0)
    throw std::runtime_error(path + ": cannot open to flush (" + std::strerror(errno) + ")");
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0)
    throw std::runtime_error(path + ": cannot flush to disk (" + std::strerror(errno) + ")");
}

std::string directory_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

void publish_file(const std::string& tmp, const std::string& path) {
  fsync_path(tmp, O_RDONLY);
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw std::runtime_error(path + ": cannot rename " + tmp + " into place (" +
                             std::strerror(errno) + ")");
  fsync_path(directory_of(path), O_RDONLY | O_DIRECTORY);
}

void write_text_atomically(const std::string& path, const std::string& text) {
  write_bytes_atomically(path, text.data(), text.size());
}

void write_bytes_atomically(const std::string& path, const void* data, std::size_t n,
                            const std::function<void()>& before_publish) {
  const std::string tmp = path + ".tmp";
  auto fail = [&](const std::string& what) {
    const int saved = errno;
    ::unlink(tmp.c_str());  // a full disk must not keep the partial file
    throw std::runtime_error(tmp + ": " + what + " (" + std::strerror(saved) + ")");
  };
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(tmp + ": cannot create (" + std::strerror(errno) + ")");
  const char* p = static_cast<const char*>(data);
  for (std::size_t left = n; left > 0;) {
    const ssize_t wrote = ::write(fd, p, left);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) {
      if (wrote == 0) errno = ENOSPC;
      ::close(fd);
      fail("cannot write");
    }
    p += wrote;
    left -= std::size_t(wrote);
  }
  // close() and fsync() report delayed write errors (NFS, quotas): both are checked.
  if (::fsync(fd) != 0) {
    ::close(fd);
    fail("cannot flush to disk");
  }
  if (::close(fd) != 0) fail("cannot close");
  if (before_publish) before_publish();
  try {
    publish_file(tmp, path);
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
}

}  // namespace rnnsent
