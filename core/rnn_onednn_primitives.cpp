// The oneDNN RNN primitive descriptors for OneDnnRnn (core/rnn_onednn_primitives.hpp).
#include "core/rnn_onednn_primitives.hpp"

#include <stdexcept>

#include "core/onednn_memory.hpp"

namespace rnnsent::onednn_rnn {
namespace {

using onednn::own_scratchpad;
using tag = memory::format_tag;
using dt = memory::data_type;

template <typename FwdPd, typename BwdPd>
Primitives collect(const FwdPd& f, const BwdPd& b) {
  Primitives p;
  p.fwd_W = f.weights_layer_desc();
  p.fwd_U = f.weights_iter_desc();
  p.fwd_bias = f.bias_desc();
  p.workspace = f.workspace_desc();
  p.fwd_scratch = f.scratchpad_desc();
  p.bwd_W = b.weights_layer_desc();
  p.bwd_U = b.weights_iter_desc();
  p.dW = b.diff_weights_layer_desc();
  p.dU = b.diff_weights_iter_desc();
  p.diff_bias = b.diff_bias_desc();
  p.bwd_scratch = b.scratchpad_desc();
  return p;
}

constexpr auto kDir = dnnl::rnn_direction::unidirectional_left2right;

}  // namespace

Dims make_dims(int T, int N, int I, int G, int H, int bias_gates) {
  const memory::dim t = T, n = N, i = I, g = G, h = H;
  Dims d;
  d.src_layer = memory::desc({t, n, i}, dt::f32, tag::tnc);
  d.state = memory::desc({1, 1, n, h}, dt::f32, tag::ldnc);
  d.weights_layer = memory::desc({1, 1, i, g, h}, dt::f32, tag::ldigo);
  d.weights_iter = memory::desc({1, 1, h, g, h}, dt::f32, tag::ldigo);
  d.weights_layer_any = memory::desc({1, 1, i, g, h}, dt::f32, tag::any);
  d.weights_iter_any = memory::desc({1, 1, h, g, h}, dt::f32, tag::any);
  d.bias = memory::desc({1, 1, memory::dim(bias_gates), h}, dt::f32, tag::ldgo);
  d.dst_layer = memory::desc({t, n, h}, dt::f32, tag::tnc);
  return d;
}


Primitives training_primitives(CellKind cell, const Dims& d, const dnnl::engine& eng) {
  const auto fwd = dnnl::prop_kind::forward_training;
  const auto bwd = dnnl::prop_kind::backward;
  const auto& W = d.weights_layer_any;
  const auto& U = d.weights_iter_any;
  const auto& s = d.state;
  switch (cell) {
    case CellKind::simple_rnn: {
      const auto act = dnnl::algorithm::eltwise_tanh;
      dnnl::vanilla_rnn_forward::primitive_desc f(
          {fwd, act, kDir, d.src_layer, s, W, U, d.bias, d.dst_layer, s}, own_scratchpad(), eng);
      dnnl::vanilla_rnn_backward::primitive_desc b(
          {bwd, act, kDir, d.src_layer, s, W, U, d.bias, d.dst_layer, s, d.src_layer, s, W, U,
           d.bias, d.dst_layer, s},
          own_scratchpad(), eng, f);
      Primitives p = collect(f, b);
      p.fwd = dnnl::vanilla_rnn_forward(f);
      p.bwd = dnnl::vanilla_rnn_backward(b);
      return p;
    }
    case CellKind::lstm: {
      dnnl::lstm_forward::primitive_desc f(
          {fwd, kDir, d.src_layer, s, s, W, U, d.bias, d.dst_layer, s, s}, own_scratchpad(), eng);
      dnnl::lstm_backward::primitive_desc b(
          {bwd, kDir,        d.src_layer, s, s, W, U,      d.bias,      d.dst_layer, s,
           s,   d.src_layer, s,           s, W, U, d.bias, d.dst_layer, s,           s},
          own_scratchpad(), eng, f);
      Primitives p = collect(f, b);
      p.fwd = dnnl::lstm_forward(f);
      p.bwd = dnnl::lstm_backward(b);
      return p;
    }
    case CellKind::gru: {
      dnnl::lbr_gru_forward::primitive_desc f(
          {fwd, kDir, d.src_layer, s, W, U, d.bias, d.dst_layer, s}, own_scratchpad(), eng);
      dnnl::lbr_gru_backward::primitive_desc b(
          {bwd, kDir, d.src_layer, s, W, U, d.bias, d.dst_layer, s, d.src_layer, s, W, U, d.bias,
           d.dst_layer, s},
          own_scratchpad(), eng, f);
      Primitives p = collect(f, b);
      p.fwd = dnnl::lbr_gru_forward(f);
      p.bwd = dnnl::lbr_gru_backward(b);
      return p;
    }
  }
  throw std::runtime_error("OneDnnRnn: unknown cell");
}


InferencePrimitive inference_primitive(CellKind cell, const Dims& d, const dnnl::engine& eng) {
  const auto inf = dnnl::prop_kind::forward_inference;
  const auto& W = d.weights_layer_any;
  const auto& U = d.weights_iter_any;
  const auto& s = d.state;
  const memory::desc none;
  InferencePrimitive p;
  auto fill = [&](const auto& pd) {
    p.W = pd.weights_layer_desc();
    p.U = pd.weights_iter_desc();
    p.scratch = pd.scratchpad_desc();
  };
  switch (cell) {
    case CellKind::simple_rnn: {
      dnnl::vanilla_rnn_forward::primitive_desc f({inf, dnnl::algorithm::eltwise_tanh, kDir,
                                                   d.src_layer, s, W, U, d.bias, d.dst_layer, none},
                                                  own_scratchpad(), eng);
      fill(f);
      p.fwd = dnnl::vanilla_rnn_forward(f);
      return p;
    }
    case CellKind::lstm: {
      dnnl::lstm_forward::primitive_desc f(
          {inf, kDir, d.src_layer, s, s, W, U, d.bias, d.dst_layer, none, none}, own_scratchpad(),
          eng);
      fill(f);
      p.fwd = dnnl::lstm_forward(f);
      return p;
    }
    case CellKind::gru: {
      dnnl::lbr_gru_forward::primitive_desc f(
          {inf, kDir, d.src_layer, s, W, U, d.bias, d.dst_layer, none}, own_scratchpad(), eng);
      fill(f);
      p.fwd = dnnl::lbr_gru_forward(f);
      return p;
    }
  }
  throw std::runtime_error("OneDnnRnn: unknown cell");
}

void gru_bias_to_onednn(const float* keras, int H, float* out) {
  const float* in = keras;
  const float* rec = keras + 3 * H;
  for (int j = 0; j < H; ++j) {
    out[j] = in[j] + rec[j];
    out[H + j] = in[H + j] + rec[H + j];
    out[2 * H + j] = in[2 * H + j];
    out[3 * H + j] = rec[2 * H + j];
  }
}

void add_gru_bias_grad(const float* g, int H, float* keras) {
  float* in = keras;
  float* rec = keras + 3 * H;
  for (int j = 0; j < H; ++j) {
    in[j] += g[j];
    rec[j] += g[j];
    in[H + j] += g[H + j];
    rec[H + j] += g[H + j];
    in[2 * H + j] += g[2 * H + j];
    rec[2 * H + j] += g[3 * H + j];
  }
}

}  // namespace rnnsent::onednn_rnn
