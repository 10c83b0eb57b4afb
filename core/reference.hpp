// Plain reference implementation of every layer and of the whole model, templated on the
// scalar type: in double it is checked against finite differences, in float it is the spec
// the oneDNN path must match. Simple loops over Eigen maps; clarity over speed.
// Layouts: ids [N, T] batch-major; x [T, N, E] time-major; hidden states [T, N, H];
// kernels [input, H] (Keras order); every backward ADDS into parameter gradients.
#pragma once

#include <cstdint>
#include <vector>

#include "core/dropout.hpp"
#include "core/model_shape.hpp"

namespace rnnsent::reference {

// x[t, n, :] = table[ids[n, t], :]
template <typename S>
void embedding_forward(const S* table, int E, const std::int32_t* ids, int N, int T, S* x);

// dtable[ids[n, t], :] += dx[t, n, :]
template <typename S>
void embedding_backward(const S* dx, const std::int32_t* ids, int N, int T, int E, S* dtable);

// The recurrent cells themselves (SimpleRNN, LSTM, GRU) are in core/reference_cells.hpp.

// logits[n] = h[n] . w + b. Loss: sum over the batch of the stable binary cross-entropy from
// the logit, max(z, 0) - z y + log(1 + exp(-|z|)). Gradients are of grad_scale * that sum:
// dh [N, H] overwritten, dw [H] and db [1] added into. Returns the (unscaled) sum.
template <typename S>
S dense_bce_forward_backward(const S* h, const S* w, const S* b, const float* labels, int N, int H,
                             S grad_scale, S* logits, S* dh, S* dw, S* db);

// The whole model on flat buffers laid out by make_layout(shape): any cell, layers and
// directions (core/reference_cells.hpp, core/time_reversal.hpp) and pooling, the embedding output
// times the dropout mask. Returns the sum of the per-review losses; when grads is non-null adds
// grad_scale * d(sum)/d(params) into it. logits [N] is written when non-null. Initial states
// are zero.
template <typename S>
S model_loss_and_grad(const ModelShape& shape, const S* params, const std::int32_t* ids,
                      const float* labels, int N, int T, S grad_scale, S* grads, S* logits,
                      const Dropout& dropout = {});

}  // namespace rnnsent::reference

#include "core/reference_impl.hpp"
