// Shared by the libFuzzer targets: the input's bytes as a file the project's readers can open
// by path (they take paths, as the executables do). One file per process, rewritten per input,
// in $RNNSENT_FUZZ_SCRATCH (run_fuzzer.sh's own directory, removed when it ends, since a
// process that crashes leaves its file), else in /dev/shm when it exists, else /tmp.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace rnnsent::fuzz {

inline const std::string& scratch_path(const char* suffix) {
  static const std::string path = [&] {
    const char* env = std::getenv("RNNSENT_FUZZ_SCRATCH");
    const char* dir = env && *env ? env : ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    return std::string(dir) + "/rnnsent-fuzz-" + std::to_string(::getpid()) + suffix;
  }();
  return path;
}

// Writes data to the scratch file and returns its path; aborts if the file cannot be written
// (a harness failure, not a finding about rnnsent).
inline const std::string& write_scratch(const std::uint8_t* data, std::size_t size,
                                        const char* suffix) {
  const std::string& path = scratch_path(suffix);
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f || (size > 0 && std::fwrite(data, 1, size, f) != size) || std::fclose(f) != 0) {
    std::perror(path.c_str());
    __builtin_trap();
  }
  return path;
}

// Removes the scratch file at exit (static destructor).
struct ScratchCleanup {
  const char* suffix;
  ~ScratchCleanup() { std::remove(scratch_path(suffix).c_str()); }
};

}  // namespace rnnsent::fuzz
