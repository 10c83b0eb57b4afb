// The allocating form of the tokenizer, for prediction and tests; data preparation uses
// for_each_token directly so it never builds a std::string per token.
#include "io/tokenizer.hpp"

namespace rnnsent {

void tokenize(std::string_view text, std::vector<std::string>& out) {
  for_each_token(text, [&out](std::string_view token) { out.emplace_back(token); });
}

}  // namespace rnnsent
