// The data-parallel step; see data_parallel.hpp.
#include "launch/lib/data_parallel.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "core/flush_denormals.hpp"
#include "core/grad_clip.hpp"
#include "core/phrase_rows.hpp"
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
      phrases_(model.shape()),
      embedding_dim_(model.shape().embedding_dim),
      table_rows_(table_rows(model.shape())),
      optimizer_(options.optimizer, embedding_offset_, std::size_t(table_rows_),
                 std::size_t(embedding_dim_), model.layout().total()),
      sharded_(options.shard_optimizer && session.size() > 1 &&
               options.optimizer.kind == OptimizerKind::rmsprop) {
  grad_ = grads_.data();
  grad_size_ = grads_.size();
  // The window's exchange is the sharded update's, over shared memory: collective, so every
  // rank decides alike.
  if (options.shared_memory_exchange && session.size() > 1 &&
      options.optimizer.kind == OptimizerKind::rmsprop)
    open_window();
  sparse_ = !window_ && !sharded_ && options.sparse_exchange && session.size() > 1 &&
            session.size() <= kSparseMaxRanks;
  flush_denormals_on_all_threads();  // core/flush_denormals.hpp: every rank computes alike
}

std::string DataParallelStep::exchange_name() const {
  if (window_) return "shared memory (one host)";
  const std::string name = sharded_  ? "sharded over MPI"
                           : sparse_ ? "sparse allgather over MPI"
                                     : "MPI allreduce";
  return no_window_.empty() ? name : name + " (no shared-memory window: " + no_window_ + ")";
}

void DataParallelStep::marked_rows(const std::vector<float>& mask,
                                   std::vector<std::int32_t>& rows) {
  rows.clear();
  for (std::size_t r = 0; r < mask.size(); ++r)
    if (mask[r] > 0) rows.push_back(std::int32_t(r));
}

void DataParallelStep::find_touched(const std::int32_t* ids, std::size_t local, int T) {
  const std::size_t V = std::size_t(table_rows_);
  row_mask_.assign(V, 0.0f);
  phrases_.mark(ids, local, T, row_mask_.data());
  session_.allreduce_sum(row_mask_.data(), V);  // every rank now knows the union
  count_allreduce(V * sizeof(float));
  marked_rows(row_mask_, touched_);
}

void DataParallelStep::allreduce_gradient() {
  const std::size_t V = std::size_t(table_rows_), E = std::size_t(embedding_dim_);
  const float* table = grad_ + embedding_offset_;
  const std::size_t rest_begin = embedding_offset_ + V * E;
  packed_.resize(touched_.size() * E + embedding_offset_ + (grad_size_ - rest_begin));
  float* out = packed_.data();
  for (std::size_t r = 0; r < V; ++r)
    if (row_mask_[r] > 0) out = std::copy(table + r * E, table + (r + 1) * E, out);
  out = std::copy(grad_, grad_ + std::ptrdiff_t(embedding_offset_), out);
  std::copy(grad_ + std::ptrdiff_t(rest_begin), grad_ + grad_size_, out);
  session_.allreduce_sum(packed_.data(), packed_.size());
  count_allreduce(packed_.size() * sizeof(float));
  const float* in = packed_.data();
  float* dst = grad_ + embedding_offset_;
  for (std::size_t r = 0; r < V; ++r) {
    if (row_mask_[r] > 0) {
      std::copy(in, in + E, dst + r * E);
      in += E;
    }
  }
  std::copy(in, in + embedding_offset_, grad_);
  in += embedding_offset_;
  std::copy(in, in + (grad_size_ - rest_begin), grad_ + std::ptrdiff_t(rest_begin));
}

// Every rank sends its share of each touched row and gets back the sums of the rows it owns;
// the other touched rows of its gradient are cleared (their owner updates them).
void DataParallelStep::reduce_scatter_gradient() {
  const std::size_t E = std::size_t(embedding_dim_);
  float* table = grad_ + embedding_offset_;
  shards_.assign(touched_, session_.rank(), session_.size());
  const std::vector<int> counts = shards_.counts(E);
  packed_.resize(touched_.size() * E);
  shards_.pack(table, E, packed_.data());
  const long long rows = static_cast<long long>(touched_.size());
#pragma omp parallel for schedule(static)
  for (long long k = 0; k < rows; ++k) {
    float* row = table + std::size_t(touched_[std::size_t(k)]) * E;
    std::fill(row, row + E, 0.0f);
  }
  mine_.resize(std::size_t(counts[std::size_t(session_.rank())]));
  session_.reduce_scatter_sum(packed_.data(), mine_.data(), counts);
  count_half(packed_.size() * sizeof(float));
  const std::vector<std::int32_t>& own = shards_.own();
  for (std::size_t j = 0; j < own.size(); ++j)
    std::copy(mine_.data() + j * E, mine_.data() + (j + 1) * E, table + std::size_t(own[j]) * E);
}

// The slots outside the table (a few thousand floats) are summed on every rank: each rank
// updates them in full, as the norm needs them whole.
void DataParallelStep::allreduce_dense() {
  const std::size_t rest_begin = embedding_offset_ + std::size_t(table_rows_) * embedding_dim_;
  const std::size_t rest = grad_size_ - rest_begin;
  dense_.resize(embedding_offset_ + rest);
  std::copy(grad_, grad_ + std::ptrdiff_t(embedding_offset_), dense_.begin());
  std::copy(grad_ + std::ptrdiff_t(rest_begin), grad_ + grad_size_,
            dense_.begin() + std::ptrdiff_t(embedding_offset_));
  session_.allreduce_sum(dense_.data(), dense_.size());
  count_allreduce(dense_.size() * sizeof(float));
  std::copy(dense_.begin(), dense_.begin() + std::ptrdiff_t(embedding_offset_), grad_);
  std::copy(dense_.begin() + std::ptrdiff_t(embedding_offset_), dense_.end(),
            grad_ + std::ptrdiff_t(rest_begin));
}

// After the update each owner sends its rows' new values to every rank.
void DataParallelStep::gather_updated_rows(float* params) {
  const std::size_t E = std::size_t(embedding_dim_);
  float* table = params + embedding_offset_;
  const std::vector<std::int32_t>& own = shards_.own();
  mine_.resize(own.size() * E);
  for (std::size_t j = 0; j < own.size(); ++j) {
    const float* row = table + std::size_t(own[j]) * E;
    std::copy(row, row + E, mine_.data() + j * E);
  }
  packed_.resize(touched_.size() * E);
  session_.allgather(mine_.data(), packed_.data(), shards_.counts(E));
  count_half(packed_.size() * sizeof(float));
  shards_.unpack(packed_.data(), E, table);
}

// A checkpoint needs every row's accumulator, and each is current only on its owner (row
// r on rank r % P): gathered from the owners, rows grouped by owner as in a step.
void DataParallelStep::gather_accumulators(OptimizerState& state) {
  const std::size_t V = std::size_t(table_rows_), E = std::size_t(embedding_dim_);
  std::vector<std::int32_t> every_row(V);
  for (std::size_t r = 0; r < V; ++r) every_row[r] = std::int32_t(r);
  ShardedRows all;
  all.assign(every_row, session_.rank(), session_.size());
  float* table = state.accumulators.data() + embedding_offset_;
  const std::vector<std::int32_t>& own = all.own();
  std::vector<float> mine(own.size() * E), gathered(V * E);
  for (std::size_t j = 0; j < own.size(); ++j)
    std::copy(table + std::size_t(own[j]) * E, table + std::size_t(own[j] + 1) * E,
              mine.data() + j * E);
  session_.allgather(mine.data(), gathered.data(), all.counts(E));
  all.unpack(gathered.data(), E, table);
}

void DataParallelStep::flush_optimizer(OptimizerState& state) {
  optimizer_.flush(state);
  if (sharded_) gather_accumulators(state);
}

// Each touched row's sum of squares, in touched_'s order. Sharded, a rank holds the sums of
// only its own rows: they are computed there and gathered, so every rank adds the same values
// in the same order as the replicated update.
void DataParallelStep::row_sums_of_squares() {
  const std::size_t E = std::size_t(embedding_dim_);
  const float* table = grad_ + embedding_offset_;
  row_sums_.resize(touched_.size());
  if (!sharded_) {
    const long long rows = static_cast<long long>(touched_.size());
#pragma omp parallel for schedule(static)
    for (long long k = 0; k < rows; ++k)
      row_sums_[std::size_t(k)] =
          sum_of_squares(table + std::size_t(touched_[std::size_t(k)]) * E, E);
    return;
  }
  const std::vector<std::int32_t>& own = shards_.own();
  own_sums_.resize(own.size());
  const long long rows = static_cast<long long>(own.size());
#pragma omp parallel for schedule(static)
  for (long long j = 0; j < rows; ++j)
    own_sums_[std::size_t(j)] = sum_of_squares(table + std::size_t(own[std::size_t(j)]) * E, E);
  grouped_sums_.resize(touched_.size());
  session_.allgather(own_sums_.data(), grouped_sums_.data(), shards_.counts(1));
  count_half(grouped_sums_.size() * sizeof(double));
  shards_.to_touched_order(grouped_sums_.data(), row_sums_.data());
}

// Only the touched rows and the other slots can be non-zero after a step's allreduce. Rows are
// summed in parallel, then everything is added in one fixed order: the same bits on every rank
// and for every thread count.
double DataParallelStep::gradient_norm() {
  const std::size_t E = std::size_t(embedding_dim_);
  const std::size_t table_end = embedding_offset_ + std::size_t(table_rows_) * E;
  if (!window_) row_sums_of_squares();  // through the window, shared_exchange gathered them
  double sum = sum_of_squares(grad_, embedding_offset_);
  for (double r : row_sums_) sum += r;
  sum += sum_of_squares(grad_ + table_end, grad_size_ - table_end);
  return std::sqrt(sum);
}

bool DataParallelStep::updated_finite(const float* params) const {
  if (options_.optimizer.kind != OptimizerKind::rmsprop) return all_finite(params, grad_size_);
  const std::size_t E = std::size_t(embedding_dim_);
  const std::size_t table_end = embedding_offset_ + std::size_t(table_rows_) * E;
  bool ok = all_finite(params, embedding_offset_) &&
            all_finite(params + table_end, grad_size_ - table_end);
  const long long rows = static_cast<long long>(touched_.size());
#pragma omp parallel for schedule(static) reduction(&& : ok)
  for (long long k = 0; k < rows; ++k)
    ok =
        ok && all_finite(params + embedding_offset_ + std::size_t(touched_[std::size_t(k)]) * E, E);
  return ok;
}

void DataParallelStep::scale_gradient(float factor) {
  const std::size_t E = std::size_t(embedding_dim_);
  const std::size_t table_end = embedding_offset_ + std::size_t(table_rows_) * E;
  scale_values(grad_, embedding_offset_, factor);
  for (std::int32_t r : sharded_ ? shards_.own() : touched_)
    scale_values(grad_ + embedding_offset_ + std::size_t(r) * E, E, factor);
  scale_values(grad_ + table_end, grad_size_ - table_end, factor);
}

void DataParallelStep::clear_gradient() {
  const std::size_t E = std::size_t(embedding_dim_);
  const std::size_t table_end = embedding_offset_ + std::size_t(table_rows_) * E;
  std::fill(grad_, grad_ + std::ptrdiff_t(embedding_offset_), 0.0f);
  std::fill(grad_ + std::ptrdiff_t(table_end), grad_ + grad_size_, 0.0f);
  for (std::int32_t r : touched_) {
    float* row = grad_ + embedding_offset_ + std::size_t(r) * E;
    std::fill(row, row + E, 0.0f);
  }
}

void DataParallelStep::warm_up(const float* params, std::size_t local, int T) {
  if (local == 0 || T <= 0) return;
  flush_denormals();
  // Ids spread over the vocabulary, so the token table reaches a real batch's size; labels
  // half and half. Global step 0 is never a real step: its dropout stream is used by no step.
  const std::size_t n = local * std::size_t(T);
  const std::size_t words = std::size_t(std::max(1, num_words_ - 3));
  std::vector<std::int32_t> ids(n);
  for (std::size_t i = 0; i < n; ++i) ids[i] = std::int32_t(3 + (i * 7919) % words) % num_words_;
  std::vector<float> labels(local);
  for (std::size_t k = 0; k < local; ++k) labels[k] = float(k % 2);
  if (logits_.size() < local) logits_.resize(local);
  const Dropout dropout =
      step_dropout(options_.dropout, options_.seed, 0, local, 0, 1, options_.word_dropout,
                   options_.projection_dropout, options_.embedding_weight_dropout);
  model_.forward_backward(params, ids.data(), labels.data(), int(local), T, 1.0f, grad_,
                          logits_.data(), dropout);
  std::fill(grad_, grad_ + grad_size_, 0.0f);
}

StepStats DataParallelStep::run(const std::int32_t* ids, const float* labels, std::size_t local,
                                std::size_t global_n, int T, std::int64_t global_step,
                                float* params, OptimizerState& state, bool stop_here) {
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  flush_denormals();  // this thread's, should the caller's thread have changed
  // grads_ is all zeros here: the optimizer clears what it consumed.
  if (logits_.size() < local) logits_.resize(local);
  double stats[3] = {0, 0, stop_here ? 1.0 : 0.0};
  if (local > 0) {
    const Dropout dropout = step_dropout(
        options_.dropout, options_.seed, global_step, global_n, session_.rank(), session_.size(),
        options_.word_dropout, options_.projection_dropout, options_.embedding_weight_dropout);
    stats[0] = model_.forward_backward(params, ids, labels, int(local), T, 1.0f / float(global_n),
                                       grad_, logits_.data(), dropout);
    for (std::size_t k = 0; k < local; ++k)
      stats[1] += double((logits_[k] > 0) == (labels[k] > 0.5f));
  }
  if (poison_ && local > 0) {
    grad_[grad_size_ - 1] = std::numeric_limits<float>::quiet_NaN();
    poison_ = false;
  }
  const auto t1 = Clock::now();
  if (window_) {
    shared_exchange(ids, local, T, stats);
  } else if (sparse_) {
    allgather_own_rows(ids, local, T, stats);
  } else {
    find_touched(ids, local, T);
    if (sharded_) {
      reduce_scatter_gradient();
      allreduce_dense();
    } else if (session_.size() > 1) {
      allreduce_gradient();
    }
    session_.allreduce_sum(stats, 3);
  }
  const auto t2 = Clock::now();
  // After the allreduce every rank sees the same values, so every rank decides alike.
  StepStats out;
  out.loss_sum = stats[0];
  out.correct = stats[1];
  out.stop = stats[2] > 0;
  out.grad_norm = gradient_norm();
  out.finite = std::isfinite(stats[0]) && std::isfinite(out.grad_norm);
  out.learning_rate = float(rate_ ? *rate_ : options_.learning_rate.at(state.updates + 1));
  double gathered = 0;  // seconds in gather_updated_rows
  if (out.finite) {
    const double scale = clip_scale(out.grad_norm, options_.clipnorm);
    if (scale != 1.0) scale_gradient(float(scale));
    optimizer_.step(out.learning_rate, sharded_ ? shards_.own() : touched_, grad_, params, state);
    if (sharded_) {
      const auto gather_start = Clock::now();
      if (window_)
        out.params_finite = shared_gather_rows(params);
      else
        gather_updated_rows(params);
      gathered = std::chrono::duration<double>(Clock::now() - gather_start).count();
    }
    if (!window_) out.params_finite = updated_finite(params);
  } else {
    clear_gradient();
  }
  const auto t3 = Clock::now();
  times_.compute += std::chrono::duration<double>(t1 - t0).count();
  // The gather of the updated rows is exchange, not optimizer work.
  times_.allreduce += std::chrono::duration<double>(t2 - t1).count() + gathered;
  times_.optimizer += std::chrono::duration<double>(t3 - t2).count() - gathered;
  return out;
}

}  // namespace rnnsent
