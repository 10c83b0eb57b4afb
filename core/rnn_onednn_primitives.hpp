// The oneDNN RNN primitive descriptors of core/rnn_onednn.cpp: memory descriptors for one
// (T, N) shape, the training pair (forward, backward) and the inference primitive of each cell
// kind, and the map between Keras's GRU biases and oneDNN's lbr_gru bias. Internal to OneDnnRnn.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include "core/model_shape.hpp"

namespace rnnsent::onednn_rnn {

using dnnl::memory;

struct Dims {
  memory::desc src_layer, state, weights_layer, weights_iter, bias, dst_layer;
  memory::desc weights_layer_any, weights_iter_any;
};

Dims make_dims(int T, int N, int I, int G, int H, int bias_gates);

// The primitives of one cell kind and the memory descriptors a plan needs from them.
struct Primitives {
  dnnl::primitive fwd, bwd;
  memory::desc fwd_W, fwd_U, bwd_W, bwd_U, dW, dU, fwd_bias, diff_bias;
  memory::desc workspace, fwd_scratch, bwd_scratch;
};

Primitives training_primitives(CellKind cell, const Dims& d, const dnnl::engine& eng);

// Inference primitive (no dst_iter: the last state is dst_layer's last step).
struct InferencePrimitive {
  dnnl::primitive fwd;
  memory::desc W, U, scratch;
};

InferencePrimitive inference_primitive(CellKind cell, const Dims& d, const dnnl::engine& eng);

// Keras GRU biases [2, 3H] (rows: input, recurrent; blocks z, r, n) -> lbr_gru [4, H].
void gru_bias_to_onednn(const float* keras, int H, float* out);

// The gradient of that map: adds an lbr_gru bias gradient [4, H] into Keras's [2, 3H].
void add_gru_bias_grad(const float* g, int H, float* keras);

}  // namespace rnnsent::onednn_rnn
