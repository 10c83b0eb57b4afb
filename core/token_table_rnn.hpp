// A SimpleRNN layer that reads token ids instead of embedding vectors, for the one case where
// that is cheaper: an embedding straight into a single-direction SimpleRNN, with no dropout in
// between. Its input projection x_t W of an embedded token depends only on the token, so it is
// computed once per distinct token of the batch (a "table" [K, H] = E[touched] W + b, K about a
// quarter of the 64,000 tokens of a batch) and looked up per step; backward sums d(pre) per
// distinct token and multiplies once per token, not once per step. That removes most of the
// matrix work oneDNN's RNN primitive spends on the input projection (about two thirds of the
// course model's 4.72 GFLOP per batch) and the [T, N, E] embedding buffers with it.
// The recurrent part runs one oneDNN matmul per step with the sum and tanh fused into it; the
// large products are oneDNN's sgemm. Same arithmetic as the reference up to float rounding
// order (tests/core/token_table_rnn_test.cpp). Single-threaded: SentimentModel runs one per
// chunk of the batch on its own thread.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

namespace rnnsent {

class TokenTableRnn {
 public:
  TokenTableRnn(int vocabulary, int embedding_dim, int units);
  ~TokenTableRnn();
  TokenTableRnn(const TokenTableRnn&) = delete;
  TokenTableRnn& operator=(const TokenTableRnn&) = delete;

  // Training forward over ids [n, T] (row i's T tokens contiguous; every id in [0, V)) with
  // embedding [V, E], kernel W [E, H], recurrent kernel U [H, H], bias b [H] (Keras layouts),
  // from a zero state. Writes the last states h_last [n, H]; keeps what backward needs. The
  // parameters must stay unchanged until backward.
  void forward_training(int T, int n, const std::int32_t* ids, const float* embedding,
                        const float* W, const float* U, const float* b, float* h_last);

  // Every step's state [T, n, H] of the latest forward_training (for pooling).
  const float* states() const;

  // Backward of the latest forward_training: dh_last [n, H] and/or dstates [T, n, H] (either
  // may be nullptr). Adds into dW, dU, db; the embedding gradient is left per distinct token:
  // touched() lists the tokens, embedding_grad() their rows [K, E] (overwritten each call).
  void backward(const float* dh_last, const float* dstates, float* dW, float* dU, float* db);
  const std::vector<std::int32_t>& touched() const;
  const float* embedding_grad() const;

  // Inference forward: h_last [n, H]; h0 [H], when non-null, is every row's initial state.
  // states [T, n, H], when non-null, receives every step's state.
  void forward_inference(int T, int n, const std::int32_t* ids, const float* embedding,
                         const float* W, const float* U, const float* b, float* h_last,
                         const float* h0 = nullptr, float* states = nullptr);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rnnsent
