// SentimentModel: chunks of the batch on OpenMP threads, each running its layer list
// (core/model_layers.hpp); then the chunk-order reductions. oneDNN runs single-threaded inside
// the parallel region because nested OpenMP is off.
#include "core/sentiment_model.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <stdexcept>
#include <string>

#include "core/cpu_isa.hpp"
#include "core/flush_denormals.hpp"
#include "core/time_reversal.hpp"

namespace rnnsent {
namespace {

// An id outside [0, V) would read past the embedding table; fail with its place.
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
      flush_denormals();  // every thread that runs a chunk (core/flush_denormals.hpp)
      body(k);
    } catch (...) {
#pragma omp critical(rnnsent_chunk_error)
      if (!error) error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);
}

int chunk_begin(int N, int chunks, int k) { return int(std::int64_t(N) * k / chunks); }

}  // namespace

// One thread's share of a batch: its layer lists (built on first use) and its results.
struct SentimentModel::Chunk {
  LayerList table, dense;
  std::vector<TimeSpan> spans;
  std::vector<float> grads;  // every slot after the embedding, chunk-private
  std::vector<float> logits;
  Pass pass;
  LayerList* ran = nullptr;  // the list the latest training pass used
};

SentimentModel::SentimentModel(const ModelShape& shape)
    : shape_(shape), layout_(make_layout(shape)), off_(resolve_offsets(layout_, shape)) {
  usable_cpu_isa();  // a bad RNNSENT_MAX_CPU_ISA fails here, not inside a kernel's thread
}

SentimentModel::~SentimentModel() = default;

void SentimentModel::set_engine(RecurrentEngine engine) {
  engine_ = engine;
  chunks_.clear();
}

void SentimentModel::set_token_table(bool on) { token_table_ = on; }

bool SentimentModel::uses_token_table(const Dropout& dropout) const {
  return token_table_ && engine_ == RecurrentEngine::fast && !(dropout.rate > 0.0f) &&
         shape_.bigram_buckets == 0;
}

int SentimentModel::chunk_count(int N) const {
  return std::max(1, std::min(N, omp_get_max_threads()));
}

SentimentModel::Chunk& SentimentModel::chunk(int k) {
  while (int(chunks_.size()) <= k) chunks_.push_back(std::make_unique<Chunk>());
  return *chunks_[std::size_t(k)];
}

LayerList& SentimentModel::layers_of(Chunk& c, bool table) {
  LayerList& list = table ? c.table : c.dense;
  if (list.empty()) list = build_layers(shape_, off_, engine_, table);
  return list;
}

void SentimentModel::run_chunk(Chunk& c, LayerList& layers, bool training) {
  using Clock = std::chrono::steady_clock;
  const bool timed = profile_ && &c == chunks_.front().get() && training;
  auto last = Clock::now();
  auto lap = [&](double& into) {
    const auto now = Clock::now();
    into += std::chrono::duration<double>(now - last).count();
    last = now;
  };
  Flow flow;
  for (auto& layer : layers) {
    flow = layer->forward(c.pass, flow);
    if (!timed) continue;
    const Phase phase = layer->phase();
    lap(phase == Phase::gather       ? profile_->gather
        : phase == Phase::dense_loss ? profile_->dense_loss
                                     : profile_->rnn_forward);
  }
  if (!training) return;
  FlowGrad grad;
  for (auto it = layers.rbegin(); it != layers.rend(); ++it) grad = (*it)->backward(c.pass, grad);
  if (timed) lap(profile_->rnn_backward);
}

float SentimentModel::forward_backward(const float* params, const std::int32_t* ids,
                                       const float* labels, int N, int T, float grad_scale,
                                       float* grads, float* logits, const Dropout& dropout) {
  check_ids(ids, N, T, shape_.num_words);
  if (!(dropout.rate >= 0.0f && dropout.rate < 1.0f && dropout.word_rate >= 0.0f &&
        dropout.word_rate < 1.0f && dropout.projection_rate >= 0.0f &&
        dropout.projection_rate < 1.0f && dropout.embedding_weight_rate >= 0.0f &&
        dropout.embedding_weight_rate < 1.0f)) {
    throw std::runtime_error(
        "SentimentModel: dropout rates " + std::to_string(dropout.rate) + ", " +
        std::to_string(dropout.word_rate) + ", " + std::to_string(dropout.projection_rate) + ", " +
        std::to_string(dropout.embedding_weight_rate) + ": each must be in [0, 1)");
  }
  const int count = chunk_count(N);
  for (int k = 0; k < count; ++k) chunk(k);
  const bool table = uses_token_table(dropout);
  // The chunk-private gradient covers every slot after the embedding, laid out as in the flat
  // buffer, so g + offset addresses that slot.
  const std::size_t first = off_.rnn.front().kernel;
  const std::size_t small = off_.dense_bias + 1 - first;

  parallel_chunks(count, [&](int k) {
    Chunk& c = *chunks_[std::size_t(k)];
    const int n0 = chunk_begin(N, count, k), n = chunk_begin(N, count, k + 1) - n0;
    const std::int32_t* chunk_ids = ids + std::size_t(n0) * std::size_t(T);
    c.spans.resize(std::size_t(n));
    for (int i = 0; i < n; ++i)
      c.spans[std::size_t(i)] = real_span(chunk_ids + std::size_t(i) * std::size_t(T), T);
    c.grads.assign(small, 0.0f);
    c.logits.resize(std::size_t(n));
    Pass& p = c.pass;
    p = Pass{};
    p.T = T;
    p.n = n;
    p.ids = chunk_ids;
    p.spans = c.spans.data();
    p.params = params;
    p.grads = c.grads.data() - first;
    p.training = true;
    p.dropout = dropout;
    p.dropout.first_row = dropout.first_row + std::size_t(n0);
    p.labels = labels + n0;
    p.grad_scale = grad_scale;
    p.logits = logits ? logits + n0 : c.logits.data();
    c.ran = &layers_of(c, table);
    run_chunk(c, *c.ran, true);
  });

  // Reductions in chunk order, so a given thread count always gives the same bits.
  const auto reduce_start = std::chrono::steady_clock::now();
  float loss = 0.0f;
  for (int k = 0; k < count; ++k) {
    const Chunk& c = *chunks_[std::size_t(k)];
    loss += c.pass.loss;
    float* dst = grads + first;
    for (std::size_t i = 0; i < small; ++i) dst[i] += c.grads[i];
    for (const auto& layer : *c.ran) layer->reduce(c.pass, grads);
  }
  if (profile_) {
    profile_->scatter_add +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - reduce_start).count();
    ++profile_->calls;
  }
  return loss;
}

void SentimentModel::predict_logits(const float* params, const std::int32_t* ids, int N, int T,
                                    float* logits, const float* h0) {
  check_ids(ids, N, T, shape_.num_words);
  const int count = chunk_count(N);
  for (int k = 0; k < count; ++k) chunk(k);
  const bool table = uses_token_table(Dropout{});
  parallel_chunks(count, [&](int k) {
    Chunk& c = *chunks_[std::size_t(k)];
    const int n0 = chunk_begin(N, count, k), n = chunk_begin(N, count, k + 1) - n0;
    const std::int32_t* chunk_ids = ids + std::size_t(n0) * std::size_t(T);
    c.spans.resize(std::size_t(n));
    for (int i = 0; i < n; ++i)
      c.spans[std::size_t(i)] = real_span(chunk_ids + std::size_t(i) * std::size_t(T), T);
    Pass p;
    p.T = T;
    p.n = n;
    p.ids = chunk_ids;
    p.spans = c.spans.data();
    p.params = params;
    p.h0 = h0;
    p.logits = logits + n0;
    Pass saved = c.pass;  // a training pass's state stays intact for its reduce
    c.pass = p;
    run_chunk(c, layers_of(c, table), false);
    c.pass = saved;
  });
}

void SentimentModel::release_inference() {
  for (auto& c : chunks_) {
    for (auto& layer : c->table) layer->release();
    for (auto& layer : c->dense) layer->release();
  }
}

void SentimentModel::padding_states(const float* params, int T, float* states) {
  const std::size_t S = state_size(shape_);
  std::fill(states, states + (std::size_t(T) + 1) * S, 0.0f);
  if (T < 1) return;
  // One all-padding review through the fast layers, keeping every step's state.
  LayerList layers = build_layers(shape_, off_, RecurrentEngine::fast, true);
  const std::vector<std::int32_t> ids(std::size_t(T), 0);
  const TimeSpan span = real_span(ids.data(), T);
  float logit = 0.0f;
  Pass p;
  p.T = T;
  p.n = 1;
  p.ids = ids.data();
  p.spans = &span;
  p.params = params;
  p.keep_states = true;
  p.logits = &logit;
  Flow flow;
  for (auto& layer : layers) flow = layer->forward(p, flow);
  for (int k = 1; k <= T; ++k)
    for (const auto& layer : layers) layer->write_state(k, states + std::size_t(k) * S);
}

}  // namespace rnnsent
