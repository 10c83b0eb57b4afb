// The unicode tokenizer (tokenizer.hpp) on utf8proc: normalisation and case folding are the
// library's (Unicode's tables change with versions; a maintained library keeps up), the token
// rules are ours.
#include <utf8proc.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "io/tokenizer.hpp"

namespace rnnsent {
namespace {

// "<br />" (any case) and every invalid UTF-8 byte become a space, so utf8proc sees valid
// text and the tag is not a word.
std::string clean(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  const utf8proc_ssize_t n = utf8proc_ssize_t(text.size());
  for (utf8proc_ssize_t i = 0; i < n;) {
    if (p[i] == '<' && detail::is_br_tag(p + i, p + n)) {
      out += ' ';
      i += 6;
      continue;
    }
    utf8proc_int32_t cp = 0;
    const utf8proc_ssize_t len = utf8proc_iterate(p + i, n - i, &cp);
    if (len <= 0) {
      out += ' ';
      i += 1;
    } else {
      out.append(reinterpret_cast<const char*>(p + i), std::size_t(len));
      i += len;
    }
  }
  return out;
}

bool is_word_char(utf8proc_int32_t cp) {
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
      return true;
    default:
      return false;
  }
}

bool is_apostrophe(utf8proc_int32_t cp) { return cp == '\'' || cp == 0x2019; }

}  // namespace

void for_each_unicode_token(std::string_view text,
                            const std::function<void(std::string_view)>& fn) {
  const std::string valid = clean(text);
  utf8proc_uint8_t* mapped = nullptr;
  const utf8proc_ssize_t n = utf8proc_map(
      reinterpret_cast<const utf8proc_uint8_t*>(valid.data()), utf8proc_ssize_t(valid.size()),
      &mapped,
      utf8proc_option_t(UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD));
  if (n < 0) return;  // cannot happen on cleaned text; no tokens rather than a crash
  const std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owned(mapped, &std::free);
  std::string token;
  bool apostrophe_pending = false;  // an apostrophe after a word character, not yet kept
  for (utf8proc_ssize_t i = 0; i < n;) {
    utf8proc_int32_t cp = 0;
    const utf8proc_ssize_t len = utf8proc_iterate(mapped + i, n - i, &cp);
    if (len <= 0) break;
    if (is_word_char(cp)) {
      if (apostrophe_pending) token += '\'';
      apostrophe_pending = false;
      token.append(reinterpret_cast<const char*>(mapped + i), std::size_t(len));
    } else if (is_apostrophe(cp) && !token.empty() && !apostrophe_pending) {
      apostrophe_pending = true;  // kept only if a word character follows
    } else {
      apostrophe_pending = false;
      if (!token.empty()) fn(token);
      token.clear();
    }
    i += len;
  }
  if (!token.empty()) fn(token);
}

}  // namespace rnnsent
