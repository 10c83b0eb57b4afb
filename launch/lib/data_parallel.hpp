// One data-parallel optimizer step: this rank's share of the global batch through the model,
// one in-place allreduce of the gradient, optional clipping by global norm, then the same
// update (RMSprop or Adam) on every rank; or, for RMSprop at P > 1, the sharded update: the
// embedding rows' gradient reduce-scattered to the rank that owns each row, which alone
// updates it, and the updated rows allgathered (ZeRO stage 1; the same bytes on the wire as
// the allreduce, 1/P of the optimizer's work, the same sums at P = 2). With every rank on one
// host the sharded update runs through a shared-memory window instead of MPI collectives
// (shared_memory_exchange, data_parallel_shared.cpp): the same sums, no copies. Across hosts
// at 2-4 ranks each rank instead sends every other rank only the rows its own reviews touched,
// and every rank sums them (sparse_exchange, data_parallel_sparse.cpp): fewer bytes than the
// allreduce of the union below, the same sums at P = 2.
// A step touches only some embedding rows (about 8,500 of 30,000 for a batch of 128 x 500
// ids), and an untouched row's gradient is zero on every rank, so the allreduce carries only
// the rows some rank touched (their union, found by a small allreduce of a row mask) plus the
// other slots, packed into one buffer: the same sums in a third of the bytes. RMSprop likewise
// updates only those rows (LazyRmsprop, bit-identical to the dense update); Adam updates
// densely. Either leaves the gradient buffer at zero for the next step. Each rank's gradient is
// scaled by 1 / (global batch), so the summed gradient is the mean over the global batch however
// it is split: P ranks take the same step as one rank. The global norm (for clipping and the
// history) is taken after the allreduce over what can be non-zero: the slots before the table,
// each touched row (its squares summed, rows added in ascending order), the slots after it; a
// fixed order, so every rank computes the same norm and takes the same clipped step.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/dropout.hpp"
#include "core/lr_schedule.hpp"
#include "core/optimizer.hpp"
#include "core/phrase_rows.hpp"
#include "core/sentiment_model.hpp"
#include "dist/node_window.hpp"
#include "dist/session.hpp"
#include "launch/lib/sharded_rows.hpp"

namespace rnnsent {

// Rank r's rows [begin, end) of a global batch of n: contiguous, sizes differing by at most one.
std::pair<std::size_t, std::size_t> rank_share(std::size_t n, int rank, int ranks);

// The dropout of global step `global_step` for rank's share of a global batch of global_n:
// a stream mixed from (seed, global step), the same on every rank, and the global index of the
// rank's first row, so a review's mask does not depend on how the batch is split.
Dropout step_dropout(float rate, std::uint64_t seed, std::int64_t global_step, std::size_t global_n,
                     int rank, int ranks, float word_rate = 0, float projection_rate = 0,
                     float embedding_weight_rate = 0);

// What a step does besides the model. The defaults are the course's RMSprop (lr 1e-3).
struct StepOptions {
  OptimizerSettings optimizer;
  LrSchedule learning_rate;      // per update: batch scaling and warm-up (core/lr_schedule.hpp)
  double clipnorm = 0;           // clip the summed gradient to this global norm; 0 = off
  float dropout = 0;             // rate on the embedding output (core/dropout.hpp); 0 = off
  float word_dropout = 0;        // rate of whole tokens dropped from the embedding output
  float projection_dropout = 0;  // rate on each recurrent layer's input projection x W
  float embedding_weight_dropout = 0;  // rate on the embedding matrix's elements, per step
  std::uint64_t seed = 1;              // the run's seed, for the dropout streams
  // RMSprop at P > 1: each rank updates only the embedding rows it owns (sharded_rows.hpp) and
  // the updated rows are gathered (ZeRO stage 1); false: every rank updates every row.
  bool shard_optimizer = false;
  // RMSprop at P > 1 with every rank on one host: the gradient is summed where it lies, in an
  // MPI-3 shared-memory window (dist/node_window.hpp), each rank summing and updating the rows
  // it owns as in the sharded update, and reading the others' updated rows from the window. The
  // same sums in the same order as the sharded update; no MPI collective carries the gradient.
  bool shared_memory_exchange = false;
  // 2 to kSparseMaxRanks ranks with no shared-memory window (ranks on several hosts) and no
  // sharded update: each rank allgathers only the embedding rows its own reviews touched, with
  // the other slots and its loss statistics, and every rank sums them in rank order and updates
  // every touched row (data_parallel_sparse.cpp). Fewer bytes than the allreduce of the union;
  // the same sums at P = 2. false: that allreduce.
  bool sparse_exchange = false;
};

// Beyond this many ranks each rank's own rows are no longer fewer than its share of the
// union's allreduce (batch 128: 0.64x the bytes at P = 2, 0.80x at 4, 0.97x at 8), and an
// allgather grows with P: the allreduce of the union is kept.
constexpr int kSparseMaxRanks = 4;

struct StepStats {
  double loss_sum = 0;  // summed over the global batch
  double correct = 0;   // reviews with (logit > 0) == label, over the global batch
  bool stop = false;    // some rank asked to stop at this step boundary
  bool finite = true;   // loss and gradient were finite; otherwise no update was applied
  // The updated parameters are finite. A finite gradient can still step to inf or NaN (a huge
  // learning_rate, a tiny epsilon); that update is applied and cannot be skipped.
  bool params_finite = true;
  double grad_norm = 0;     // global L2 norm of the summed gradient before clipping
  float learning_rate = 0;  // the rate of this update (or of the update a skipped step was)
};

class DataParallelStep {
 public:
  DataParallelStep(SentimentModel& model, const dist::Session& session, const StepOptions& options);

  // ids [local, T] and labels [local] are this rank's rows (its rank_share) of a global batch
  // of global_n. global_step: this step's 1-based number in the run (the dropout stream).
  // state: the optimizer state (make_optimizer_state), identical on every rank.
  // stop_here: this rank wants to stop after this step (agreed through the step's allreduce).
  StepStats run(const std::int32_t* ids, const float* labels, std::size_t local,
                std::size_t global_n, int T, std::int64_t global_step, float* params,
                OptimizerState& state, bool stop_here = false);

  // Runs the model once, forward and backward, on `local` dummy reviews of T ids, so that every
  // layer's caches are allocated and their pages touched (and oneDNN's GEMM kernels generated)
  // before the first step; a step then allocates nothing, and the first one is not 4x the
  // others. The gradient it makes is cleared; parameters and optimizer state are not touched.
  // Local to this rank (no MPI).
  void warm_up(const float* params, std::size_t local, int T);

  // The rate of the updates from now on, replacing options.learning_rate's schedule (the
  // trainer's LearningRateScheduler sets it before every step, with ReduceLROnPlateau's factor).
  void set_learning_rate(double rate) { rate_ = rate; }

  // How the gradient travels: "shared memory (one host)", "sharded over MPI", "sparse
  // allgather over MPI" or "MPI allreduce", with why the shared-memory window did not open when
  // it was asked for and could have.
  std::string exchange_name() const;

  // Test hook: the next step's local gradient gets a NaN before the allreduce.
  void poison_next_gradient() { poison_ = true; }

  // Brings the optimizer state up to date (RMSprop decays untouched embedding rows lazily;
  // with the sharded update each rank's rows are gathered from their owner): call on every
  // rank before anything reads it, e.g. a checkpoint.
  void flush_optimizer(OptimizerState& state);

  // Seconds spent so far in this rank's forward/backward, in the gradient allreduce (including
  // waiting for slower ranks) and in the optimizer (with the norm and clipping): what the
  // benchmarks report.
  struct Times {
    double compute = 0, allreduce = 0, optimizer = 0;
    // What each rank sends under ring algorithms: an allreduce of S bytes 2 (P - 1) / P * S, a
    // reduce-scatter or an allgather of S in all (P - 1) / P * S.
    double sent_bytes = 0;
  };
  const Times& times() const { return times_; }

 private:
  SentimentModel& model_;
  const dist::Session& session_;
  StepOptions options_;
  std::vector<float> grads_;  // the gradient, unless it lives in the shared window
  float* grad_ = nullptr;     // this rank's gradient: grads_ or its segment of the window
  std::size_t grad_size_ = 0;
  std::vector<float> logits_;
  // Sparse exchange of the embedding gradient (more than one rank only).
  std::size_t embedding_offset_ = 0;
  int num_words_ = 0;
  PhraseRows phrases_;  // which bigram and negated rows a review reads
  int embedding_dim_ = 0;
  int table_rows_ = 0;                 // V + B: the table's word and bucket rows
  std::vector<float> row_mask_;        // [V + B] rows touched by any rank (after the allreduce)
  std::vector<std::int32_t> touched_;  // the rows of row_mask_, ascending
  // rows = the indices of mask's positive entries, ascending.
  static void marked_rows(const std::vector<float>& mask, std::vector<std::int32_t>& rows);
  TableOptimizer optimizer_;
  bool poison_ = false;
  std::optional<double> rate_;    // set_learning_rate's; otherwise options_.learning_rate's
  std::vector<double> row_sums_;  // per touched row: its sum of squares
  double gradient_norm();         // non-finite when any entry is
  void scale_gradient(float factor);
  void clear_gradient();
  // Whether every parameter the last update could change is finite: the slots around the
  // table and its touched rows (RMSprop), or everything (Adam moves every row).
  bool updated_finite(const float* params) const;
  std::vector<float> packed_;  // touched rows, then every non-embedding slot
  void find_touched(const std::int32_t* ids, std::size_t local, int T);
  void allreduce_gradient();
  void count_allreduce(std::size_t bytes) { count_half(2 * bytes); }
  void count_half(std::size_t bytes) {
    times_.sent_bytes += double(bytes) * double(session_.size() - 1) / double(session_.size());
  }
  // The sharded update (shard_optimizer): the rows this rank owns summed here, the slots
  // outside the table summed on every rank.
  bool sharded_ = false;
  ShardedRows shards_;
  std::vector<float> dense_, mine_;
  std::vector<double> own_sums_, grouped_sums_;
  void reduce_scatter_gradient();
  void allreduce_dense();
  void row_sums_of_squares();
  void gather_updated_rows(float* params);
  void gather_accumulators(OptimizerState& state);
  // The sparse exchange (sparse_exchange; data_parallel_sparse.cpp): this rank's rows go out,
  // every rank's come back and are summed in rank order into grad_, touched_ and stats.
  bool sparse_ = false;
  std::vector<std::int32_t> own_rows_;  // the rows this rank's reviews touched, ascending
  std::vector<float> pack_, packs_;     // this rank's pack; every rank's, back to back
  std::size_t sparse_pack_words(std::size_t rows) const;
  void allgather_own_rows(const std::int32_t* ids, std::size_t local, int T, double* stats);
  // The shared-memory exchange (shared_memory_exchange; data_parallel_shared.cpp). Each rank's
  // segment holds its gradient, the rows its ids touch, its loss statistics, the sums of
  // squares of the rows it owns and, after the update, those rows' new values.
  struct SharedLayout {
    std::size_t mask = 0, stats = 0, sums = 0, rows = 0, bytes = 0;  // byte offsets
  };
  SharedLayout layout_;
  std::unique_ptr<dist::NodeWindow> window_;
  std::string no_window_;                           // why the window did not open on one host
  std::vector<const float*> segment_grads_;         // every rank's gradient in the window
  std::vector<const std::uint8_t*> segment_masks_;  // every rank's touched-row mask
  void open_window();
  float* shared_grad(int rank) const;
  void shared_exchange(const std::int32_t* ids, std::size_t local, int T, double* stats);
  bool shared_gather_rows(float* params);  // whether every updated row is finite
  Times times_;
};

}  // namespace rnnsent
