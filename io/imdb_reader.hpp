// Reads the official aclImdb layout: DIR/{train,test}/{pos,neg}/ID_RATING.txt.
// Order within a split: pos then neg, each by numeric review id, so a prepared file is the
// same on every machine.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rnnsent {

struct RawReview {
  std::string text;
  std::int32_t id = 0;      // the ID of ID_RATING.txt
  std::uint8_t rating = 0;  // the RATING of ID_RATING.txt (1-4 negative, 7-10 positive)
  std::uint8_t label = 0;   // 1 = positive (pos/), 0 = negative (neg/)
};

// Reads DIR/split/{pos,neg}. Throws std::runtime_error naming the path when DIR or a
// sub-directory is missing, a file name is not ID_RATING.txt, a file cannot be read, or the
// split holds no review.
std::vector<RawReview> read_imdb_split(const std::string& imdb_dir, const std::string& split);

}  // namespace rnnsent
