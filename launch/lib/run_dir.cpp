// Output-directory lock and checkpoint bookkeeping; see run_dir.hpp.
#include "launch/lib/run_dir.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace rnnsent {
namespace {

std::string real(const std::string& path) {
  char buf[PATH_MAX];
  return ::realpath(path.c_str(), buf) ? std::string(buf) : path;
}

std::string dir_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

std::int64_t step_of(const std::string& path) {
  long long step = -1;
  const std::string name = path.substr(path.rfind('/') + 1);
  return std::sscanf(name.c_str(), "ckpt-%lld.h5", &step) == 1 ? step : -1;
}

}  // namespace

std::string checkpoint_dir(const std::string& output_dir) { return output_dir + "/checkpoints"; }

std::string checkpoint_path(const std::string& output_dir, std::int64_t step) {
  char name[64];
  std::snprintf(name, sizeof name, "/ckpt-%010lld.h5", static_cast<long long>(step));
  return checkpoint_dir(output_dir) + name;
}

std::vector<std::string> list_checkpoints(const std::string& output_dir) {
  std::vector<std::string> found;
  DIR* dir = ::opendir(checkpoint_dir(output_dir).c_str());
  if (!dir) return found;
  while (const dirent* e = ::readdir(dir)) {
    const std::string name = e->d_name;
    if (name.rfind("ckpt-", 0) == 0 && name.size() > 8 &&
        name.compare(name.size() - 3, 3, ".h5") == 0)
      found.push_back(checkpoint_dir(output_dir) + "/" + name);
  }
  ::closedir(dir);
  std::sort(found.rbegin(), found.rend());  // zero-padded step numbers sort by name
  return found;
}

RunLock::RunLock(const std::string& output_dir) {
  const std::string path = output_dir + "/.rnnsent.lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0)
    throw std::runtime_error(path + ": cannot open the output directory's lock (" +
                             std::strerror(errno) + ")");
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    char pid[32] = "";
    const ssize_t n = ::pread(fd_, pid, sizeof pid - 1, 0);
    pid[n > 0 ? n : 0] = '\0';
    pid[std::strcspn(pid, "\n")] = '\0';
    ::close(fd_);
    fd_ = -1;
    if (err != EWOULDBLOCK)
      throw std::runtime_error(path + ": cannot lock (" + std::string(std::strerror(err)) + ")");
    throw std::runtime_error("output_dir " + output_dir + " is in use by another run (process " +
                             (pid[0] ? pid : "?") + ", lock " + path +
                             "); wait for it to end or choose another output_dir");
  }
  const std::string me = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, me.data(), me.size(), 0) < 0) {
    // The lock holds without the pid; a refused run then reports "process ?".
  }
}

RunLock::~RunLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the flock
}

std::vector<std::string> foreign_checkpoints(const std::string& output_dir,
                                             const std::string& resumed_from,
                                             std::int64_t resumed_step) {
  const std::vector<std::string> all = list_checkpoints(output_dir);
  const bool ours =
      !resumed_from.empty() && real(dir_of(resumed_from)) == real(checkpoint_dir(output_dir));
  std::vector<std::string> foreign;
  for (const std::string& path : all)
    if (!ours || (step_of(path) > resumed_step && real(path) != real(resumed_from)))
      foreign.push_back(path);
  return foreign;
}

std::string move_aside(const std::vector<std::string>& files, const std::string& output_dir) {
  std::string dir;
  for (int n = 1;; ++n) {
    dir = output_dir + "/checkpoints.replaced-" + std::to_string(n);
    if (::mkdir(dir.c_str(), 0755) == 0) break;
    if (errno != EEXIST)
      throw std::runtime_error(dir + ": cannot create (" + std::strerror(errno) + ")");
  }
  for (const std::string& f : files) {
    const std::string to = dir + f.substr(f.rfind('/'));
    if (std::rename(f.c_str(), to.c_str()) != 0)
      throw std::runtime_error(f + ": cannot move it to " + dir + " (" + std::strerror(errno) +
                               ")");
  }
  return dir;
}

void prune_checkpoints(const std::string& output_dir, int keep, const std::string& just_written) {
  int kept = 0;
  for (const std::string& path : list_checkpoints(output_dir)) {
    if (path == just_written || kept < keep - 1) {
      kept += path == just_written ? 0 : 1;
      continue;
    }
    std::remove(path.c_str());
  }
}

}  // namespace rnnsent
