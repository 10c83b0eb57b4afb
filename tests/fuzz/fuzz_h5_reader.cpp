// libFuzzer targets for the HDF5 readers, one executable per file kind (RNNSENT_FUZZ_KIND):
//   model       load_model (read_model + every shape checked against the architecture) and
//               read_keras_weights on the same bytes: rnnsent_predict and rnnsent_eval's path;
//   checkpoint  read_checkpoint and read_history: rnnsent_train --resume, rnnsent_ckpt;
//   dataset     read_dataset, and DatasetReader with read() of every review: rnnsent_train.
// The input is written to a scratch file and opened by path, as the executables do. A damaged
// file must end in std::runtime_error naming the file (what each main prints as its one line),
// never a crash, a leak, UB or a read outside what was checked.
#include <cstdint>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "io/checkpoint_file.hpp"
#include "io/dataset_file.hpp"
#include "io/history_file.hpp"
#include "io/keras_weights.hpp"
#include "launch/lib/model_io.hpp"
#include "tests/fuzz/fuzz_util.hpp"

#ifndef RNNSENT_FUZZ_KIND
#error "define RNNSENT_FUZZ_KIND as 1 (model), 2 (checkpoint) or 3 (dataset)"
#endif

namespace {

rnnsent::fuzz::ScratchCleanup cleanup{".h5"};

template <typename Fn>
void expect_clean(Fn&& fn) {
  try {
    fn();
  } catch (const std::runtime_error&) {
    // the one-line error
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = rnnsent::fuzz::write_scratch(data, size, ".h5");
#if RNNSENT_FUZZ_KIND == 1
  expect_clean([&] { rnnsent::load_model(path); });
  expect_clean([&] {
    if (rnnsent::has_keras_weights(path)) rnnsent::read_keras_weights(path);
  });
#elif RNNSENT_FUZZ_KIND == 2
  expect_clean([&] { rnnsent::read_checkpoint(path); });
  expect_clean([&] { rnnsent::read_history(path); });
#elif RNNSENT_FUZZ_KIND == 3
  expect_clean([&] { rnnsent::read_dataset(path); });
  expect_clean([&] {
    rnnsent::DatasetReader reader(path);
    for (const char* split : {"train", "test"}) {
      std::vector<std::uint32_t> all(reader.size(split));
      std::iota(all.begin(), all.end(), 0u);
      reader.read(split, all);
    }
    reader.vocabulary();
  });
#endif
  return 0;
}
