// SentimentModel: the fast training/prediction path. Embedding gather (and dropout) -> the
// stack of oneDNN recurrent layers (each direction its own primitive; the top layer's last
// states) -> dense + BCE, and the reverse, on the caller's flat parameter/gradient buffers.
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
#include "core/reference_cells.hpp"

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

// Shapes whose recurrent stack is one left-to-right SimpleRNN reading the embedding.
bool token_table_fits(const ModelShape& shape) {
  return shape.cell == CellKind::simple_rnn && shape.layers == 1 && !shape.bidirectional;
}

}  // namespace

SentimentModel::Chunk::Chunk(const ModelShape& shape) {
  if (token_table_fits(shape))
    table = std::make_unique<TokenTableRnn>(shape.num_words, shape.embedding_dim, shape.units);
  const int D = directions(shape);
  for (int l = 0; l < shape.layers; ++l)
    for (int d = 0; d < D; ++d)
      rnn.push_back(
          std::make_unique<OneDnnRnn>(shape.cell, layer_input_dim(shape, l), shape.units));
  reversed.resize(std::size_t(shape.layers));
  outputs.resize(std::size_t(shape.layers));
  dinputs.resize(std::size_t(shape.layers));
  dstates.resize(std::size_t(D));
  h_last.resize(std::size_t(D));
  dh.resize(std::size_t(D));
  infer_states.resize(std::size_t(D));
}

SentimentModel::SentimentModel(const ModelShape& shape)
    : table_eligible_(token_table_fits(shape)),
      shape_(shape),
      layout_(make_layout(shape)),
      off_(resolve_offsets(layout_, shape)) {}

int SentimentModel::chunk_count(int N) const {
  return std::max(1, std::min(N, omp_get_max_threads()));
}

void SentimentModel::ensure_chunks(int count) {
  while (int(chunks_.size()) < count) chunks_.push_back(std::make_unique<Chunk>(shape_));
}

void SentimentModel::stack_forward(Chunk& c, const float* params, int T, int n, bool training,
                                   const float* h0) {
  const int H = shape_.units, D = directions(shape_), L = shape_.layers, W2 = D * H;
  const bool pooled = shape_.pooling != Pooling::last;
  const std::size_t nh = std::size_t(n) * std::size_t(H);
  const std::size_t per_state = shape_.cell == CellKind::lstm ? 2 * std::size_t(H) : std::size_t(H);
  for (int d = 0; d < D; ++d) ensure_size(c.h_last[std::size_t(d)], nh);
  const float* in = c.x.data();
  int I = shape_.embedding_dim;
  for (int l = 0; l < L; ++l) {
    const float* layer_states[2] = {nullptr, nullptr};
    for (int d = 0; d < D; ++d) {
      const RnnOffsets& r = off_.rnn[std::size_t(l * D + d)];
      OneDnnRnn& rnn = *c.rnn[std::size_t(l * D + d)];
      const float* src = in;
      if (d == 1) {
        std::vector<float>& rev = c.reversed[std::size_t(l)];
        ensure_size(rev, std::size_t(T) * std::size_t(n) * std::size_t(I));
        reverse_real_steps(in, T, n, I, c.spans.data(), rev.data());
        src = rev.data();
      }
      float* h_last = c.h_last[std::size_t(d)].data();
      if (training) {
        rnn.forward_training(T, n, src, params + r.kernel, params + r.recurrent_kernel,
                             params + r.bias, h_last);
        layer_states[d] = rnn.states();
      } else {
        const float* h0_rows = nullptr;
        const float* c0_rows = nullptr;
        if (h0) {
          // Every row starts from the same state: broadcast it.
          const float* state = h0 + std::size_t(l * D + d) * per_state;
          ensure_size(c.h0, nh);
          for (int i = 0; i < n; ++i)
            std::copy(state, state + H, c.h0.begin() + std::ptrdiff_t(i) * H);
          h0_rows = c.h0.data();
          if (shape_.cell == CellKind::lstm) {
            ensure_size(c.c0, nh);
            for (int i = 0; i < n; ++i)
              std::copy(state + H, state + 2 * H, c.c0.begin() + std::ptrdiff_t(i) * H);
            c0_rows = c.c0.data();
          }
        }
        float* states = nullptr;
        if (l + 1 < L || pooled) {
          ensure_size(c.infer_states[std::size_t(d)], std::size_t(T) * nh);
          states = c.infer_states[std::size_t(d)].data();
        }
        rnn.forward_inference(T, n, src, params + r.kernel, params + r.recurrent_kernel,
                              params + r.bias, h_last, h0_rows, c0_rows, states);
        layer_states[d] = states;
      }
    }
    if (l + 1 == L) {
      if (pooled) pool(c, layer_states, n);
      break;
    }
    if (D == 1) {
      in = layer_states[0];  // the next layer reads this layer's states in place
    } else {
      // The next layer's input at step t: forward state t, backward state of the same token.
      std::vector<float>& out = c.outputs[std::size_t(l)];
      ensure_size(out, std::size_t(T) * std::size_t(n) * std::size_t(W2));
      for (int t = 0; t < T; ++t)
        for (int i = 0; i < n; ++i) {
          float* o =
              out.data() + (std::size_t(t) * std::size_t(n) + std::size_t(i)) * std::size_t(W2);
          const std::size_t fwd =
              (std::size_t(t) * std::size_t(n) + std::size_t(i)) * std::size_t(H);
          const std::size_t bwd =
              (std::size_t(reversed_step(c.spans[std::size_t(i)], t)) * std::size_t(n) +
               std::size_t(i)) *
              std::size_t(H);
          std::copy(layer_states[0] + fwd, layer_states[0] + fwd + H, o);
          std::copy(layer_states[1] + bwd, layer_states[1] + bwd + H, o + H);
        }
      in = out.data();
    }
    I = W2;
  }
  if (pooled) return;  // pool filled c.top
  ensure_size(c.top, std::size_t(n) * std::size_t(W2));
  for (int i = 0; i < n; ++i)
    for (int d = 0; d < D; ++d)
      std::copy(c.h_last[std::size_t(d)].begin() + std::ptrdiff_t(i) * H,
                c.h_last[std::size_t(d)].begin() + std::ptrdiff_t(i + 1) * H,
                c.top.begin() + std::ptrdiff_t(i) * W2 + std::ptrdiff_t(d) * H);
}

void SentimentModel::pool(Chunk& c, const float* const* states, int n) {
  const int H = shape_.units, D = directions(shape_), W2 = D * H;
  const bool max = shape_.pooling == Pooling::max;
  ensure_size(c.top, std::size_t(n) * std::size_t(W2));
  if (max) c.argmax.assign(std::size_t(n) * std::size_t(W2), -1);
  for (int i = 0; i < n; ++i) {
    const TimeSpan& sp = c.spans[std::size_t(i)];
    float* out = c.top.data() + std::size_t(i) * std::size_t(W2);
    std::fill(out, out + W2, 0.0f);
    if (sp.end <= sp.begin) continue;
    auto state = [&](int d, int t) {
      return states[d] + (std::size_t(t) * std::size_t(n) + std::size_t(i)) * std::size_t(H);
    };
    for (int d = 0; d < D; ++d) {
      if (max) {
        // Visit the steps in token order (the backward direction holds them last to first), so
        // that of equal maxima the first token's wins, as in the reference.
        int* where = c.argmax.data() + std::size_t(i) * std::size_t(W2) + std::size_t(d) * H;
        for (int k = 0; k < sp.end - sp.begin; ++k) {
          const int t = d == 0 ? sp.begin + k : sp.end - 1 - k;
          const float* h = state(d, t);
          for (int j = 0; j < H; ++j)
            if (where[j] < 0 || h[j] > out[d * H + j]) {
              out[d * H + j] = h[j];
              where[j] = t;
            }
        }
      } else {
        // The span's steps in either direction's order: the order does not matter for a mean.
        for (int t = sp.begin; t < sp.end; ++t) {
          const float* h = state(d, t);
          for (int j = 0; j < H; ++j) out[d * H + j] += h[j];
        }
      }
    }
    if (!max) {
      const float inv = 1.0f / float(sp.end - sp.begin);
      for (int k = 0; k < W2; ++k) out[k] *= inv;
    }
  }
}

void SentimentModel::unpool(Chunk& c, int d, int T, int n) {
  const int H = shape_.units, W2 = directions(shape_) * H;
  const std::size_t tn = std::size_t(T) * std::size_t(n);
  std::vector<float>& ds = c.dstates[std::size_t(d)];
  ensure_size(ds, tn * std::size_t(H));
  std::fill(ds.begin(), ds.begin() + std::ptrdiff_t(tn * std::size_t(H)), 0.0f);
  auto at = [&](int t, int i) {
    return ds.data() + (std::size_t(t) * std::size_t(n) + std::size_t(i)) * std::size_t(H);
  };
  for (int i = 0; i < n; ++i) {
    const TimeSpan& sp = c.spans[std::size_t(i)];
    if (sp.end <= sp.begin) continue;
    const float* g = c.dh[std::size_t(d)].data() + std::size_t(i) * std::size_t(H);
    if (shape_.pooling == Pooling::max) {
      // Each feature's gradient goes to the one step its maximum came from.
      const int* where = c.argmax.data() + std::size_t(i) * std::size_t(W2) + std::size_t(d) * H;
      for (int j = 0; j < H; ++j) at(where[j], i)[j] = g[j];
    } else {
      // d(mean)/d(state t) = 1/L on the row's real steps (the same set in either direction's
      // order, since the reversal maps the span onto itself), zero on its padding.
      const float inv = 1.0f / float(sp.end - sp.begin);
      for (int t = sp.begin; t < sp.end; ++t)
        for (int j = 0; j < H; ++j) at(t, i)[j] = g[j] * inv;
    }
  }
}

void SentimentModel::stack_backward(Chunk& c, int T, int n, float* g) {
  const int H = shape_.units, D = directions(shape_), L = shape_.layers, W2 = D * H;
  const std::size_t nh = std::size_t(n) * std::size_t(H), tn = std::size_t(T) * std::size_t(n);
  for (int d = 0; d < D; ++d) {
    std::vector<float>& dh = c.dh[std::size_t(d)];
    ensure_size(dh, nh);
    for (int i = 0; i < n; ++i)
      std::copy(c.dtop.begin() + std::ptrdiff_t(i) * W2 + std::ptrdiff_t(d) * H,
                c.dtop.begin() + std::ptrdiff_t(i) * W2 + std::ptrdiff_t(d + 1) * H,
                dh.begin() + std::ptrdiff_t(i) * H);
  }
  const float* dabove = nullptr;  // dL/d(output of layer l) [T, n, D*H]
  for (int l = L - 1; l >= 0; --l) {
    const int I = layer_input_dim(shape_, l);
    std::vector<float>& din_buf = l == 0 ? c.dx : c.dinputs[std::size_t(l)];
    ensure_size(din_buf, tn * std::size_t(I));
    float* din = din_buf.data();
    for (int d = 0; d < D; ++d) {
      const RnnOffsets& r = off_.rnn[std::size_t(l * D + d)];
      OneDnnRnn& rnn = *c.rnn[std::size_t(l * D + d)];
      const bool pooled = l + 1 == L && shape_.pooling != Pooling::last;
      const float* dlast = l + 1 == L && !pooled ? c.dh[std::size_t(d)].data() : nullptr;
      const float* dstates = nullptr;
      if (pooled) {
        unpool(c, d, T, n);
        dstates = c.dstates[std::size_t(d)].data();
      }
      if (dabove) {
        if (D == 1) {
          dstates = dabove;
        } else {
          std::vector<float>& ds = c.dstates[std::size_t(d)];
          ensure_size(ds, tn * std::size_t(H));
          for (int t = 0; t < T; ++t)
            for (int i = 0; i < n; ++i) {
              const int src = d == 0 ? t : reversed_step(c.spans[std::size_t(i)], t);
              const float* from =
                  dabove + (std::size_t(src) * std::size_t(n) + std::size_t(i)) * std::size_t(W2) +
                  std::size_t(d) * std::size_t(H);
              std::copy(
                  from, from + H,
                  ds.begin() + std::ptrdiff_t((std::size_t(t) * std::size_t(n) + std::size_t(i)) *
                                              std::size_t(H)));
            }
          dstates = ds.data();
        }
      }
      if (d == 0) {
        rnn.backward(dlast, dstates, din, g + r.kernel, g + r.recurrent_kernel, g + r.bias);
      } else {
        ensure_size(c.dreversed, tn * std::size_t(I));
        rnn.backward(dlast, dstates, c.dreversed.data(), g + r.kernel, g + r.recurrent_kernel,
                     g + r.bias);
        add_reversed_real_steps(c.dreversed.data(), T, n, I, c.spans.data(), din);
      }
    }
    dabove = din;
  }
}

void SentimentModel::table_forward(Chunk& c, const float* params, const std::int32_t* ids, int T,
                                   int n, bool training, const float* h0) {
  const int H = shape_.units;
  const RnnOffsets& r = off_.rnn.front();
  const bool pooled = shape_.pooling != Pooling::last;
  const std::size_t nh = std::size_t(n) * std::size_t(H);
  ensure_size(c.h_last[0], nh);
  const float* states = nullptr;
  if (training) {
    c.table->forward_training(T, n, ids, params + off_.embedding, params + r.kernel,
                              params + r.recurrent_kernel, params + r.bias, c.h_last[0].data());
    states = c.table->states();
  } else {
    float* all = nullptr;
    if (pooled) {
      ensure_size(c.infer_states[0], std::size_t(T) * nh);
      all = c.infer_states[0].data();
    }
    c.table->forward_inference(T, n, ids, params + off_.embedding, params + r.kernel,
                               params + r.recurrent_kernel, params + r.bias, c.h_last[0].data(), h0,
                               all);
    states = all;
  }
  if (pooled) {
    const float* layer_states[1] = {states};
    pool(c, layer_states, n);
    return;
  }
  ensure_size(c.top, nh);
  std::copy(c.h_last[0].begin(), c.h_last[0].begin() + std::ptrdiff_t(nh), c.top.begin());
}

void SentimentModel::table_backward(Chunk& c, int T, int n, float* g) {
  const RnnOffsets& r = off_.rnn.front();
  const float* dlast = c.dtop.data();  // one direction: d(top) is d(last state)
  const float* dstates = nullptr;
  if (shape_.pooling != Pooling::last) {
    const std::size_t nh = std::size_t(n) * std::size_t(shape_.units);
    ensure_size(c.dh[0], nh);
    std::copy(c.dtop.begin(), c.dtop.begin() + std::ptrdiff_t(nh), c.dh[0].begin());
    unpool(c, 0, T, n);
    dlast = nullptr;
    dstates = c.dstates[0].data();
  }
  c.table->backward(dlast, dstates, g + r.kernel, g + r.recurrent_kernel, g + r.bias);
}

float SentimentModel::forward_backward(const float* params, const std::int32_t* ids,
                                       const float* labels, int N, int T, float grad_scale,
                                       float* grads, float* logits, const Dropout& dropout) {
  const int E = shape_.embedding_dim, V = shape_.num_words, W2 = top_width(shape_);
  check_ids(ids, N, T, V);
  if (!(dropout.rate >= 0.0f && dropout.rate < 1.0f && dropout.word_rate >= 0.0f &&
        dropout.word_rate < 1.0f)) {
    throw std::runtime_error("SentimentModel: dropout rate " + std::to_string(dropout.rate) +
                             " outside [0, 1)");
  }
  const int count = chunk_count(N);
  ensure_chunks(count);
  const bool table = table_eligible_ && use_table_ && !dropout.active();
  // Chunk-private gradient of every slot after the embedding (recurrent slots, dense kernel,
  // dense bias), laid out as in the flat buffer.
  const std::size_t first = off_.rnn.front().kernel;
  const std::size_t small = off_.dense_bias + 1 - first;

  parallel_chunks(count, [&](int k) {
    Chunk& c = *chunks_[std::size_t(k)];
    const int n0 = chunk_begin(N, count, k), n = chunk_begin(N, count, k + 1) - n0;
    const std::size_t tne = std::size_t(T) * std::size_t(n) * std::size_t(E);
    if (!table) ensure_size(c.x, tne);  // the table path reads ids, not embedded vectors
    ensure_size(c.grads, small);
    ensure_size(c.logits, std::size_t(n));
    ensure_size(c.dtop, std::size_t(n) * std::size_t(W2));
    std::fill(c.grads.begin(), c.grads.begin() + std::ptrdiff_t(small), 0.0f);
    float* g = c.grads.data() - first;  // so g + offset addresses that slot
    const std::int32_t* chunk_ids = ids + std::size_t(n0) * std::size_t(T);
    if (shape_.bidirectional || shape_.pooling != Pooling::last) {
      c.spans.resize(std::size_t(n));
      for (int i = 0; i < n; ++i)
        c.spans[std::size_t(i)] = real_span(chunk_ids + std::size_t(i) * std::size_t(T), T);
    }

    using Clock = std::chrono::steady_clock;
    const bool timed = profile_ && k == 0;
    auto lap = [&, last = Clock::now()](double& into) mutable {
      if (!timed) return;
      const auto now = Clock::now();
      into += std::chrono::duration<double>(now - last).count();
      last = now;
    };
    if (table) {
      table_forward(c, params, chunk_ids, T, n, true, nullptr);
    } else {
      embedding_gather(params + off_.embedding, E, chunk_ids, n, T, c.x.data());
      if (dropout.active()) {
        ensure_size(c.mask, tne);
        for (int t = 0; t < T; ++t)
          for (int i = 0; i < n; ++i)
            for (int e = 0; e < E; ++e) {
              const std::size_t at =
                  (std::size_t(t) * std::size_t(n) + std::size_t(i)) * std::size_t(E) +
                  std::size_t(e);
              c.mask[at] =
                  dropout_multiplier(dropout, dropout.first_row + std::size_t(n0 + i), t, e);
              c.x[at] *= c.mask[at];
            }
      }
      if (timed) lap(profile_->gather);
      stack_forward(c, params, T, n, true, nullptr);
    }
    if (timed) lap(profile_->rnn_forward);
    // dtop comes out already multiplied by grad_scale, so every gradient below it is scaled too.
    c.loss = reference::dense_bce_forward_backward<float>(
        c.top.data(), params + off_.dense_kernel, params + off_.dense_bias, labels + n0, n, W2,
        grad_scale, c.logits.data(), c.dtop.data(), g + off_.dense_kernel, g + off_.dense_bias);
    if (logits) std::copy(c.logits.begin(), c.logits.begin() + n, logits + n0);
    if (timed) lap(profile_->dense_loss);
    if (table) {
      table_backward(c, T, n, g);
    } else {
      stack_backward(c, T, n, g);
      if (dropout.active()) {
        for (std::size_t i = 0; i < tne; ++i) c.dx[i] *= c.mask[i];
      }
    }
    if (timed) lap(profile_->rnn_backward);
  });

  // Reductions in chunk order, so a given thread count always gives the same bits.
  const auto scatter_start = std::chrono::steady_clock::now();
  float loss = 0.0f;
  for (int k = 0; k < count; ++k) {
    const Chunk& c = *chunks_[std::size_t(k)];
    const int n0 = chunk_begin(N, count, k), n = chunk_begin(N, count, k + 1) - n0;
    loss += c.loss;
    float* dst = grads + first;
    for (std::size_t i = 0; i < small; ++i) dst[i] += c.grads[i];
    if (table) {
      // The table path leaves one gradient row per distinct token of the chunk.
      const std::vector<std::int32_t>& touched = c.table->touched();
      const float* rows = c.table->embedding_grad();
      for (std::size_t k = 0; k < touched.size(); ++k) {
        float* to = grads + off_.embedding + std::size_t(touched[k]) * std::size_t(E);
        const float* from = rows + k * std::size_t(E);
        for (int e = 0; e < E; ++e) to[e] += from[e];
      }
      continue;
    }
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
  const int E = shape_.embedding_dim, W2 = top_width(shape_);
  check_ids(ids, N, T, shape_.num_words);
  const int count = chunk_count(N);
  ensure_chunks(count);
  const bool table = table_eligible_ && use_table_;
  parallel_chunks(count, [&](int k) {
    Chunk& c = *chunks_[std::size_t(k)];
    const int n0 = chunk_begin(N, count, k), n = chunk_begin(N, count, k + 1) - n0;
    const std::int32_t* chunk_ids = ids + std::size_t(n0) * std::size_t(T);
    if (shape_.bidirectional || shape_.pooling != Pooling::last) {
      c.spans.resize(std::size_t(n));
      for (int i = 0; i < n; ++i)
        c.spans[std::size_t(i)] = real_span(chunk_ids + std::size_t(i) * std::size_t(T), T);
    }
    if (table) {
      table_forward(c, params, chunk_ids, T, n, false, h0);
    } else {
      ensure_size(c.x, std::size_t(T) * std::size_t(n) * std::size_t(E));
      embedding_gather(params + off_.embedding, E, chunk_ids, n, T, c.x.data());
      stack_forward(c, params, T, n, false, h0);
    }
    const float* w = params + off_.dense_kernel;
    const float b = params[off_.dense_bias];
    for (int i = 0; i < n; ++i) {
      float z = b;
      for (int j = 0; j < W2; ++j)
        z += c.top[std::size_t(i) * std::size_t(W2) + std::size_t(j)] * w[j];
      logits[n0 + i] = z;
    }
  });
}

void SentimentModel::release_inference() {
  for (auto& c : chunks_)
    for (auto& rnn : c->rnn) rnn->release_inference();
}

void SentimentModel::padding_states(const float* params, int T, float* states) {
  const int E = shape_.embedding_dim, H = shape_.units, D = directions(shape_);
  const bool lstm = shape_.cell == CellKind::lstm;
  const std::size_t S = state_size(shape_), per = lstm ? 2 * std::size_t(H) : std::size_t(H);
  std::fill(states, states + (std::size_t(T) + 1) * S, 0.0f);
  if (T < 1) return;
  // One all-padding review: every step's input is the padding row of the embedding.
  std::vector<float> in(std::size_t(T) * std::size_t(E));
  for (int t = 0; t < T; ++t)
    std::copy(params + off_.embedding, params + off_.embedding + E,
              in.begin() + std::ptrdiff_t(t) * E);
  const std::vector<float> zeros(std::size_t(H), 0.0f);
  reference::CellTape<float> tape;
  int I = E;
  for (int l = 0; l < shape_.layers; ++l) {
    std::vector<float> out(std::size_t(T) * std::size_t(D) * std::size_t(H));
    for (int d = 0; d < D; ++d) {
      // With no real tokens the backward direction's input is the same padding sequence.
      const RnnOffsets& r = off_.rnn[std::size_t(l * D + d)];
      reference::cell_forward<float>(shape_.cell, in.data(), T, 1, I, H, params + r.kernel,
                                     params + r.recurrent_kernel, params + r.bias, zeros.data(),
                                     zeros.data(), tape);
      const std::size_t at = std::size_t(l * D + d) * per;
      for (int t = 0; t < T; ++t) {
        float* s = states + (std::size_t(t) + 1) * S + at;
        std::copy(tape.h.begin() + std::ptrdiff_t(t) * H,
                  tape.h.begin() + std::ptrdiff_t(t + 1) * H, s);
        if (lstm)
          std::copy(tape.c.begin() + std::ptrdiff_t(t) * H,
                    tape.c.begin() + std::ptrdiff_t(t + 1) * H, s + H);
        std::copy(tape.h.begin() + std::ptrdiff_t(t) * H,
                  tape.h.begin() + std::ptrdiff_t(t + 1) * H,
                  out.begin() + std::ptrdiff_t((std::size_t(t) * std::size_t(D) + std::size_t(d)) *
                                               std::size_t(H)));
      }
    }
    in = out;
    I = D * H;
  }
}

}  // namespace rnnsent
