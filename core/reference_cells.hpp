// Plain reference recurrent cells over a whole sequence, templated on the scalar type: the
// spec the oneDNN path must match (in float) and that finite differences check (in double).
// Cells, with a = x W + h U + b per gate block, in Keras's gate order:
//   simple_rnn  h = tanh(a)
//   lstm        i, f, o = sigmoid(a_i, a_f, a_o); g = tanh(a_g); c = f c' + i g; h = o tanh(c)
//   gru         (Keras reset_after=True, oneDNN lbr_gru) with input bias bi and recurrent bias
//               br: z = sig(x Wz + bi_z + h Uz + br_z); r likewise;
//               n = tanh(x Wn + bi_n + r (h Un + br_n)); h = z h' + (1 - z) n
// Layouts: x [T, N, I], states [T, N, H], W [I, G*H], U [H, G*H] (row-major, Keras order).
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

#include "core/model_shape.hpp"

namespace rnnsent::reference {

// What backward needs from forward: every state and every gate's activation.
template <typename S>
struct CellTape {
  std::vector<S> h;      // [T, N, H]
  std::vector<S> c;      // [T, N, H] (lstm)
  std::vector<S> gates;  // [T, N, G*H] post-activation (gru: z, r, n)
  std::vector<S> hn;     // [T, N, H] gru: h U_n + br_n, the part the reset gate scales
};

namespace detail {
template <typename S>
S sigmoid(S a) {
  return S(1) / (S(1) + std::exp(-a));
}
// out[n, j] = sum_i in[n, i] M[i, j] + add[j] for in [N, I], M [I, J].
template <typename S>
void affine(const S* in, const S* M, const S* add, int N, int I, int J, S* out) {
  for (int n = 0; n < N; ++n)
    for (int j = 0; j < J; ++j) {
      S a = add ? add[j] : S(0);
      for (int i = 0; i < I; ++i) a += in[std::size_t(n) * I + i] * M[std::size_t(i) * J + j];
      out[std::size_t(n) * J + j] = a;
    }
}
}  // namespace detail

// Forward from initial states h0, c0 [N, H] (c0 read for lstm only). pmask [T, N, G*H], when
// given, multiplies x_t W before the bias is added (projection dropout, core/dropout.hpp).
template <typename S>
void cell_forward(CellKind cell, const S* x, int T, int N, int I, int H, const S* W, const S* U,
                  const S* b, const S* h0, const S* c0, CellTape<S>& tape,
                  const S* pmask = nullptr) {
  const int G = gate_count(cell), GH = G * H;
  const std::size_t nh = std::size_t(N) * H, ngh = std::size_t(N) * GH;
  tape.h.assign(std::size_t(T) * nh, S(0));
  tape.c.assign(cell == CellKind::lstm ? std::size_t(T) * nh : 0, S(0));
  tape.gates.assign(std::size_t(T) * ngh, S(0));
  tape.hn.assign(cell == CellKind::gru ? std::size_t(T) * nh : 0, S(0));
  std::vector<S> ax(ngh), ah(ngh);
  for (int t = 0; t < T; ++t) {
    const S* hp = t == 0 ? h0 : tape.h.data() + (t - 1) * nh;
    const S* xt = x + std::size_t(t) * N * I;
    S* gt = tape.gates.data() + t * ngh;
    S* ht = tape.h.data() + t * nh;
    if (pmask) {
      detail::affine(xt, W, static_cast<const S*>(nullptr), N, I, GH, ax.data());
      for (std::size_t k = 0; k < ngh; ++k) ax[k] = b[k % GH] + pmask[t * ngh + k] * ax[k];
    } else {
      detail::affine(xt, W, b, N, I, GH, ax.data());
    }
    if (cell == CellKind::gru)
      detail::affine(hp, U, b + GH, N, H, GH, ah.data());
    else
      detail::affine(hp, U, static_cast<const S*>(nullptr), N, H, GH, ah.data());
    for (int n = 0; n < N; ++n) {
      const S* a1 = ax.data() + std::size_t(n) * GH;
      const S* a2 = ah.data() + std::size_t(n) * GH;
      S* g = gt + std::size_t(n) * GH;
      S* h = ht + std::size_t(n) * H;
      const S* hpn = hp + std::size_t(n) * H;
      for (int j = 0; j < H; ++j) {
        if (cell == CellKind::simple_rnn) {
          g[j] = std::tanh(a1[j] + a2[j]);
          h[j] = g[j];
        } else if (cell == CellKind::lstm) {
          const S i = detail::sigmoid(a1[j] + a2[j]);
          const S f = detail::sigmoid(a1[H + j] + a2[H + j]);
          const S gg = std::tanh(a1[2 * H + j] + a2[2 * H + j]);
          const S o = detail::sigmoid(a1[3 * H + j] + a2[3 * H + j]);
          const S cp = t == 0 ? c0[std::size_t(n) * H + j] : tape.c[(t - 1) * nh + n * H + j];
          const S c = f * cp + i * gg;
          tape.c[t * nh + n * H + j] = c;
          g[j] = i;
          g[H + j] = f;
          g[2 * H + j] = gg;
          g[3 * H + j] = o;
          h[j] = o * std::tanh(c);
        } else {
          const S z = detail::sigmoid(a1[j] + a2[j]);
          const S r = detail::sigmoid(a1[H + j] + a2[H + j]);
          const S hn = a2[2 * H + j];
          const S nn = std::tanh(a1[2 * H + j] + r * hn);
          tape.hn[t * nh + n * H + j] = hn;
          g[j] = z;
          g[H + j] = r;
          g[2 * H + j] = nn;
          h[j] = z * hpn[j] + (S(1) - z) * nn;
        }
      }
    }
  }
}

// Backward through time. dh [T, N, H] is dL/d(state t) from outside the layer (the loss or
// the next layer), every step. dx [T, N, I] is overwritten; dW, dU, db are ADDED into. pmask:
// the forward's.
template <typename S>
void cell_backward(CellKind cell, const S* x, int T, int N, int I, int H, const S* W, const S* U,
                   const S* h0, const S* c0, const CellTape<S>& tape, const S* dh, S* dx, S* dW,
                   S* dU, S* db, const S* pmask = nullptr) {
  const int G = gate_count(cell), GH = G * H;
  const std::size_t nh = std::size_t(N) * H;
  std::vector<S> carry_h(nh, S(0)), carry_c(nh, S(0));  // from step t + 1
  std::vector<S> dax(std::size_t(N) * GH), dah(std::size_t(N) * GH);
  for (int t = T - 1; t >= 0; --t) {
    const S* hp = t == 0 ? h0 : tape.h.data() + (t - 1) * nh;
    const S* xt = x + std::size_t(t) * N * I;
    const S* gt = tape.gates.data() + std::size_t(t) * N * GH;
    for (int n = 0; n < N; ++n) {
      S* d1 = dax.data() + std::size_t(n) * GH;  // d(input pre-activation)
      S* d2 = dah.data() + std::size_t(n) * GH;  // d(recurrent pre-activation)
      const S* g = gt + std::size_t(n) * GH;
      for (int j = 0; j < H; ++j) {
        const std::size_t k = std::size_t(n) * H + j;
        const S dht = dh[t * nh + k] + carry_h[k];
        if (cell == CellKind::simple_rnn) {
          d1[j] = d2[j] = dht * (S(1) - g[j] * g[j]);
          carry_h[k] = 0;
        } else if (cell == CellKind::lstm) {
          const S i = g[j], f = g[H + j], gg = g[2 * H + j], o = g[3 * H + j];
          const S c = tape.c[t * nh + k];
          const S cp = t == 0 ? c0[k] : tape.c[(t - 1) * nh + k];
          const S tc = std::tanh(c);
          const S dc = carry_c[k] + dht * o * (S(1) - tc * tc);
          d1[j] = d2[j] = dc * gg * i * (S(1) - i);
          d1[H + j] = d2[H + j] = dc * cp * f * (S(1) - f);
          d1[2 * H + j] = d2[2 * H + j] = dc * i * (S(1) - gg * gg);
          d1[3 * H + j] = d2[3 * H + j] = dht * tc * o * (S(1) - o);
          carry_c[k] = dc * f;
          carry_h[k] = 0;
        } else {
          const S z = g[j], r = g[H + j], nn = g[2 * H + j];
          const S hn = tape.hn[t * nh + k];
          const S dn = dht * (S(1) - z) * (S(1) - nn * nn);
          const S dz = dht * (hp[k] - nn) * z * (S(1) - z);
          const S dr = dn * hn * r * (S(1) - r);
          d1[j] = d2[j] = dz;
          d1[H + j] = d2[H + j] = dr;
          d1[2 * H + j] = dn;
          d2[2 * H + j] = dn * r;
          carry_h[k] = dht * z;
        }
      }
    }
    // Parameter gradients and the gradients flowing to x_t and h_{t-1}; d(x_t W) is d1
    // through the projection mask, the bias takes d1 itself.
    std::vector<S> dxw(static_cast<std::size_t>(GH));
    for (int n = 0; n < N; ++n) {
      const S* d2 = dah.data() + std::size_t(n) * GH;
      const S* mrow = pmask ? pmask + (std::size_t(t) * N + n) * GH : nullptr;
      for (int j = 0; j < GH; ++j) {
        db[j] += dax[std::size_t(n) * GH + j];
        dxw[std::size_t(j)] = dax[std::size_t(n) * GH + j] * (mrow ? mrow[j] : S(1));
      }
      const S* d1 = dxw.data();
      for (int j = 0; j < GH; ++j) {
        if (cell == CellKind::gru) db[GH + j] += d2[j];
        for (int i = 0; i < I; ++i)
          dW[std::size_t(i) * GH + j] += xt[std::size_t(n) * I + i] * d1[j];
        for (int i = 0; i < H; ++i)
          dU[std::size_t(i) * GH + j] += hp[std::size_t(n) * H + i] * d2[j];
      }
      S* dxn = dx + std::size_t(t) * N * I + std::size_t(n) * I;
      for (int i = 0; i < I; ++i) {
        S s = 0;
        for (int j = 0; j < GH; ++j) s += d1[j] * W[std::size_t(i) * GH + j];
        dxn[i] = s;
      }
      for (int i = 0; i < H; ++i) {
        S s = 0;
        for (int j = 0; j < GH; ++j) s += d2[j] * U[std::size_t(i) * GH + j];
        carry_h[std::size_t(n) * H + i] += s;
      }
    }
  }
}

}  // namespace rnnsent::reference
