// The architecture of a sentiment model: Embedding(V, E) -> recurrent layer(H) -> Dense(1).
// Dimension letters used across core/: T time steps, N batch, V vocabulary (num_words),
// E embedding width (the RNN's input C), H recurrent units.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/param_layout.hpp"

namespace rnnsent {

// The recurrent cells: Keras SimpleRNN (tanh), LSTM, and GRU with reset_after=True (oneDNN's
// linear-before-reset GRU, PyTorch's GRU).
enum class CellKind { simple_rnn, lstm, gru };

std::string cell_name(CellKind cell);          // "simple_rnn", "lstm", "gru" (Keras layer names)
CellKind parse_cell(const std::string& name);  // also accepts "rnn"; throws naming the value
int gate_count(CellKind cell);                 // 1, 4, 3

// What the dense layer reads from the top recurrent layer: its last states (Keras's default,
// return_sequences=False), or the mean or the per-feature maximum of its states over each
// review's real (non-padding) tokens (Keras: return_sequences=True, then GlobalAveragePooling1D
// or GlobalMaxPooling1D over the masked sequence). A review with no real token pools to zeros.
enum class Pooling { last, mean, max };

std::string pooling_name(Pooling pooling);       // "last", "mean", "max"
Pooling parse_pooling(const std::string& name);  // throws naming the value

struct ModelShape {
  int num_words = 30000;    // V
  int embedding_dim = 128;  // E
  int units = 64;           // H
  CellKind cell = CellKind::simple_rnn;
  bool bidirectional = false;  // a second direction reads each review's tokens last to first
  int layers = 1;              // stacked recurrent layers
  Pooling pooling = Pooling::last;
  // Hashed bigram rows after the V word rows (core/bigram.hpp): each step's input is its word's
  // row plus, when it and the token before it are both real, the row of their bigram. 0 = off.
  int bigram_buckets = 0;  // B
  // With B > 0: the negation_scope tokens after a negator also read their word's negated row
  // (core/phrase_rows.hpp). negators holds the negators' word ids (io/negators.hpp derives them
  // from the vocabulary); 0 = off.
  int negation_scope = 0;
  std::vector<std::int32_t> negators;
};

// Rows of the embedding table: V words, then B bigram buckets.
int table_rows(const ModelShape& shape);

int directions(const ModelShape& shape);  // 2 when bidirectional, else 1
int top_width(const ModelShape& shape);   // width the dense layer reads: directions * H
int layer_input_dim(const ModelShape& shape, int layer);  // E for layer 0, else directions * H
std::size_t bias_size(CellKind cell, int units);          // G*H; GRU keeps Keras's two biases: 2*3H
// Floats of the recurrent state of one review: h per layer and direction, plus c for LSTM.
std::size_t state_size(const ModelShape& shape);

// Slot names follow tf.keras so the checkpoint reads naturally. The course model:
//   "embedding/embeddings"        [V + B, E]
//   "simple_rnn/kernel"           [E, G*H]   (Keras [input_dim, units] = oneDNN ldigo order)
//   "simple_rnn/recurrent_kernel" [H, G*H]
//   "simple_rnn/bias"             [G*H]      (GRU: [2, 3H], input bias then recurrent bias)
//   "dense/kernel"                [D*H, 1]
//   "dense/bias"                  [1]
// Layer l > 0 is "<cell>_<l>" (Keras's automatic names); a bidirectional layer l is
// "bidirectional[_l]/forward_<cell>[_l]" and ".../backward_<cell>[_l]".
ParamLayout make_layout(const ModelShape& shape);

// The slot-name prefix of one recurrent layer and direction (0 forward, 1 backward).
std::string rnn_slot_prefix(const ModelShape& shape, int layer, int direction);

// Offsets of every slot, resolved once so hot loops index the flat buffer directly.
struct RnnOffsets {
  std::size_t kernel = 0, recurrent_kernel = 0, bias = 0;
  int input_dim = 0;
};
struct ParamOffsets {
  std::size_t embedding = 0;
  std::vector<RnnOffsets> rnn;  // index layer * directions + direction
  std::size_t dense_kernel = 0, dense_bias = 0;
};
ParamOffsets resolve_offsets(const ParamLayout& layout, const ModelShape& shape);

}  // namespace rnnsent
