// sgemm on dnnl_sgemm, with the failure turned into an exception naming the shape.
#include "core/gemm.hpp"

#include <oneapi/dnnl/dnnl.h>

#include <stdexcept>
#include <string>

namespace rnnsent {

void sgemm(char transa, char transb, std::int64_t M, std::int64_t N, std::int64_t K, float alpha,
           const float* A, std::int64_t lda, const float* B, std::int64_t ldb, float beta,
           float* C, std::int64_t ldc) {
  if (M == 0 || N == 0) return;
  if (K == 0) {
    for (std::int64_t i = 0; i < M; ++i)
      for (std::int64_t j = 0; j < N; ++j) C[i * ldc + j] = beta == 0.0f ? 0.0f : beta * C[i * ldc + j];
    return;
  }
  if (dnnl_sgemm(transa, transb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc) != dnnl_success)
    throw std::runtime_error("sgemm: dnnl_sgemm failed (M " + std::to_string(M) + ", N " +
                             std::to_string(N) + ", K " + std::to_string(K) + ")");
}

__attribute__((target_clones("avx2", "default"))) void add_column_sums(const float* m,
                                                                        std::int64_t rows,
                                                                        int cols, float* sums) {
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* row = m + r * cols;
    for (int j = 0; j < cols; ++j) sums[j] += row[j];
  }
}

}  // namespace rnnsent
