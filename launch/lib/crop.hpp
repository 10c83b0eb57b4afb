// Training-time crops for short-text robustness: IMDB reviews are rarely under 20 words, so a
// model trained on them alone has never seen "Not good." Each epoch, a fraction of the training
// reviews is replaced by a random contiguous run of its tokens (Johnson and Zhang 2016 train on
// document segments). Which reviews, and where, depend only on (seed, epoch, review index):
// every rank, rank count and resume crops alike.
#pragma once

#include <cstdint>
#include <vector>

#include "io/dataset_file.hpp"

namespace rnnsent {

struct CropOptions {
  double fraction = 0;  // of the reviews each epoch; 0 = off
  int min_tokens = 5, max_tokens = 50;
  // Where a crop starts: anywhere in the review, or at one of its ends (its first or its last
  // tokens, half the crops each): openings and closing lines ("Avoid it.", "10/10, see it")
  // carry the verdict more often than a run from the middle of the plot.
  bool at_ends = false;
};

// Replaces, in place, each chosen review of `reviews` (dataset indices `review_index`, one per
// review) by its start id and a crop of min..max of its tokens (all of them when it has fewer),
// from where options.at_ends says.
void crop_reviews(EncodedSplit& reviews, const std::vector<std::uint32_t>& review_index,
                  std::uint64_t seed, int epoch, const CropOptions& options);

}  // namespace rnnsent
