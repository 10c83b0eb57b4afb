// The data-parallel step's exchange across hosts (sparse_exchange); see data_parallel.hpp.
// Each rank packs the embedding rows its own reviews touched (their ids, then their values),
// the slots outside the table and its loss statistics, and one allgather hands every rank every
// rank's pack. Every rank then sums the packs in rank order, so all ranks hold the same bits.
// Why not the allreduce of the union: a rank of a 128-review batch split two ways touches about
// 64% of the union's rows, so sending its own rows moves 0.64x the bytes of the union's
// allreduce (0.80x at four ranks, about 1.0x at eight; docs/SCALING.md), and two collectives
// replace three (the row mask's allreduce, the packed rows', the statistics'). At P = 2 the
// sums are those of the allreduce: a row one rank touched is copied, one both touched is a + b.
#include <climits>
#include <cstring>
#include <stdexcept>
#include <string>

#include "launch/lib/data_parallel.hpp"

namespace rnnsent {
namespace {

// A pack is floats; the row count, the row ids and the statistics are copied into it bit for
// bit (memcpy), so the floats are read as floats and nothing else is type-punned.
constexpr std::size_t kStatsWords = 3 * sizeof(double) / sizeof(float);

template <class T>
float* put(float* out, const T* values, std::size_t n) {
  static_assert(sizeof(T) % sizeof(float) == 0);
  std::memcpy(out, values, n * sizeof(T));
  return out + n * sizeof(T) / sizeof(float);
}

// dst = src where first, else dst += src: the first rank's values are copied, not added to
// zero, so a -0 stays -0 exactly as in MPI's sum.
template <class T>
void fold(T* dst, const T* src, std::size_t n, bool first) {
  if (first) {
    std::memcpy(dst, src, n * sizeof(T));
    return;
  }
  for (std::size_t i = 0; i < n; ++i) dst[i] += src[i];
}

}  // namespace

std::size_t DataParallelStep::sparse_pack_words(std::size_t rows) const {
  const std::size_t E = std::size_t(embedding_dim_);
  const std::size_t slots = grad_size_ - std::size_t(table_rows_) * E;  // around the table
  return 1 + rows * (1 + E) + slots + kStatsWords;
}

void DataParallelStep::allgather_own_rows(const std::int32_t* ids, std::size_t local, int T,
                                          double* stats) {
  const std::size_t V = std::size_t(table_rows_), E = std::size_t(embedding_dim_);
  float* table = grad_ + embedding_offset_;
  const std::size_t rest_begin = embedding_offset_ + V * E, rest = grad_size_ - rest_begin;
  row_mask_.assign(V, 0.0f);
  phrases_.mark(ids, local, T, row_mask_.data());
  marked_rows(row_mask_, own_rows_);

  // The pack: [row count][row ids][rows][slots before the table][slots after it][statistics].
  const std::size_t words = sparse_pack_words(own_rows_.size());
  if (words > std::size_t(INT_MAX) / sizeof(float))
    throw std::runtime_error("sparse exchange: one rank's rows exceed 2^31 bytes");
  pack_.resize(words);
  float* out = pack_.data();
  const std::int32_t count = std::int32_t(own_rows_.size());
  out = put(out, &count, 1);
  out = put(out, own_rows_.data(), own_rows_.size());
  for (std::int32_t r : own_rows_) out = put(out, table + std::size_t(r) * E, E);
  out = put(out, grad_, embedding_offset_);
  out = put(out, grad_ + rest_begin, rest);
  put(out, stats, 3);

  std::vector<int> counts = session_.allgather_int(int(words * sizeof(float)));
  std::size_t total = 0;
  for (int c : counts) total += std::size_t(c) / sizeof(float);
  packs_.resize(total);
  session_.allgather_bytes(pack_.data(), packs_.data(), counts);
  count_half(total * sizeof(float));

  // Everything this rank held is in its pack; the sums are rebuilt from every pack in rank
  // order, so every rank adds the same values in the same order.
  // The mask is this rank's rows only: clearing them (not all V + B entries) empties it. It
  // then marks the union, and which rows already hold a first value.
  for (std::int32_t r : own_rows_) {
    std::fill(table + std::size_t(r) * E, table + std::size_t(r + 1) * E, 0.0f);
    row_mask_[std::size_t(r)] = 0;
  }
  const float* in = packs_.data();
  for (int q = 0; q < session_.size(); ++q) {
    const std::size_t size = std::size_t(counts[std::size_t(q)]) / sizeof(float);
    std::int32_t n = 0;
    std::memcpy(&n, in, sizeof n);
    // Ranks of one job pack alike; a pack that disagrees would be summed into the wrong slots.
    if (n < 0 || sparse_pack_words(std::size_t(n)) != size)
      throw std::runtime_error("sparse exchange: rank " + std::to_string(q) + " sent " +
                               std::to_string(size * sizeof(float)) + " bytes for " +
                               std::to_string(n) + " rows; the ranks disagree on the model");
    const float* row_ids = in + 1;
    const float* values = row_ids + n;
    for (std::int32_t k = 0; k < n; ++k) {
      std::int32_t r = 0;
      std::memcpy(&r, row_ids + k, sizeof r);
      if (r < 0 || std::size_t(r) >= V)
        throw std::runtime_error("sparse exchange: rank " + std::to_string(q) + " sent row " +
                                 std::to_string(r) + " of a table of " + std::to_string(V));
      fold(table + std::size_t(r) * E, values + std::size_t(k) * E, E,
           row_mask_[std::size_t(r)] == 0);
      row_mask_[std::size_t(r)] = 1;
    }
    const float* slots = values + std::size_t(n) * E;
    fold(grad_, slots, embedding_offset_, q == 0);
    fold(grad_ + rest_begin, slots + embedding_offset_, rest, q == 0);
    double theirs[3];
    std::memcpy(theirs, slots + embedding_offset_ + rest, sizeof theirs);
    fold(stats, theirs, 3, q == 0);
    in += size;
  }
  marked_rows(row_mask_, touched_);
}

}  // namespace rnnsent
