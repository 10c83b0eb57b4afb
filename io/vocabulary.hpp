// The word index of the training split, Keras style: words ranked by frequency (rank 1 is the
// most frequent; ties broken by byte order of the word, so the ranking does not depend on
// reading order or thread count) and id = rank + 3. Ids 0, 1, 2 are padding, start and
// out-of-vocabulary; 3 is unused, as in Keras's imdb.load_data.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "io/tokenizer.hpp"

namespace rnnsent {

inline constexpr std::int32_t kPadId = 0;
inline constexpr std::int32_t kStartId = 1;
inline constexpr std::int32_t kOovId = 2;
inline constexpr std::int32_t kIndexFrom = 3;  // id of rank r is r + kIndexFrom

class Vocabulary {
 public:
  Vocabulary() = default;
  // words and counts in rank order (index 0 = rank 1); throws on size mismatch or duplicates.
  Vocabulary(std::vector<std::string> words, std::vector<std::int64_t> counts);

  // Ranks a word -> count table: count descending, then word bytes ascending.
  static Vocabulary from_counts(const std::unordered_map<std::string, std::int64_t>& counts);

  // rank + 3, or kOovId when the word is unknown or its id would be >= num_words
  // (num_words <= 0 means no limit).
  std::int32_t id_of(std::string_view word, std::int32_t num_words = 0) const;

  std::size_t size() const { return words_.size(); }
  const std::vector<std::string>& words() const { return words_; }
  const std::vector<std::int64_t>& counts() const { return counts_; }

 private:
  std::vector<std::string> words_;
  std::vector<std::int64_t> counts_;
  std::unordered_map<std::string, std::int32_t> rank_of_;  // word -> rank (1-based)
};

// Encodes one text: kStartId then one id per token (unlimited vocabulary; clamp at load time),
// tokenized by `tokenizer`.
std::vector<std::int32_t> encode_text(std::string_view text, const Vocabulary& vocab,
                                      std::int32_t num_words = 0,
                                      TokenizerKind tokenizer = TokenizerKind::ascii);

}  // namespace rnnsent
