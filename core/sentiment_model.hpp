// The fast model used for training and prediction: embedding gather -> oneDNN RNN ->
// dense + loss, and back. Owns activation buffers and the RNN primitives (built once per
// batch shape), never the parameters: those live in the caller's flat buffers, so the same
// model object serves training, evaluation, MPI and checkpoints.
// A batch is cut into one contiguous chunk per OpenMP thread and each thread runs its chunk
// through its own single-threaded RNN primitives: oneDNN's RNN scales poorly across threads
// at N = 128, H = 64, while independent chunks scale almost linearly (docs/PERFORMANCE.md).
// Results are bit-identical for a given thread count and agree to float rounding across counts.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/dropout.hpp"
#include "core/model_shape.hpp"
#include "core/rnn_onednn.hpp"
#include "core/time_reversal.hpp"
#include "core/token_table_rnn.hpp"

namespace rnnsent {

// Seconds spent in each phase of forward_backward, summed over calls (chunk 0's view: the
// chunks run side by side). Filled only when a profile is attached (bench/bench_profile).
struct StepProfile {
  double gather = 0, rnn_forward = 0, dense_loss = 0, rnn_backward = 0, scatter_add = 0;
  long calls = 0;
};

class SentimentModel {
 public:
  explicit SentimentModel(const ModelShape& shape);
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

  // A single-direction, single-layer SimpleRNN runs on TokenTableRnn (the input projection
  // once per distinct token) unless this is switched off, or dropout is active (the mask makes
  // every token's input different). Off = oneDNN's RNN primitive, as every other model; both
  // give the same results up to float rounding (tests), the table path about twice as fast.
  bool token_table_eligible() const { return table_eligible_; }
  void set_token_table(bool on) { use_table_ = on; }

  // Attach (or detach with nullptr) a phase profile; costs a few clock reads per step.
  void set_profile(StepProfile* profile) { profile_ = profile; }

  // Logits [N] with the inference primitive (no training workspace). h0 [state_size(shape)],
  // when non-null, is the initial state of every review, every layer and direction (h, then c
  // for LSTM, per layer and direction in slot order); default zeros, as in training.
  void predict_logits(const float* params, const std::int32_t* ids, int N, int T, float* logits,
                      const float* h0 = nullptr);

  // Frees the inference primitives cached for every batch shape seen (see OneDnnRnn).
  void release_inference();

  // The state (as predict_logits's h0) after k padding steps (id 0) from the zero state, for
  // k = 0..T: states [T + 1, state_size(shape)]. A review pre-padded to T with L real ids
  // reaches, after its padding, exactly states[T - L] in every layer and direction (the
  // backward direction crosses the padding first too: core/time_reversal.hpp), so scoring can
  // start there and run L steps instead of T. Computed with the reference cells (one review).
  void padding_states(const float* params, int T, float* states);

 private:
  // One thread's share of a batch: its own RNN primitives (one per layer and direction),
  // activations and weight gradients. Buffers are [T, n, width] time-major unless noted.
  struct Chunk {
    explicit Chunk(const ModelShape& shape);
    std::vector<std::unique_ptr<OneDnnRnn>> rnn;  // layer * directions + direction
    std::unique_ptr<TokenTableRnn> table;         // the SimpleRNN table path, when eligible
    std::vector<float> x, dx;                     // embedding output and its gradient [T, n, E]
    std::vector<float> mask;                      // dropout multipliers [T, n, E]
    std::vector<TimeSpan> spans;  // each row's real tokens (bidirectional, mean/max pooling)
    std::vector<int> argmax;      // max pooling [n, D*H]: each feature's step, direction order
    std::vector<std::vector<float>> reversed;      // per layer: its input, reversed (direction 1)
    std::vector<std::vector<float>> outputs;       // per layer below the top: [T, n, D*H]
    std::vector<std::vector<float>> dinputs;       // per layer above the first: d(input)
    std::vector<float> dreversed;                  // direction 1's d(reversed input)
    std::vector<std::vector<float>> dstates;       // per direction: d(states) [T, n, H]
    std::vector<std::vector<float>> h_last, dh;    // per direction [n, H]
    std::vector<float> top, dtop;                  // dense input and its gradient [n, D*H]
    std::vector<float> logits;                     // [n]
    std::vector<float> h0, c0;                     // [n, H] initial states for inference
    std::vector<std::vector<float>> infer_states;  // per direction [T, n, H] (stacked inference)
    std::vector<float> grads;  // this chunk's gradient of every slot after the embedding
    float loss = 0;            // sum of this chunk's per-review losses
  };
  // Number of chunks for a batch of N (one per thread, at most N) and chunk k's first row.
  int chunk_count(int N) const;
  static int chunk_begin(int N, int chunks, int k) { return int(std::int64_t(N) * k / chunks); }
  void ensure_chunks(int count);
  // The recurrent stack of one chunk: from c.x to c.top (training keeps what backward needs;
  // inference starts from the state vector h0, or zeros), and back from c.dtop to c.dx.
  void stack_forward(Chunk& c, const float* params, int T, int n, bool training, const float* h0);
  void stack_backward(Chunk& c, int T, int n, float* g);
  // The table path's forward (ids to c.top) and backward (c.dtop to the slot gradients g and
  // the chunk's per-token embedding gradient, kept in c.table).
  void table_forward(Chunk& c, const float* params, const std::int32_t* ids, int T, int n,
                     bool training, const float* h0);
  void table_backward(Chunk& c, int T, int n, float* g);
  // c.top = the mean or maximum of the top layer's states (one [T, n, H] buffer per direction)
  // over each row's real steps; max pooling records where each maximum came from.
  void pool(Chunk& c, const float* const* states, int n);
  // c.dstates[d] = d(loss)/d(top layer's states of direction d), given c.dh (= d(loss)/d(top)).
  void unpool(Chunk& c, int d, int T, int n);

  bool table_eligible_ = false, use_table_ = true;
  ModelShape shape_;
  ParamLayout layout_;
  ParamOffsets off_;
  std::vector<std::unique_ptr<Chunk>> chunks_;
  StepProfile* profile_ = nullptr;
};

}  // namespace rnnsent
