// One data-parallel optimizer step: this rank's share of the global batch through the model,
// one in-place allreduce of the gradient, then the same RMSprop update on every rank.
// A step touches only some embedding rows (about 8,500 of 30,000 for a batch of 128 x 500
// ids), and an untouched row's gradient is zero on every rank, so the allreduce carries only
// the rows some rank touched (their union, found by a small allreduce of a row mask) plus the
// other slots, packed into one buffer: the same sums in a third of the bytes. The optimizer
// likewise updates only those rows (LazyRmsprop, bit-identical to the dense update) and leaves
// the gradient buffer at zero for the next step. Each rank's gradient is scaled by 1 / (global
// batch), so the summed gradient is the mean over the global batch however it is split: P ranks
// take the same step as one rank.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "core/rmsprop.hpp"
#include "core/sentiment_model.hpp"
#include "dist/session.hpp"

namespace rnnsent {

// Rank r's rows [begin, end) of a global batch of n: contiguous, sizes differing by at most one.
std::pair<std::size_t, std::size_t> rank_share(std::size_t n, int rank, int ranks);

struct StepStats {
  double loss_sum = 0;  // summed over the global batch
  double correct = 0;   // reviews with (logit > 0) == label, over the global batch
  bool stop = false;    // some rank asked to stop at this step boundary
  bool finite = true;   // loss and gradient were finite; otherwise no update was applied
};

class DataParallelStep {
 public:
  DataParallelStep(SentimentModel& model, const dist::Session& session, RmspropSettings rms);

  // ids [local, T] and labels [local] are this rank's rows of a global batch of global_n.
  // stop_here: this rank wants to stop after this step (agreed through the step's allreduce).
  StepStats run(const std::int32_t* ids, const float* labels, std::size_t local,
                std::size_t global_n, int T, float* params, float* accumulators,
                bool stop_here = false);

  // Test hook: the next step's local gradient gets a NaN before the allreduce.
  void poison_next_gradient() { poison_ = true; }

  // Brings the accumulators up to date (the optimizer decays untouched embedding rows lazily):
  // call before anything reads them, e.g. a checkpoint.
  void flush_optimizer(float* accumulators) { optimizer_.flush(accumulators); }

  // Seconds spent so far in this rank's forward/backward, in the gradient allreduce (including
  // waiting for slower ranks) and in the optimizer: what the benchmarks report.
  struct Times {
    double compute = 0, allreduce = 0, optimizer = 0;
  };
  const Times& times() const { return times_; }

 private:
  SentimentModel& model_;
  const dist::Session& session_;
  std::vector<float> grads_;
  std::vector<float> logits_;
  // Sparse exchange of the embedding gradient (more than one rank only).
  std::size_t embedding_offset_ = 0;
  int num_words_ = 0, embedding_dim_ = 0;
  std::vector<float> row_mask_;        // [V] rows touched by any rank (after the allreduce)
  std::vector<std::int32_t> touched_;  // the rows of row_mask_, ascending
  LazyRmsprop optimizer_;
  bool poison_ = false;
  bool gradient_finite() const;
  void clear_gradient();
  std::vector<float> packed_;  // touched rows, then every non-embedding slot
  void allreduce_gradient(const std::int32_t* ids, std::size_t local, int T);
  Times times_;
};

}  // namespace rnnsent
