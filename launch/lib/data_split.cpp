// The data split; see data_split.hpp.
#include "launch/lib/data_split.hpp"

#include <stdexcept>
#include <string>

#include "launch/lib/shuffle.hpp"

namespace rnnsent {
namespace {

constexpr std::uint64_t kSplitStream = 0;
constexpr std::uint64_t kTestStream = 1;

}  // namespace

DataSplit split_data(std::size_t total, std::size_t test_total, const TrainConfig& config) {
  const std::size_t train_end = std::size_t(double(total) * (1.0 - config.validation_split));
  // validation_split = 0 holds none out on purpose; a fraction that rounds to none does not.
  if (train_end == 0 || (train_end == total && config.validation_split > 0))
    throw std::runtime_error("validation_split " + std::to_string(config.validation_split) +
                             " leaves no training or no validation reviews of " +
                             std::to_string(total));
  const std::vector<std::uint32_t> order = seeded_permutation(total, config.seed, kSplitStream);
  DataSplit s;
  s.train.assign(order.begin(), order.begin() + std::ptrdiff_t(train_end));
  s.val.assign(order.begin() + std::ptrdiff_t(train_end), order.end());
  if (config.max_train > 0 && std::size_t(config.max_train) < s.train.size())
    s.train.resize(std::size_t(config.max_train));
  s.test = seeded_permutation(test_total, config.seed, kTestStream);
  if (config.max_test > 0 && std::size_t(config.max_test) < s.test.size())
    s.test.resize(std::size_t(config.max_test));
  return s;
}

}  // namespace rnnsent
