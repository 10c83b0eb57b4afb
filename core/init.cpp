// Keras's default initialisers on the flat parameter buffer, drawn in slot order from one
// std::mt19937_64 so a seed reproduces the same model on every rank and every run (libstdc++'s
// distributions are fixed algorithms; another standard library may draw different numbers).
#include "core/init.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <random>

#include "core/cell.hpp"

namespace rnnsent {
namespace {

void fill_uniform(std::mt19937_64& rng, double limit, std::size_t n, float* out) {
  std::uniform_real_distribution<double> dist(-limit, limit);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<float>(dist(rng));
}

// Keras Orthogonal (gain 1): QR of a standard-normal matrix of shape (max, min) of the
// kernel's (rows, cols); Q's columns are flipped by sign(diag(R)) so Q is Haar-distributed;
// transposed back when the kernel is wider than tall (LSTM/GRU's [H, G*H]).
void fill_orthogonal(std::mt19937_64& rng, int rows, int cols, float* out) {
  const int big = std::max(rows, cols), small = std::min(rows, cols);
  std::normal_distribution<double> normal(0.0, 1.0);
  using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  RowMatrix a(big, small);
  for (int i = 0; i < big; ++i)
    for (int j = 0; j < small; ++j) a(i, j) = normal(rng);
  Eigen::HouseholderQR<Eigen::MatrixXd> qr(a);
  Eigen::MatrixXd q = qr.householderQ() * Eigen::MatrixXd::Identity(big, small);
  const Eigen::VectorXd d = qr.matrixQR().diagonal();
  for (int j = 0; j < small; ++j) {
    if (d(j) < 0) q.col(j) = -q.col(j);
  }
  // out is row-major [rows, cols]; q is [big, small].
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j)
      out[static_cast<std::size_t>(i) * cols + j] =
          static_cast<float>(rows >= cols ? q(i, j) : q(j, i));
}

double glorot_limit(int fan_in, int fan_out) { return std::sqrt(6.0 / (fan_in + fan_out)); }

}  // namespace

void keras_initialize(const ModelShape& shape, const ParamLayout& layout, std::uint64_t seed,
                      float* params) {
  const ParamOffsets off = resolve_offsets(layout, shape);
  const int V = shape.num_words, E = shape.embedding_dim, H = shape.units;
  const int GH = gate_count(shape.cell) * H;
  std::mt19937_64 rng(seed);
  fill_uniform(rng, 0.05, static_cast<std::size_t>(V) * E, params + off.embedding);
  // Bigram rows start at zero: the first step is the word-only model's, and the draws for every
  // other weight are the same with or without them.
  std::fill_n(params + off.embedding + static_cast<std::size_t>(V) * E,
              static_cast<std::size_t>(shape.bigram_buckets) * E, 0.0f);
  for (const RnnOffsets& r : off.rnn) {
    fill_uniform(rng, glorot_limit(r.input_dim, GH), static_cast<std::size_t>(r.input_dim) * GH,
                 params + r.kernel);
    fill_orthogonal(rng, H, GH, params + r.recurrent_kernel);
    cell_for(shape.cell).init_bias(H, params + r.bias);  // e.g. LSTM's unit_forget_bias
  }
  const int D = top_width(shape);
  fill_uniform(rng, glorot_limit(D, 1), static_cast<std::size_t>(D), params + off.dense_kernel);
  params[off.dense_bias] = 0.0f;
}

}  // namespace rnnsent
