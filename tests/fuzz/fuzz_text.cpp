// libFuzzer target: arbitrary bytes through the path rnnsent_predict takes for a line of text:
// tokenize / for_each_token, encode_text against a vocabulary, pad_sequence into a row. The
// first two bytes choose num_words, maxlen and padding. Checks what docs/DATA.md promises: a
// token is a non-empty run of [a-z0-9'], both tokenizer entry points agree, the row starts
// with the start id or padding, and every id is in [0, num_words); and the unicode tokenizer's
// invariants on the same bytes.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "io/sequences.hpp"
#include "io/tokenizer.hpp"
#include "io/vocabulary.hpp"

namespace {

const rnnsent::Vocabulary& vocabulary() {
  static const rnnsent::Vocabulary v(
      {"the", "a", "movie", "film", "good", "bad", "don't", "br", "10", "it's", "'", "great"},
      {12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1});
  return v;
}

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::int32_t num_words = 4 + data[0] % 16;  // 4..19: some words become OOV
  const int maxlen = 1 + (data[1] & 0x3F);          // 1..64
  const rnnsent::Padding padding = data[1] & 0x40 ? rnnsent::Padding::post : rnnsent::Padding::pre;
  const std::string_view text(reinterpret_cast<const char*>(data + 2), size - 2);

  std::vector<std::string> tokens;
  rnnsent::tokenize(text, tokens);
  std::size_t k = 0;
  rnnsent::for_each_token(text, [&](std::string_view t) {
    check(k < tokens.size() && t == tokens[k]);
    ++k;
  });
  check(k == tokens.size());
  for (const std::string& t : tokens) {
    check(!t.empty());
    for (char c : t) check((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '\'');
  }

  const std::vector<std::int32_t> ids = rnnsent::encode_text(text, vocabulary(), num_words);
  check(ids.size() == tokens.size() + 1 && ids[0] == rnnsent::kStartId);
  std::vector<std::int32_t> row(std::size_t(maxlen), -1);
  rnnsent::pad_sequence(ids.data(), ids.size(), maxlen, padding, num_words, row.data());
  for (std::int32_t id : row) check(id >= 0 && id < num_words);

  // The unicode tokenizer on the same bytes: tokens non-empty, without ASCII separators, never
  // starting or ending with an apostrophe, and tokenizing a token gives back that token.
  std::vector<std::string> words;
  rnnsent::tokenize(text, words, rnnsent::TokenizerKind::unicode);
  for (const std::string& w : words) {
    check(!w.empty() && w.front() != '\'' && w.back() != '\'');
    for (char c : w) check(c != ' ' && c != '<' && c != '\n' && c != ',' && c != '.');
    std::vector<std::string> again;
    rnnsent::tokenize(w, again, rnnsent::TokenizerKind::unicode);
    check(again.size() == 1 && again[0] == w);
  }
  return 0;
}
