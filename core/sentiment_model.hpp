// The model used for training and prediction: an ordered list of layers (core/model_layers.hpp)
// run forward in order and backward in reverse on the caller's flat parameter and gradient
// buffers. It owns activations and per-shape caches, never the parameters, so one model object
// serves training, evaluation, MPI and checkpoints.
// A batch is cut into one contiguous chunk per OpenMP thread, each running its own copy of the
// layer list single-threaded (small recurrent products scale far better as independent chunks
// than split across threads, docs/PERFORMANCE.md); the chunks' gradients are summed in chunk
// order, so a thread count always gives the same bits and another count changes only rounding.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/dropout.hpp"
#include "core/model_layers.hpp"
#include "core/model_shape.hpp"

namespace rnnsent {

// Seconds spent in each phase of forward_backward, summed over calls (chunk 0's view: the
// chunks run side by side). Filled only when a profile is attached (bench/).
struct StepProfile {
  double gather = 0, rnn_forward = 0, dense_loss = 0, rnn_backward = 0, scatter_add = 0;
  long calls = 0;
};

class SentimentModel {
 public:
  explicit SentimentModel(const ModelShape& shape);
  ~SentimentModel();
  SentimentModel(const SentimentModel&) = delete;
  SentimentModel& operator=(const SentimentModel&) = delete;

  const ModelShape& shape() const { return shape_; }
  const ParamLayout& layout() const { return layout_; }

  // ids [N, T] with values in [0, V); labels [N] in {0, 1}. Returns the SUM of the per-review
  // losses and ADDS grad_scale * d(sum)/d(params) into grads (caller zeroes it first; with
  // grad_scale = 1/N this is the gradient of the batch mean). logits [N] written if non-null.
  // dropout applies to the embedding output of this training step only (core/dropout.hpp).
  float forward_backward(const float* params, const std::int32_t* ids, const float* labels, int N,
                         int T, float grad_scale, float* grads, float* logits,
                         const Dropout& dropout = {});

  // The recurrent engine: fast (default) or oneDNN's RNN primitive (tests, benchmarks).
  void set_engine(RecurrentEngine engine);
  // The first layer's input projection through a token table wherever it is exact (default
  // on): the fast engine, and no element-wise dropout on the embedding (word dropout is exact).
  void set_token_table(bool on);
  bool uses_token_table(const Dropout& dropout) const;

  // Attach (or detach with nullptr) a phase profile; costs a few clock reads per layer.
  void set_profile(StepProfile* profile) { profile_ = profile; }

  // Logits [N] without training caches. h0 [state_size(shape)], when non-null, is the initial
  // state of every review, every layer and direction (h, then c for LSTM, per layer and
  // direction in slot order); default zeros, as in training.
  void predict_logits(const float* params, const std::int32_t* ids, int N, int T, float* logits,
                      const float* h0 = nullptr);

  // Frees per-shape inference caches (oneDNN's primitives, each holding [T, N, H] buffers).
  void release_inference();

  // The state (as predict_logits's h0) after k padding steps (id 0) from the zero state, for
  // k = 0..T: states [T + 1, state_size(shape)]. A review pre-padded to T with L real ids
  // reaches, after its padding, exactly states[T - L] in every layer and direction (the
  // backward direction crosses the padding first too: core/time_reversal.hpp), so scoring can
  // start there and run L steps instead of T. Computed by the fast layers on one review.
  void padding_states(const float* params, int T, float* states);

 private:
  struct Chunk;
  int chunk_count(int N) const;
  Chunk& chunk(int k);
  LayerList& layers_of(Chunk& c, bool table);
  // Runs one chunk's layers forward (and backward when training).
  void run_chunk(Chunk& c, LayerList& layers, bool training);

  ModelShape shape_;
  ParamLayout layout_;
  ParamOffsets off_;
  RecurrentEngine engine_ = RecurrentEngine::fast;
  bool token_table_ = true;
  std::vector<std::unique_ptr<Chunk>> chunks_;
  StepProfile* profile_ = nullptr;
};

}  // namespace rnnsent
