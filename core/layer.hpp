// SentimentModel is an ordered list of these layers (core/model_layers.hpp builds it): the
// embedding, the recurrent layers, the readout (last / mean / max) and the dense layer with the
// loss. forward runs them in order, backward in reverse, each on one chunk of the batch on one
// thread; every layer owns the buffers it keeps for backward (grown once, reused every step).
// Dimension letters: T steps, n rows of the chunk, E embedding width, H units, D directions.
#pragma once

#include <cstdint>
#include <string>

#include "core/dropout.hpp"
#include "core/time_reversal.hpp"

namespace rnnsent {

struct TokenSet;

// One chunk's call: what every layer of the list may read, and the loss layer's results.
struct Pass {
  int T = 0, n = 0;
  const std::int32_t* ids = nullptr;  // [n, T] batch-major, every id in [0, V)
  const TimeSpan* spans = nullptr;    // [n] each row's real tokens
  const float* params = nullptr;      // the flat parameter buffer
  float* grads = nullptr;  // addressed with flat offsets; the embedding slot only in reduce()
  bool training = false;   // keep what backward needs; apply dropout
  bool keep_states = false;  // keep every step's state even without training (padding states)
  Dropout dropout;           // first_row: the chunk's first row in the global batch
  const float* h0 = nullptr;  // inference: the initial state of every row [state_size(shape)]
  const float* labels = nullptr;  // [n] training only
  float grad_scale = 1.0f;
  float* logits = nullptr;  // [n] out
  float loss = 0.0f;        // out: sum of the chunk's per-review losses
};

// What one layer hands the next.
struct Flow {
  const float* seq = nullptr;  // [T, n, width] in token order (the backward direction realigned)
  const float* vec = nullptr;  // [n, width] one vector per row (final states, pooled, ...)
  int width = 0;
  TokenSet* tokens = nullptr;  // the distinct tokens, when the next layer reads a token table
};

// Gradients handed back, matching the Flow the layer received; null = zero.
struct FlowGrad {
  float* seq = nullptr;
  float* vec = nullptr;
};

// The phases a profile reports (bench/bench_train_step, bench/bench_dist_step).
enum class Phase { gather, recurrent, dense_loss };

class Layer {
 public:
  virtual ~Layer() = default;
  virtual Flow forward(Pass& p, const Flow& in) = 0;
  virtual FlowGrad backward(Pass& p, const FlowGrad& dout) = 0;
  // After every chunk's backward, serially in chunk order: adds what is not chunk-private (the
  // embedding gradient rows) into the shared gradient, so a thread count gives fixed bits.
  virtual void reduce(const Pass& p, float* grads) const { (void)p, (void)grads; }
  // The recurrent state after k >= 1 steps of the latest keep_states forward (row 0) into its
  // place in a state vector [state_size(shape)] (recurrent layers only).
  virtual void write_state(int k, float* state) const { (void)k, (void)state; }
  virtual Phase phase() const { return Phase::recurrent; }
  // Frees per-shape caches (oneDNN's inference primitives).
  virtual void release() {}
};

}  // namespace rnnsent
