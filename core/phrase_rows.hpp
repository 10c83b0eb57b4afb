// The rows a step reads beyond its word's (fastText's hashed features, inside a recurrent
// model), all in the B bucket rows after the V word rows:
//   bigram   (prev, cur): the step that reads `cur` right after `prev` (core/bigram.hpp);
//   negated  (cur): the step that reads `cur` within negation_scope tokens after a negator
//            ("not", "never", "didn't", ...: io/negators.hpp), the hashed form of Pang, Lee
//            and Vaithyanathan's NOT_ tagging (2002). "not as good" then reads NEG(good), a row
//            that "not very good" and "isn't good" train too, where the GRU alone has to learn
//            the negation from each phrase's few examples.
// Padding (id 0) reads neither, so the padding states do not depend on them and the
// padding-state shortcut for scoring stays exact; a negator is not itself negated.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/bigram.hpp"
#include "core/model_shape.hpp"

namespace rnnsent {

class PhraseRows {
 public:
  static constexpr int kPerStep = 2;  // at most a bigram row and a negated row

  explicit PhraseRows(const ModelShape& shape)
      : V_(shape.num_words), B_(shape.bigram_buckets), scope_(shape.negation_scope) {
    if (B_ > 0 && scope_ > 0) {
      negator_.assign(std::size_t(V_), 0);
      for (std::int32_t id : shape.negators)
        if (id > 0 && id < V_) negator_[std::size_t(id)] = 1;
    }
  }

  bool any() const { return B_ > 0; }

  // fn(t, row) for each extra row of a review's steps [T], t ascending, bigram first.
  template <typename Fn>
  void for_each(const std::int32_t* review, int T, Fn&& fn) const {
    if (B_ <= 0) return;
    int since = -1;  // steps since the last negator, -1 = none in reach
    for (int t = 0; t < T; ++t) {
      const std::int32_t cur = review[t];
      if (t > 0) {
        const std::int32_t b = bigram_row(review[t - 1], cur, V_, B_);
        if (b >= 0) fn(t, b);
      }
      if (negator_.empty() || cur == 0) continue;
      if (negator_[std::size_t(cur)]) {
        since = 0;
        continue;
      }
      if (since >= 0 && ++since <= scope_) fn(t, negated_row(cur));
      if (since > scope_) since = -1;
    }
  }

  // mark[row] = 1 for every table row the reviews ids [n, T] read: words and extra rows.
  template <typename M>
  void mark(const std::int32_t* ids, std::size_t n, int T, M* mark) const {
    for (std::size_t r = 0; r < n; ++r) {
      const std::int32_t* review = ids + r * std::size_t(T);
      for (int t = 0; t < T; ++t) mark[std::size_t(review[t])] = M(1);
      for_each(review, T, [mark](int, std::int32_t row) { mark[std::size_t(row)] = M(1); });
    }
  }

 private:
  // The bucket of NEG(cur): the key's high half is never a word id, so it is no bigram's key.
  std::int32_t negated_row(std::int32_t cur) const {
    return bucket_row((std::uint64_t(0xffffffffu) << 32) | std::uint32_t(cur), V_, B_);
  }

  int V_, B_, scope_;
  std::vector<std::uint8_t> negator_;  // [V] 1 for a negator's id; empty when scope is off
};

}  // namespace rnnsent
