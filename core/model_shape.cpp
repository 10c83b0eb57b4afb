// Turns a ModelShape into the slot table shared by parameters, gradients and optimizer
// state, and maps cell kinds to and from their config names.
#include "core/model_shape.hpp"

#include <stdexcept>

namespace rnnsent {

std::string cell_name(CellKind cell) {
  switch (cell) {
    case CellKind::simple_rnn:
      return "simple_rnn";
    case CellKind::lstm:
      return "lstm";
    case CellKind::gru:
      return "gru";
  }
  throw std::runtime_error("cell_name: unknown CellKind " + std::to_string(static_cast<int>(cell)));
}

CellKind parse_cell(const std::string& name) {
  if (name == "simple_rnn" || name == "rnn") return CellKind::simple_rnn;
  if (name == "lstm") return CellKind::lstm;
  if (name == "gru") return CellKind::gru;
  throw std::runtime_error("unknown cell '" + name + "' (expected: rnn, lstm or gru)");
}

int gate_count(CellKind cell) {
  switch (cell) {
    case CellKind::simple_rnn:
      return 1;
    case CellKind::lstm:
      return 4;
    case CellKind::gru:
      return 3;
  }
  throw std::runtime_error("gate_count: unknown CellKind " +
                           std::to_string(static_cast<int>(cell)));
}

ParamLayout make_layout(const ModelShape& shape) {
  if (shape.num_words <= 0 || shape.embedding_dim <= 0 || shape.units <= 0) {
    throw std::runtime_error(
        "make_layout: dimensions must be positive (V " + std::to_string(shape.num_words) + ", E " +
        std::to_string(shape.embedding_dim) + ", H " + std::to_string(shape.units) + ")");
  }
  const std::size_t V = shape.num_words, E = shape.embedding_dim, H = shape.units;
  const std::size_t G = gate_count(shape.cell);
  const std::string rnn = cell_name(shape.cell);
  ParamLayout layout;
  layout.add("embedding/embeddings", {V, E});
  layout.add(rnn + "/kernel", {E, G * H});
  layout.add(rnn + "/recurrent_kernel", {H, G * H});
  layout.add(rnn + "/bias", {G * H});
  layout.add("dense/kernel", {H, 1});
  layout.add("dense/bias", {1});
  return layout;
}

ParamOffsets resolve_offsets(const ParamLayout& layout, const ModelShape& shape) {
  const std::string rnn = cell_name(shape.cell);
  ParamOffsets off;
  off.embedding = layout.slot("embedding/embeddings").offset;
  off.kernel = layout.slot(rnn + "/kernel").offset;
  off.recurrent_kernel = layout.slot(rnn + "/recurrent_kernel").offset;
  off.bias = layout.slot(rnn + "/bias").offset;
  off.dense_kernel = layout.slot("dense/kernel").offset;
  off.dense_bias = layout.slot("dense/bias").offset;
  return off;
}

}  // namespace rnnsent
