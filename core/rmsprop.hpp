// RMSprop exactly as Keras: v <- rho v + (1 - rho) g^2; w <- w - lr g / (sqrt(v) + eps).
// No momentum, not centred. One loop over the flat buffers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

// The element-wise optimizer loops are built twice, for AVX2 and for the baseline, and the
// loader picks one for the CPU (GCC function multi-versioning). AVX2 without FMA: the compiler
// cannot fuse a multiply and an add, so both versions round every operation alike and give the
// same bits; only the vector width differs.
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#define RNNSENT_WIDE_SIMD __attribute__((target_clones("avx2", "default")))
#else
#define RNNSENT_WIDE_SIMD
#endif

namespace rnnsent {

struct RmspropSettings {
  float learning_rate = 1e-3f;
  float rho = 0.9f;
  float epsilon = 1e-7f;
};

// The same update on one thread (for callers that parallelise over rows themselves).
void rmsprop_step_serial(const RmspropSettings& settings, std::size_t n, const float* grads,
                         float* accumulators, float* params);

// params, grads and accumulators are n floats each; accumulators start at 0.
void rmsprop_step(const RmspropSettings& settings, std::size_t n, const float* grads,
                  float* accumulators, float* params);

// The same RMSprop for a buffer that starts with an embedding table of which each step touches
// a few rows. A row with zero gradient only decays its accumulator (v <- rho v, w unchanged),
// so an untouched row is left alone and its missed decays are applied, one multiplication per
// missed step as the dense update would, when it is next touched (or on flush). The result is
// bit-identical to rmsprop_step on the whole buffer every step, at a fraction of the memory
// traffic. Rows not listed as touched must have a zero gradient.
class LazyRmsprop {
 public:
  // The table is rows x width floats at table_offset; the other total - rows*width floats are
  // updated densely every step.
  LazyRmsprop(const RmspropSettings& settings, std::size_t table_offset, std::size_t rows,
              std::size_t width, std::size_t total);

  // One step. touched: the table rows that may have a non-zero gradient, ascending, unique.
  // Leaves every gradient entry it read at zero, so the next step can accumulate into grads
  // without clearing the whole buffer.
  void step(const std::vector<std::int32_t>& touched, float* grads, float* accumulators,
            float* params);

  // Applies every pending decay: afterwards accumulators equal the dense optimizer's.
  void flush(float* accumulators);

  // The rate of the following steps (warm-up changes it per step). The lazy decays use only
  // rho, so a changing rate keeps the lazy update bit-identical to the dense one.
  void set_learning_rate(float learning_rate) { settings_.learning_rate = learning_rate; }

 private:
  void catch_up(std::size_t row, float* accumulators);
  RmspropSettings settings_;
  std::size_t table_offset_, rows_, width_, total_;
  std::int64_t steps_ = 0;                // steps taken
  std::vector<std::int64_t> updated_at_;  // per row: steps_ when its accumulator was last current
};

}  // namespace rnnsent
