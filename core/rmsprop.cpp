// RMSprop over one flat buffer. A static OpenMP schedule gives each thread the same range on
// every call; each element's update is independent, so the result is thread-count independent.
// Most of the buffer is the embedding table, and a batch touches about a quarter of its rows:
// the other rows have a zero gradient, for which the update reduces exactly (bit for bit) to
// v <- rho v with w unchanged, so blocks of zero gradient skip the square root, the division
// and the write of w.
#include "core/rmsprop.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace rnnsent {
namespace {

constexpr long long kBlock = 64;  // floats; a multiple of the embedding width keeps rows whole

// v[i] *= rho, k times in a row (the decays a row missed), as the dense update would apply them.
// AVX2 when the CPU has it (runtime dispatch): the same multiplications, wider.
RNNSENT_WIDE_SIMD void decay(float* v, std::size_t n, float rho, std::int64_t k) {
  for (std::int64_t step = 0; step < k; ++step)
    for (std::size_t i = 0; i < n; ++i) v[i] *= rho;
}

}  // namespace

RNNSENT_WIDE_SIMD void rmsprop_step_serial(const RmspropSettings& settings, std::size_t n,
                                           const float* grads, float* accumulators, float* params) {
  const float rho = settings.rho, one_minus_rho = 1.0f - settings.rho;
  const float lr = settings.learning_rate, eps = settings.epsilon;
  for (std::size_t i = 0; i < n; ++i) {
    const float g = grads[i];
    const float v = rho * accumulators[i] + one_minus_rho * g * g;
    accumulators[i] = v;
    params[i] -= lr * g / (std::sqrt(v) + eps);
  }
}

void rmsprop_step(const RmspropSettings& settings, std::size_t n, const float* grads,
                  float* accumulators, float* params) {
  const long long count = static_cast<long long>(n);
  const long long blocks = (count + kBlock - 1) / kBlock;
#pragma omp parallel for schedule(static)
  for (long long b = 0; b < blocks; ++b) {
    const long long begin = b * kBlock;
    const long long end = begin + kBlock < count ? begin + kBlock : count;
    bool any = false;
    for (long long i = begin; i < end; ++i) any |= grads[i] != 0.0f;
    if (any) {
      rmsprop_step_serial(settings, std::size_t(end - begin), grads + begin, accumulators + begin,
                          params + begin);
    } else {
      // rho v + (1 - rho) 0^2 == rho v and w - lr 0 / (sqrt(v) + eps) == w, exactly.
      for (long long i = begin; i < end; ++i) accumulators[i] *= settings.rho;
    }
  }
}

LazyRmsprop::LazyRmsprop(const RmspropSettings& settings, std::size_t table_offset,
                         std::size_t rows, std::size_t width, std::size_t total)
    : settings_(settings),
      table_offset_(table_offset),
      rows_(rows),
      width_(width),
      total_(total),
      updated_at_(rows, 0) {}

void LazyRmsprop::catch_up(std::size_t row, float* accumulators) {
  float* v = accumulators + table_offset_ + row * width_;
  // One multiplication per missed step, in order, exactly as the dense update computes
  // rho v + (1 - rho) 0^2 (pow(rho, k) would round differently).
  decay(v, width_, settings_.rho, steps_ - updated_at_[row]);
  updated_at_[row] = steps_;
}

void LazyRmsprop::step(const std::vector<std::int32_t>& touched, float* grads, float* accumulators,
                       float* params) {
  const std::size_t table_end = table_offset_ + rows_ * width_;
  const long long count = static_cast<long long>(touched.size());
#pragma omp parallel for schedule(static)
  for (long long k = 0; k < count; ++k) {
    const std::size_t row = std::size_t(touched[std::size_t(k)]);
    catch_up(row, accumulators);
    const std::size_t at = table_offset_ + row * width_;
    rmsprop_step_serial(settings_, width_, grads + at, accumulators + at, params + at);
    std::fill(grads + at, grads + at + width_, 0.0f);
    updated_at_[row] = steps_ + 1;
  }
  // Everything outside the table (small) is dense.
  for (auto [begin, end] :
       {std::pair<std::size_t, std::size_t>{0, table_offset_}, {table_end, total_}}) {
    rmsprop_step_serial(settings_, end - begin, grads + begin, accumulators + begin,
                        params + begin);
    std::fill(grads + begin, grads + end, 0.0f);
  }
  ++steps_;
}

void LazyRmsprop::flush(float* accumulators) {
#pragma omp parallel for schedule(static)
  for (long long r = 0; r < static_cast<long long>(rows_); ++r)
    catch_up(std::size_t(r), accumulators);
}

}  // namespace rnnsent
