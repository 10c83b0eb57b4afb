// OneDnnRnn: the recurrent layer on oneDNN 2.6 RNN primitives (vanilla RNN with tanh, LSTM,
// linear-before-reset GRU; one layer, left to right). Everything a step needs (primitive
// descriptors, primitives, workspace, zero states, reorder primitives and their buffers,
// argument maps) is built once per (T, N) in a Plan; a step only points memories at the
// caller's buffers and executes.
//
// Layouts oneDNN 2.6.3 picks from format_tag::any (measured): training forward and the diff
// weights are plain ldigo when G*H is a multiple of 16 floats (else the leading dimension is
// padded to 16, so e.g. H 5 reorders; LSTM always pads); backward weights are always ldgoi;
// inference weights are a blocked layout. WeightInput / WeightGrad cover every case.
//
// GRU: the slot holds Keras's two biases [2, 3H] (input; recurrent); oneDNN's lbr_gru takes
// [4, H]: u and r get the sum of the two (they are only ever added), the candidate takes the
// input bias outside and the recurrent one inside the reset product. The gradient maps back.
#include "core/rnn_onednn.hpp"

#include <cstring>
#include <oneapi/dnnl/dnnl.hpp>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/onednn_memory.hpp"
#include "core/rnn_onednn_primitives.hpp"

namespace rnnsent {
namespace {

using dnnl::memory;
using onednn::own_scratchpad;
using onednn::WeightGrad;
using onednn::WeightInput;
using onednn::zeroed_memory;
using tag = memory::format_tag;
using dt = memory::data_type;
using Args = std::unordered_map<int, memory>;

using namespace onednn_rnn;  // the primitive descriptors (core/rnn_onednn_primitives.hpp)

}  // namespace

struct OneDnnRnn::Impl {
  // Training forward + backward for one (T, N).
  struct TrainPlan {
    dnnl::primitive fwd, bwd;
    memory src_layer;             // caller's x [T, N, I]
    memory src_iter;              // zeros [N, H]: explicit, see the header (diff_weights_iter bug)
    memory src_iter_c;            // zeros [N, H] (LSTM)
    memory bias;                  // caller's b, or the converted GRU bias
    memory dst_layer;             // every hidden state [T, N, H], read by backward and layers above
    memory dst_iter, dst_iter_c;  // last states [N, H]
    memory workspace;             // activations kept for backward
    memory fwd_scratch, bwd_scratch;        // each primitive's own scratchpad
    memory diff_src_layer;                  // caller's dx [T, N, I]
    memory diff_src_iter, diff_src_iter_c;  // dL/d(initial states), unused
    memory diff_dst_layer;                  // caller's dstates, or zeros
    memory zero_dst_layer;                  // zeros [T, N, H]
    memory diff_dst_iter;                   // caller's dh_last, or zeros
    memory zero_state;                      // zeros [N, H], also diff_dst_iter_c
    memory diff_bias;                       // caller's db, or GRU scratch [4, H]
    WeightInput fwd_W, fwd_U, bwd_W, bwd_U;
    WeightGrad dW, dU;
    Args fwd_args, bwd_args;
    // What forward_training saw, needed again by backward.
    const float* W = nullptr;
    const float* U = nullptr;
  };
  struct InferPlan {
    dnnl::primitive fwd;
    memory src_layer, src_iter, src_iter_c, bias, dst_layer, scratch;
    WeightInput W, U;
    Args args;
  };

  CellKind cell;
  int I, H, G;
  bool gru;
  dnnl::engine eng{dnnl::engine::kind::cpu, 0};
  dnnl::stream strm{eng};
  std::map<std::pair<int, int>, TrainPlan> train;
  std::map<std::pair<int, int>, InferPlan> infer;
  TrainPlan* last = nullptr;    // plan of the most recent forward_training (map nodes are stable)
  std::vector<float> gru_bias;  // [4, H] converted bias (GRU)
  std::vector<float> gru_bias_grad;  // [4, H] oneDNN's bias gradient (GRU)

  Impl(CellKind c, int i, int h) : cell(c), I(i), H(h), G(gate_count(c)), gru(c == CellKind::gru) {
    if (gru) {
      gru_bias.resize(std::size_t(4) * std::size_t(H));
      gru_bias_grad.resize(std::size_t(4) * std::size_t(H));
    }
  }

  int bias_gates() const { return gru ? G + 1 : G; }

  static void check_shape(int T, int N) {
    // T = 1 with tiny sizes crashed oneDNN 2.6.3 with SIGFPE; the model never runs T < 2.
    if (T < 2 || N < 1) {
      throw std::runtime_error("OneDnnRnn: need T >= 2 and N >= 1, got T " + std::to_string(T) +
                               ", N " + std::to_string(N));
    }
  }

  // Points the plan's bias memory at the caller's bias, or at its GRU conversion.
  void bind_bias(memory& bias, const float* b) {
    if (gru) {
      gru_bias_to_onednn(b, H, gru_bias.data());
      bias.set_data_handle(gru_bias.data());
    } else {
      bias.set_data_handle(const_cast<float*>(b));
    }
  }

  TrainPlan& train_plan(int T, int N) {
    auto it = train.find({T, N});
    if (it != train.end()) return it->second;
    check_shape(T, N);
    const Dims d = make_dims(T, N, I, G, H, bias_gates());
    Primitives prim = training_primitives(cell, d, eng);
    if (!(prim.diff_bias == d.bias) || !(prim.fwd_bias == d.bias)) {
      throw std::runtime_error("OneDnnRnn: primitive changed the explicit ldgo bias layout");
    }
    TrainPlan& p = train[{T, N}];
    p.fwd = prim.fwd;
    p.bwd = prim.bwd;
    p.src_layer = memory(d.src_layer, eng, DNNL_MEMORY_NONE);
    p.src_iter = zeroed_memory(d.state, eng);
    p.src_iter_c = zeroed_memory(d.state, eng);
    p.bias = memory(d.bias, eng, DNNL_MEMORY_NONE);
    p.dst_layer = memory(d.dst_layer, eng);
    p.dst_iter = memory(d.state, eng);
    p.dst_iter_c = memory(d.state, eng);
    p.workspace = memory(prim.workspace, eng);
    p.fwd_scratch = memory(prim.fwd_scratch, eng);
    p.bwd_scratch = memory(prim.bwd_scratch, eng);
    p.diff_src_layer = memory(d.src_layer, eng, DNNL_MEMORY_NONE);
    p.diff_src_iter = memory(d.state, eng);
    p.diff_src_iter_c = memory(d.state, eng);
    p.diff_dst_layer = memory(d.dst_layer, eng, DNNL_MEMORY_NONE);
    p.zero_dst_layer = zeroed_memory(d.dst_layer, eng);
    p.diff_dst_iter = memory(d.state, eng, DNNL_MEMORY_NONE);
    p.zero_state = zeroed_memory(d.state, eng);
    p.diff_bias = memory(d.bias, eng, DNNL_MEMORY_NONE);
    p.fwd_W.init(d.weights_layer, prim.fwd_W, eng);
    p.fwd_U.init(d.weights_iter, prim.fwd_U, eng);
    p.bwd_W.init(d.weights_layer, prim.bwd_W, eng);
    p.bwd_U.init(d.weights_iter, prim.bwd_U, eng);
    p.dW.init(d.weights_layer, prim.dW, eng);
    p.dU.init(d.weights_iter, prim.dU, eng);
    p.fwd_args = {{DNNL_ARG_SRC_LAYER, p.src_layer},
                  {DNNL_ARG_SRC_ITER, p.src_iter},
                  {DNNL_ARG_WEIGHTS_LAYER, p.fwd_W.inner},
                  {DNNL_ARG_WEIGHTS_ITER, p.fwd_U.inner},
                  {DNNL_ARG_BIAS, p.bias},
                  {DNNL_ARG_DST_LAYER, p.dst_layer},
                  {DNNL_ARG_DST_ITER, p.dst_iter},
                  {DNNL_ARG_WORKSPACE, p.workspace},
                  {DNNL_ARG_SCRATCHPAD, p.fwd_scratch}};
    p.bwd_args = {{DNNL_ARG_SRC_LAYER, p.src_layer},
                  {DNNL_ARG_SRC_ITER, p.src_iter},
                  {DNNL_ARG_WEIGHTS_LAYER, p.bwd_W.inner},
                  {DNNL_ARG_WEIGHTS_ITER, p.bwd_U.inner},
                  {DNNL_ARG_BIAS, p.bias},
                  {DNNL_ARG_DST_LAYER, p.dst_layer},
                  {DNNL_ARG_DST_ITER, p.dst_iter},
                  {DNNL_ARG_WORKSPACE, p.workspace},
                  {DNNL_ARG_DIFF_SRC_LAYER, p.diff_src_layer},
                  {DNNL_ARG_DIFF_SRC_ITER, p.diff_src_iter},
                  {DNNL_ARG_DIFF_WEIGHTS_LAYER, p.dW.inner},
                  {DNNL_ARG_DIFF_WEIGHTS_ITER, p.dU.inner},
                  {DNNL_ARG_DIFF_BIAS, p.diff_bias},
                  {DNNL_ARG_DIFF_DST_LAYER, p.diff_dst_layer},
                  {DNNL_ARG_DIFF_DST_ITER, p.diff_dst_iter},
                  {DNNL_ARG_SCRATCHPAD, p.bwd_scratch}};
    if (cell == CellKind::lstm) {
      // The explicit zero cell state matters as much as src_iter (same diff_weights_iter bug).
      p.fwd_args.insert({DNNL_ARG_SRC_ITER_C, p.src_iter_c});
      p.fwd_args.insert({DNNL_ARG_DST_ITER_C, p.dst_iter_c});
      p.bwd_args.insert({DNNL_ARG_SRC_ITER_C, p.src_iter_c});
      p.bwd_args.insert({DNNL_ARG_DST_ITER_C, p.dst_iter_c});
      p.bwd_args.insert({DNNL_ARG_DIFF_SRC_ITER_C, p.diff_src_iter_c});
      p.bwd_args.insert({DNNL_ARG_DIFF_DST_ITER_C, p.zero_state});
    }
    return p;
  }

  InferPlan& infer_plan(int T, int N) {
    auto it = infer.find({T, N});
    if (it != infer.end()) return it->second;
    check_shape(T, N);
    const Dims d = make_dims(T, N, I, G, H, bias_gates());
    InferencePrimitive prim = inference_primitive(cell, d, eng);
    InferPlan& p = infer[{T, N}];
    p.fwd = prim.fwd;
    p.scratch = memory(prim.scratch, eng);
    p.src_layer = memory(d.src_layer, eng, DNNL_MEMORY_NONE);
    p.src_iter = zeroed_memory(d.state, eng);
    p.src_iter_c = zeroed_memory(d.state, eng);
    p.bias = memory(d.bias, eng, DNNL_MEMORY_NONE);
    p.dst_layer = memory(d.dst_layer, eng);
    p.W.init(d.weights_layer, prim.W, eng);
    p.U.init(d.weights_iter, prim.U, eng);
    p.args = {{DNNL_ARG_SRC_LAYER, p.src_layer},
              {DNNL_ARG_SRC_ITER, p.src_iter},
              {DNNL_ARG_WEIGHTS_LAYER, p.W.inner},
              {DNNL_ARG_WEIGHTS_ITER, p.U.inner},
              {DNNL_ARG_BIAS, p.bias},
              {DNNL_ARG_DST_LAYER, p.dst_layer},
              {DNNL_ARG_SCRATCHPAD, p.scratch}};
    if (cell == CellKind::lstm) p.args.insert({DNNL_ARG_SRC_ITER_C, p.src_iter_c});
    return p;
  }
};

OneDnnRnn::OneDnnRnn(CellKind cell, int input_dim, int units)
    : impl_(std::make_unique<Impl>(cell, input_dim, units)) {}

OneDnnRnn::~OneDnnRnn() = default;

void OneDnnRnn::forward_training(int T, int N, const float* x, const float* W, const float* U,
                                 const float* b, float* h_last) {
  Impl& m = *impl_;
  Impl::TrainPlan& p = m.train_plan(T, N);
  p.src_layer.set_data_handle(const_cast<float*>(x));
  m.bind_bias(p.bias, b);
  p.fwd_W.bind(W, m.strm);
  p.fwd_U.bind(U, m.strm);
  p.fwd.execute(m.strm, p.fwd_args);
  m.strm.wait();
  std::memcpy(h_last, p.dst_iter.get_data_handle(), sizeof(float) * N * m.H);
  p.W = W;
  p.U = U;
  m.last = &p;
}

const float* OneDnnRnn::states() const {
  if (!impl_->last) throw std::runtime_error("OneDnnRnn::states called before forward_training");
  return static_cast<const float*>(impl_->last->dst_layer.get_data_handle());
}

void OneDnnRnn::backward(const float* dh_last, const float* dstates, float* dx, float* dW,
                         float* dU, float* db) {
  Impl& m = *impl_;
  if (!m.last) throw std::runtime_error("OneDnnRnn::backward called before forward_training");
  Impl::TrainPlan& p = *m.last;
  // x and b are still bound from forward_training; the caller must not have changed them.
  p.bwd_W.bind(p.W, m.strm);
  p.bwd_U.bind(p.U, m.strm);
  p.diff_dst_iter.set_data_handle(dh_last ? const_cast<float*>(dh_last)
                                          : p.zero_state.get_data_handle());
  p.diff_dst_layer.set_data_handle(dstates ? const_cast<float*>(dstates)
                                           : p.zero_dst_layer.get_data_handle());
  p.diff_src_layer.set_data_handle(dx);
  if (m.gru) {
    std::fill(m.gru_bias_grad.begin(), m.gru_bias_grad.end(), 0.0f);
    p.diff_bias.set_data_handle(m.gru_bias_grad.data());
  } else {
    p.diff_bias.set_data_handle(db);
  }
  p.dW.before(dW);
  p.dU.before(dU);
  p.bwd.execute(m.strm, p.bwd_args);
  m.strm.wait();
  p.dW.after(dW, m.strm);
  p.dU.after(dU, m.strm);
  if (m.gru) add_gru_bias_grad(m.gru_bias_grad.data(), m.H, db);
}

void OneDnnRnn::release_inference() { impl_->infer.clear(); }

void OneDnnRnn::forward_inference(int T, int N, const float* x, const float* W, const float* U,
                                  const float* b, float* h_last, const float* h0, const float* c0,
                                  float* states) {
  Impl& m = *impl_;
  Impl::InferPlan& p = m.infer_plan(T, N);
  const std::size_t nh = static_cast<std::size_t>(N) * m.H;
  float* src_iter = static_cast<float*>(p.src_iter.get_data_handle());
  float* src_iter_c = static_cast<float*>(p.src_iter_c.get_data_handle());
  // The plan's initial states stay zero between calls; given ones are copied in and cleared
  // again afterwards.
  if (h0) std::memcpy(src_iter, h0, sizeof(float) * nh);
  if (c0) std::memcpy(src_iter_c, c0, sizeof(float) * nh);
  p.src_layer.set_data_handle(const_cast<float*>(x));
  m.bind_bias(p.bias, b);
  p.W.bind(W, m.strm);
  p.U.bind(U, m.strm);
  p.fwd.execute(m.strm, p.args);
  m.strm.wait();
  if (h0) std::memset(src_iter, 0, sizeof(float) * nh);
  if (c0) std::memset(src_iter_c, 0, sizeof(float) * nh);
  const float* hs = static_cast<const float*>(p.dst_layer.get_data_handle());
  std::memcpy(h_last, hs + static_cast<std::size_t>(T - 1) * nh, sizeof(float) * nh);
  if (states) std::memcpy(states, hs, sizeof(float) * nh * static_cast<std::size_t>(T));
}

}  // namespace rnnsent
