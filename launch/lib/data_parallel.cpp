// The data-parallel step; see data_parallel.hpp.
#include "launch/lib/data_parallel.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "core/grad_clip.hpp"
#include "launch/lib/shuffle.hpp"

namespace rnnsent {

std::pair<std::size_t, std::size_t> rank_share(std::size_t n, int rank, int ranks) {
  const std::size_t base = n / std::size_t(ranks), extra = n % std::size_t(ranks);
  const std::size_t r = std::size_t(rank);
  const std::size_t begin = r * base + std::min(r, extra);
  return {begin, begin + base + (r < extra ? 1 : 0)};
}

Dropout step_dropout(float rate, std::uint64_t seed, std::int64_t global_step, std::size_t global_n,
                     int rank, int ranks, float word_rate, float projection_rate,
                     float embedding_weight_rate) {
  return {rate,
          seeded_key(seed, std::uint64_t(global_step)),
          rank_share(global_n, rank, ranks).first,
          word_rate,
          projection_rate,
          embedding_weight_rate};
}

DataParallelStep::DataParallelStep(SentimentModel& model, const dist::Session& session,
                                   const StepOptions& options)
    : model_(model),
      session_(session),
      options_(options),
      grads_(model.layout().total(), 0.0f),
      embedding_offset_(model.layout().slot("embedding/embeddings").offset),
      num_words_(model.shape().num_words),
      embedding_dim_(model.shape().embedding_dim),
      optimizer_(options.optimizer, embedding_offset_, std::size_t(num_words_),
                 std::size_t(embedding_dim_), model.layout().total()) {}

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

// Only the touched rows and the other slots can be non-zero after a step's allreduce. Rows are
// summed in parallel, then everything is added in one fixed order: the same bits on every rank
// and for every thread count.
double DataParallelStep::gradient_norm() {
  const std::size_t E = std::size_t(embedding_dim_);
  const std::size_t table_end = embedding_offset_ + std::size_t(num_words_) * E;
  const float* table = grads_.data() + embedding_offset_;
  row_sums_.resize(touched_.size());
  const long long rows = static_cast<long long>(touched_.size());
#pragma omp parallel for schedule(static)
  for (long long k = 0; k < rows; ++k)
    row_sums_[std::size_t(k)] =
        sum_of_squares(table + std::size_t(touched_[std::size_t(k)]) * E, E);
  double sum = sum_of_squares(grads_.data(), embedding_offset_);
  for (double r : row_sums_) sum += r;
  sum += sum_of_squares(grads_.data() + table_end, grads_.size() - table_end);
  return std::sqrt(sum);
}

bool DataParallelStep::updated_finite(const float* params) const {
  auto finite = [](const float* v, std::size_t n) {
    bool ok = true;
    for (std::size_t i = 0; i < n; ++i) ok &= std::isfinite(v[i]);
    return ok;
  };
  if (options_.optimizer.kind != OptimizerKind::rmsprop) return finite(params, grads_.size());
  const std::size_t E = std::size_t(embedding_dim_);
  const std::size_t table_end = embedding_offset_ + std::size_t(num_words_) * E;
  bool ok =
      finite(params, embedding_offset_) && finite(params + table_end, grads_.size() - table_end);
  const long long rows = static_cast<long long>(touched_.size());
#pragma omp parallel for schedule(static) reduction(&& : ok)
  for (long long k = 0; k < rows; ++k)
    ok = ok && finite(params + embedding_offset_ + std::size_t(touched_[std::size_t(k)]) * E, E);
  return ok;
}

void DataParallelStep::scale_gradient(float factor) {
  const std::size_t E = std::size_t(embedding_dim_);
  const std::size_t table_end = embedding_offset_ + std::size_t(num_words_) * E;
  scale_values(grads_.data(), embedding_offset_, factor);
  for (std::int32_t r : touched_)
    scale_values(grads_.data() + embedding_offset_ + std::size_t(r) * E, E, factor);
  scale_values(grads_.data() + table_end, grads_.size() - table_end, factor);
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
                                std::size_t global_n, int T, std::int64_t global_step,
                                float* params, OptimizerState& state, bool stop_here) {
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  // grads_ is all zeros here: the optimizer clears what it consumed.
  if (logits_.size() < local) logits_.resize(local);
  double stats[3] = {0, 0, stop_here ? 1.0 : 0.0};
  if (local > 0) {
    const Dropout dropout = step_dropout(
        options_.dropout, options_.seed, global_step, global_n, session_.rank(), session_.size(),
        options_.word_dropout, options_.projection_dropout, options_.embedding_weight_dropout);
    stats[0] = model_.forward_backward(params, ids, labels, int(local), T, 1.0f / float(global_n),
                                       grads_.data(), logits_.data(), dropout);
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
  StepStats out;
  out.loss_sum = stats[0];
  out.correct = stats[1];
  out.stop = stats[2] > 0;
  out.grad_norm = gradient_norm();
  out.finite = std::isfinite(stats[0]) && std::isfinite(out.grad_norm);
  out.learning_rate = float(rate_ ? *rate_ : options_.learning_rate.at(state.updates + 1));
  if (out.finite) {
    const double scale = clip_scale(out.grad_norm, options_.clipnorm);
    if (scale != 1.0) scale_gradient(float(scale));
    optimizer_.step(out.learning_rate, touched_, grads_.data(), params, state);
    out.params_finite = updated_finite(params);
  } else {
    clear_gradient();
  }
  const auto t3 = Clock::now();
  times_.compute += std::chrono::duration<double>(t1 - t0).count();
  times_.allreduce += std::chrono::duration<double>(t2 - t1).count();
  times_.optimizer += std::chrono::duration<double>(t3 - t2).count();
  return out;
}

}  // namespace rnnsent
