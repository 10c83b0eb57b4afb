// The row-at-a-time embedding dropout against the per-element definition in core/dropout.hpp:
// the same multipliers and the same products, bit for bit; padding (id 0) is never dropped.
#include "core/embedding_dropout.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <random>
#include <tuple>
#include <vector>

namespace rnnsent {
namespace {

class EmbeddingDropout : public ::testing::TestWithParam<std::tuple<float, float, float>> {};

TEST_P(EmbeddingDropout, MatchesThePerElementDefinitionBitForBit) {
  Dropout d;
  std::tie(d.rate, d.word_rate, d.embedding_weight_rate) = GetParam();
  d.stream = 0x1234ABCDull;
  d.first_row = 77;
  const int n = 5, T = 31, E = 37;  // E not a multiple of any vector width
  std::mt19937 gen(3);
  std::vector<std::int32_t> ids(std::size_t(n) * T);
  for (auto& v : ids) v = std::int32_t(gen() % 50);
  for (int t = 0; t < 6; ++t) ids[std::size_t(t)] = 0;  // row 0 'pre'-padded
  std::vector<float> x(std::size_t(T) * n * E), mask(x.size());
  std::normal_distribution<float> normal;
  for (auto& v : x) v = normal(gen);
  const std::vector<float> before = x;
  apply_embedding_dropout({&d, ids.data(), n, T, E, x.data(), mask.data()});
  std::size_t dropped = 0;
  for (int t = 0; t < T; ++t)
    for (int i = 0; i < n; ++i)
      for (int e = 0; e < E; ++e) {
        const std::size_t k = (std::size_t(t) * n + std::size_t(i)) * E + std::size_t(e);
        const std::int32_t v = ids[std::size_t(i) * T + std::size_t(t)];
        const float want =
            (v == 0 ? 1.0f : dropout_multiplier(d, d.first_row + std::size_t(i), t, e)) *
            embedding_weight_multiplier(d, v, e);
        if (v == 0 && d.embedding_weight_rate == 0.0f) {
          ASSERT_EQ(mask[k], 1.0f);
        }
        ASSERT_EQ(mask[k], want) << "t " << t << " i " << i << " e " << e;
        ASSERT_EQ(x[k], before[k] * want);
        dropped += want == 0.0f;
      }
  // Some elements dropped and some kept whenever a rate is on.
  if (d.rate > 0 || d.word_rate > 0 || d.embedding_weight_rate > 0) {
    EXPECT_GT(dropped, 0u);
    EXPECT_LT(dropped, x.size());
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rates, EmbeddingDropout,
    ::testing::Values(std::make_tuple(0.5f, 0.25f, 0.0f), std::make_tuple(0.5f, 0.0f, 0.0f),
                      std::make_tuple(0.0f, 0.25f, 0.0f), std::make_tuple(0.3f, 0.1f, 0.0f),
                      std::make_tuple(0.0f, 0.25f, 0.5f), std::make_tuple(0.7f, 0.0f, 0.33f),
                      std::make_tuple(0.0f, 0.0f, 0.0f)));

}  // namespace
}  // namespace rnnsent
