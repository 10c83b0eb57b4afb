// OneDnnRnn: the recurrent layer on oneDNN 2.6 RNN primitives (vanilla RNN, tanh, left to
// right, one layer). Everything a step needs (primitive descriptors, primitives, workspace,
// zero state, reorder primitives and their buffers, argument maps) is built once per (T, N)
// in a Plan; a step only points memories at the caller's buffers and executes.
//
// Layouts oneDNN 2.6.3 picks from format_tag::any (measured): training forward and the diff
// weights are plain ldigo when G*H is a multiple of 16 floats (else the leading dimension is
// padded to 16, so e.g. H 5 reorders); backward weights are always ldgoi; inference weights are
// a blocked layout (32-wide o blocks). WeightInput / WeightGrad cover both cases, and the tests
// run shapes of each kind.
#include "core/rnn_onednn.hpp"

#include <cstring>
#include <oneapi/dnnl/dnnl.hpp>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

namespace rnnsent {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;
using Args = std::unordered_map<int, memory>;

// Every primitive gets its own scratchpad (user mode) instead of oneDNN's default global one:
// that one is reference-counted per thread, and our primitives are created on the OpenMP
// worker that runs their chunk but may be destroyed on another thread (release_inference),
// which freed a scratchpad other primitives still used (a crash seen in the end-to-end test).
dnnl::primitive_attr own_scratchpad() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

// A buffer owned by oneDNN, cleared once: oneDNN does not promise zeroed allocations.
memory zeroed_memory(const memory::desc& md, const dnnl::engine& eng) {
  memory m(md, eng);
  std::memset(m.get_data_handle(), 0, md.get_size());
  return m;
}

// A reorder between two layouts with its own scratchpad (see own_scratchpad), built once.
struct Reorder {
  dnnl::reorder primitive;
  memory scratch;
  void init(const memory::desc& from, const memory::desc& to, const dnnl::engine& eng) {
    const dnnl::reorder::primitive_desc pd(eng, from, eng, to, own_scratchpad());
    primitive = dnnl::reorder(pd);
    scratch = memory(pd.scratchpad_desc(), eng);
  }
  void run(dnnl::stream& s, const memory& from, const memory& to) {
    primitive.execute(s,
                      {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}, {DNNL_ARG_SCRATCHPAD, scratch}});
  }
};

// Shows the caller's weights (user layout) to a primitive in the layout it asked for. When
// they agree the primitive reads the caller's bytes directly; otherwise a reorder primitive
// and its destination buffer are built once and the reorder runs on each bind().
struct WeightInput {
  memory user;  // handle set to the caller's pointer on every bind()
  memory inner;
  Reorder to_inner;
  bool needs_reorder = false;

  void init(const memory::desc& user_md, const memory::desc& wanted, const dnnl::engine& eng) {
    user = memory(user_md, eng, DNNL_MEMORY_NONE);
    needs_reorder = !(user_md == wanted);
    if (needs_reorder) {
      inner = memory(wanted, eng);
      to_inner.init(user_md, wanted, eng);
    } else {
      inner = user;
    }
  }
  void bind(const float* p, dnnl::stream& s) {
    user.set_data_handle(const_cast<float*>(p));
    if (needs_reorder) to_inner.run(s, user, inner);
  }
};

// The gradient side of WeightInput. oneDNN adds into diff weights, as our contract does, so
// when the primitive's layout is the user's it accumulates straight into the caller's gradient.
// Otherwise it accumulates into a zeroed scratch that is reordered to the user layout and added.
struct WeightGrad {
  memory user;      // caller's gradient
  memory inner;     // what the primitive writes: user, or scratch in the primitive's layout
  memory unpacked;  // scratch reordered back to the user layout (only when reordering)
  Reorder to_user;
  bool needs_reorder = false;

  void init(const memory::desc& user_md, const memory::desc& wanted, const dnnl::engine& eng) {
    user = memory(user_md, eng, DNNL_MEMORY_NONE);
    needs_reorder = !(user_md == wanted);
    if (needs_reorder) {
      inner = memory(wanted, eng);
      unpacked = memory(user_md, eng);
      to_user.init(wanted, user_md, eng);
    } else {
      inner = user;
    }
  }
  void before(float* p) {
    user.set_data_handle(p);
    if (needs_reorder) std::memset(inner.get_data_handle(), 0, inner.get_desc().get_size());
  }
  void after(float* p, dnnl::stream& s) {
    if (!needs_reorder) return;
    to_user.run(s, inner, unpacked);
    s.wait();
    const float* g = static_cast<const float*>(unpacked.get_data_handle());
    const std::size_t n = user.get_desc().get_size() / sizeof(float);
    for (std::size_t i = 0; i < n; ++i) p[i] += g[i];
  }
};

struct Dims {
  memory::desc src_layer, src_iter, weights_layer, weights_iter, bias, dst_layer, dst_iter;
  memory::desc weights_layer_any, weights_iter_any;
};

Dims make_dims(int T, int N, int E, int G, int H) {
  const memory::dim t = T, n = N, e = E, g = G, h = H;
  Dims d;
  d.src_layer = memory::desc({t, n, e}, dt::f32, tag::tnc);
  d.src_iter = memory::desc({1, 1, n, h}, dt::f32, tag::ldnc);
  d.weights_layer = memory::desc({1, 1, e, g, h}, dt::f32, tag::ldigo);
  d.weights_iter = memory::desc({1, 1, h, g, h}, dt::f32, tag::ldigo);
  d.weights_layer_any = memory::desc({1, 1, e, g, h}, dt::f32, tag::any);
  d.weights_iter_any = memory::desc({1, 1, h, g, h}, dt::f32, tag::any);
  d.bias = memory::desc({1, 1, g, h}, dt::f32, tag::ldgo);
  d.dst_layer = memory::desc({t, n, h}, dt::f32, tag::tnc);
  d.dst_iter = memory::desc({1, 1, n, h}, dt::f32, tag::ldnc);
  return d;
}

}  // namespace

struct OneDnnRnn::Impl {
  // Training forward + backward for one (T, N).
  struct TrainPlan {
    dnnl::vanilla_rnn_forward fwd;
    dnnl::vanilla_rnn_backward bwd;
    memory src_layer;  // caller's x [T, N, E]
    memory src_iter;   // zeros [N, H]: explicit, see the header (diff_weights_iter bug)
    memory bias;       // caller's b [H]
    memory dst_layer;  // every hidden state [T, N, H], read by backward
    memory dst_iter;   // h_T [N, H]
    memory workspace;  // activations kept for backward (hundreds of MB at T 500 N 128)
    memory fwd_scratch, bwd_scratch;  // each primitive's own scratchpad (see own_scratchpad)
    memory diff_src_layer;            // caller's dx [T, N, E]
    memory diff_src_iter;             // dL/dh0 [N, H], unused
    memory diff_dst_layer;            // zeros [T, N, H]: the loss reads only the last state...
    memory diff_dst_iter;             // ...whose gradient, the caller's dh_last [N, H], enters here
    memory diff_bias;                 // caller's db [H]
    WeightInput fwd_W, fwd_U, bwd_W, bwd_U;
    WeightGrad dW, dU;
    Args fwd_args, bwd_args;
    // What forward_training saw, needed again by backward.
    const float* W = nullptr;
    const float* U = nullptr;
  };
  // Inference forward for one (T, N): no workspace, no final state (h_T is dst_layer's last step).
  struct InferPlan {
    dnnl::vanilla_rnn_forward fwd;
    memory src_layer, src_iter, bias, dst_layer, scratch;
    WeightInput W, U;
    Args args;
  };

  CellKind cell;
  int E, H, G;
  dnnl::engine eng{dnnl::engine::kind::cpu, 0};
  dnnl::stream strm{eng};
  std::map<std::pair<int, int>, TrainPlan> train;
  std::map<std::pair<int, int>, InferPlan> infer;
  TrainPlan* last = nullptr;  // plan of the most recent forward_training (map nodes are stable)

  Impl(CellKind c, int e, int h) : cell(c), E(e), H(h), G(gate_count(c)) {
    if (cell != CellKind::simple_rnn) {
      // LSTM / GRU will need their own primitive types (and src_iter_c for LSTM).
      throw std::runtime_error("OneDnnRnn: cell " + cell_name(cell) + " not implemented");
    }
  }

  static void check_shape(int T, int N) {
    // T = 1 with tiny sizes crashed oneDNN 2.6.3 with SIGFPE; the model never runs T < 2.
    if (T < 2 || N < 1) {
      throw std::runtime_error("OneDnnRnn: need T >= 2 and N >= 1, got T " + std::to_string(T) +
                               ", N " + std::to_string(N));
    }
  }

  TrainPlan& train_plan(int T, int N) {
    auto it = train.find({T, N});
    if (it != train.end()) return it->second;
    check_shape(T, N);
    const Dims d = make_dims(T, N, E, G, H);
    const auto dir = dnnl::rnn_direction::unidirectional_left2right;
    const auto act = dnnl::algorithm::eltwise_tanh;
    dnnl::vanilla_rnn_forward::desc fwd_desc(dnnl::prop_kind::forward_training, act, dir,
                                             d.src_layer, d.src_iter, d.weights_layer_any,
                                             d.weights_iter_any, d.bias, d.dst_layer, d.dst_iter);
    dnnl::vanilla_rnn_forward::primitive_desc fwd_pd(fwd_desc, own_scratchpad(), eng);
    dnnl::vanilla_rnn_backward::desc bwd_desc(
        dnnl::prop_kind::backward, act, dir, d.src_layer, d.src_iter, d.weights_layer_any,
        d.weights_iter_any, d.bias, d.dst_layer, d.dst_iter, d.src_layer, d.src_iter,
        d.weights_layer_any, d.weights_iter_any, d.bias, d.dst_layer, d.dst_iter);
    dnnl::vanilla_rnn_backward::primitive_desc bwd_pd(bwd_desc, own_scratchpad(), eng, fwd_pd);

    TrainPlan& p = train[{T, N}];
    p.fwd = dnnl::vanilla_rnn_forward(fwd_pd);
    p.bwd = dnnl::vanilla_rnn_backward(bwd_pd);
    p.src_layer = memory(d.src_layer, eng, DNNL_MEMORY_NONE);
    p.src_iter = zeroed_memory(d.src_iter, eng);
    p.bias = memory(d.bias, eng, DNNL_MEMORY_NONE);
    p.dst_layer = memory(d.dst_layer, eng);
    p.dst_iter = memory(d.dst_iter, eng);
    p.workspace = memory(fwd_pd.workspace_desc(), eng);
    p.fwd_scratch = memory(fwd_pd.scratchpad_desc(), eng);
    p.bwd_scratch = memory(bwd_pd.scratchpad_desc(), eng);
    p.diff_src_layer = memory(d.src_layer, eng, DNNL_MEMORY_NONE);
    p.diff_src_iter = memory(d.src_iter, eng);
    p.diff_dst_layer = zeroed_memory(d.dst_layer, eng);
    p.diff_dst_iter = memory(d.dst_iter, eng, DNNL_MEMORY_NONE);
    p.diff_bias = memory(d.bias, eng, DNNL_MEMORY_NONE);
    p.fwd_W.init(d.weights_layer, fwd_pd.weights_layer_desc(), eng);
    p.fwd_U.init(d.weights_iter, fwd_pd.weights_iter_desc(), eng);
    p.bwd_W.init(d.weights_layer, bwd_pd.weights_layer_desc(), eng);
    p.bwd_U.init(d.weights_iter, bwd_pd.weights_iter_desc(), eng);
    p.dW.init(d.weights_layer, bwd_pd.diff_weights_layer_desc(), eng);
    p.dU.init(d.weights_iter, bwd_pd.diff_weights_iter_desc(), eng);
    if (!(bwd_pd.diff_bias_desc() == d.bias) || !(fwd_pd.bias_desc() == d.bias)) {
      throw std::runtime_error("OneDnnRnn: primitive changed the explicit ldgo bias layout");
    }
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
    return p;
  }

  InferPlan& infer_plan(int T, int N) {
    auto it = infer.find({T, N});
    if (it != infer.end()) return it->second;
    check_shape(T, N);
    const Dims d = make_dims(T, N, E, G, H);
    dnnl::vanilla_rnn_forward::desc desc(
        dnnl::prop_kind::forward_inference, dnnl::algorithm::eltwise_tanh,
        dnnl::rnn_direction::unidirectional_left2right, d.src_layer, d.src_iter,
        d.weights_layer_any, d.weights_iter_any, d.bias, d.dst_layer, memory::desc());
    dnnl::vanilla_rnn_forward::primitive_desc pd(desc, own_scratchpad(), eng);
    InferPlan& p = infer[{T, N}];
    p.scratch = memory(pd.scratchpad_desc(), eng);
    p.fwd = dnnl::vanilla_rnn_forward(pd);
    p.src_layer = memory(d.src_layer, eng, DNNL_MEMORY_NONE);
    p.src_iter = zeroed_memory(d.src_iter, eng);
    p.bias = memory(d.bias, eng, DNNL_MEMORY_NONE);
    p.dst_layer = memory(d.dst_layer, eng);
    p.W.init(d.weights_layer, pd.weights_layer_desc(), eng);
    p.U.init(d.weights_iter, pd.weights_iter_desc(), eng);
    p.args = {{DNNL_ARG_SRC_LAYER, p.src_layer},
              {DNNL_ARG_SRC_ITER, p.src_iter},
              {DNNL_ARG_WEIGHTS_LAYER, p.W.inner},
              {DNNL_ARG_WEIGHTS_ITER, p.U.inner},
              {DNNL_ARG_BIAS, p.bias},
              {DNNL_ARG_DST_LAYER, p.dst_layer},
              {DNNL_ARG_SCRATCHPAD, p.scratch}};
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
  p.bias.set_data_handle(const_cast<float*>(b));
  p.fwd_W.bind(W, m.strm);
  p.fwd_U.bind(U, m.strm);
  p.fwd.execute(m.strm, p.fwd_args);
  m.strm.wait();
  std::memcpy(h_last, p.dst_iter.get_data_handle(), sizeof(float) * N * m.H);
  p.W = W;
  p.U = U;
  m.last = &p;
}

void OneDnnRnn::backward(const float* dh_last, float* dx, float* dW, float* dU, float* db) {
  Impl& m = *impl_;
  if (!m.last) throw std::runtime_error("OneDnnRnn::backward called before forward_training");
  Impl::TrainPlan& p = *m.last;
  // x and b are still bound from forward_training; the caller must not have changed them.
  p.bwd_W.bind(p.W, m.strm);
  p.bwd_U.bind(p.U, m.strm);
  p.diff_dst_iter.set_data_handle(const_cast<float*>(dh_last));
  p.diff_src_layer.set_data_handle(dx);
  p.diff_bias.set_data_handle(db);
  p.dW.before(dW);
  p.dU.before(dU);
  p.bwd.execute(m.strm, p.bwd_args);
  m.strm.wait();
  p.dW.after(dW, m.strm);
  p.dU.after(dU, m.strm);
}

void OneDnnRnn::release_inference() { impl_->infer.clear(); }

void OneDnnRnn::forward_inference(int T, int N, const float* x, const float* W, const float* U,
                                  const float* b, float* h_last, const float* h0, float* states) {
  Impl& m = *impl_;
  Impl::InferPlan& p = m.infer_plan(T, N);
  const std::size_t nh = static_cast<std::size_t>(N) * m.H;
  float* src_iter = static_cast<float*>(p.src_iter.get_data_handle());
  // The plan's src_iter stays zero between calls; a given initial state is copied in and
  // cleared again afterwards.
  if (h0) std::memcpy(src_iter, h0, sizeof(float) * nh);
  p.src_layer.set_data_handle(const_cast<float*>(x));
  p.bias.set_data_handle(const_cast<float*>(b));
  p.W.bind(W, m.strm);
  p.U.bind(U, m.strm);
  p.fwd.execute(m.strm, p.args);
  m.strm.wait();
  if (h0) std::memset(src_iter, 0, sizeof(float) * nh);
  const float* hs = static_cast<const float*>(p.dst_layer.get_data_handle());
  std::memcpy(h_last, hs + static_cast<std::size_t>(T - 1) * nh, sizeof(float) * nh);
  if (states) std::memcpy(states, hs, sizeof(float) * nh * static_cast<std::size_t>(T));
}

}  // namespace rnnsent
