// The fast model used for training and prediction: embedding gather -> oneDNN RNN ->
// dense + loss, and back. Owns activation buffers and the RNN primitives (built once per
// batch shape), never the parameters: those live in the caller's flat buffers, so the same
// model object serves training, evaluation, MPI and checkpoints.
#pragma once

#include <cstdint>
#include <vector>

#include "core/model_shape.hpp"
#include "core/rnn_onednn.hpp"

namespace rnnsent {

class SentimentModel {
 public:
  explicit SentimentModel(const ModelShape& shape);
  SentimentModel(const SentimentModel&) = delete;
  SentimentModel& operator=(const SentimentModel&) = delete;

  const ModelShape& shape() const { return shape_; }
  const ParamLayout& layout() const { return layout_; }

  // ids [N, T] with values in [0, V); labels [N] in {0, 1}. Returns the SUM of the per-review
  // losses and ADDS grad_scale * d(sum)/d(params) into grads (caller zeroes it first; with
  // grad_scale = 1/N this is the gradient of the batch mean). logits [N] written if non-null.
  float forward_backward(const float* params, const std::int32_t* ids, const float* labels, int N,
                         int T, float grad_scale, float* grads, float* logits);

  // Logits [N] with the inference primitive (no training workspace).
  void predict_logits(const float* params, const std::int32_t* ids, int N, int T, float* logits);

 private:
  ModelShape shape_;
  ParamLayout layout_;
  ParamOffsets off_;
  OneDnnRnn rnn_;
  // Activations, resized when the batch shape grows; never reallocated in a steady loop.
  std::vector<float> x_;       // [T, N, E]
  std::vector<float> dx_;      // [T, N, E]
  std::vector<float> h_last_;  // [N, H]
  std::vector<float> dh_;      // [N, H]
  std::vector<float> logits_;  // [N]
};

}  // namespace rnnsent
