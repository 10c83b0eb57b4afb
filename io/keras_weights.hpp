// The weights in the layout tf.keras's `load_weights` reads from an .h5 file, written beside
// rnnsent's own layout in best_model.h5 and read back from files Keras wrote:
//   /model_weights            attrs layer_names = [embedding, simple_rnn, dense], backend,
//   keras_version /model_weights/<layer>    attr weight_names = ["<layer>/.../<w>:0", ...]
//   /model_weights/<layer>/<weight name>   float32, kernels [input_dim, units]
// rnnsent's slot "simple_rnn/kernel" is Keras's "simple_rnn/simple_rnn_cell/kernel:0" in layer
// "simple_rnn"; "embedding/embeddings" and "dense/kernel" keep their names plus ":0".
#pragma once

#include <H5Cpp.h>

#include <string>
#include <vector>

#include "io/model_file.hpp"

namespace rnnsent {

// Keras's weight name for an rnnsent slot name ("layer/weight").
std::string keras_weight_name(const std::string& slot);

// Writes /model_weights into an open file from rnnsent's named tensors (in slot order).
void write_keras_weights(H5::H5File& file, const std::vector<NamedTensor>& weights);

// True when the file has a Keras /model_weights group (or Keras weights at its root).
bool has_keras_weights(const std::string& path);

// Reads the Keras layout back as rnnsent slot names, in Keras's layer order; throws naming the
// file and the layer or weight that is missing or malformed.
std::vector<NamedTensor> read_keras_weights(const std::string& path);

}  // namespace rnnsent
