// What the dense layer reads from the top recurrent layer (core/model_shape.hpp's Pooling):
// its final states (passed through), or the mean or the per-feature maximum of its states over
// each row's real tokens (Keras's GlobalAveragePooling1D / GlobalMaxPooling1D over a masked
// sequence). A row with no real token pools to zeros; of equal maxima the first token's wins
// and takes the gradient, as in the reference.
#pragma once

#include <memory>

#include "core/layer.hpp"
#include "core/model_shape.hpp"

namespace rnnsent {

std::unique_ptr<Layer> make_readout(Pooling pooling, int width);

}  // namespace rnnsent
