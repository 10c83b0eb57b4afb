// The architecture of a sentiment model: Embedding(V, E) -> recurrent layer(H) -> Dense(1).
// Dimension letters used across core/: T time steps, N batch, V vocabulary (num_words),
// E embedding width (the RNN's input C), H recurrent units.
#pragma once

#include <cstddef>
#include <string>

#include "core/param_layout.hpp"

namespace rnnsent {

// The recurrent cells: Keras SimpleRNN (tanh), LSTM, and GRU with reset_after=True (oneDNN's
// linear-before-reset GRU, PyTorch's GRU).
enum class CellKind { simple_rnn, lstm, gru };

std::string cell_name(CellKind cell);          // "simple_rnn", "lstm", "gru" (Keras layer names)
CellKind parse_cell(const std::string& name);  // also accepts "rnn"; throws naming the value
int gate_count(CellKind cell);                 // 1, 4, 3

struct ModelShape {
  int num_words = 30000;    // V
  int embedding_dim = 128;  // E
  int units = 64;           // H
  CellKind cell = CellKind::simple_rnn;
  bool bidirectional = false;  // a second direction reads each review's tokens last to first
  int layers = 1;              // stacked recurrent layers
};

// Slot names follow tf.keras so the checkpoint reads naturally:
//   "embedding/embeddings"        [V, E]
//   "simple_rnn/kernel"           [E, G*H]   (Keras [input_dim, units] = oneDNN ldigo order)
//   "simple_rnn/recurrent_kernel" [H, G*H]
//   "simple_rnn/bias"             [G*H]
//   "dense/kernel"                [H, 1]
//   "dense/bias"                  [1]
ParamLayout make_layout(const ModelShape& shape);

// Offsets of the six slots, resolved once so hot loops index the flat buffer directly.
struct ParamOffsets {
  std::size_t embedding, kernel, recurrent_kernel, bias, dense_kernel, dense_bias;
};
ParamOffsets resolve_offsets(const ParamLayout& layout, const ModelShape& shape);

}  // namespace rnnsent
