// build_layers: see the header.
#include "core/model_layers.hpp"

#include "core/cell.hpp"
#include "core/dense_loss_layer.hpp"
#include "core/embedding_layer.hpp"
#include "core/readout_layer.hpp"
#include "core/recurrent_layer.hpp"

namespace rnnsent {

LayerList build_layers(const ModelShape& shape, const ParamOffsets& offsets, RecurrentEngine engine,
                       bool token_table) {
  // A token table needs every step's input to be its word's alone: bigrams rule it out.
  const bool table = token_table && engine == RecurrentEngine::fast && shape.bigram_buckets == 0;
  const Cell& cell = cell_for(shape.cell);
  const int D = directions(shape), H = shape.units;
  const std::size_t per_layer = std::size_t(D) * H * (cell.has_cell_state() ? 2 : 1);
  LayerList layers;
  layers.push_back(
      table ? make_token_embedding(shape.num_words, shape.embedding_dim, offsets.embedding)
            : make_dense_embedding(shape, offsets.embedding));
  for (int l = 0; l < shape.layers; ++l) {
    RecurrentLayerSpec spec;
    spec.cell = &cell;
    spec.kind = shape.cell;
    spec.layer = l;
    spec.directions = D;
    spec.input_dim = layer_input_dim(shape, l);
    spec.units = H;
    spec.offsets = offsets.rnn.data() + std::size_t(l) * std::size_t(D);
    spec.table_input = table && l == 0;
    spec.emit_sequence = l + 1 < shape.layers || shape.pooling != Pooling::last;
    spec.state_offset = std::size_t(l) * per_layer;
    layers.push_back(engine == RecurrentEngine::fast ? make_recurrent_layer(spec)
                                                     : make_onednn_recurrent_layer(spec));
  }
  layers.push_back(make_readout(shape.pooling, top_width(shape)));
  layers.push_back(make_dense_loss(top_width(shape), offsets.dense_kernel, offsets.dense_bias));
  return layers;
}

}  // namespace rnnsent
