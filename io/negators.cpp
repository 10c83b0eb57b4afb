// is_negator, negator_ids: see the header.
#include "io/negators.hpp"

#include <algorithm>
#include <array>

#include "io/vocabulary.hpp"

namespace rnnsent {

bool is_negator(std::string_view word) {
  static constexpr std::array<std::string_view, 11> kWords = {
      "not",     "no",      "never", "nothing", "nobody", "none",
      "nowhere", "neither", "nor",   "cannot",  "hardly"};
  // Contractions as reviewers type them without the apostrophe ("wont" and "cant" are rare as
  // the nouns).
  static constexpr std::array<std::string_view, 18> kBare = {
      "dont", "didnt",   "doesnt",   "isnt",   "wasnt", "werent", "arent", "cant",   "couldnt",
      "wont", "wouldnt", "shouldnt", "havent", "hasnt", "hadnt",  "aint",  "mustnt", "neednt"};
  const auto in = [word](const auto& list) {
    return std::find(list.begin(), list.end(), word) != list.end();
  };
  const bool nt = word.size() > 3 && word.substr(word.size() - 3) == "n't";
  return nt || in(kWords) || in(kBare);
}

std::vector<std::int32_t> negator_ids(const std::vector<std::string>& words, int num_words) {
  std::vector<std::int32_t> ids;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::int64_t id = std::int64_t(i) + kIndexFrom + 1;
    if (id >= num_words) break;
    if (is_negator(words[i])) ids.push_back(std::int32_t(id));
  }
  return ids;
}

}  // namespace rnnsent
