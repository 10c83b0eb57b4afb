// The recurrent layer on oneDNN's RNN primitives. Primitives, workspaces and reorders are
// built once per (T, N) and cached; each step only executes them. Weights stay in the
// caller's flat buffer in ldigo order (Keras's [input, units] order), which training forward
// uses as is when G*H is a multiple of 16 (else, and for backward and inference, a reorder runs).
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

  // Training forward over x [T, N, E] from a zero state; writes the last hidden state
  // h_last [N, H] and keeps what backward needs (workspace) until the next forward.
  // x, W, U and b are used again by backward: keep them alive and unchanged until then.
  void forward_training(int T, int N, const float* x, const float* W, const float* U,
                        const float* b, float* h_last);

  // Backward of the most recent forward_training, given dL/dh_last [N, H].
  // dx [T, N, E] is overwritten; dW, dU, db are ADDED into (as oneDNN itself accumulates).
  void backward(const float* dh_last, float* dx, float* dW, float* dU, float* db);

  // Inference forward (no workspace): h_last [N, H]. h0 [N, H] is the initial state (nullptr =
  // zeros, as in training); states [T, N, H], when non-null, receives every step's state.
  void forward_inference(int T, int N, const float* x, const float* W, const float* U,
                         const float* b, float* h_last, const float* h0 = nullptr,
                         float* states = nullptr);

  // Frees the inference primitives and buffers of every (T, N) seen so far (each holds a
  // [T, N, H] output): callers that score many lengths release them when done.
  void release_inference();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rnnsent
