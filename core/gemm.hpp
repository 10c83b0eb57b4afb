// Row-major single-precision GEMM on oneDNN's JIT sgemm, the one matrix engine of the recurrent
// layers. Called inside the model's OpenMP region, where nested parallelism is off, so each call
// runs on the calling thread alone.
#pragma once

#include <cstdint>

namespace rnnsent {

// C [M, N] = alpha op(A) op(B) + beta C, op = transpose when its flag is 'T'; lda, ldb, ldc are
// the row strides as stored. Does nothing when M or N is 0; with K = 0 it scales C by beta.
void sgemm(char transa, char transb, std::int64_t M, std::int64_t N, std::int64_t K, float alpha,
           const float* A, std::int64_t lda, const float* B, std::int64_t ldb, float beta,
           float* C, std::int64_t ldc);

// The same with alpha = 1.
inline void sgemm(char transa, char transb, std::int64_t M, std::int64_t N, std::int64_t K,
                  const float* A, std::int64_t lda, const float* B, std::int64_t ldb, float beta,
                  float* C, std::int64_t ldc) {
  sgemm(transa, transb, M, N, K, 1.0f, A, lda, B, ldb, beta, C, ldc);
}

// sums[j] += sum over rows r of m[r, j], for m [rows, cols] (bias gradients), in row order.
void add_column_sums(const float* m, std::int64_t rows, int cols, float* sums);

}  // namespace rnnsent
