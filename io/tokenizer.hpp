// The one tokenizer shared by data preparation and prediction, so a sentence is split at
// prediction time exactly as the training reviews were. Rules (docs/DATA.md):
// ASCII letters are lowercased; every "<br />" becomes a space; a token is a maximal run of
// [a-z0-9']; every other byte (punctuation, white space, any byte >= 0x80) separates tokens.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rnnsent {

// Version of the rules above, stored with prepared data and models.
inline constexpr const char* kTokenizerName = "ascii_alnum_apostrophe_v1";

// Appends the tokens of text to out (out is not cleared).
void tokenize(std::string_view text, std::vector<std::string>& out);

// Calls fn(std::string_view token) for each token without allocating; the view is valid only
// during the call (tokens are lowercased into an internal buffer).
template <typename Fn>
void for_each_token(std::string_view text, Fn&& fn);

}  // namespace rnnsent

#include "io/tokenizer_impl.hpp"
