// The last layer: Dense(1) on the readout, and when training, the binary cross-entropy from the
// logit (core/reference.hpp's dense_bce_forward_backward, the one implementation of the loss),
// whose gradient comes out already multiplied by Pass::grad_scale.
#pragma once

#include <cstddef>
#include <memory>

#include "core/layer.hpp"

namespace rnnsent {

std::unique_ptr<Layer> make_dense_loss(int width, std::size_t kernel, std::size_t bias);

}  // namespace rnnsent
