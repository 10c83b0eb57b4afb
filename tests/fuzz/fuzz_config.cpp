// libFuzzer target: the training configuration as rnnsent_train reads it. The input is an INI
// file's text, then (after the first NUL byte) command-line arguments separated by NUL bytes;
// both go through parse_train_config (which validates) and check_training_config, as
// rnnsent_train's main does. Bad input must end in ConfigError or std::runtime_error, never a
// crash, and an accepted config must survive the to_ini -> parse_config_text round trip that
// config.ini, best_model.h5 and checkpoints rely on.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "io/config.hpp"
#include "launch/lib/train_options.hpp"
#include "tests/fuzz/fuzz_util.hpp"

namespace {

rnnsent::fuzz::ScratchCleanup cleanup{".ini"};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::cout.setstate(std::ios::failbit);  // --help prints the key table: keep the log readable
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const char* bytes = reinterpret_cast<const char*>(data);
  const void* nul = std::memchr(bytes, '\0', size);
  const std::size_t ini_size = nul ? std::size_t(static_cast<const char*>(nul) - bytes) : size;
  const std::string& ini =
      rnnsent::fuzz::write_scratch(data, ini_size, ".ini");  // the file part only

  std::vector<std::string> args = {"rnnsent_train", "--config", ini};
  for (std::size_t i = ini_size + 1; i <= size && nul;) {
    const void* next = std::memchr(bytes + i, '\0', size - i);
    const std::size_t end = next ? std::size_t(static_cast<const char*>(next) - bytes) : size;
    args.emplace_back(bytes + i, end - i);
    i = end + 1;
  }
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());

  rnnsent::TrainConfig config;
  try {
    if (!rnnsent::parse_train_config(int(argv.size()), argv.data(), config)) return 0;  // --help
    rnnsent::check_training_config(config);
  } catch (const std::runtime_error&) {
    return 0;  // ConfigError is one: the one-line message rnnsent_train prints
  }
  // Accepted: what the run stores (to_ini) must read back as the same configuration.
  const std::string stored = rnnsent::to_ini(config);
  rnnsent::TrainConfig again;
  try {
    again = rnnsent::parse_config_text(stored, "round trip");
  } catch (const std::runtime_error& e) {
    std::cerr << "accepted config does not read back: " << e.what() << "\n" << stored;
    std::abort();
  }
  if (rnnsent::to_ini(again) != stored) {
    std::cerr << "config changes in the to_ini round trip:\n"
              << stored << "---\n"
              << rnnsent::to_ini(again);
    std::abort();
  }
  return 0;
}
