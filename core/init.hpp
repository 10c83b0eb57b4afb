// Keras's default initialisers, drawn from a seeded RNG so a run is reproducible:
// embedding U(-0.05, 0.05); kernel glorot-uniform; recurrent kernel orthogonal; biases 0
// (LSTM forget gate 1: unit_forget_bias);
// dense kernel glorot-uniform.
#pragma once

#include <cstdint>

#include "core/model_shape.hpp"

namespace rnnsent {

// Fills params (layout.total() floats) deterministically from seed.
void keras_initialize(const ModelShape& shape, const ParamLayout& layout, std::uint64_t seed,
                      float* params);

}  // namespace rnnsent
