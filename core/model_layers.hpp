// Builds SentimentModel's layer list from a ModelShape: embedding, the recurrent layers (each
// one or two directions), the readout, dense + loss. The choices a mode makes (which engine,
// token table or dense input) are made here, once, by choosing layers; no layer branches on
// them per step, and nothing branches on the cell kind (core/cell.hpp answers for the cell).
#pragma once

#include <memory>
#include <vector>

#include "core/layer.hpp"
#include "core/model_shape.hpp"

namespace rnnsent {

// fast: core/recurrent_direction.hpp for every cell; onednn: oneDNN's RNN primitive, kept for
// tests and benchmarks (it reads a dense input only).
enum class RecurrentEngine { fast, onednn };

using LayerList = std::vector<std::unique_ptr<Layer>>;

// token_table: the first recurrent layer projects each distinct token once (fast engine only;
// the caller asks for it only where it is exact: no element-wise dropout on the embedding).
LayerList build_layers(const ModelShape& shape, const ParamOffsets& offsets,
                       RecurrentEngine engine, bool token_table);

}  // namespace rnnsent
