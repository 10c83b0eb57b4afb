// SentimentModel: the fast training/prediction path. Embedding gather -> oneDNN RNN (last
// state) -> dense + BCE, and the reverse, on the caller's flat parameter/gradient buffers.
#include "core/sentiment_model.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/embedding.hpp"
#include "core/reference.hpp"

namespace rnnsent {
namespace {

// Grows v to at least n elements; a steady loop at one batch shape never reallocates.
void ensure_size(std::vector<float>& v, std::size_t n) {
  if (v.size() < n) v.resize(n);
}

// An id outside [0, V) would read past the embedding table in the gather; fail with its place.
void check_ids(const std::int32_t* ids, int N, int T, int V) {
  for (std::size_t i = 0, count = static_cast<std::size_t>(N) * T; i < count; ++i) {
    if (ids[i] < 0 || ids[i] >= V) {
      throw std::runtime_error("SentimentModel: token id " + std::to_string(ids[i]) +
                               " of review " + std::to_string(i / T) + " outside [0, " +
                               std::to_string(V) + ")");
    }
  }
}

}  // namespace

SentimentModel::SentimentModel(const ModelShape& shape)
    : shape_(shape),
      layout_(make_layout(shape)),
      off_(resolve_offsets(layout_, shape)),
      rnn_(shape.cell, shape.embedding_dim, shape.units) {}

float SentimentModel::forward_backward(const float* params, const std::int32_t* ids,
                                       const float* labels, int N, int T, float grad_scale,
                                       float* grads, float* logits) {
  const int E = shape_.embedding_dim, H = shape_.units, V = shape_.num_words;
  check_ids(ids, N, T, V);
  const std::size_t tne = static_cast<std::size_t>(T) * N * E;
  ensure_size(x_, tne);
  ensure_size(dx_, tne);
  ensure_size(h_last_, static_cast<std::size_t>(N) * H);
  ensure_size(dh_, static_cast<std::size_t>(N) * H);
  ensure_size(logits_, N);

  embedding_gather(params + off_.embedding, E, ids, N, T, x_.data());
  rnn_.forward_training(T, N, x_.data(), params + off_.kernel, params + off_.recurrent_kernel,
                        params + off_.bias, h_last_.data());
  // dh_ comes out already multiplied by grad_scale, so every gradient below it is scaled too.
  const float loss = reference::dense_bce_forward_backward<float>(
      h_last_.data(), params + off_.dense_kernel, params + off_.dense_bias, labels, N, H,
      grad_scale, logits_.data(), dh_.data(), grads + off_.dense_kernel, grads + off_.dense_bias);
  rnn_.backward(dh_.data(), dx_.data(), grads + off_.kernel, grads + off_.recurrent_kernel,
                grads + off_.bias);
  embedding_scatter_add(dx_.data(), ids, N, T, E, V, grads + off_.embedding);
  if (logits) std::copy(logits_.begin(), logits_.begin() + N, logits);
  return loss;
}

void SentimentModel::predict_logits(const float* params, const std::int32_t* ids, int N, int T,
                                    float* logits) {
  const int E = shape_.embedding_dim, H = shape_.units;
  check_ids(ids, N, T, shape_.num_words);
  ensure_size(x_, static_cast<std::size_t>(T) * N * E);
  ensure_size(h_last_, static_cast<std::size_t>(N) * H);
  embedding_gather(params + off_.embedding, E, ids, N, T, x_.data());
  rnn_.forward_inference(T, N, x_.data(), params + off_.kernel, params + off_.recurrent_kernel,
                         params + off_.bias, h_last_.data());
  const float* w = params + off_.dense_kernel;
  const float b = params[off_.dense_bias];
  for (int n = 0; n < N; ++n) {
    float z = b;
    for (int k = 0; k < H; ++k) z += h_last_[static_cast<std::size_t>(n) * H + k] * w[k];
    logits[n] = z;
  }
}

}  // namespace rnnsent
