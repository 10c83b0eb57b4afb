// The OpenMP embedding gather and scatter-add against the reference loops, with repeated ids,
// and the scatter's promise of identical sums for any thread count.
#include "core/embedding.hpp"

#include <gtest/gtest.h>
#include <omp.h>

#include <vector>

#include "core/reference.hpp"
#include "tests/core/test_util.hpp"

namespace rnnsent {
namespace {

using testing::random_ids;
using testing::random_vector;

TEST(Embedding, GatherMatchesReference) {
  const int V = 40, E = 6, N = 5, T = 9;
  const auto table = random_vector<float>(V * E, -1, 1, 1);
  const auto ids = random_ids(N * T, V, 2);
  std::vector<float> fast(T * N * E, NAN), ref(T * N * E);
  embedding_gather(table.data(), E, ids.data(), N, T, fast.data());
  reference::embedding_forward(table.data(), E, ids.data(), N, T, ref.data());
  EXPECT_EQ(fast, ref);  // a copy: exact
  // Layout spot check: x[t=2, n=3] is row ids[n=3, t=2].
  for (int e = 0; e < E; ++e) EXPECT_EQ(fast[(2 * N + 3) * E + e], table[ids[3 * T + 2] * E + e]);
}

TEST(Embedding, ScatterAddMatchesReferenceWithRepeatedIds) {
  const int V = 12, E = 4, N = 6, T = 11;
  auto ids = random_ids(N * T, 5, 3);  // only ids 0..4: every one repeats many times
  const auto dx = random_vector<float>(T * N * E, -1, 1, 4);
  const auto start = random_vector<float>(V * E, -1, 1, 5);  // scatter must ADD to this
  std::vector<float> fast = start, ref = start;
  embedding_scatter_add(dx.data(), ids.data(), N, T, E, V, fast.data());
  reference::embedding_backward(dx.data(), ids.data(), N, T, E, ref.data());
  // Both add each row's contributions in (t, n) order, so the float sums are bit-identical.
  EXPECT_EQ(fast, ref);
  // Rows 5.. are never read: unchanged.
  for (int i = 5 * E; i < V * E; ++i) EXPECT_EQ(fast[i], start[i]);
}

TEST(Embedding, ScatterAddByHand) {
  // N 2, T 2, E 1: ids [[3, 1], [3, 3]] -> row 3 gets dx[t0,n0] + dx[t0,n1] + dx[t1,n1].
  const std::vector<std::int32_t> ids = {3, 1, 3, 3};
  const std::vector<float> dx = {1.0f, 10.0f, 100.0f, 1000.0f};  // [t][n]
  std::vector<float> table(4, 0.5f);
  embedding_scatter_add(dx.data(), ids.data(), 2, 2, 1, 4, table.data());
  EXPECT_EQ(table, (std::vector<float>{0.5f, 100.5f, 0.5f, 1011.5f}));
}

TEST(Embedding, ScatterAddSameForOneTwoAndThreeThreads) {
  const int V = 1000, E = 16, N = 32, T = 50;
  const auto ids = random_ids(N * T, 64, 6);  // heavy repetition: order of addition matters
  const auto dx = random_vector<float>(T * N * E, -1, 1, 7);
  const int saved = omp_get_max_threads();
  std::vector<std::vector<float>> out;
  for (int threads : {1, 2, 3}) {
    omp_set_num_threads(threads);
    std::vector<float> table(V * E, 0.f);
    embedding_scatter_add(dx.data(), ids.data(), N, T, E, V, table.data());
    out.push_back(table);
  }
  omp_set_num_threads(saved);
  EXPECT_EQ(out[0], out[1]);
  EXPECT_EQ(out[0], out[2]);
}

TEST(Embedding, ScatterAddRejectsOutOfRangeId) {
  const std::vector<std::int32_t> ids = {0, 7};
  const std::vector<float> dx = {1.f, 2.f};
  std::vector<float> table(7, 0.f);
  EXPECT_THROW(embedding_scatter_add(dx.data(), ids.data(), 1, 2, 1, 7, table.data()),
               std::runtime_error);
}

}  // namespace
}  // namespace rnnsent
