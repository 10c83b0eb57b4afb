// The data-parallel step's exchange through a shared-memory window (shared_memory_exchange);
// see data_parallel.hpp. The ranks of one host each own the embedding rows the sharded update
// gives them (row r on rank r % P) and sum those rows straight from every rank's gradient in
// the window, in rank order: for two ranks the same two terms as MPI's reduce-scatter, so the
// same bits. Three fences a step; what each phase reads was written before the fence it
// follows, and nothing is overwritten until every rank has passed the fence after its last
// reader:
//   compute -> [own gradient, touched mask, loss statistics]   fence 1
//   sum the owned rows (into this rank's own segment: only their owner reads them) and their
//   squares, the slots outside the table and the statistics (into private buffers)  fence 2
//   the slots' sums into this rank's gradient, the other touched rows cleared, the norm, the
//   update of the owned rows, their new values published   fence 3
//   every other owner's new rows copied in.
// No byte goes through an MPI transport (times().sent_bytes stays 0); the fences are barriers.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "core/grad_clip.hpp"
#include "core/phrase_rows.hpp"
#include "core/rmsprop.hpp"  // RNNSENT_WIDE_SIMD
#include "launch/lib/data_parallel.hpp"

namespace rnnsent {
namespace {

std::size_t cache_lines(std::size_t bytes) { return (bytes + 63) / 64 * 64; }

// out[i] = from[0][at + i] + from[1][at + i] + ..., added in rank order. out may be one of the
// sources (this rank's own segment): at P = 2 that case is an in-place add, which compilers
// vectorise without being told the pointers differ.
RNNSENT_WIDE_SIMD void sum_over_ranks(const float* const* from, int P, std::size_t at,
                                      std::size_t n, float* out) {
  if (P == 2) {
    const float* a = from[0] + at;
    const float* b = from[1] + at;
    if (out == a) {
      for (std::size_t i = 0; i < n; ++i) out[i] += b[i];
    } else if (out == b) {
      for (std::size_t i = 0; i < n; ++i) out[i] = a[i] + out[i];
    } else {
      for (std::size_t i = 0; i < n; ++i) out[i] = a[i] + b[i];
    }
    return;
  }
  for (std::size_t i = 0; i < n; ++i) {
    float sum = from[0][at + i];
    for (int q = 1; q < P; ++q) sum += from[q][at + i];
    out[i] = sum;
  }
}

}  // namespace

void DataParallelStep::open_window() {
  const std::size_t V = std::size_t(table_rows_), E = std::size_t(embedding_dim_);
  const std::size_t owned = V / std::size_t(session_.size()) + 1;  // the most rows a rank owns
  layout_.mask = cache_lines(grads_.size() * sizeof(float));
  layout_.stats = cache_lines(layout_.mask + V);
  layout_.sums = cache_lines(layout_.stats + 4 * sizeof(double));  // + the update's finite flag
  layout_.rows = cache_lines(layout_.sums + owned * sizeof(double));
  layout_.bytes = layout_.rows + owned * E * sizeof(float);
  window_ = dist::NodeWindow::open(session_, layout_.bytes, &no_window_);
  if (!window_) return;  // ranks on several hosts: the MPI exchange
  sharded_ = true;
  // Every segment's gradient and mask, fixed for the run.
  for (int q = 0; q < session_.size(); ++q) {
    segment_grads_.push_back(shared_grad(q));
    segment_masks_.push_back(
        reinterpret_cast<const std::uint8_t*>(window_->segment(q) + layout_.mask));
  }
  grad_ = shared_grad(session_.rank());
  std::fill(grad_, grad_ + grad_size_, 0.0f);
  std::vector<float>().swap(grads_);
  window_->fence("opening the shared-memory exchange");  // every segment zeroed before use
}

float* DataParallelStep::shared_grad(int rank) const {
  return reinterpret_cast<float*>(window_->segment(rank));
}

void DataParallelStep::shared_exchange(const std::int32_t* ids, std::size_t local, int T,
                                       double* stats) {
  const int P = session_.size(), me = session_.rank();
  const std::size_t V = std::size_t(table_rows_), E = std::size_t(embedding_dim_);
  char* mine = window_->segment(me);
  auto* mask = reinterpret_cast<std::uint8_t*>(mine + layout_.mask);
  std::fill(mask, mask + V, std::uint8_t(0));
  phrases_.mark(ids, local, T, mask);
  std::copy(stats, stats + 3, reinterpret_cast<double*>(mine + layout_.stats));
  window_->fence("the shared-memory exchange");

  // The union of the touched rows, ascending, and who owns which: the same on every rank.
  touched_.clear();
  for (std::size_t r = 0; r < V; ++r) {
    std::uint8_t any = 0;
    for (int q = 0; q < P; ++q) any |= segment_masks_[std::size_t(q)][r];
    if (any) touched_.push_back(std::int32_t(r));
  }
  shards_.assign(touched_, me, P);

  // The owned rows summed in rank order, in place in this rank's segment, and their squares.
  const float* const* grads = segment_grads_.data();
  const std::vector<std::int32_t>& own = shards_.own();
  auto* own_sums = reinterpret_cast<double*>(mine + layout_.sums);
  const long long rows = static_cast<long long>(own.size());
#pragma omp parallel for schedule(static)
  for (long long j = 0; j < rows; ++j) {
    const std::size_t at = embedding_offset_ + std::size_t(own[std::size_t(j)]) * E;
    sum_over_ranks(grads, P, at, E, grad_ + at);
    own_sums[j] = sum_of_squares(grad_ + at, E);
  }
  // The slots outside the table and the statistics, every rank summing all of them.
  const std::size_t rest_begin = embedding_offset_ + V * E;
  dense_.resize(embedding_offset_ + (grad_size_ - rest_begin));
  sum_over_ranks(grads, P, 0, embedding_offset_, dense_.data());
  sum_over_ranks(grads, P, rest_begin, grad_size_ - rest_begin, dense_.data() + embedding_offset_);
  double totals[3];
  for (int k = 0; k < 3; ++k) {
    totals[k] = reinterpret_cast<const double*>(window_->segment(0) + layout_.stats)[k];
    for (int q = 1; q < P; ++q)
      totals[k] += reinterpret_cast<const double*>(window_->segment(q) + layout_.stats)[k];
  }
  window_->fence("the shared-memory exchange");

  // No rank reads this rank's gradient again this step.
  std::copy(totals, totals + 3, stats);
  std::copy(dense_.begin(), dense_.begin() + std::ptrdiff_t(embedding_offset_), grad_);
  std::copy(dense_.begin() + std::ptrdiff_t(embedding_offset_), dense_.end(), grad_ + rest_begin);
  for (std::int32_t r : touched_) {
    if (r % P == me) continue;
    float* row = grad_ + embedding_offset_ + std::size_t(r) * E;
    std::fill(row, row + E, 0.0f);
  }
  // Every owner's sums of squares, grouped by owner, put in touched order for the norm.
  grouped_sums_.resize(touched_.size());
  std::size_t g = 0;
  for (int q = 0; q < P; ++q) {
    const auto* sums = reinterpret_cast<const double*>(window_->segment(q) + layout_.sums);
    const std::size_t n = shards_.group(q).second;
    std::copy(sums, sums + n, grouped_sums_.data() + g);
    g += n;
  }
  row_sums_.resize(touched_.size());
  shards_.to_touched_order(grouped_sums_.data(), row_sums_.data());
}

bool DataParallelStep::shared_gather_rows(float* params) {
  const int P = session_.size(), me = session_.rank();
  const std::size_t E = std::size_t(embedding_dim_);
  float* table = params + embedding_offset_;
  auto publish = [&](int q) {
    return reinterpret_cast<float*>(window_->segment(q) + layout_.rows);
  };
  const std::vector<std::int32_t>& own = shards_.own();
  float* out = publish(me);
  for (std::size_t j = 0; j < own.size(); ++j) {
    const float* row = table + std::size_t(own[j]) * E;
    std::copy(row, row + E, out + j * E);
  }
  // Whether this rank's update left its rows and the slots outside the table finite (every
  // rank updates those alike): published with the rows, so no rank checks all of them.
  const std::size_t table_end = embedding_offset_ + std::size_t(table_rows_) * E;
  bool finite = all_finite(params, embedding_offset_) &&
                all_finite(params + table_end, grad_size_ - table_end);
  for (std::size_t j = 0; finite && j < own.size(); ++j) finite = all_finite(out + j * E, E);
  auto flag = [&](int q) {
    return reinterpret_cast<double*>(window_->segment(q) + layout_.stats) + 3;
  };
  *flag(me) = finite ? 1.0 : 0.0;
  window_->fence("the shared-memory exchange of the updated rows");
  for (int q = 0; q < P; ++q) {
    if (q == me) continue;
    // Not a structured binding: clang cannot capture one into the OpenMP region below.
    const std::pair<const std::int32_t*, std::size_t> group = shards_.group(q);
    const std::int32_t* rows = group.first;
    const std::size_t n = group.second;
    const float* in = publish(q);
    const long long count = static_cast<long long>(n);
#pragma omp parallel for schedule(static)
    for (long long j = 0; j < count; ++j)
      std::copy(in + std::size_t(j) * E, in + std::size_t(j + 1) * E,
                table + std::size_t(rows[j]) * E);
    finite = finite && *flag(q) != 0;
  }
  return finite;
}

}  // namespace rnnsent
