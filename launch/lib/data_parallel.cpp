// The data-parallel step; see data_parallel.hpp.
#include "launch/lib/data_parallel.hpp"

#include <algorithm>
#include <chrono>

namespace rnnsent {

std::pair<std::size_t, std::size_t> rank_share(std::size_t n, int rank, int ranks) {
  const std::size_t base = n / std::size_t(ranks), extra = n % std::size_t(ranks);
  const std::size_t r = std::size_t(rank);
  const std::size_t begin = r * base + std::min(r, extra);
  return {begin, begin + base + (r < extra ? 1 : 0)};
}

DataParallelStep::DataParallelStep(SentimentModel& model, const dist::Session& session,
                                   RmspropSettings rms)
    : model_(model), session_(session), rms_(rms), grads_(model.layout().total()) {}

StepStats DataParallelStep::run(const std::int32_t* ids, const float* labels, std::size_t local,
                                std::size_t global_n, int T, float* params, float* accumulators) {
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  std::fill(grads_.begin(), grads_.end(), 0.0f);
  if (logits_.size() < local) logits_.resize(local);
  double stats[2] = {0, 0};
  if (local > 0) {
    stats[0] = model_.forward_backward(params, ids, labels, int(local), T,
                                       1.0f / float(global_n), grads_.data(), logits_.data());
    for (std::size_t k = 0; k < local; ++k)
      stats[1] += double((logits_[k] > 0) == (labels[k] > 0.5f));
  }
  const auto t1 = Clock::now();
  session_.allreduce_sum(grads_.data(), grads_.size());
  session_.allreduce_sum(stats, 2);
  const auto t2 = Clock::now();
  rmsprop_step(rms_, grads_.size(), grads_.data(), accumulators, params);
  const auto t3 = Clock::now();
  times_.compute += std::chrono::duration<double>(t1 - t0).count();
  times_.allreduce += std::chrono::duration<double>(t2 - t1).count();
  times_.optimizer += std::chrono::duration<double>(t3 - t2).count();
  return {stats[0], stats[1]};
}

}  // namespace rnnsent
