// Checkpoint averaging: the element-wise mean of the weights of several models of one
// architecture (Marian's and fairseq's average-checkpoints). Averaging the last epochs of a
// run smooths what the optimizer's last steps and the weight average (ema_momentum, steps
// apart) leave noisy; it needs the models to be points of one run (or of runs from one
// initialisation), since separately trained models do not share their units' order.
#pragma once

#include <string>
#include <vector>

#include "io/model_file.hpp"

namespace rnnsent {

// The mean of models' weights, summed in double. Every model must match the first in
// architecture, maxlen, padding, tokenizer, vocabulary and weight names and shapes; the error
// names paths[i] and what differs. The result keeps the first model's settings and config, the
// newest epoch, and NaN validation metrics (the average was never validated).
ModelFile average_models(const std::vector<ModelFile>& models,
                         const std::vector<std::string>& paths);

}  // namespace rnnsent
