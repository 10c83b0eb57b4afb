// One recurrent layer (one or two directions) as a Layer, on the fast engine
// (core/recurrent_direction.hpp) or on oneDNN's RNN primitive (core/rnn_onednn.hpp, kept
// selectable for tests and benchmarks). It reads a token table (the fast engine's first layer,
// when the embedding comes straight in) or a dense [T, n, I] sequence, and hands on each row's
// final states [n, D*H] and, when the layer above or the readout needs them, every state in
// token order [T, n, D*H].
#pragma once

#include <memory>

#include "core/cell.hpp"
#include "core/layer.hpp"
#include "core/model_shape.hpp"

namespace rnnsent {

struct RecurrentLayerSpec {
  const Cell* cell = nullptr;
  CellKind kind = CellKind::simple_rnn;  // for the oneDNN primitive
  int layer = 0, directions = 1, input_dim = 0, units = 0;
  const RnnOffsets* offsets = nullptr;  // [directions]: this layer's slots
  bool table_input = false;             // reads Flow::tokens (fast engine only)
  bool emit_sequence = false;           // the next layer reads every state
  std::size_t state_offset = 0;         // where its states start in a state vector
};

std::unique_ptr<Layer> make_recurrent_layer(const RecurrentLayerSpec& spec);
std::unique_ptr<Layer> make_onednn_recurrent_layer(const RecurrentLayerSpec& spec);

}  // namespace rnnsent
