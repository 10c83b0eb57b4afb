// The data-parallel step; see data_parallel.hpp.
#include "launch/lib/data_parallel.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

namespace rnnsent {

std::pair<std::size_t, std::size_t> rank_share(std::size_t n, int rank, int ranks) {
  const std::size_t base = n / std::size_t(ranks), extra = n % std::size_t(ranks);
  const std::size_t r = std::size_t(rank);
  const std::size_t begin = r * base + std::min(r, extra);
  return {begin, begin + base + (r < extra ? 1 : 0)};
}

DataParallelStep::DataParallelStep(SentimentModel& model, const dist::Session& session,
                                   RmspropSettings rms)
    : model_(model),
      session_(session),
      grads_(model.layout().total(), 0.0f),
      embedding_offset_(model.layout().slot("embedding/embeddings").offset),
      num_words_(model.shape().num_words),
      embedding_dim_(model.shape().embedding_dim),
      optimizer_(rms, embedding_offset_, std::size_t(num_words_), std::size_t(embedding_dim_),
                 model.layout().total()) {}

void DataParallelStep::allreduce_gradient(const std::int32_t* ids, std::size_t local, int T) {
  const std::size_t V = std::size_t(num_words_), E = std::size_t(embedding_dim_);
  row_mask_.assign(V, 0.0f);
  for (std::size_t i = 0, n = local * std::size_t(T); i < n; ++i)
    row_mask_[std::size_t(ids[i])] = 1.0f;
  session_.allreduce_sum(row_mask_.data(), V);  // every rank now knows the union
  touched_.clear();
  for (std::size_t r = 0; r < V; ++r)
    if (row_mask_[r] > 0) touched_.push_back(std::int32_t(r));
  if (session_.size() == 1) return;
  const float* table = grads_.data() + embedding_offset_;
  const std::size_t rest_begin = embedding_offset_ + V * E;
  packed_.resize(touched_.size() * E + embedding_offset_ + (grads_.size() - rest_begin));
  float* out = packed_.data();
  for (std::size_t r = 0; r < V; ++r)
    if (row_mask_[r] > 0) out = std::copy(table + r * E, table + (r + 1) * E, out);
  out = std::copy(grads_.begin(), grads_.begin() + std::ptrdiff_t(embedding_offset_), out);
  std::copy(grads_.begin() + std::ptrdiff_t(rest_begin), grads_.end(), out);
  session_.allreduce_sum(packed_.data(), packed_.size());
  const float* in = packed_.data();
  float* dst = grads_.data() + embedding_offset_;
  for (std::size_t r = 0; r < V; ++r) {
    if (row_mask_[r] > 0) {
      std::copy(in, in + E, dst + r * E);
      in += E;
    }
  }
  std::copy(in, in + embedding_offset_, grads_.data());
  in += embedding_offset_;
  std::copy(in, in + (grads_.size() - rest_begin), grads_.begin() + std::ptrdiff_t(rest_begin));
}

// Only the touched rows and the other slots can be non-zero after a step's allreduce.
bool DataParallelStep::gradient_finite() const {
  const std::size_t E = std::size_t(embedding_dim_);
  const std::size_t table_end = embedding_offset_ + std::size_t(num_words_) * E;
  auto finite = [](const float* p, std::size_t n) {
    float acc = 0.0f;
    for (std::size_t i = 0; i < n; ++i) acc += p[i] * 0.0f;  // NaN or inf make it NaN
    return acc == 0.0f;
  };
  bool ok = finite(grads_.data(), embedding_offset_) &&
            finite(grads_.data() + table_end, grads_.size() - table_end);
  for (std::int32_t r : touched_)
    ok = ok && finite(grads_.data() + embedding_offset_ + std::size_t(r) * E, E);
  return ok;
}

void DataParallelStep::clear_gradient() {
  const std::size_t E = std::size_t(embedding_dim_);
  const std::size_t table_end = embedding_offset_ + std::size_t(num_words_) * E;
  std::fill(grads_.begin(), grads_.begin() + std::ptrdiff_t(embedding_offset_), 0.0f);
  std::fill(grads_.begin() + std::ptrdiff_t(table_end), grads_.end(), 0.0f);
  for (std::int32_t r : touched_) {
    float* row = grads_.data() + embedding_offset_ + std::size_t(r) * E;
    std::fill(row, row + E, 0.0f);
  }
}

StepStats DataParallelStep::run(const std::int32_t* ids, const float* labels, std::size_t local,
                                std::size_t global_n, int T, float* params, float* accumulators,
                                bool stop_here) {
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  // grads_ is all zeros here: the optimizer clears what it consumed.
  if (logits_.size() < local) logits_.resize(local);
  double stats[3] = {0, 0, stop_here ? 1.0 : 0.0};
  if (local > 0) {
    stats[0] = model_.forward_backward(params, ids, labels, int(local), T, 1.0f / float(global_n),
                                       grads_.data(), logits_.data());
    for (std::size_t k = 0; k < local; ++k)
      stats[1] += double((logits_[k] > 0) == (labels[k] > 0.5f));
  }
  if (poison_ && local > 0) {
    grads_[grads_.size() - 1] = std::numeric_limits<float>::quiet_NaN();
    poison_ = false;
  }
  const auto t1 = Clock::now();
  allreduce_gradient(ids, local, T);
  session_.allreduce_sum(stats, 3);
  const auto t2 = Clock::now();
  // After the allreduce every rank sees the same values, so every rank decides alike.
  const bool finite = std::isfinite(stats[0]) && gradient_finite();
  if (finite)
    optimizer_.step(touched_, grads_.data(), accumulators, params);
  else
    clear_gradient();
  const auto t3 = Clock::now();
  times_.compute += std::chrono::duration<double>(t1 - t0).count();
  times_.allreduce += std::chrono::duration<double>(t2 - t1).count();
  times_.optimizer += std::chrono::duration<double>(t3 - t2).count();
  return {stats[0], stats[1], stats[2] > 0, finite};
}

}  // namespace rnnsent
