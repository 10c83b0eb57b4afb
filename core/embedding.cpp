// Embedding gather (ids -> time-major RNN input) and its scatter-add gradient, OpenMP parallel.
// The scatter gives each thread a contiguous range of table rows and has every thread scan all
// ids in (t, n) order, so each row's sum is formed in the same order for any thread count.
#include "core/embedding.hpp"

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

namespace rnnsent {

void embedding_gather(const float* table, int embedding_dim, const std::int32_t* ids, int batch,
                      int steps, float* x) {
  const int E = embedding_dim, N = batch, T = steps;
  const long long rows = static_cast<long long>(T) * N;
#pragma omp parallel for schedule(static)
  for (long long r = 0; r < rows; ++r) {
    const int t = static_cast<int>(r / N), n = static_cast<int>(r % N);
    const std::int32_t id = ids[static_cast<std::size_t>(n) * T + t];
    std::memcpy(x + static_cast<std::size_t>(r) * E, table + static_cast<std::size_t>(id) * E,
                sizeof(float) * E);
  }
}

void embedding_scatter_add(const float* dx, const std::int32_t* ids, int batch, int steps,
                           int embedding_dim, int num_words, float* dtable) {
  const int E = embedding_dim, N = batch, T = steps, V = num_words;
  // An out-of-range id would be skipped by every thread's row range and vanish silently.
  for (std::size_t i = 0, count = static_cast<std::size_t>(N) * T; i < count; ++i) {
    if (ids[i] < 0 || ids[i] >= V) {
      throw std::runtime_error("embedding_scatter_add: id " + std::to_string(ids[i]) +
                               " at position " + std::to_string(i) + " outside [0, " +
                               std::to_string(V) + ")");
    }
  }
#pragma omp parallel
  {
    const int threads = omp_get_num_threads(), me = omp_get_thread_num();
    const int chunk = (V + threads - 1) / threads;
    const int lo = std::min(V, me * chunk), hi = std::min(V, lo + chunk);
    for (int t = 0; t < T; ++t) {
      for (int n = 0; n < N; ++n) {
        const std::int32_t id = ids[static_cast<std::size_t>(n) * T + t];
        if (id < lo || id >= hi) continue;
        float* row = dtable + static_cast<std::size_t>(id) * E;
        const float* g = dx + (static_cast<std::size_t>(t) * N + n) * E;
        for (int e = 0; e < E; ++e) row[e] += g[e];
      }
    }
  }
}

}  // namespace rnnsent
