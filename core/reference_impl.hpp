// Definitions of the templates declared in core/reference.hpp. Plain loops in the same
// layouts as the fast path, so a mismatch points at one index; never used in a training step.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <vector>

#include "core/reference.hpp"

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
void rnn_step_forward(const S* x, const S* h_prev, const S* W, const S* U, const S* b, int N, int E,
                      int H, S* h_out) {
  for (int n = 0; n < N; ++n) {
    const S* xn = x + static_cast<std::size_t>(n) * E;
    const S* hn = h_prev + static_cast<std::size_t>(n) * H;
    for (int j = 0; j < H; ++j) {
      S a = b[j];
      for (int e = 0; e < E; ++e) a += xn[e] * W[static_cast<std::size_t>(e) * H + j];
      for (int k = 0; k < H; ++k) a += hn[k] * U[static_cast<std::size_t>(k) * H + j];
      h_out[static_cast<std::size_t>(n) * H + j] = std::tanh(a);
    }
  }
}

template <typename S>
void rnn_forward(const S* x, const S* h0, const S* W, const S* U, const S* b, int T, int N, int E,
                 int H, S* hs) {
  const std::size_t xs = static_cast<std::size_t>(N) * E, hsz = static_cast<std::size_t>(N) * H;
  for (int t = 0; t < T; ++t) {
    const S* h_prev = t == 0 ? h0 : hs + (t - 1) * hsz;
    rnn_step_forward(x + t * xs, h_prev, W, U, b, N, E, H, hs + t * hsz);
  }
}

template <typename S>
void rnn_backward(const S* x, const S* h0, const S* W, const S* U, const S* hs, const S* dh_last,
                  int T, int N, int E, int H, S* dx, S* dh0, S* dW, S* dU, S* db) {
  const std::size_t xs = static_cast<std::size_t>(N) * E, hsz = static_cast<std::size_t>(N) * H;
  std::vector<S> dh(dh_last, dh_last + hsz);  // dL/dh_t [N, H], walking back in time
  std::vector<S> da(hsz);                     // dL/d(pre-activation) at step t [N, H]
  for (int t = T - 1; t >= 0; --t) {
    const S* h = hs + t * hsz;
    const S* h_prev = t == 0 ? h0 : hs + (t - 1) * hsz;
    const S* xt = x + t * xs;
    for (std::size_t i = 0; i < hsz; ++i) da[i] = dh[i] * (S(1) - h[i] * h[i]);
    for (int n = 0; n < N; ++n) {
      const S* dan = da.data() + static_cast<std::size_t>(n) * H;
      for (int j = 0; j < H; ++j) {
        db[j] += dan[j];
        for (int e = 0; e < E; ++e)
          dW[static_cast<std::size_t>(e) * H + j] +=
              xt[static_cast<std::size_t>(n) * E + e] * dan[j];
        for (int k = 0; k < H; ++k)
          dU[static_cast<std::size_t>(k) * H + j] +=
              h_prev[static_cast<std::size_t>(n) * H + k] * dan[j];
      }
      S* dxn = dx + t * xs + static_cast<std::size_t>(n) * E;
      for (int e = 0; e < E; ++e) {
        S s = 0;
        for (int j = 0; j < H; ++j) s += dan[j] * W[static_cast<std::size_t>(e) * H + j];
        dxn[e] = s;
      }
      S* dhn = dh.data() + static_cast<std::size_t>(n) * H;
      for (int k = 0; k < H; ++k) {
        S s = 0;
        for (int j = 0; j < H; ++j) s += dan[j] * U[static_cast<std::size_t>(k) * H + j];
        dhn[k] = s;
      }
    }
  }
  for (std::size_t i = 0; i < hsz; ++i) dh0[i] = dh[i];
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
                      const float* labels, int N, int T, S grad_scale, S* grads, S* logits) {
  if (shape.cell != CellKind::simple_rnn) {
    throw std::runtime_error("reference::model_loss_and_grad: only simple_rnn, got " +
                             cell_name(shape.cell));
  }
  const ParamOffsets off = resolve_offsets(make_layout(shape), shape);
  const int E = shape.embedding_dim, H = shape.units;
  const std::size_t nh = static_cast<std::size_t>(N) * H;
  std::vector<S> x(static_cast<std::size_t>(T) * N * E);  // [T, N, E]
  std::vector<S> h0(nh, S(0));                            // [N, H]
  std::vector<S> hs(static_cast<std::size_t>(T) * nh);    // [T, N, H]
  std::vector<S> dh(nh);                                  // [N, H]
  std::vector<S> dw_scratch(H), db_scratch(1);            // dense grads when grads is null
  embedding_forward(params + off.embedding, E, ids, N, T, x.data());
  rnn_forward(x.data(), h0.data(), params + off.kernel, params + off.recurrent_kernel,
              params + off.bias, T, N, E, H, hs.data());
  const S* h_last = hs.data() + (T - 1) * nh;
  const S loss = dense_bce_forward_backward(
      h_last, params + off.dense_kernel, params + off.dense_bias, labels, N, H, grad_scale, logits,
      dh.data(), grads ? grads + off.dense_kernel : dw_scratch.data(),
      grads ? grads + off.dense_bias : db_scratch.data());
  if (!grads) return loss;
  std::vector<S> dx(x.size()), dh0(nh);
  rnn_backward(x.data(), h0.data(), params + off.kernel, params + off.recurrent_kernel, hs.data(),
               dh.data(), T, N, E, H, dx.data(), dh0.data(), grads + off.kernel,
               grads + off.recurrent_kernel, grads + off.bias);
  embedding_backward(dx.data(), ids, N, T, E, grads + off.embedding);
  return loss;
}

}  // namespace rnnsent::reference
