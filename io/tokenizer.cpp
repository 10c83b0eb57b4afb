// The allocating form of the tokenizer, for prediction and tests; data preparation uses
// for_each_token directly so it never builds a std::string per token.
#include "io/tokenizer.hpp"

#include <stdexcept>

namespace rnnsent {

void tokenize(std::string_view text, std::vector<std::string>& out, TokenizerKind kind) {
  for_each_token(kind, text, [&out](std::string_view token) { out.emplace_back(token); });
}

std::string tokenizer_name(TokenizerKind kind) {
  return kind == TokenizerKind::ascii ? kTokenizerName : kUnicodeTokenizerName;
}

TokenizerKind tokenizer_from_name(const std::string& name) {
  if (name == kTokenizerName) return TokenizerKind::ascii;
  if (name == kUnicodeTokenizerName) return TokenizerKind::unicode;
  throw std::runtime_error("tokenizer '" + name + "' is not one this build knows (" +
                           kTokenizerName + ", " + kUnicodeTokenizerName + ")");
}

TokenizerKind parse_tokenizer_option(const std::string& option) {
  if (option == "ascii") return TokenizerKind::ascii;
  if (option == "unicode") return TokenizerKind::unicode;
  throw std::invalid_argument("invalid value '" + option +
                              "' for --tokenizer: use ascii or unicode");
}

}  // namespace rnnsent
