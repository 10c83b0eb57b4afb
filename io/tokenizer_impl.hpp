// Inline body of for_each_token (tokenizer.hpp): a 256-entry byte table instead of a regex,
// so tokenizing the whole IMDB archive costs a fraction of a second and no byte value
// (invalid UTF-8 included) can make it fail. Included only from tokenizer.hpp.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace rnnsent {
namespace detail {

// kTokenByte[b] is the lowercased byte when b belongs to a token ([A-Za-z0-9']), else 0.
struct TokenByteTable {
  unsigned char map[256];
  constexpr TokenByteTable() : map{} {
    for (int c = 'a'; c <= 'z'; ++c) map[c] = static_cast<unsigned char>(c);
    for (int c = 'A'; c <= 'Z'; ++c) map[c] = static_cast<unsigned char>(c - 'A' + 'a');
    for (int c = '0'; c <= '9'; ++c) map[c] = static_cast<unsigned char>(c);
    map[static_cast<unsigned char>('\'')] = '\'';
  }
};
inline constexpr TokenByteTable kTokenByte{};

// True when p (pointing at '<') starts "<br />". The letters match in any case because the
// PyTorch peer lowercases the text before replacing "<br />"; the other bytes separate anyway,
// so the tag's only effect is that "br" is not a token.
inline bool is_br_tag(const unsigned char* p, const unsigned char* end) {
  return end - p >= 6 && (p[1] | 0x20) == 'b' && (p[2] | 0x20) == 'r' && p[3] == ' ' &&
         p[4] == '/' && p[5] == '>';
}

}  // namespace detail

template <typename Fn>
void for_each_token(std::string_view text, Fn&& fn) {
  const unsigned char* table = detail::kTokenByte.map;
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  // Tokens already in lower case (nearly all) are passed as views into text; others are
  // lowercased into a stack buffer, or a heap one for the rare token longer than it.
  char small[64];
  std::string large;
  while (p < end) {
    while (p < end && table[*p] == 0) p += (*p == '<' && detail::is_br_tag(p, end)) ? 6 : 1;
    if (p == end) break;
    const unsigned char* start = p;
    bool has_upper = false;
    for (; p < end && table[*p] != 0; ++p) has_upper |= table[*p] != *p;
    const std::size_t n = static_cast<std::size_t>(p - start);
    if (!has_upper) {
      fn(std::string_view(reinterpret_cast<const char*>(start), n));
      continue;
    }
    char* buf = small;
    if (n > sizeof(small)) {
      large.resize(n);
      buf = large.data();
    }
    for (std::size_t k = 0; k < n; ++k) buf[k] = static_cast<char>(table[start[k]]);
    fn(std::string_view(buf, n));
  }
}

template <typename Fn>
void for_each_token(TokenizerKind kind, std::string_view text, Fn&& fn) {
  if (kind == TokenizerKind::ascii)
    for_each_token(text, fn);  // the inlined byte table: the hot path of preparing IMDB
  else
    for_each_unicode_token(text, fn);
}

}  // namespace rnnsent
