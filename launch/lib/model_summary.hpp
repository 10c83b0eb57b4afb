// A Keras-like model summary for train.log: each layer, its output shape and its parameter
// count, read off the parameter layout so it cannot disagree with what is trained.
#pragma once

#include <string>

#include "core/model_shape.hpp"
#include "core/param_layout.hpp"

namespace rnnsent {

std::string model_summary(const ModelShape& shape, const ParamLayout& layout, int maxlen);

}  // namespace rnnsent
