// The recurrent layer on oneDNN's RNN primitives: vanilla RNN (tanh), LSTM and linear-before-
// reset GRU, one layer, left to right (core/time_reversal.hpp gives the backward direction its
// input). Primitives, workspaces and reorders are built once per (T, N) and cached; each step
// only executes them. Weights stay in the caller's flat buffer in ldigo order (Keras's
// [input, units] order), used as is where the primitive agrees, else reordered.
// An explicit zero initial state is always passed: oneDNN 2.6.3 returns a wrong
// diff_weights_iter for vanilla RNN and LSTM when src_iter is omitted (docs/ARCHITECTURE.md).
#pragma once

#include <map>
#include <memory>
#include <utility>

#include "core/model_shape.hpp"

namespace rnnsent {

class OneDnnRnn {
 public:
  OneDnnRnn(CellKind cell, int input_dim, int units);
  ~OneDnnRnn();
  OneDnnRnn(const OneDnnRnn&) = delete;
  OneDnnRnn& operator=(const OneDnnRnn&) = delete;

  // Training forward over x [T, N, I] from a zero state; writes the last hidden state
  // h_last [N, H] and keeps what backward needs (workspace) until the next forward.
  // x, W, U and b are used again by backward: keep them alive and unchanged until then.
  // b is the bias slot as stored: [G*H], or for GRU Keras's [2, 3H] (input, recurrent).
  void forward_training(int T, int N, const float* x, const float* W, const float* U,
                        const float* b, float* h_last);

  // Every step's hidden state [T, N, H] of the most recent forward_training (valid until the
  // next one): the input of a stacked layer above.
  const float* states() const;

  // Backward of the most recent forward_training. dh_last [N, H] is dL/d(last state) and
  // dstates [T, N, H] dL/d(every state) from a layer above; either may be nullptr (zero).
  // dx [T, N, I] is overwritten; dW, dU, db are ADDED into (as oneDNN itself accumulates).
  void backward(const float* dh_last, const float* dstates, float* dx, float* dW, float* dU,
                float* db);

  // Inference forward (no workspace): h_last [N, H]. h0 and, for LSTM, c0 [N, H] are the
  // initial states (nullptr = zeros, as in training); states [T, N, H], when non-null,
  // receives every step's hidden state.
  void forward_inference(int T, int N, const float* x, const float* W, const float* U,
                         const float* b, float* h_last, const float* h0 = nullptr,
                         const float* c0 = nullptr, float* states = nullptr);

  // Frees the inference primitives and buffers of every (T, N) seen so far (each holds a
  // [T, N, H] output): callers that score many lengths release them when done.
  void release_inference();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rnnsent
