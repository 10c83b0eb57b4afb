// Training-time crops; see crop.hpp.
#include "launch/lib/crop.hpp"

#include <algorithm>

#include "io/vocabulary.hpp"
#include "launch/lib/shuffle.hpp"

namespace rnnsent {
namespace {

// The stream of (epoch, review): far from the shuffles' streams (epoch_stream) and the dropout
// steps' keys.
std::uint64_t crop_stream(int epoch, std::uint32_t review) {
  return (std::uint64_t(0xC209) << 48) ^ (std::uint64_t(std::uint32_t(epoch)) << 32) ^ review;
}

}  // namespace

void crop_reviews(EncodedSplit& reviews, const std::vector<std::uint32_t>& review_index,
                  std::uint64_t seed, int epoch, const CropOptions& o) {
  if (o.fraction <= 0) return;
  EncodedSplit out;
  out.labels = reviews.labels;
  out.ratings = reviews.ratings;
  out.review_ids = reviews.review_ids;
  out.offsets.push_back(0);
  out.tokens.reserve(reviews.tokens.size());
  for (std::size_t i = 0; i < reviews.size(); ++i) {
    const std::int32_t* ids = reviews.review(i);
    const std::size_t words = reviews.length(i) - 1;  // after the start id
    const std::uint64_t key = seeded_key(seed, crop_stream(epoch, review_index[i]));
    // 24 bits of the key choose whether, the rest the length and the start.
    const bool crop = double(key & 0xFFFFFF) < o.fraction * double(1 << 24);
    std::size_t first = 0, count = words;
    if (crop && words > 0) {
      const std::size_t span = std::size_t(o.max_tokens - o.min_tokens + 1);
      count = std::min(words, std::size_t(o.min_tokens) + std::size_t((key >> 24) % span));
      if (o.at_ends)
        first = (key >> 63) != 0 ? words - count : 0;  // bit 63: the last tokens or the first
      else
        first = std::size_t((key >> 40) % (words - count + 1));
    }
    out.tokens.push_back(kStartId);
    out.tokens.insert(out.tokens.end(), ids + 1 + first, ids + 1 + first + count);
    out.offsets.push_back(std::int64_t(out.tokens.size()));
  }
  reviews = std::move(out);
}

}  // namespace rnnsent
