// Ranking and lookup of the training vocabulary (vocabulary.hpp). The ranking is a total
// order on (count, word bytes), so the same counts give the same ids on every machine and
// for every thread count.
#include "io/vocabulary.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "io/tokenizer.hpp"

namespace rnnsent {

Vocabulary::Vocabulary(std::vector<std::string> words, std::vector<std::int64_t> counts)
    : words_(std::move(words)), counts_(std::move(counts)) {
  if (words_.size() != counts_.size()) {
    throw std::runtime_error("vocabulary: " + std::to_string(words_.size()) + " words but " +
                             std::to_string(counts_.size()) + " counts");
  }
  // Ids must fit int32 after the +kIndexFrom offset.
  if (words_.size() > std::size_t(std::numeric_limits<std::int32_t>::max() - kIndexFrom)) {
    throw std::runtime_error("vocabulary: too many words (" + std::to_string(words_.size()) + ")");
  }
  rank_of_.reserve(words_.size());
  for (std::size_t i = 0; i < words_.size(); ++i) {
    if (words_[i].empty()) {
      throw std::runtime_error("vocabulary: empty word at rank " + std::to_string(i + 1));
    }
    if (!rank_of_.emplace(words_[i], std::int32_t(i + 1)).second) {
      throw std::runtime_error("vocabulary: duplicate word '" + words_[i] + "' at rank " +
                               std::to_string(i + 1));
    }
  }
}

Vocabulary Vocabulary::from_counts(const std::unordered_map<std::string, std::int64_t>& counts) {
  std::vector<const std::pair<const std::string, std::int64_t>*> order;
  order.reserve(counts.size());
  for (const auto& entry : counts) order.push_back(&entry);
  // std::string::compare is memcmp-based, i.e. unsigned byte order: locale-independent.
  std::sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
    if (a->second != b->second) return a->second > b->second;
    return a->first < b->first;
  });
  std::vector<std::string> words;
  std::vector<std::int64_t> sorted_counts;
  words.reserve(order.size());
  sorted_counts.reserve(order.size());
  for (const auto* entry : order) {
    words.push_back(entry->first);
    sorted_counts.push_back(entry->second);
  }
  return Vocabulary(std::move(words), std::move(sorted_counts));
}

std::int32_t Vocabulary::id_of(std::string_view word, std::int32_t num_words) const {
  auto it = rank_of_.find(std::string(word));
  if (it == rank_of_.end()) return kOovId;
  const std::int32_t id = it->second + kIndexFrom;
  return (num_words > 0 && id >= num_words) ? kOovId : id;
}

std::vector<std::int32_t> encode_text(std::string_view text, const Vocabulary& vocab,
                                      std::int32_t num_words, TokenizerKind tokenizer) {
  std::vector<std::int32_t> ids{kStartId};
  for_each_token(tokenizer, text,
                 [&](std::string_view token) { ids.push_back(vocab.id_of(token, num_words)); });
  return ids;
}

}  // namespace rnnsent
