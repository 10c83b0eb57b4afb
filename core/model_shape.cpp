// Turns a ModelShape into the slot table shared by parameters, gradients and optimizer
// state, and maps cell kinds to and from their config names.
#include "core/model_shape.hpp"

#include <cstdint>
#include <stdexcept>

#include "core/bigram.hpp"
#include "core/cell.hpp"

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

int gate_count(CellKind cell) { return cell_for(cell).gates(); }

std::string pooling_name(Pooling pooling) {
  switch (pooling) {
    case Pooling::last:
      return "last";
    case Pooling::mean:
      return "mean";
    case Pooling::max:
      return "max";
  }
  throw std::runtime_error("pooling_name: unknown Pooling " +
                           std::to_string(static_cast<int>(pooling)));
}

Pooling parse_pooling(const std::string& name) {
  if (name == "last") return Pooling::last;
  if (name == "mean") return Pooling::mean;
  if (name == "max") return Pooling::max;
  throw std::runtime_error("unknown pooling '" + name + "' (expected: last, mean or max)");
}

int directions(const ModelShape& shape) { return shape.bidirectional ? 2 : 1; }

int top_width(const ModelShape& shape) { return directions(shape) * shape.units; }

int layer_input_dim(const ModelShape& shape, int layer) {
  return layer == 0 ? shape.embedding_dim : top_width(shape);
}

std::size_t bias_size(CellKind cell, int units) {
  const std::size_t gh = std::size_t(gate_count(cell)) * std::size_t(units);
  return cell_for(cell).recurrent_bias() ? 2 * gh : gh;
}

std::size_t state_size(const ModelShape& shape) {
  const std::size_t per = cell_for(shape.cell).has_cell_state() ? 2 : 1;
  return per * std::size_t(shape.layers) * std::size_t(directions(shape)) *
         std::size_t(shape.units);
}

std::string rnn_slot_prefix(const ModelShape& shape, int layer, int direction) {
  const std::string suffix = layer == 0 ? "" : "_" + std::to_string(layer);
  const std::string inner = cell_name(shape.cell) + suffix;
  if (!shape.bidirectional) return inner;
  return "bidirectional" + suffix + (direction == 0 ? "/forward_" : "/backward_") + inner;
}

int table_rows(const ModelShape& shape) { return shape.num_words + shape.bigram_buckets; }

ParamLayout make_layout(const ModelShape& shape) {
  if (shape.bigram_buckets < 0 || shape.bigram_buckets > kMaxBigramBuckets)
    throw std::runtime_error("make_layout: bigram_buckets " + std::to_string(shape.bigram_buckets) +
                             " outside [0, " + std::to_string(kMaxBigramBuckets) + "]");
  if (shape.num_words > INT32_MAX - shape.bigram_buckets)
    throw std::runtime_error("make_layout: num_words + bigram_buckets exceeds 2^31 - 1");
  if (shape.num_words <= 0 || shape.embedding_dim <= 0 || shape.units <= 0 || shape.layers <= 0) {
    throw std::runtime_error(
        "make_layout: dimensions must be positive (V " + std::to_string(shape.num_words) + ", E " +
        std::to_string(shape.embedding_dim) + ", H " + std::to_string(shape.units) + ", layers " +
        std::to_string(shape.layers) + ")");
  }
  const std::size_t rows = std::size_t(table_rows(shape)), E = shape.embedding_dim;
  const std::size_t H = shape.units, GH = std::size_t(gate_count(shape.cell)) * H;
  ParamLayout layout;
  layout.add("embedding/embeddings", {rows, E});
  for (int l = 0; l < shape.layers; ++l) {
    for (int d = 0; d < directions(shape); ++d) {
      const std::string p = rnn_slot_prefix(shape, l, d);
      layout.add(p + "/kernel", {std::size_t(layer_input_dim(shape, l)), GH});
      layout.add(p + "/recurrent_kernel", {H, GH});
      if (cell_for(shape.cell).recurrent_bias()) {
        layout.add(p + "/bias", {2, GH});  // Keras's input bias, then the recurrent bias
      } else {
        layout.add(p + "/bias", {GH});
      }
    }
  }
  layout.add("dense/kernel", {std::size_t(top_width(shape)), 1});
  layout.add("dense/bias", {1});
  return layout;
}

ParamOffsets resolve_offsets(const ParamLayout& layout, const ModelShape& shape) {
  ParamOffsets off;
  off.embedding = layout.slot("embedding/embeddings").offset;
  for (int l = 0; l < shape.layers; ++l) {
    for (int d = 0; d < directions(shape); ++d) {
      const std::string p = rnn_slot_prefix(shape, l, d);
      RnnOffsets r;
      r.kernel = layout.slot(p + "/kernel").offset;
      r.recurrent_kernel = layout.slot(p + "/recurrent_kernel").offset;
      r.bias = layout.slot(p + "/bias").offset;
      r.input_dim = layer_input_dim(shape, l);
      off.rnn.push_back(r);
    }
  }
  off.dense_kernel = layout.slot("dense/kernel").offset;
  off.dense_bias = layout.slot("dense/bias").offset;
  return off;
}

}  // namespace rnnsent
