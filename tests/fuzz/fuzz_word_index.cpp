// libFuzzer target: rnnsent_predict --word-index FILE, the Keras word-index JSON reader, on
// arbitrary bytes. Bad input must end in std::runtime_error (the one line the executable
// prints), never a crash, a leak or a huge allocation; a file that reads has no empty word.
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "io/word_index.hpp"
#include "tests/fuzz/fuzz_util.hpp"

namespace {

rnnsent::fuzz::ScratchCleanup cleanup{".json"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = rnnsent::fuzz::write_scratch(data, size, ".json");
  std::vector<std::string> words;
  try {
    words = rnnsent::read_word_index(path);
  } catch (const std::runtime_error&) {
    return 0;
  }
  for (const std::string& w : words)
    if (w.empty()) std::abort();
  return 0;
}
