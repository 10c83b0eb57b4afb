// The tokenizers shared by data preparation and prediction, so a sentence is split at
// prediction time exactly as the training reviews were; the prepared file and the model record
// which one. Rules (docs/DATA.md):
// ascii (the default, IMDB's and Keras's convention): ASCII letters are lowercased; every
// "<br />" becomes a space; a token is a maximal run of [a-z0-9']; every other byte
// (punctuation, white space, any byte >= 0x80) separates tokens.
// unicode: "<br />" becomes a space; the text is normalised (NFKC) and case-folded with
// utf8proc; a token is a maximal run of letters, combining marks and decimal digits of any
// script, with apostrophes (' or U+2019, written ') kept inside a word; invalid UTF-8 bytes
// separate tokens.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace rnnsent {

// Version of the rules above, stored with prepared data and models.
inline constexpr const char* kTokenizerName = "ascii_alnum_apostrophe_v1";  // ascii
inline constexpr const char* kUnicodeTokenizerName = "unicode_nfkc_casefold_v1";

enum class TokenizerKind { ascii, unicode };

// The stored name of a tokenizer, and back (throws naming an unknown name and the known ones).
std::string tokenizer_name(TokenizerKind kind);
TokenizerKind tokenizer_from_name(const std::string& name);
// The --tokenizer option: ascii | unicode (throws naming the value).
TokenizerKind parse_tokenizer_option(const std::string& option);

// The unicode rules: fn(std::string_view token) for each token, in order.
void for_each_unicode_token(std::string_view text, const std::function<void(std::string_view)>& fn);

// Either tokenizer.
template <typename Fn>
void for_each_token(TokenizerKind kind, std::string_view text, Fn&& fn);

// Appends the tokens of text to out (out is not cleared).
void tokenize(std::string_view text, std::vector<std::string>& out,
              TokenizerKind kind = TokenizerKind::ascii);

// Calls fn(std::string_view token) for each token without allocating; the view is valid only
// during the call (tokens are lowercased into an internal buffer).
template <typename Fn>
void for_each_token(std::string_view text, Fn&& fn);

}  // namespace rnnsent

#include "io/tokenizer_impl.hpp"
