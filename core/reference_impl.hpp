// Definitions of the templates declared in core/reference.hpp. Plain loops in the same
// layouts as the fast path, so a mismatch points at one index; never used in a training step.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <utility>
#include <vector>

#include "core/phrase_rows.hpp"
#include "core/reference.hpp"
#include "core/reference_cells.hpp"
#include "core/time_reversal.hpp"

namespace rnnsent::reference {

template <typename S>
void embedding_forward(const S* table, int E, const std::int32_t* ids, int N, int T, S* x) {
  for (int t = 0; t < T; ++t)
    for (int n = 0; n < N; ++n) {
      const S* row = table + static_cast<std::size_t>(ids[static_cast<std::size_t>(n) * T + t]) * E;
      S* out = x + (static_cast<std::size_t>(t) * N + n) * E;
      for (int e = 0; e < E; ++e) out[e] = row[e];
    }
}

template <typename S>
void embedding_backward(const S* dx, const std::int32_t* ids, int N, int T, int E, S* dtable) {
  for (int t = 0; t < T; ++t)
    for (int n = 0; n < N; ++n) {
      S* row = dtable + static_cast<std::size_t>(ids[static_cast<std::size_t>(n) * T + t]) * E;
      const S* g = dx + (static_cast<std::size_t>(t) * N + n) * E;
      for (int e = 0; e < E; ++e) row[e] += g[e];
    }
}

template <typename S>
S dense_bce_forward_backward(const S* h, const S* w, const S* b, const float* labels, int N, int H,
                             S grad_scale, S* logits, S* dh, S* dw, S* db) {
  S loss = 0;
  for (int n = 0; n < N; ++n) {
    const S* hn = h + static_cast<std::size_t>(n) * H;
    S z = b[0];
    for (int k = 0; k < H; ++k) z += hn[k] * w[k];
    const S y = static_cast<S>(labels[n]);
    // Written so exp never overflows: the naive -y log p - (1-y) log(1-p) is inf for |z| > ~88 in
    // float.
    loss += std::max(z, S(0)) - z * y + std::log1p(std::exp(-std::abs(z)));
    const S sig = z >= 0 ? S(1) / (S(1) + std::exp(-z)) : std::exp(z) / (S(1) + std::exp(z));
    const S dz = grad_scale * (sig - y);
    if (logits) logits[n] = z;
    for (int k = 0; k < H; ++k) {
      dh[static_cast<std::size_t>(n) * H + k] = dz * w[k];
      dw[k] += dz * hn[k];
    }
    db[0] += dz;
  }
  return loss;
}

template <typename S>
S model_loss_and_grad(const ModelShape& shape, const S* params, const std::int32_t* ids,
                      const float* labels, int N, int T, S grad_scale, S* grads, S* logits,
                      const Dropout& dropout) {
  const ParamOffsets off = resolve_offsets(make_layout(shape), shape);
  const int E = shape.embedding_dim, H = shape.units, L = shape.layers, D = directions(shape);
  const int W2 = top_width(shape);
  const std::size_t nh = std::size_t(N) * H;
  std::vector<TimeSpan> spans(static_cast<std::size_t>(N));
  for (int n = 0; n < N; ++n) spans[std::size_t(n)] = real_span(ids + std::size_t(n) * T, T);
  // Reads step reversed_step(t) of row n of a time-major [T, N, C] buffer into out.
  auto reversed = [&](const std::vector<S>& in, int C) {
    std::vector<S> out(in.size());
    for (int t = 0; t < T; ++t)
      for (int n = 0; n < N; ++n)
        for (int c = 0; c < C; ++c)
          out[(std::size_t(t) * N + n) * C + c] =
              in[(std::size_t(reversed_step(spans[std::size_t(n)], t)) * N + n) * C + c];
    return out;
  };

  // Forward: embedding (times the dropout mask), then each layer's directions.
  std::vector<S> x(static_cast<std::size_t>(T) * N * E);  // [T, N, E]
  embedding_forward(params + off.embedding, E, ids, N, T, x.data());
  // Each step's extra rows (core/phrase_rows.hpp: bigram, negated word), added to its word's.
  const PhraseRows phrases(shape);
  std::vector<std::pair<std::size_t, std::int32_t>> extra;  // (step row t * N + n, table row)
  for (int n = 0; n < N; ++n)
    phrases.for_each(ids + std::size_t(n) * T, T, [&](int t, std::int32_t row) {
      const std::size_t r = std::size_t(t) * N + n;
      extra.emplace_back(r, row);
      for (int e = 0; e < E; ++e) x[r * E + e] += params[off.embedding + std::size_t(row) * E + e];
    });
  std::vector<S> mask(x.size(), S(1));
  if (dropout.active()) {
    for (int t = 0; t < T; ++t)
      for (int n = 0; n < N; ++n)
        for (int e = 0; e < E; ++e) {
          const std::size_t k = (std::size_t(t) * N + n) * E + e;
          const std::int32_t v = ids[std::size_t(n) * T + t];  // padding: never dropped
          mask[k] =
              S((v == 0 ? 1.0f
                        : dropout_multiplier(dropout, dropout.first_row + std::size_t(n), t, e)) *
                embedding_weight_multiplier(dropout, v, e));
          x[k] *= mask[k];
        }
  }
  const std::vector<S> zeros(nh, S(0));
  std::vector<std::vector<S>> inputs(
      static_cast<std::size_t>(L));  // layer l's input (forward order)
  std::vector<std::vector<S>> dir_inputs(static_cast<std::size_t>(L * D));
  std::vector<CellTape<S>> tapes(static_cast<std::size_t>(L * D));
  // Projection dropout: each direction's mask in its own reading order, keyed by token position.
  std::vector<std::vector<S>> pmasks(static_cast<std::size_t>(L * D));
  const int GH = gate_count(shape.cell) * H;
  if (dropout.projection_rate > 0.0f) {
    const std::uint32_t threshold = projection_threshold(dropout.projection_rate);
    const float keep = 1.0f / (1.0f - dropout.projection_rate);
    for (int l = 0; l < L; ++l)
      for (int d = 0; d < D; ++d) {
        std::vector<S>& m = pmasks[std::size_t(l * D + d)];
        m.resize(std::size_t(T) * N * GH);
        for (int t = 0; t < T; ++t)
          for (int n = 0; n < N; ++n) {
            const int src = d == 0 ? t : reversed_step(spans[std::size_t(n)], t);
            const std::uint32_t key =
                projection_key(dropout, dropout.first_row + std::size_t(n), src, 2 * l + d);
            const bool padding = ids[std::size_t(n) * T + src] == 0;
            for (int j = 0; j < GH; ++j)
              m[(std::size_t(t) * N + n) * GH + j] =
                  padding ? S(1) : S(projection_multiplier(key, j, threshold, keep));
          }
      }
  }
  auto pmask = [&](int l, int d) {
    const std::vector<S>& m = pmasks[std::size_t(l * D + d)];
    return m.empty() ? static_cast<const S*>(nullptr) : m.data();
  };
  inputs[0] = x;
  std::vector<S> top(static_cast<std::size_t>(N) * W2);  // [N, D*H] final states
  std::vector<int> argmax(top.size(), -1);               // max pooling: each feature's token
  for (int l = 0; l < L; ++l) {
    const int I = layer_input_dim(shape, l);
    std::vector<S> out(static_cast<std::size_t>(T) * N * W2);  // [T, N, D*H]
    for (int d = 0; d < D; ++d) {
      const RnnOffsets& r = off.rnn[std::size_t(l * D + d)];
      std::vector<S>& in = dir_inputs[std::size_t(l * D + d)];
      in = d == 0 ? inputs[std::size_t(l)] : reversed(inputs[std::size_t(l)], I);
      CellTape<S>& tape = tapes[std::size_t(l * D + d)];
      cell_forward(shape.cell, in.data(), T, N, I, H, params + r.kernel,
                   params + r.recurrent_kernel, params + r.bias, zeros.data(), zeros.data(), tape,
                   pmask(l, d));
      for (int t = 0; t < T; ++t)
        for (int n = 0; n < N; ++n) {
          const int src = d == 0 ? t : reversed_step(spans[std::size_t(n)], t);
          for (int j = 0; j < H; ++j)
            out[(std::size_t(t) * N + n) * W2 + d * H + j] =
                tape.h[(std::size_t(src) * N + n) * H + j];
        }
      if (l + 1 == L && shape.pooling == Pooling::last) {
        for (int n = 0; n < N; ++n)
          for (int j = 0; j < H; ++j)
            top[std::size_t(n) * W2 + d * H + j] = tape.h[(std::size_t(T - 1) * N + n) * H + j];
      }
    }
    if (l + 1 < L) inputs[std::size_t(l + 1)] = out;
    if (l + 1 == L && shape.pooling == Pooling::mean) {
      for (int n = 0; n < N; ++n) {
        const TimeSpan& sp = spans[std::size_t(n)];
        for (int k = 0; k < W2; ++k) {
          S sum = 0;
          for (int t = sp.begin; t < sp.end; ++t) sum += out[(std::size_t(t) * N + n) * W2 + k];
          top[std::size_t(n) * W2 + k] = sp.end > sp.begin ? sum / S(sp.end - sp.begin) : S(0);
        }
      }
    }
    if (l + 1 == L && shape.pooling == Pooling::max) {
      // The first (in token order) of equal maxima takes the gradient, as in SentimentModel.
      for (int n = 0; n < N; ++n) {
        const TimeSpan& sp = spans[std::size_t(n)];
        for (int k = 0; k < W2; ++k) {
          int best = -1;
          for (int t = sp.begin; t < sp.end; ++t)
            if (best < 0 ||
                out[(std::size_t(t) * N + n) * W2 + k] > out[(std::size_t(best) * N + n) * W2 + k])
              best = t;
          argmax[std::size_t(n) * W2 + k] = best;
          top[std::size_t(n) * W2 + k] =
              best < 0 ? S(0) : out[(std::size_t(best) * N + n) * W2 + k];
        }
      }
    }
  }
  std::vector<S> dtop(static_cast<std::size_t>(N) * W2);
  std::vector<S> dw_scratch(static_cast<std::size_t>(W2)), db_scratch(1);
  const S loss = dense_bce_forward_backward(
      top.data(), params + off.dense_kernel, params + off.dense_bias, labels, N, W2, grad_scale,
      logits, dtop.data(), grads ? grads + off.dense_kernel : dw_scratch.data(),
      grads ? grads + off.dense_bias : db_scratch.data());
  if (!grads) return loss;

  // Backward: dout is dL/d(layer output) [T, N, D*H], in forward time order.
  std::vector<S> dout(static_cast<std::size_t>(T) * N * W2, S(0));
  std::vector<S> din;
  for (int l = L - 1; l >= 0; --l) {
    const int I = layer_input_dim(shape, l);
    din.assign(static_cast<std::size_t>(T) * N * I, S(0));
    for (int d = 0; d < D; ++d) {
      const RnnOffsets& r = off.rnn[std::size_t(l * D + d)];
      std::vector<S> dh(static_cast<std::size_t>(T) * nh, S(0));  // in this direction's order
      for (int t = 0; t < T; ++t)
        for (int n = 0; n < N; ++n) {
          const int src = d == 0 ? t : reversed_step(spans[std::size_t(n)], t);
          for (int j = 0; j < H; ++j) {
            S g = l + 1 < L ? dout[(std::size_t(src) * N + n) * W2 + d * H + j] : S(0);
            const TimeSpan& sp = spans[std::size_t(n)];
            if (l + 1 == L && shape.pooling == Pooling::last && t == T - 1)
              g += dtop[std::size_t(n) * W2 + d * H + j];
            if (l + 1 == L && shape.pooling == Pooling::mean && src >= sp.begin && src < sp.end)
              g += dtop[std::size_t(n) * W2 + d * H + j] / S(sp.end - sp.begin);
            if (l + 1 == L && shape.pooling == Pooling::max &&
                argmax[std::size_t(n) * W2 + d * H + j] == src)
              g += dtop[std::size_t(n) * W2 + d * H + j];
            dh[(std::size_t(t) * N + n) * H + j] = g;
          }
        }
      std::vector<S> dx_dir(static_cast<std::size_t>(T) * N * I);
      cell_backward(shape.cell, dir_inputs[std::size_t(l * D + d)].data(), T, N, I, H,
                    params + r.kernel, params + r.recurrent_kernel, zeros.data(), zeros.data(),
                    tapes[std::size_t(l * D + d)], dh.data(), dx_dir.data(), grads + r.kernel,
                    grads + r.recurrent_kernel, grads + r.bias, pmask(l, d));
      if (d == 1) dx_dir = reversed(dx_dir, I);
      for (std::size_t k = 0; k < din.size(); ++k) din[k] += dx_dir[k];
    }
    dout = din;
  }
  for (std::size_t k = 0; k < din.size(); ++k) din[k] *= mask[k];
  embedding_backward(din.data(), ids, N, T, E, grads + off.embedding);
  for (const auto& [r, row] : extra)
    for (int e = 0; e < E; ++e) grads[off.embedding + std::size_t(row) * E + e] += din[r * E + e];
  return loss;
}

}  // namespace rnnsent::reference
