// SentimentModel: the fast training/prediction path. Embedding gather -> oneDNN RNN (last
// state) -> dense + BCE, and the reverse, on the caller's flat parameter/gradient buffers.
// Each OpenMP thread runs one contiguous chunk of the batch (see the header for why); oneDNN
// and the gather run single-threaded inside the parallel region because nested OpenMP is off.
#include "core/sentiment_model.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <stdexcept>
#include <string>

#include "core/embedding.hpp"
#include "core/reference.hpp"

namespace rnnsent {
namespace {

constexpr std::int32_t kPaddingId = 0;  // io/'s kPadId; core/ does not depend on io/

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

// Runs body(k) for k in [0, count) on up to count threads; the first exception is rethrown
// after the region, since an exception must not leave an OpenMP region.
template <typename Body>
void parallel_chunks(int count, Body&& body) {
  std::exception_ptr error;
#pragma omp parallel for num_threads(count) schedule(static, 1)
  for (int k = 0; k < count; ++k) {
    try {
      body(k);
    } catch (...) {
#pragma omp critical(rnnsent_chunk_error)
      if (!error) error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace

SentimentModel::Chunk::Chunk(const ModelShape& shape)
    : rnn(shape.cell, shape.embedding_dim, shape.units) {}

SentimentModel::SentimentModel(const ModelShape& shape)
    : shape_(shape), layout_(make_layout(shape)), off_(resolve_offsets(layout_, shape)) {}

int SentimentModel::chunk_count(int N) const {
  return std::max(1, std::min(N, omp_get_max_threads()));
}

void SentimentModel::ensure_chunks(int count) {
  while (int(chunks_.size()) < count) chunks_.push_back(std::make_unique<Chunk>(shape_));
}

float SentimentModel::forward_backward(const float* params, const std::int32_t* ids,
                                       const float* labels, int N, int T, float grad_scale,
                                       float* grads, float* logits, const Dropout& dropout) {
  if (dropout.rate != 0.0f) throw std::runtime_error("SentimentModel: dropout not implemented yet");
  const int E = shape_.embedding_dim, H = shape_.units, V = shape_.num_words;
  check_ids(ids, N, T, V);
  const int count = chunk_count(N);
  ensure_chunks(count);
  // Chunk-private gradient of the small slots, laid out as in the flat buffer from the kernel
  // on: kernel [E, GH], recurrent kernel [H, GH], bias [GH], dense kernel [H], dense bias [1].
  const std::size_t small = off_.dense_bias + 1 - off_.kernel;

  parallel_chunks(count, [&](int k) {
    Chunk& c = *chunks_[std::size_t(k)];
    const int n0 = chunk_begin(N, count, k), n = chunk_begin(N, count, k + 1) - n0;
    const std::size_t tne = std::size_t(T) * std::size_t(n) * std::size_t(E);
    ensure_size(c.x, tne);
    ensure_size(c.dx, tne);
    ensure_size(c.h_last, std::size_t(n) * std::size_t(H));
    ensure_size(c.dh, std::size_t(n) * std::size_t(H));
    ensure_size(c.grads, small);
    ensure_size(c.logits, std::size_t(n));
    std::fill(c.grads.begin(), c.grads.begin() + std::ptrdiff_t(small), 0.0f);
    float* g = c.grads.data() - off_.kernel;  // so g + off_.X addresses slot X
    const std::int32_t* chunk_ids = ids + std::size_t(n0) * std::size_t(T);

    using Clock = std::chrono::steady_clock;
    const bool timed = profile_ && k == 0;
    auto lap = [&, last = Clock::now()](double& into) mutable {
      if (!timed) return;
      const auto now = Clock::now();
      into += std::chrono::duration<double>(now - last).count();
      last = now;
    };
    embedding_gather(params + off_.embedding, E, chunk_ids, n, T, c.x.data());
    if (timed) lap(profile_->gather);
    c.rnn.forward_training(T, n, c.x.data(), params + off_.kernel, params + off_.recurrent_kernel,
                           params + off_.bias, c.h_last.data());
    if (timed) lap(profile_->rnn_forward);
    // dh comes out already multiplied by grad_scale, so every gradient below it is scaled too.
    c.loss = reference::dense_bce_forward_backward<float>(
        c.h_last.data(), params + off_.dense_kernel, params + off_.dense_bias, labels + n0, n, H,
        grad_scale, c.logits.data(), c.dh.data(), g + off_.dense_kernel, g + off_.dense_bias);
    if (logits) std::copy(c.logits.begin(), c.logits.begin() + n, logits + n0);
    if (timed) lap(profile_->dense_loss);
    c.rnn.backward(c.dh.data(), c.dx.data(), g + off_.kernel, g + off_.recurrent_kernel,
                   g + off_.bias);
    if (timed) lap(profile_->rnn_backward);
  });

  // Reductions in chunk order, so a given thread count always gives the same bits.
  const auto scatter_start = std::chrono::steady_clock::now();
  float loss = 0.0f;
  for (int k = 0; k < count; ++k) {
    const Chunk& c = *chunks_[std::size_t(k)];
    const int n0 = chunk_begin(N, count, k), n = chunk_begin(N, count, k + 1) - n0;
    loss += c.loss;
    float* dst = grads + off_.kernel;
    for (std::size_t i = 0; i < small; ++i) dst[i] += c.grads[i];
    embedding_scatter_add(c.dx.data(), ids + std::size_t(n0) * std::size_t(T), n, T, E, V,
                          grads + off_.embedding);
  }
  if (profile_) {
    profile_->scatter_add +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - scatter_start).count();
    ++profile_->calls;
  }
  return loss;
}

void SentimentModel::predict_logits(const float* params, const std::int32_t* ids, int N, int T,
                                    float* logits, const float* h0) {
  const int E = shape_.embedding_dim, H = shape_.units;
  check_ids(ids, N, T, shape_.num_words);
  const int count = chunk_count(N);
  ensure_chunks(count);
  parallel_chunks(count, [&](int k) {
    Chunk& c = *chunks_[std::size_t(k)];
    const int n0 = chunk_begin(N, count, k), n = chunk_begin(N, count, k + 1) - n0;
    ensure_size(c.x, std::size_t(T) * std::size_t(n) * std::size_t(E));
    ensure_size(c.h_last, std::size_t(n) * std::size_t(H));
    embedding_gather(params + off_.embedding, E, ids + std::size_t(n0) * std::size_t(T), n, T,
                     c.x.data());
    const float* start = nullptr;
    if (h0) {
      ensure_size(c.h0, std::size_t(n) * std::size_t(H));
      for (int i = 0; i < n; ++i) std::copy(h0, h0 + H, c.h0.begin() + std::ptrdiff_t(i) * H);
      start = c.h0.data();
    }
    c.rnn.forward_inference(T, n, c.x.data(), params + off_.kernel, params + off_.recurrent_kernel,
                            params + off_.bias, c.h_last.data(), start);
    const float* w = params + off_.dense_kernel;
    const float b = params[off_.dense_bias];
    for (int i = 0; i < n; ++i) {
      float z = b;
      for (int j = 0; j < H; ++j)
        z += c.h_last[std::size_t(i) * std::size_t(H) + std::size_t(j)] * w[j];
      logits[n0 + i] = z;
    }
  });
}

void SentimentModel::release_inference() {
  for (auto& c : chunks_) c->rnn.release_inference();
}

void SentimentModel::padding_states(const float* params, int T, float* states) {
  const int E = shape_.embedding_dim, H = shape_.units;
  std::fill(states, states + H, 0.0f);
  if (T < 1) return;
  ensure_chunks(1);
  Chunk& c = *chunks_[0];
  // oneDNN's RNN wants T >= 2; one step is done as two and the first state kept.
  const int steps = std::max(T, 2);
  const std::vector<std::int32_t> pads(std::size_t(steps), kPaddingId);
  ensure_size(c.x, std::size_t(steps) * std::size_t(E));
  ensure_size(c.states, std::size_t(steps) * std::size_t(H));  // [steps, 1, H]
  ensure_size(c.h_last, std::size_t(H));
  embedding_gather(params + off_.embedding, E, pads.data(), 1, steps, c.x.data());
  c.rnn.forward_inference(steps, 1, c.x.data(), params + off_.kernel,
                          params + off_.recurrent_kernel, params + off_.bias, c.h_last.data(),
                          nullptr, c.states.data());
  std::copy(c.states.begin(), c.states.begin() + std::ptrdiff_t(T) * H, states + H);
}

}  // namespace rnnsent
