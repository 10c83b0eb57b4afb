// Scratch folders for the io tests, and where the hand-written fixture tree lives.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

namespace rnnsent::testing_support {

inline const std::string kTinyImdb =
    std::string(RNNSENT_SOURCE_DIR) + "/tests/fixtures/imdb_layout_tiny";

// A fresh directory per call, unique across tests and concurrent ctest processes, removed when
// the test binary exits so repeated runs do not fill the temp directory.
inline std::filesystem::path fresh_dir(const std::string& tag) {
  namespace fs = std::filesystem;
  static std::atomic<int> counter{0};
  fs::path dir =
      fs::path(testing::TempDir()) /
      ("rnnsent_" + tag + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  fs::remove_all(dir);
  fs::create_directories(dir);
  struct Cleanup {
    std::vector<fs::path> dirs;
    ~Cleanup() {
      std::error_code ec;
      for (const auto& d : dirs) fs::remove_all(d, ec);
    }
  };
  static Cleanup cleanup;
  cleanup.dirs.push_back(dir);
  return dir;
}

}  // namespace rnnsent::testing_support
