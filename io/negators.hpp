// The words that open a negation scope (core/phrase_rows.hpp), found in a model's vocabulary.
// The rule is part of a model's meaning: a model with negation_scope > 0 derives its negators
// from its own word list with this rule whenever it is built, in training and in scoring, so
// changing the rule changes old models; give a changed rule a new name and store it.
// Rule "negators_v1": not, no, never, nothing, nobody, none, nowhere, neither, nor, cannot,
// hardly; every word ending in "n't" (didn't, isn't, ...; the tokenizers keep the apostrophe);
// and the same contractions written without it (didnt, isnt, dont, ...), common in reviews.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rnnsent {

inline constexpr const char* kNegatorRule = "negators_v1";

bool is_negator(std::string_view word);

// The ids (ascending) of the negators among words, given in rank order (words[i] has id
// i + 4, io/vocabulary.hpp), that are below num_words.
std::vector<std::int32_t> negator_ids(const std::vector<std::string>& words, int num_words);

}  // namespace rnnsent
