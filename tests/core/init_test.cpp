// Keras-style initialisation: reproducible per seed, different across seeds, each slot in
// its distribution's range, the recurrent kernel orthogonal and the biases zero.
#include "core/init.hpp"

#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <vector>

namespace rnnsent {
namespace {

ModelShape test_shape() {
  ModelShape s;
  s.num_words = 500;
  s.embedding_dim = 32;
  s.units = 16;
  return s;
}

std::vector<float> init(const ModelShape& shape, std::uint64_t seed) {
  const ParamLayout layout = make_layout(shape);
  std::vector<float> p(layout.total(), NAN);  // NaN shows any element left unwritten
  keras_initialize(shape, layout, seed, p.data());
  return p;
}

float max_abs(const std::vector<float>& p, const Slot& s) {
  float m = 0;
  for (std::size_t i = s.offset; i < s.offset + s.size(); ++i) m = std::max(m, std::abs(p[i]));
  return m;
}

TEST(KerasInitialize, DeterministicForSeedDifferentAcrossSeeds) {
  const ModelShape shape = test_shape();
  const auto a = init(shape, 42), b = init(shape, 42), c = init(shape, 43);
  EXPECT_EQ(a, b);
  // Every random slot must change with the seed (bias slots are zero in both).
  const ParamLayout layout = make_layout(shape);
  for (const char* name : {"embedding/embeddings", "simple_rnn/kernel",
                           "simple_rnn/recurrent_kernel", "dense/kernel"}) {
    const Slot& s = layout.slot(name);
    EXPECT_FALSE(
        std::equal(a.begin() + s.offset, a.begin() + s.offset + s.size(), c.begin() + s.offset))
        << name;
  }
}

TEST(KerasInitialize, RangesAndZeroBiases) {
  const ModelShape shape = test_shape();
  const auto p = init(shape, 1);
  const ParamLayout layout = make_layout(shape);
  for (float v : p) ASSERT_TRUE(std::isfinite(v));
  const double E = shape.embedding_dim, H = shape.units;
  // Upper bounds are the distributions' limits; lower bounds (90% of the limit) show the draw
  // is not a degenerate narrower one: with thousands of uniform draws the max is that close.
  const float emb = max_abs(p, layout.slot("embedding/embeddings"));
  EXPECT_LE(emb, 0.05f);
  EXPECT_GT(emb, 0.045f);
  const float kernel_limit = static_cast<float>(std::sqrt(6.0 / (E + H)));
  const float kernel = max_abs(p, layout.slot("simple_rnn/kernel"));
  EXPECT_LE(kernel, kernel_limit);
  EXPECT_GT(kernel, 0.9f * kernel_limit);
  const float dense_limit = static_cast<float>(std::sqrt(6.0 / (H + 1)));
  EXPECT_LE(max_abs(p, layout.slot("dense/kernel")), dense_limit);
  EXPECT_GT(max_abs(p, layout.slot("dense/kernel")), 0.0f);
  EXPECT_EQ(max_abs(p, layout.slot("simple_rnn/bias")), 0.0f);
  EXPECT_EQ(max_abs(p, layout.slot("dense/bias")), 0.0f);
}

TEST(KerasInitialize, RecurrentKernelIsOrthogonal) {
  const ModelShape shape = test_shape();
  const auto p = init(shape, 2);
  const ParamLayout layout = make_layout(shape);  // slot() refers into it: keep it alive
  const Slot& s = layout.slot("simple_rnn/recurrent_kernel");
  const int H = shape.units;
  Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> U(
      p.data() + s.offset, H, H);
  const Eigen::MatrixXd UtU = U.cast<double>().transpose() * U.cast<double>();
  // Q is computed in double and rounded to float (2^-24 relative per entry): U^T U differs
  // from I by about sqrt(H) * 6e-8, so 1e-5 is generous and still rejects any non-orthogonal U.
  EXPECT_LT((UtU - Eigen::MatrixXd::Identity(H, H)).cwiseAbs().maxCoeff(), 1e-5);
  // Not a trivial orthogonal matrix (identity or signed permutation): many entries are non-zero.
  EXPECT_GT((U.array().abs() > 1e-3f).count(), H * H / 2);
}

}  // namespace
}  // namespace rnnsent
