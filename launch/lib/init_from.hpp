// --init_from: a new run starts from a saved model's weights (fine-tuning, or more epochs under
// other optimizer settings) instead of Keras's initialisers. The model must have this run's
// architecture and vocabulary, or the weights would mean something else.
#pragma once

#include <string>
#include <vector>

#include "core/model_shape.hpp"
#include "io/vocabulary.hpp"

namespace rnnsent {

// The weights of the rnnsent model at path (best_model.h5), laid out for shape. Throws one line
// naming the file and the first difference: an architecture setting (cell, units, ...) with
// both values, or the first word whose id differs from vocabulary's.
std::vector<float> init_weights_from(const std::string& path, const ModelShape& shape,
                                     const Vocabulary& vocabulary);

}  // namespace rnnsent
